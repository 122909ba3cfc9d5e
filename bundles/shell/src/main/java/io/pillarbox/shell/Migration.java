package io.pillarbox.shell;

import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.migration.MboxExporter;
import io.pillarbox.migration.MboxFormat;
import io.pillarbox.migration.MboxImport;
import io.pillarbox.migration.MboxImporter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code mail:import} / {@code mail:export} on top of io.pillarbox.migration, with a report for the admin. */
final class Migration {

    private Migration() {
    }

    /** What one mailbox's import did, as printed. */
    record Imported(String mailbox, int messages, int skipped, long seen, long answered, long flagged, long deleted,
                    long draft, long withKeywords) {
        static Imported of(MboxImport r) {
            return of(r.mailbox(), r.messages().stream().map(MboxImport.Message::flags).toList(), r.skipped());
        }

        static Imported of(String mailbox, List<Set<String>> messages, int skipped) {
            long seen = 0, answered = 0, flagged = 0, deleted = 0, draft = 0, kw = 0;
            for (Set<String> f : messages) {
                seen += Flags.contains(f, Flags.SEEN) ? 1 : 0;
                answered += Flags.contains(f, Flags.ANSWERED) ? 1 : 0;
                flagged += Flags.contains(f, Flags.FLAGGED) ? 1 : 0;
                deleted += Flags.contains(f, Flags.DELETED) ? 1 : 0;
                draft += Flags.contains(f, Flags.DRAFT) ? 1 : 0;
                kw += f.stream().anyMatch(x -> !x.startsWith("\\")) ? 1 : 0;
            }
            return new Imported(mailbox, messages.size(), skipped, seen, answered, flagged, deleted, draft, kw);
        }
    }

    /**
     * The result of an import: per mailbox, and the files left alone.
     *
     * @param uids per mailbox, whether the UIDs were kept ("kept", "kept 2 of 4 (why)", "new (why)", "new")
     */
    record ImportReport(List<Imported> mailboxes, List<Path> skippedFiles, Map<String, String> uids) {
        ImportReport(List<Imported> mailboxes, List<Path> skippedFiles) {
            this(mailboxes, skippedFiles, Map.of());
        }

        /** What {@link #uids} says for an mbox import. */
        static String uids(MboxImport r) {
            if (r.uidsKept()) {
                return "kept";
            }
            if (r.uidValidityKept()) {
                return "kept " + r.keptUidCount() + " of " + r.messages().size() + " (" + r.uidNote() + ")";
            }
            return r.uidNote() == null ? "new" : "new (" + r.uidNote() + ")";
        }
    }

    /**
     * Imports an mbox file into {@code mailbox} (default INBOX), or a directory of mbox files as a folder tree under
     * {@code mailbox} (default: the top level, a file named INBOX going to INBOX).
     */
    static ImportReport importPath(StoreSession s, Path path, String mailbox, MboxFormat format)
            throws IOException, StoreException {
        MboxImporter.Options options = MboxImporter.Options.defaults().withFormat(format);
        if (Files.isDirectory(path) && MaildirImport.isMaildir(path)) {
            List<Imported> list = new ArrayList<>();
            for (MaildirImport.Folder f : MaildirImport.importTree(path, s, mailbox)) {
                list.add(Imported.of(f.mailbox(), f.messages(), 0));
            }
            return new ImportReport(list, List.of());
        }
        if (Files.isDirectory(path)) {
            MboxImporter.TreeImport t = MboxImporter.importTree(path, s, mailbox, options);
            List<Imported> list = new ArrayList<>();
            Map<String, String> uids = new LinkedHashMap<>();
            for (MboxImport r : t.imported().values()) {
                list.add(Imported.of(r));
                uids.put(r.mailbox(), ImportReport.uids(r));
            }
            return new ImportReport(list, t.skipped(), uids);
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no such file or directory: " + path);
        }
        if (!MboxImporter.isMbox(path)) {
            throw new IllegalArgumentException(path + " is not an mbox file (it does not start with a From line)");
        }
        try (var in = Files.newInputStream(path)) {
            MboxImport r = MboxImporter.importMbox(in, s, mailbox == null ? StoreSession.INBOX : mailbox, options);
            return new ImportReport(List.of(Imported.of(r)), List.of(), Map.of(r.mailbox(), ImportReport.uids(r)));
        }
    }

    /**
     * Exports one mailbox to the file {@code path}, or (when {@code mailbox} is null) every selectable mailbox to an
     * mbox tree under the directory {@code path} as mutt and UW IMAP keep them ({@code Archive/2024} in
     * {@code path/Archive/2024}). A mailbox that has children cannot be a file and a directory at once: it is
     * written as {@code name.mbox} beside its children's directory.
     *
     * @return per mailbox, the file written and the number of messages
     */
    static Map<String, Map.Entry<Path, Integer>> exportPath(StoreSession s, Path path, String mailbox,
                                                             MboxFormat format, boolean overwrite)
            throws IOException, StoreException {
        Map<String, Map.Entry<Path, Integer>> done = new LinkedHashMap<>();
        if (mailbox != null) {
            done.put(mailbox, Map.entry(path, exportOne(s, mailbox, path, format, overwrite)));
            return done;
        }
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new IllegalArgumentException(path + " is a file: exporting every mailbox needs a directory "
                    + "(or name one mailbox with --mailbox)");
        }
        List<MailboxInfo> all = s.list();
        for (MailboxInfo i : all) {
            if (!i.selectable()) {
                continue;
            }
            boolean hasChildren = all.stream().anyMatch(o -> o.name().startsWith(i.name() + StoreSession.DELIMITER));
            Path file = path;
            String[] levels = i.name().split(String.valueOf(StoreSession.DELIMITER));
            for (int k = 0; k < levels.length; k++) {
                file = file.resolve(k == levels.length - 1 && hasChildren ? levels[k] + ".mbox" : levels[k]);
            }
            done.put(i.name(), Map.entry(file, exportOne(s, i.name(), file, format, overwrite)));
        }
        return done;
    }

    private static int exportOne(StoreSession s, String mailbox, Path file, MboxFormat format, boolean overwrite)
            throws IOException, StoreException {
        if (Files.exists(file) && !overwrite) {
            throw new IllegalArgumentException(file + " exists (use --force to overwrite)");
        }
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Path tmp = Files.createTempFile(file.getParent() == null ? Path.of(".") : file.getParent(),
                "." + file.getFileName(), ".tmp");
        try {
            int n;
            try (Mailbox m = s.open(mailbox, true); OutputStream out = Files.newOutputStream(tmp)) {
                n = MboxExporter.export(m, out, format);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return n;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
