package io.pillarbox.migration;

import io.pillarbox.api.store.AppendResult;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MailboxStatus;
import io.pillarbox.api.store.SpecialUse;
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
 * <b>UIDs.</b> UIDs and UIDVALIDITY are kept (so IMAP clients need not download the mailbox again) when the store
 * {@linkplain StoreSession#canKeepUids() can keep them}, the target mailbox is new (it does not exist, or exists
 * empty with UIDNEXT 1, INBOX included, and is then adopted with {@link StoreSession#create(String, SpecialUse, long)},
 * keeping its special use and subscriptions), and the file starts with
 * {@code X-IMAP}/{@code X-IMAPbase} giving a UIDVALIDITY: the mailbox is created with that UIDVALIDITY and each
 * message appended with its {@code X-UID}. From the first message without an {@code X-UID}, or with one not above the
 * previous one, the rest get new UIDs (the first of them above the file's last UID, so no UID the file's server gave
 * out is given to another message), and {@link MboxImport#uidNote()} says so. Otherwise each message gets the store's
 * next UID. Either way the result maps {@code X-UID}s to the stored UIDs.
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
        Target t = findMailbox(session, mailbox, options.createMailbox());
        LineInput li = new LineInput(in instanceof BufferedInputStream ? in : new BufferedInputStream(in));
        boolean more = li.next();
        while (more && li.length == 0) {
            more = li.next();
        }
        if (!more) {
            return new MboxImport(t.create(session, 0), List.of(), 0, 0, 0, List.of());
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
        String target = null;
        boolean keeping = false;
        boolean validityKept = false;
        int kept = 0;
        long lastUid = 0;
        String note = null;
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
                if (first) {
                    // decide about UIDs once the file's header is known
                    boolean hasValidity = uidValidity > 0 && uidValidity <= MAX_UID;
                    if (!hasValidity) {
                        note = p.imapBase != null || p.imap != null ? "no valid UIDVALIDITY in X-IMAP/X-IMAPbase"
                                : null;
                    } else if (!session.canKeepUids()) {
                        note = "the store cannot keep UIDs";
                    } else if (t.name != null && !t.recreate) {
                        note = "the mailbox " + t.name + " already existed (and is not new and empty)";
                    } else {
                        keeping = true;
                    }
                    target = t.create(session, keeping ? uidValidity : 0);
                    validityKept = keeping;
                }
                boolean pseudo = first && p.imap != null && p.subject != null
                        && p.subject.contains("FOLDER INTERNAL DATA");
                first = false;
                if (pseudo) {
                    skipped++;
                } else {
                    Set<String> flags = p.flags();
                    Instant date = from.date() != null ? from.date() : p.date();
                    AppendResult r;
                    if (keeping && p.uid > lastUid && p.uid <= MAX_UID) {
                        r = session.append(target, spool.source(), flags, date, p.uid);
                        lastUid = p.uid;
                        kept++;
                    } else if (keeping) {
                        // from here on new UIDs, the first above every UID the file's server gave out
                        keeping = false;
                        note = "message " + (done.size() + 1) + (p.uid == 0 ? " has no X-UID"
                                : " has X-UID " + p.uid + ", not above the previous " + lastUid)
                                + "; it and the messages after it got new UIDs";
                        long next = Math.max(uidLast, lastUid) + 1;
                        if (next <= MAX_UID && next >= session.status(target).uidNext()) {
                            r = session.append(target, spool.source(), flags, date, next);
                        } else {
                            r = session.append(target, spool.source(), flags, date);
                        }
                    } else {
                        r = session.append(target, spool.source(), flags, date);
                    }
                    done.add(new MboxImport.Message(p.uid, r.uid(), flags, spool.size()));
                }
                from = p.next;
            }
        }
        return new MboxImport(target, done, skipped, uidValidity, uidLast, keywords, validityKept, kept, note);
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

    private static final long MAX_UID = 0xFFFFFFFFL;

    /**
     * The target mailbox: {@code name} is its canonical name if it exists ({@code null} if it is to be created);
     * {@code recreate}: it exists but has never held a message (UIDNEXT 1; INBOX too), so the store adopts it with a
     * UIDVALIDITY ({@link StoreSession#create(String, SpecialUse, long)} on an existing empty mailbox).
     */
    private record Target(String requested, String name, boolean recreate, SpecialUse specialUse) {

        /** The mailbox's name, after creating it (with {@code uidValidity} unless 0) if needed. */
        String create(StoreSession session, long uidValidity) throws StoreException {
            if (name != null && (!recreate || uidValidity == 0)) {
                return name;
            }
            if (uidValidity == 0) {
                return session.create(requested, null).name();
            }
            MailboxInfo i = session.create(name != null ? name : requested, specialUse, uidValidity);
            return i.name();
        }
    }

    private static Target findMailbox(StoreSession session, String mailbox, boolean create) throws StoreException {
        MailboxStatus st;
        try {
            st = session.status(mailbox);
        } catch (StoreException e) {
            if (e.reason() != StoreException.Reason.NONEXISTENT || !create) {
                throw e;
            }
            return new Target(mailbox, null, false, null);
        }
        boolean fresh = st.messages() == 0 && st.uidNext() == 1;
        SpecialUse use = null;
        if (fresh) {
            for (MailboxInfo i : session.list()) {
                if (i.name().equals(st.name())) {
                    use = i.specialUse();
                }
            }
        }
        return new Target(mailbox, st.name(), fresh, use);
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
