package io.pillarbox.imap;

import io.pillarbox.api.store.FlagOp;
import io.pillarbox.api.store.FlagUpdate;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.MessageContent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.MessageStructure.BodyPart;
import io.pillarbox.api.store.StoreException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** FETCH (RFC 9051 6.4.5, BINARY RFC 3516, CONDSTORE/QRESYNC RFC 7162). */
final class Fetcher {

    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
        "Nov", "Dec"};
    /** Headers above this size are not parsed for HEADER.FIELDS (they are cut). */
    private static final int MAX_HEADER = 1 << 20;
    /** BINARY decodes a part in memory up to this size. */
    private static final long MAX_BINARY = 64L << 20;
    private static final int BATCH = 64 * 1024;

    private Fetcher() {
    }

    static void fetch(ImapSession s, Command.Fetch c, Out out) throws Exception {
        Selected sel = s.selected;
        long[] uids = s.resolve(c.set(), c.uid());
        boolean modseq = c.changedSince() >= 0;
        boolean setSeen = false;
        for (FetchItem it : c.items()) {
            if (it instanceof FetchItem.Simple si) {
                modseq |= si.kind() == FetchItem.Kind.MODSEQ;
                setSeen |= si.kind() == FetchItem.Kind.RFC822 || si.kind() == FetchItem.Kind.RFC822_TEXT;
            } else if (it instanceof FetchItem.Section sec) {
                setSeen |= !sec.peek();
            }
        }
        if (modseq) {
            s.condstore = true;
        }
        if (c.vanished()) {
            long max = sel.lastUid();
            List<Long> v = new ArrayList<>();
            for (long u : sel.mailbox.expungedSince(c.changedSince())) {
                if (c.set().contains(u, Math.max(max, u))) {
                    v.add(u);
                }
            }
            if (!v.isEmpty()) {
                out.raw("* VANISHED (EARLIER) ").raw(SequenceSet.format(MailCommands.sorted(v))).crlf();
            }
        }
        Map<Long, MessageInfo> infos = MailCommands.infos(sel);
        Set<Long> seenNow = new HashSet<>();
        if (setSeen && !sel.readOnly) {
            List<Long> mark = new ArrayList<>();
            for (long u : uids) {
                MessageInfo i = infos.get(u);
                if (i != null && !i.has(Flags.SEEN)) {
                    mark.add(u);
                }
            }
            if (!mark.isEmpty()) {
                FlagUpdate fu = sel.mailbox.updateFlags(mark, FlagOp.ADD, Set.of(Flags.SEEN), -1);
                for (MessageInfo i : fu.updated()) {
                    infos.put(i.uid(), i);
                    seenNow.add(i.uid());
                }
            }
        }
        more(s, c, new Progress(uids, infos, seenNow, modseq), 0, out);
    }

    /** What a FETCH suspended for a slow reader needs to carry on. */
    private record Progress(long[] uids, Map<Long, MessageInfo> infos, Set<Long> seenNow, boolean modseq,
                            int[] counts) {
        Progress(long[] uids, Map<Long, MessageInfo> infos, Set<Long> seenNow, boolean modseq) {
            this(uids, infos, seenNow, modseq, new int[2]);
        }
    }

    /** Responses from message {@code from} on; suspends (giving the worker back) while the client does not read. */
    private static void more(ImapSession s, Command.Fetch c, Progress p, int from, Out out) throws Exception {
        Selected sel = s.selected;
        for (int i = from; i < p.uids().length; i++) {
            long uid = p.uids()[i];
            MessageInfo info = p.infos().get(uid);
            if (info == null) {
                p.counts()[1] = 1;
                continue;
            }
            if (c.changedSince() >= 0 && info.modSeq() <= c.changedSince()) {
                continue;
            }
            int seq = sel.seq(uid);
            if (seq < 0) {
                continue;
            }
            try {
                message(s, sel, c, seq, info, p.seenNow().contains(uid), p.modseq(), out);
            } catch (StoreException e) {
                if (e.reason() == StoreException.Reason.NONEXISTENT) {
                    p.counts()[1] = 1;
                    continue;
                }
                throw e;
            }
            p.counts()[0]++;
            if (out.pending() > BATCH && i + 1 < p.uids().length) {
                // hand the batch over and let the event loop, once it has written it, decide whether to go on
                // now or when the client has read some: output never runs ahead of the socket by more than this
                int next = i + 1;
                throw new ImapSession.Suspend(o -> more(s, c, p, next, o));
            }
        }
        s.fetched += p.counts()[0];
        boolean gone = p.counts()[1] != 0;
        MailCommands.done(s, c, out, gone ? "EXPUNGEISSUED" : null,
                gone ? "Some messages were expunged meanwhile" : c.name() + " completed");
    }

    private static void message(ImapSession s, Selected sel, Command.Fetch c, int seq, MessageInfo info,
                                boolean seenNow, boolean modseq, Out msgOut) throws Exception {
        // built apart so that a message that disappears half-way leaves no partial response; large literals are
        // only opened when the client gets to them
        Out out = new Out(msgOut.utf8(), msgOut.streamer());
        items(s, sel, c, seq, info, seenNow, modseq, out);
        msgOut.append(out);
    }

    private static void items(ImapSession s, Selected sel, Command.Fetch c, int seq, MessageInfo info,
                              boolean seenNow, boolean modseq, Out out) throws Exception {
        Lazy lazy = new Lazy(sel, info.uid());
        out.raw("* ").num(seq).raw(" FETCH (");
        boolean first = true;
        boolean hasUid = false;
        boolean hasFlags = false;
        boolean hasModseq = false;
        if (c.uid()) {
            out.raw("UID ").num(info.uid());
            first = false;
            hasUid = true;
        }
        for (FetchItem it : c.items()) {
            if (it instanceof FetchItem.Simple si) {
                FetchItem.Kind k = si.kind();
                if ((k == FetchItem.Kind.UID && hasUid) || (k == FetchItem.Kind.FLAGS && hasFlags)
                        || (k == FetchItem.Kind.MODSEQ && hasModseq)) {
                    continue;
                }
                if (!first) {
                    out.sp();
                }
                first = false;
                switch (k) {
                    case UID -> {
                        out.raw("UID ").num(info.uid());
                        hasUid = true;
                    }
                    case FLAGS -> {
                        out.raw("FLAGS ");
                        s.flagList(out, info, sel);
                        hasFlags = true;
                    }
                    case MODSEQ -> {
                        out.raw("MODSEQ (").num(info.modSeq()).raw(")");
                        hasModseq = true;
                    }
                    case INTERNALDATE -> out.raw("INTERNALDATE \"").raw(internalDate(info)).raw("\"");
                    case RFC822_SIZE -> out.raw("RFC822.SIZE ").num(info.size());
                    case ENVELOPE -> {
                        out.raw("ENVELOPE ");
                        StructureEncoder.envelope(out, lazy.structure().envelope());
                    }
                    case BODY -> {
                        out.raw("BODY ");
                        StructureEncoder.body(out, lazy.structure().root(), false);
                    }
                    case BODYSTRUCTURE -> {
                        out.raw("BODYSTRUCTURE ");
                        StructureEncoder.body(out, lazy.structure().root(), true);
                    }
                    case RFC822 -> {
                        out.raw("RFC822 ");
                        MessageContent mc = lazy.content();
                        out.literal(mc.size(), mc::open, false);
                    }
                    case RFC822_HEADER -> {
                        out.raw("RFC822.HEADER ");
                        long h = lazy.structure().root().bodyOffset();
                        MessageContent mc = lazy.content();
                        out.literal(h, () -> mc.open(0, h), false);
                    }
                    case RFC822_TEXT -> {
                        out.raw("RFC822.TEXT ");
                        MessageContent mc = lazy.content();
                        long b = lazy.structure().root().bodyOffset();
                        long len = Math.max(0, mc.size() - b);
                        out.literal(len, () -> mc.open(b, len), false);
                    }
                }
            } else if (it instanceof FetchItem.Section sec) {
                if (!first) {
                    out.sp();
                }
                first = false;
                section(sec, lazy, out);
            } else if (it instanceof FetchItem.BinarySize bs) {
                if (!first) {
                    out.sp();
                }
                first = false;
                out.raw("BINARY.SIZE[").raw(bs.label()).raw("] ");
                BodyPart p = bs.part().length == 0 ? null : StructureEncoder.part(lazy.structure(), bs.part());
                if (bs.part().length == 0) {
                    out.num(lazy.content().size());
                } else if (p == null) {
                    throw Failure.no("NONEXISTENT", "No such section");
                } else {
                    out.num(decoded(p, lazy).length);
                }
            }
        }
        if (seenNow && !hasFlags) {
            out.raw(first ? "" : " ").raw("FLAGS ");
            s.flagList(out, info, sel);
            first = false;
        }
        if (modseq && !hasModseq) {
            out.raw(first ? "" : " ").raw("MODSEQ (").num(info.modSeq()).raw(")");
        }
        out.raw(")").crlf();
    }

    static String internalDate(MessageInfo info) {
        ZonedDateTime d = info.internalDate().atZone(ZoneOffset.UTC);
        return String.format(Locale.ROOT, "%02d-%s-%04d %02d:%02d:%02d +0000", d.getDayOfMonth(),
                MONTHS[d.getMonthValue() - 1], d.getYear(), d.getHour(), d.getMinute(), d.getSecond());
    }

    /** Loads the structure and content handle of one message when first needed. */
    static final class Lazy {
        private final Selected sel;
        private final long uid;
        private MessageStructure structure;
        private MessageContent content;

        Lazy(Selected sel, long uid) {
            this.sel = sel;
            this.uid = uid;
        }

        MessageStructure structure() throws StoreException {
            if (structure == null) {
                structure = sel.mailbox.structure(uid);
            }
            return structure;
        }

        MessageContent content() throws StoreException {
            if (content == null) {
                content = sel.mailbox.content(uid);
            }
            return content;
        }
    }

    private static void section(FetchItem.Section sec, Lazy lazy, Out out) throws Exception {
        out.raw(sec.binary() ? "BINARY[" : "BODY[").raw(sec.label()).raw("]");
        if (sec.start() >= 0) {
            out.raw("<").num(sec.start()).raw(">");
        }
        out.sp();
        MessageStructure ms = lazy.structure();
        MessageContent mc = lazy.content();
        if (sec.binary()) {
            if (sec.part().length == 0) {
                slice(out, mc, 0, mc.size(), sec, true);
                return;
            }
            BodyPart p = StructureEncoder.part(ms, sec.part());
            if (p == null) {
                throw Failure.no("NONEXISTENT", "No such section");
            }
            byte[] data = decoded(p, lazy);
            int from = (int) Math.min(Math.max(0, sec.start()), data.length);
            int len = data.length - from;
            if (sec.length() >= 0) {
                len = (int) Math.min(len, sec.length());
            }
            boolean nul = false;
            for (int i = from; i < from + len; i++) {
                nul |= data[i] == 0;
            }
            if (len == 0) {
                out.string("");
                return;
            }
            out.literal(len, new ByteArrayInputStream(data, from, len), nul);
            return;
        }
        BodyPart root = ms.root();
        BodyPart target;
        BodyPart headerOf;
        long end;
        if (sec.part().length == 0) {
            target = root;
            headerOf = root;
            end = mc.size();
        } else {
            target = StructureEncoder.part(ms, sec.part());
            if (target == null) {
                out.string("");
                return;
            }
            headerOf = target.isMessage() ? target.message().root() : null;
            end = target.bodyOffset() + target.bodySize();
        }
        switch (sec.spec()) {
            case ALL -> {
                if (sec.part().length == 0) {
                    slice(out, mc, 0, mc.size(), sec, false);
                } else {
                    slice(out, mc, target.bodyOffset(), target.bodySize(), sec, false);
                }
            }
            case MIME -> slice(out, mc, target.headerOffset(), target.bodyOffset() - target.headerOffset(), sec,
                    false);
            case HEADER -> {
                if (headerOf == null) {
                    out.string("");
                } else {
                    slice(out, mc, headerOf.headerOffset(), headerOf.bodyOffset() - headerOf.headerOffset(), sec,
                            false);
                }
            }
            case TEXT -> {
                if (headerOf == null) {
                    out.string("");
                } else {
                    slice(out, mc, headerOf.bodyOffset(), Math.max(0, end - headerOf.bodyOffset()), sec, false);
                }
            }
            case HEADER_FIELDS, HEADER_FIELDS_NOT -> {
                if (headerOf == null) {
                    out.string("");
                    return;
                }
                byte[] header = read(mc, headerOf.headerOffset(),
                        Math.min(MAX_HEADER, headerOf.bodyOffset() - headerOf.headerOffset()));
                byte[] filtered = filterHeader(header, sec.fields(), sec.spec() == FetchItem.Spec.HEADER_FIELDS);
                long start = Math.max(0, Math.min(sec.start(), filtered.length));
                long len = filtered.length - start;
                if (sec.length() >= 0) {
                    len = Math.min(len, sec.length());
                }
                out.literal(len, new ByteArrayInputStream(filtered, (int) start, (int) len), false);
            }
        }
    }

    /** Writes {@code length} octets from {@code offset}, cut by the section's partial range. */
    private static void slice(Out out, MessageContent mc, long offset, long length, FetchItem.Section sec,
                              boolean binary) throws IOException {
        long start = 0;
        long len = Math.max(0, length);
        if (sec.start() >= 0) {
            start = Math.min(sec.start(), len);
            len = Math.min(len - start, sec.length());
        }
        if (len == 0) {
            out.string("");
            return;
        }
        long from = offset + start;
        long n = len;
        out.literal(n, () -> mc.open(from, n), false);
    }

    static byte[] read(MessageContent mc, long offset, long len) throws IOException {
        try (InputStream in = mc.open(offset, len)) {
            return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, len));
        }
    }

    /** Keeps (or drops) the named header fields; the result ends with the blank line. */
    static byte[] filterHeader(byte[] header, List<String> names, boolean keep) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        int n = header.length;
        while (i < n) {
            int start = i;
            // one field: its first line and any continuation lines
            int end = i;
            while (true) {
                int lf = indexOf(header, (byte) '\n', end);
                end = lf < 0 ? n : lf + 1;
                if (end >= n || (header[end] != ' ' && header[end] != '\t')) {
                    break;
                }
            }
            i = end;
            int colon = indexOf(header, (byte) ':', start);
            if (colon < 0 || colon >= end) {
                continue; // the blank line, or garbage
            }
            String name = new String(header, start, colon - start, StandardCharsets.ISO_8859_1).trim()
                    .toUpperCase(Locale.ROOT);
            if (names.contains(name) == keep) {
                out.write(header, start, end - start);
            }
        }
        out.write('\r');
        out.write('\n');
        return out.toByteArray();
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** A part's body with its Content-Transfer-Encoding undone (BINARY). */
    static byte[] decoded(BodyPart p, Lazy lazy) throws Exception {
        if (p.bodySize() > MAX_BINARY) {
            throw Failure.no("LIMIT", "Part too large to decode");
        }
        byte[] raw = read(lazy.content(), p.bodyOffset(), p.bodySize());
        String enc = p.encoding() == null ? "7bit" : p.encoding().toLowerCase(Locale.ROOT);
        switch (enc) {
            case "7bit", "8bit", "binary" -> {
                return raw;
            }
            case "base64" -> {
                try {
                    return Base64.getMimeDecoder().decode(raw);
                } catch (IllegalArgumentException e) {
                    throw Failure.no("CORRUPTION", "Invalid base64 content");
                }
            }
            case "quoted-printable" -> {
                return quotedPrintable(raw);
            }
            default -> throw Failure.no("UNKNOWN-CTE", "Unknown Content-Transfer-Encoding " + enc);
        }
    }

    static byte[] quotedPrintable(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '=') {
                if (i + 2 < in.length + 0 && i + 1 < in.length && (in[i + 1] == '\r' || in[i + 1] == '\n')) {
                    i += in[i + 1] == '\r' && i + 2 < in.length && in[i + 2] == '\n' ? 2 : 1;
                    continue;
                }
                if (i + 1 < in.length && in[i + 1] == '\n') {
                    i++;
                    continue;
                }
                if (i + 2 < in.length) {
                    int hi = Character.digit(in[i + 1], 16);
                    int lo = Character.digit(in[i + 2], 16);
                    if (hi >= 0 && lo >= 0) {
                        out.write(hi * 16 + lo);
                        i += 2;
                        continue;
                    }
                }
                if (i == in.length - 1) {
                    continue;
                }
            }
            out.write(b);
        }
        return out.toByteArray();
    }
}
