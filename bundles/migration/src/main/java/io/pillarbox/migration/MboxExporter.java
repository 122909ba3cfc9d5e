package io.pillarbox.migration;

import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.StoreException;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes a mailbox as a Unix mbox file that UW IMAP, mutt and Pillarbox's {@link MboxImporter} read back with the same
 * flags: per message a {@code From } line (sender from {@code Return-Path:} or the envelope, date the internal date
 * in UTC), the header with {@code Status:}, {@code X-Status:}, {@code X-Keywords:} and {@code X-UID:} (any of these
 * in the stored message replaced), and in the first message {@code X-IMAPbase:} with the UIDVALIDITY, the last UID
 * and the mailbox's keywords. Lines end with LF; {@code From } lines inside messages are quoted per the
 * {@link MboxFormat}; each message ends with a blank line. Messages are streamed, never loaded whole.
 */
public final class MboxExporter {

    private static final Set<String> REPLACED = Set.of("status", "x-status", "x-keywords", "x-uid", "x-imap",
            "x-imapbase", "content-length");

    private MboxExporter() {
    }

    /** Exports with mboxrd quoting. */
    public static int export(Mailbox mailbox, OutputStream out) throws IOException, StoreException {
        return export(mailbox, out, MboxFormat.MBOXRD);
    }

    /**
     * Writes every message of {@code mailbox} to {@code out} (flushed, not closed).
     *
     * @return the number of messages written
     */
    public static int export(Mailbox mailbox, OutputStream out, MboxFormat format) throws IOException, StoreException {
        OutputStream o = new BufferedOutputStream(out, 64 * 1024);
        List<MessageInfo> messages = mailbox.messages();
        boolean first = true;
        int n = 0;
        for (MessageInfo m : messages) {
            String base = null;
            if (first) {
                StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "X-IMAPbase: %d %010d",
                        mailbox.uidValidity(), Math.max(0, mailbox.uidNext() - 1)));
                for (String k : new TreeSet<>(mailbox.keywords())) {
                    b.append(' ').append(k);
                }
                base = b.toString();
                first = false;
            }
            try (InputStream in = mailbox.content(m.uid()).open()) {
                writeMessage(mailbox, m, base, in, o, format);
            } catch (StoreException e) {
                if (e.reason() == StoreException.Reason.NONEXISTENT) {
                    continue; // expunged meanwhile
                }
                throw e;
            }
            n++;
        }
        o.flush();
        return n;
    }

    private static void writeMessage(Mailbox mailbox, MessageInfo m, String base, InputStream in, OutputStream o,
                                     MboxFormat format) throws IOException, StoreException {
        LineInput li = new LineInput(in);
        // the header, buffered (it is small) to find the sender and drop replaced fields
        List<byte[]> header = new ArrayList<>();
        boolean more;
        boolean skipping = false;
        String returnPath = null;
        boolean endsWithBlank = false;
        while ((more = li.next())) {
            if (li.length == 0) {
                endsWithBlank = true;
                break;
            }
            byte[] line = java.util.Arrays.copyOf(li.content, li.length);
            boolean continuation = line[0] == ' ' || line[0] == '\t';
            if (!continuation) {
                String text = new String(line, StandardCharsets.ISO_8859_1);
                int colon = text.indexOf(':');
                String name = colon > 0 ? text.substring(0, colon).trim().toLowerCase(Locale.ROOT) : "";
                skipping = REPLACED.contains(name);
                if (name.equals("return-path") && returnPath == null) {
                    returnPath = text.substring(colon + 1).trim().replaceAll("^<|>$", "");
                }
            }
            if (!skipping) {
                header.add(line);
            }
        }
        String sender = returnPath;
        if (sender == null || sender.isEmpty()) {
            MessageStructure s = mailbox.structure(m.uid());
            if (s != null && s.envelope() != null && s.envelope().from() != null) {
                for (MessageStructure.Address a : s.envelope().from()) {
                    if (a.host() != null && a.mailbox() != null && !a.mailbox().isEmpty()) {
                        sender = a.host().isEmpty() ? a.mailbox() : a.mailbox() + "@" + a.host();
                        break;
                    }
                }
            }
        }
        ascii(o, FromLine.format(sender, m.internalDate()));
        o.write('\n');
        for (byte[] line : header) {
            writeQuoted(o, line, line.length, format);
            o.write('\n');
        }
        if (base != null) {
            ascii(o, base + "\n");
        }
        ascii(o, "Status: " + (m.has(Flags.SEEN) ? "RO" : "O") + "\n");
        StringBuilder xs = new StringBuilder();
        if (m.has(Flags.DELETED)) {
            xs.append('D');
        }
        if (m.has(Flags.FLAGGED)) {
            xs.append('F');
        }
        if (m.has(Flags.ANSWERED)) {
            xs.append('A');
        }
        if (m.has(Flags.DRAFT)) {
            xs.append('T');
        }
        ascii(o, "X-Status: " + xs + "\n");
        StringBuilder kw = new StringBuilder();
        for (String f : new TreeSet<>(m.flags())) {
            if (!f.startsWith("\\")) {
                kw.append(kw.length() == 0 ? "" : " ").append(f);
            }
        }
        ascii(o, "X-Keywords: " + kw + "\n");
        ascii(o, "X-UID: " + m.uid() + "\n");
        o.write('\n');
        boolean lastHadLf = true;
        if (endsWithBlank) {
            while (li.next()) {
                writeQuoted(o, li.content, li.length, format);
                if (li.lf) {
                    o.write('\n');
                }
                lastHadLf = li.lf;
            }
        }
        if (!lastHadLf) {
            o.write('\n');
        }
        o.write('\n');
    }

    private static void writeQuoted(OutputStream o, byte[] line, int len, MboxFormat format) throws IOException {
        int gt = 0;
        while (gt < len && line[gt] == '>') {
            gt++;
        }
        if (LineInput.startsWith(line, gt, len - gt, "From ") && (format == MboxFormat.MBOXRD || gt == 0)) {
            o.write('>');
        }
        o.write(line, 0, len);
    }

    private static void ascii(OutputStream o, String s) throws IOException {
        o.write(s.getBytes(StandardCharsets.UTF_8));
    }

    /** For tests: an export into memory. */
    static byte[] toBytes(Mailbox mailbox, MboxFormat format) throws IOException, StoreException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        export(mailbox, b, format);
        return b.toByteArray();
    }
}
