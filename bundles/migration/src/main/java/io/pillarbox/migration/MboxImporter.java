package io.pillarbox.migration;

import io.pillarbox.api.store.AppendResult;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Imports a Unix mbox file into a mailbox of any {@link StoreSession}.
 * <p>
 * Messages start at {@code From } lines with a valid date (as UW IMAP checks them). Per message, the bookkeeping
 * headers of UW IMAP, pine and mutt are turned into flags and removed from the stored message: {@code Status:}
 * ({@code R} is {@code \Seen}; {@code O} only means "not recent"), {@code X-Status:} ({@code A} answered, {@code F}
 * flagged, {@code T} draft, {@code D} deleted), {@code X-Keywords:} (keywords), {@code X-UID:}, and the file-level
 * {@code X-IMAP:} / {@code X-IMAPbase:} (UIDVALIDITY, last UID, keywords); {@code Content-Length:} goes too, as it
 * would be wrong once line ends change. UW IMAP's pseudo-message "DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA"
 * is skipped. The internal date comes from the {@code From } line. {@code >From } lines are unquoted per the
 * {@link MboxFormat}, the blank line that separates messages is dropped, and line ends become CRLF (unless
 * {@link Options#crlf()} is false).
 * <p>
 * UIDs cannot be kept through today's store API: each message gets the store's next UID, and the result maps
 * {@code X-UID}s to the new UIDs.
 */
public final class MboxImporter {

    private static final Set<String> BOOKKEEPING = Set.of("status", "x-status", "x-keywords", "x-uid", "x-imap",
            "x-imapbase", "content-length");
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LF = {'\n'};

    /**
     * @param format          how {@code From } lines in messages are quoted
     * @param crlf            store lines with CRLF (what IMAP expects) instead of the file's line ends
     * @param createMailbox   create the target mailbox if it does not exist
     * @param memoryThreshold messages up to this size are collected in memory, larger ones in a temporary file
     */
    public record Options(MboxFormat format, boolean crlf, boolean createMailbox, int memoryThreshold) {

        /** mboxrd unquoting, CRLF line ends, create the mailbox, 4 MB in memory. */
        public static Options defaults() {
            return new Options(MboxFormat.MBOXRD, true, true, 4 * 1024 * 1024);
        }

        public Options withFormat(MboxFormat f) {
            return new Options(f, crlf, createMailbox, memoryThreshold);
        }
    }

    private MboxImporter() {
    }

    /** Imports the mbox file with {@link Options#defaults()}. */
    public static MboxImport importMbox(Path file, StoreSession session, String mailbox)
            throws IOException, StoreException {
        try (InputStream in = Files.newInputStream(file)) {
            return importMbox(in, session, mailbox, Options.defaults());
        }
    }

    /**
     * Imports every message of an mbox stream (read to its end, not closed).
     *
     * @throws IOException    if the stream fails or does not start with a {@code From } line
     * @throws StoreException if the mailbox is missing (and not to be created) or an append fails; messages
     *                        appended before stay
     */
    public static MboxImport importMbox(InputStream in, StoreSession session, String mailbox, Options options)
            throws IOException, StoreException {
        String target = ensureMailbox(session, mailbox, options.createMailbox());
        LineInput li = new LineInput(in instanceof BufferedInputStream ? in : new BufferedInputStream(in));
        boolean more = li.next();
        while (more && li.length == 0) {
            more = li.next();
        }
        if (!more) {
            return new MboxImport(target, List.of(), 0, 0, 0, List.of());
        }
        FromLine from = FromLine.parse(li.text());
        if (from == null) {
            throw new IOException("not an mbox file: it does not start with a From line");
        }
        List<MboxImport.Message> done = new ArrayList<>();
        int skipped = 0;
        long uidValidity = 0;
        long uidLast = 0;
        List<String> keywords = List.of();
        boolean first = true;
        while (from != null) {
            try (Spool spool = new Spool(options.memoryThreshold())) {
                Parsed p = readMessage(li, options, spool);
                if (first && (p.imapBase != null || p.imap != null)) {
                    String[] v = (p.imapBase != null ? p.imapBase : p.imap).trim().split("\\s+");
                    uidValidity = number(v, 0);
                    uidLast = number(v, 1);
                    List<String> k = new ArrayList<>();
                    for (int i = 2; i < v.length; i++) {
                        k.add(v[i]);
                    }
                    keywords = k;
                }
                boolean pseudo = first && p.imap != null && p.subject != null
                        && p.subject.contains("FOLDER INTERNAL DATA");
                first = false;
                if (pseudo) {
                    skipped++;
                } else {
                    Set<String> flags = p.flags();
                    Instant date = from.date() != null ? from.date() : p.date();
                    AppendResult r = session.append(target, spool.source(), flags, date);
                    done.add(new MboxImport.Message(p.uid, r.uid(), flags, spool.size()));
                }
                from = p.next;
            }
        }
        return new MboxImport(target, done, skipped, uidValidity, uidLast, keywords);
    }

    /**
     * What {@link #importTree} did.
     *
     * @param imported per mailbox name, the import of its file
     * @param skipped  files left alone: hidden ones (UW's {@code .mailboxlist}, ...) and files that are not mbox
     */
    public record TreeImport(Map<String, MboxImport> imported, List<Path> skipped) {
        public TreeImport {
            imported = Collections.unmodifiableMap(new TreeMap<>(imported));
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * Imports a folder tree of mbox files (UW IMAP's or pine's {@code ~/mail}, mutt's {@code ~/Mail}): the file
     * {@code lists/java} becomes the mailbox {@code parent/lists/java} (or {@code lists/java} when {@code parent} is
     * {@code null}); a top-level file named {@code INBOX} (any case) goes to INBOX. Hidden files and files that do not
     * start with a {@code From } line are skipped and reported.
     */
    public static TreeImport importTree(Path dir, StoreSession session, String parent, Options options)
            throws IOException, StoreException {
        List<Path> files;
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        Map<String, MboxImport> imported = new TreeMap<>();
        List<Path> skipped = new ArrayList<>();
        for (Path f : files) {
            Path rel = dir.relativize(f);
            boolean hidden = false;
            StringBuilder name = new StringBuilder();
            for (Path seg : rel) {
                String s = seg.toString();
                hidden |= s.startsWith(".");
                name.append(name.length() == 0 ? "" : String.valueOf(StoreSession.DELIMITER)).append(s);
            }
            if (hidden || !isMbox(f)) {
                skipped.add(f);
                continue;
            }
            String mailbox = name.toString();
            if (parent != null && !parent.isEmpty()) {
                mailbox = parent + StoreSession.DELIMITER + mailbox;
            } else if (mailbox.equalsIgnoreCase(StoreSession.INBOX)) {
                mailbox = StoreSession.INBOX;
            }
            try (InputStream in = Files.newInputStream(f)) {
                MboxImport r = importMbox(in, session, mailbox, options);
                imported.put(r.mailbox(), r);
            }
        }
        return new TreeImport(imported, skipped);
    }

    /** True if the file's first non-blank line is a valid {@code From } line (an empty file counts as mbox). */
    public static boolean isMbox(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            LineInput li = new LineInput(new BufferedInputStream(in, 8192));
            while (li.next()) {
                if (li.length > 0) {
                    return li.length < 1000 && FromLine.parse(li.text()) != null;
                }
            }
            return true;
        }
    }

    private static long number(String[] v, int i) {
        try {
            return i < v.length ? Long.parseLong(v[i]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String ensureMailbox(StoreSession session, String mailbox, boolean create) throws StoreException {
        try {
            return session.status(mailbox).name();
        } catch (StoreException e) {
            if (e.reason() != StoreException.Reason.NONEXISTENT || !create) {
                throw e;
            }
            MailboxInfo i = session.create(mailbox, null);
            return i.name();
        }
    }

    /** The bookkeeping of one message and the From_ line that follows it. */
    private static final class Parsed {
        String status;
        String xStatus;
        String xKeywords;
        long uid;
        String imap;
        String imapBase;
        String subject;
        String dateHeader;
        FromLine next;

        Set<String> flags() {
            Set<String> f = new LinkedHashSet<>();
            if (status != null && status.indexOf('R') >= 0) {
                f.add(Flags.SEEN);
            }
            if (xStatus != null) {
                if (xStatus.indexOf('A') >= 0) {
                    f.add(Flags.ANSWERED);
                }
                if (xStatus.indexOf('F') >= 0) {
                    f.add(Flags.FLAGGED);
                }
                if (xStatus.indexOf('T') >= 0) {
                    f.add(Flags.DRAFT);
                }
                if (xStatus.indexOf('D') >= 0) {
                    f.add(Flags.DELETED);
                }
            }
            if (xKeywords != null) {
                for (String k : xKeywords.split("[\\s,]+")) {
                    if (!k.isEmpty() && !k.startsWith("\\") && isAtom(k)) {
                        f.add(k);
                    }
                }
            }
            return f;
        }

        Instant date() {
            if (dateHeader == null) {
                return null;
            }
            try {
                return ZonedDateTime.parse(dateHeader.replaceAll("\\s*\\(.*\\)\\s*$", "").trim(),
                        DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    private static boolean isAtom(String k) {
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            if (c <= ' ' || c >= 127 || "(){%*\"\\]".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads one message after its From_ line into {@code spool}: the header without the bookkeeping fields, then the
     * body up to the next From_ line or the end, unquoted, without the separating blank line.
     */
    private static Parsed readMessage(LineInput li, Options o, Spool spool) throws IOException {
        Parsed p = new Parsed();
        byte[] eol = o.crlf() ? CRLF : null;
        // header: fields with their continuation lines
        List<byte[]> field = new ArrayList<>();
        boolean inHeader = true;
        boolean more;
        while ((more = li.next())) {
            if (isFromLine(li)) {
                flushField(field, p, spool, eol);
                p.next = FromLine.parse(li.text());
                return p;
            }
            if (li.length == 0) {
                flushField(field, p, spool, eol);
                spool.write(lineEnd(li, eol));
                inHeader = false;
                break;
            }
            byte[] line = unquote(li, o.format());
            if ((line.length > 0 && (line[0] == ' ' || line[0] == '\t')) && !field.isEmpty()) {
                field.add(line);
                field.add(lineEnd(li, eol));
            } else {
                flushField(field, p, spool, eol);
                field.add(line);
                field.add(lineEnd(li, eol));
            }
        }
        if (inHeader) {
            flushField(field, p, spool, eol);
            return p;
        }
        // body: hold back blank lines, the last one separates messages
        int blanks = 0;
        byte[] blankEol = null;
        while ((more = li.next())) {
            if (isFromLine(li)) {
                p.next = FromLine.parse(li.text());
                break;
            }
            if (li.length == 0 && li.lf) {
                blanks++;
                blankEol = lineEnd(li, eol);
                continue;
            }
            for (; blanks > 0; blanks--) {
                spool.write(blankEol);
            }
            byte[] line = unquote(li, o.format());
            spool.write(line);
            spool.write(lineEnd(li, eol));
        }
        for (; blanks > 1; blanks--) {
            spool.write(blankEol);
        }
        return p;
    }

    private static boolean isFromLine(LineInput li) {
        return li.startsWith("From ") && FromLine.parse(li.text()) != null;
    }

    private static byte[] lineEnd(LineInput li, byte[] eol) {
        if (!li.lf) {
            return new byte[0];
        }
        return eol != null ? eol : li.cr ? CRLF : LF;
    }

    /** The line's content with one level of From-quoting removed. */
    private static byte[] unquote(LineInput li, MboxFormat format) {
        byte[] c = li.content;
        int n = li.length;
        int gt = 0;
        while (gt < n && c[gt] == '>') {
            gt++;
        }
        boolean quoted = gt > 0 && LineInput.startsWith(c, gt, n - gt, "From ")
                && (format == MboxFormat.MBOXRD || gt == 1);
        int off = quoted ? 1 : 0;
        return java.util.Arrays.copyOfRange(c, off, n);
    }

    /** Writes a collected header field unless it is bookkeeping, which it records in {@code p}. */
    private static void flushField(List<byte[]> field, Parsed p, Spool spool, byte[] eol) throws IOException {
        if (field.isEmpty()) {
            return;
        }
        byte[] firstLine = field.get(0);
        String text = new String(firstLine, StandardCharsets.ISO_8859_1);
        int colon = text.indexOf(':');
        String name = colon > 0 ? text.substring(0, colon).trim().toLowerCase(Locale.ROOT) : "";
        if (BOOKKEEPING.contains(name)) {
            StringBuilder v = new StringBuilder(text.substring(colon + 1));
            for (int i = 2; i < field.size(); i += 2) {
                v.append(new String(field.get(i), StandardCharsets.ISO_8859_1));
            }
            String value = v.toString().trim();
            switch (name) {
                case "status" -> p.status = value;
                case "x-status" -> p.xStatus = value;
                case "x-keywords" -> p.xKeywords = value;
                case "x-uid" -> {
                    try {
                        p.uid = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        p.uid = 0;
                    }
                }
                case "x-imap" -> p.imap = value;
                case "x-imapbase" -> p.imapBase = value;
                default -> {
                    // content-length: dropped
                }
            }
        } else {
            if (name.equals("subject") && p.subject == null) {
                p.subject = text.substring(colon + 1).trim();
            } else if (name.equals("date") && p.dateHeader == null) {
                p.dateHeader = text.substring(colon + 1).trim();
            }
            for (byte[] b : field) {
                spool.write(b);
            }
        }
        field.clear();
    }
}
