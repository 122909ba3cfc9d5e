package io.pillarbox.shell;

import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads a Maildir++ tree as Dovecot and Courier write it (INBOX in {@code cur/} and {@code new/} of the root,
 * folders as {@code .Name} and {@code .Parent.Child} directories with modified UTF-7 names) and appends its messages
 * to any store: flags from the file names ({@code :2,} followed by {@code D} draft, {@code F} flagged, {@code R}
 * answered, {@code S} seen, {@code T} deleted, and {@code a}..{@code z} keywords named in {@code dovecot-keywords}),
 * messages in {@code new/} unseen, the internal date from the file's modification time, the order of
 * {@code dovecot-uidlist} where there is one, and the {@code subscriptions} file. Line ends become CRLF. The store
 * assigns new UIDs; to keep Dovecot's UIDs, point the Maildir store at the existing Maildirs instead (see
 * docs/MAILDIR.md).
 */
final class MaildirImport {

    private MaildirImport() {
    }

    /** Whether a directory looks like a Maildir (has cur/). */
    static boolean isMaildir(Path dir) {
        return Files.isDirectory(dir.resolve("cur"));
    }

    /** One imported message's flags, per mailbox. */
    record Folder(String mailbox, List<Set<String>> messages) {
    }

    /**
     * Imports the whole tree under {@code parent} ({@code null}: the top level, the root's messages into INBOX).
     *
     * @return per mailbox, the flags of the messages appended, in order
     */
    static List<Folder> importTree(Path root, StoreSession s, String parent) throws IOException, StoreException {
        if (!isMaildir(root)) {
            throw new IllegalArgumentException("not a Maildir (no cur/ directory): " + root);
        }
        Map<String, Path> folders = new TreeMap<>();
        folders.put(parent == null || parent.isEmpty() ? StoreSession.INBOX : parent, root);
        try (Stream<Path> list = Files.list(root)) {
            for (Path d : list.filter(Files::isDirectory).toList()) {
                String n = d.getFileName().toString();
                if (n.length() < 2 || n.charAt(0) != '.' || n.equals("..") || !isMaildir(d)) {
                    continue;
                }
                String name = folderName(n.substring(1));
                if (name.equalsIgnoreCase(StoreSession.INBOX)) {
                    name = StoreSession.INBOX; // Courier's .INBOX.x layouts put nothing here; be safe
                }
                if (name.toUpperCase(java.util.Locale.ROOT).startsWith("INBOX/")) {
                    name = name.substring("INBOX/".length()); // Courier: INBOX.Sent is Sent
                }
                folders.put(parent == null || parent.isEmpty() ? name : parent + StoreSession.DELIMITER + name, d);
            }
        }
        Set<String> existing = new java.util.HashSet<>();
        for (MailboxInfo i : s.list()) {
            existing.add(i.name());
        }
        List<Folder> out = new ArrayList<>();
        for (Map.Entry<String, Path> f : folders.entrySet()) {
            if (!existing.contains(f.getKey())) {
                s.create(f.getKey(), null);
                existing.add(f.getKey());
            }
            out.add(new Folder(f.getKey(), importFolder(f.getValue(), s, f.getKey())));
        }
        Path subs = root.resolve("subscriptions");
        if (Files.isRegularFile(subs)) {
            for (String line : Files.readAllLines(subs, StandardCharsets.UTF_8)) {
                String n = line.strip();
                if (n.isEmpty() || n.startsWith("V\t") || n.equals("V 2")) {
                    continue;
                }
                String name = n.contains("\t") ? n.replace('\t', StoreSession.DELIMITER) : folderName(n);
                String full = parent == null || parent.isEmpty() ? name : parent + StoreSession.DELIMITER + name;
                if (existing.contains(full)) {
                    s.subscribe(full);
                }
            }
        }
        return out;
    }

    /** Appends the messages of one Maildir folder, oldest UID first. */
    static List<Set<String>> importFolder(Path dir, StoreSession s, String mailbox) throws IOException, StoreException {
        List<String> keywords = keywords(dir.resolve("dovecot-keywords"));
        Map<String, Long> order = uidOrder(dir.resolve("dovecot-uidlist"));
        List<Path> files = new ArrayList<>();
        for (String sub : new String[]{"cur", "new"}) {
            Path d = dir.resolve(sub);
            if (Files.isDirectory(d)) {
                try (Stream<Path> l = Files.list(d)) {
                    l.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                            .forEach(files::add);
                }
            }
        }
        files.sort(Comparator.<Path>comparingLong(p -> order.getOrDefault(base(p), Long.MAX_VALUE))
                .thenComparing(p -> p.getFileName().toString()));
        List<Set<String>> done = new ArrayList<>();
        for (Path f : files) {
            boolean isNew = f.getParent().getFileName().toString().equals("new");
            Set<String> flags = isNew ? Set.of() : flags(f.getFileName().toString(), keywords);
            Instant date = Files.getLastModifiedTime(f).toInstant();
            s.append(mailbox, MessageSource.of(crlf(Files.readAllBytes(f))), flags, date);
            done.add(flags);
        }
        return done;
    }

    /** Flags of a file name {@code base:2,FRSab}. */
    static Set<String> flags(String fileName, List<String> keywords) {
        int i = fileName.indexOf(":2,");
        if (i < 0) {
            i = fileName.indexOf("!2,"); // the separator some systems use where ':' is not allowed
        }
        Set<String> flags = new LinkedHashSet<>();
        if (i < 0) {
            return flags;
        }
        for (char c : fileName.substring(i + 3).toCharArray()) {
            switch (c) {
                case 'D' -> flags.add(Flags.DRAFT);
                case 'F' -> flags.add(Flags.FLAGGED);
                case 'R' -> flags.add(Flags.ANSWERED);
                case 'S' -> flags.add(Flags.SEEN);
                case 'T' -> flags.add(Flags.DELETED);
                case 'P' -> flags.add("$Forwarded");
                default -> {
                    if (c >= 'a' && c <= 'z' && c - 'a' < keywords.size() && keywords.get(c - 'a') != null) {
                        flags.add(keywords.get(c - 'a'));
                    }
                }
            }
        }
        return flags;
    }

    /** dovecot-keywords: lines {@code <index> <keyword>}. */
    static List<String> keywords(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] p = line.strip().split("\\s+", 2);
            if (p.length == 2 && p[0].matches("\\d{1,2}")) {
                int n = Integer.parseInt(p[0]);
                while (out.size() <= n) {
                    out.add(null);
                }
                out.set(n, p[1]);
            }
        }
        return out;
    }

    /** dovecot-uidlist: per file base name, its UID (the header line is skipped). */
    static Map<String, Long> uidOrder(Path file) throws IOException {
        Map<String, Long> out = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int k = 1; k < lines.size(); k++) {
            String line = lines.get(k);
            int sp = line.indexOf(' ');
            int colon = line.indexOf(':');
            if (sp <= 0 || colon < 0) {
                continue;
            }
            try {
                out.put(line.substring(colon + 1).strip(), Long.parseLong(line.substring(0, sp)));
            } catch (NumberFormatException e) {
                // not a record line
            }
        }
        return out;
    }

    private static String base(Path p) {
        String n = p.getFileName().toString();
        int i = n.indexOf(':');
        return i < 0 ? n : n.substring(0, i);
    }

    /** A Maildir++ folder name ({@code Parent.Child}, modified UTF-7) as a mailbox name ({@code Parent/Child}). */
    static String folderName(String dotted) {
        StringBuilder out = new StringBuilder();
        for (String level : dotted.split("\\.", -1)) {
            if (out.length() > 0) {
                out.append(StoreSession.DELIMITER);
            }
            out.append(decodeUtf7(level));
        }
        return out.toString();
    }

    /** RFC 3501 modified UTF-7: {@code &...-} holds modified base64 of UTF-16; {@code &-} is {@code &}. */
    static String decodeUtf7(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int end = c == '&' ? s.indexOf('-', i + 1) : -1;
            if (c != '&' || end < 0) {
                out.append(c);
                i++;
                continue;
            }
            if (end == i + 1) {
                out.append('&');
            } else {
                String b64 = s.substring(i + 1, end).replace(',', '/');
                while (b64.length() % 4 != 0) {
                    b64 += "=";
                }
                try {
                    out.append(new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_16BE));
                } catch (IllegalArgumentException e) {
                    out.append(s, i, end + 1); // not valid: keep it as it is
                }
            }
            i = end + 1;
        }
        return out.toString();
    }

    /** Bare LF becomes CRLF; CRLF stays. */
    static byte[] crlf(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + in.length / 40 + 2);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(in[i]);
        }
        return out.toByteArray();
    }
}
