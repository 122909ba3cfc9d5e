package io.pillarbox.imap;

import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.MessageStructure.Address;
import io.pillarbox.api.store.MessageStructure.BodyPart;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.mime.HeaderDecoder;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** SEARCH (RFC 9051, ESEARCH RFC 4731, SEARCHRES RFC 5182, CONDSTORE), SORT and THREAD (RFC 5256). */
final class Searcher {

    private static final long MAX_TEXT = 4L << 20;
    private static final Set<String> CHARSETS = Set.of("UTF-8", "US-ASCII");

    private Searcher() {
    }

    /** What a search key needs to know of one message, loaded when first asked. */
    static final class Msg {
        final Selected sel;
        final int seq;
        final long uid;
        final MessageInfo info;
        private MessageStructure structure;
        private List<String[]> header;
        private String body;
        /** Resolved sequence sets of the search, shared by all messages of one search. */
        Map<SearchKey.Set, long[]> intervals;

        Msg(Selected sel, int seq, MessageInfo info) {
            this.sel = sel;
            this.seq = seq;
            this.uid = info.uid();
            this.info = info;
        }

        MessageStructure structure() throws StoreException {
            if (structure == null) {
                structure = sel.mailbox.structure(uid);
            }
            return structure;
        }

        /** The top-level header fields: {NAME, decoded value}. */
        List<String[]> header() throws Exception {
            if (header == null) {
                long len = structure().root().bodyOffset();
                header = parseHeader(Fetcher.read(sel.mailbox.content(uid), 0, Math.min(len, 1 << 20)));
            }
            return header;
        }

        String body() throws Exception {
            if (body == null) {
                StringBuilder sb = new StringBuilder();
                text(structure().root(), sb);
                body = sb.toString().toLowerCase(Locale.ROOT);
            }
            return body;
        }

        private void text(BodyPart p, StringBuilder sb) throws Exception {
            if (sb.length() > MAX_TEXT) {
                return;
            }
            if (p.isMultipart()) {
                for (BodyPart c : p.parts()) {
                    text(c, sb);
                }
            } else if (p.isMessage()) {
                BodyPart inner = p.message().root();
                byte[] h = Fetcher.read(sel.mailbox.content(uid), inner.headerOffset(),
                        Math.min(1 << 20, inner.bodyOffset() - inner.headerOffset()));
                for (String[] f : parseHeader(h)) {
                    sb.append(f[1]).append('\n');
                }
                text(inner, sb);
            } else if ("text".equals(p.type())) {
                Fetcher.Lazy lazy = new Fetcher.Lazy(sel, uid);
                byte[] data = p.bodySize() > MAX_TEXT ? Fetcher.read(sel.mailbox.content(uid), p.bodyOffset(),
                        MAX_TEXT) : Fetcher.decoded(p, lazy);
                sb.append(new String(data, charset(p.parameters().get("charset")))).append('\n');
            }
        }

        List<String> values(String field) throws Exception {
            List<String> v = new ArrayList<>();
            for (String[] f : header()) {
                if (f[0].equals(field)) {
                    v.add(f[1]);
                }
            }
            return v;
        }
    }

    static Charset charset(String name) {
        if (name == null) {
            return StandardCharsets.US_ASCII;
        }
        try {
            return Charset.forName(name.trim());
        } catch (RuntimeException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    static List<String[]> parseHeader(byte[] header) {
        List<String[]> fields = new ArrayList<>();
        String text = new String(header, StandardCharsets.UTF_8);
        String[] lines = text.split("\r?\n");
        StringBuilder cur = null;
        String name = null;
        for (String line : lines) {
            if (line.isEmpty()) {
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && cur != null) {
                cur.append(line);
                continue;
            }
            if (name != null) {
                fields.add(new String[]{name, HeaderDecoder.decode(cur.toString().trim())});
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                name = null;
                cur = null;
                continue;
            }
            name = line.substring(0, colon).trim().toUpperCase(Locale.ROOT);
            cur = new StringBuilder(line.substring(colon + 1));
        }
        if (name != null) {
            fields.add(new String[]{name, HeaderDecoder.decode(cur.toString().trim())});
        }
        return fields;
    }

    /** The messages of the view matching a key, in view order. */
    static List<Msg> matches(ImapSession s, SearchKey key, String charset) throws Exception {
        if (charset != null && !CHARSETS.contains(charset.toUpperCase(Locale.ROOT))) {
            throw Failure.no("BADCHARSET (UTF-8 US-ASCII)", "Unsupported charset");
        }
        if (usesModSeq(key)) {
            s.condstore = true;
        }
        Selected sel = s.selected;
        Map<Long, MessageInfo> infos = MailCommands.infos(sel);
        long[] uids = sel.uids();
        long maxUid = uids.length == 0 ? 0 : uids[uids.length - 1];
        List<Long> saved = s.savedSearch;
        long now = System.currentTimeMillis();
        List<Msg> out = new ArrayList<>();
        Map<SearchKey.Set, long[]> intervals = new java.util.IdentityHashMap<>();
        for (int i = 0; i < uids.length; i++) {
            MessageInfo info = infos.get(uids[i]);
            if (info == null) {
                continue;
            }
            Msg m = new Msg(sel, i + 1, info);
            m.intervals = intervals;
            try {
                if (match(key, m, uids.length, maxUid, saved, now)) {
                    out.add(m);
                }
            } catch (StoreException e) {
                if (e.reason() != StoreException.Reason.NONEXISTENT) {
                    throw e;
                }
            }
        }
        return out;
    }

    private static boolean usesModSeq(SearchKey k) {
        if (k instanceof SearchKey.ModSeq) {
            return true;
        }
        if (k instanceof SearchKey.And a) {
            for (SearchKey x : a.keys()) {
                if (usesModSeq(x)) {
                    return true;
                }
            }
        }
        if (k instanceof SearchKey.Or o) {
            return usesModSeq(o.a()) || usesModSeq(o.b());
        }
        if (k instanceof SearchKey.Not n) {
            return usesModSeq(n.key());
        }
        return false;
    }

    static boolean match(SearchKey key, Msg m, int count, long maxUid, List<Long> saved, long now) throws Exception {
        if (key instanceof SearchKey.All) {
            return true;
        } else if (key instanceof SearchKey.And a) {
            for (SearchKey k : a.keys()) {
                if (!match(k, m, count, maxUid, saved, now)) {
                    return false;
                }
            }
            return true;
        } else if (key instanceof SearchKey.Or o) {
            return match(o.a(), m, count, maxUid, saved, now) || match(o.b(), m, count, maxUid, saved, now);
        } else if (key instanceof SearchKey.Not n) {
            return !match(n.key(), m, count, maxUid, saved, now);
        } else if (key instanceof SearchKey.Set st) {
            if (st.set().saved()) {
                return saved.contains(m.uid);
            }
            long[] in = m.intervals.computeIfAbsent(st, k -> k.set().resolve(k.uid() ? maxUid : count));
            return SequenceSet.in(in, st.uid() ? m.uid : m.seq);
        } else if (key instanceof SearchKey.Flag f) {
            return m.info.has(f.flag()) == f.set();
        } else if (key instanceof SearchKey.Recent r) {
            return m.sel.isRecent(m.uid) == r.recent();
        } else if (key instanceof SearchKey.New) {
            return m.sel.isRecent(m.uid) && !m.info.has("\\Seen");
        } else if (key instanceof SearchKey.Header h) {
            String needle = h.value().toLowerCase(Locale.ROOT);
            for (String v : m.values(h.field())) {
                if (needle.isEmpty() || v.toLowerCase(Locale.ROOT).contains(needle)) {
                    return true;
                }
            }
            return false;
        } else if (key instanceof SearchKey.Body b) {
            return m.body().contains(b.text().toLowerCase(Locale.ROOT));
        } else if (key instanceof SearchKey.Text t) {
            String needle = t.text().toLowerCase(Locale.ROOT);
            for (String[] f : m.header()) {
                if (f[1].toLowerCase(Locale.ROOT).contains(needle)) {
                    return true;
                }
            }
            return m.body().contains(needle);
        } else if (key instanceof SearchKey.Date d) {
            LocalDate date;
            if (d.sent()) {
                ZonedDateTime z = parseDate(m.structure().envelope().date());
                if (z == null) {
                    return false;
                }
                date = z.toLocalDate();
            } else {
                date = m.info.internalDate().atZone(ZoneOffset.UTC).toLocalDate();
            }
            return switch (d.op()) {
                case BEFORE -> date.isBefore(d.date());
                case ON -> date.isEqual(d.date());
                case SINCE -> !date.isBefore(d.date());
            };
        } else if (key instanceof SearchKey.Size sz) {
            return sz.larger() ? m.info.size() > sz.size() : m.info.size() < sz.size();
        } else if (key instanceof SearchKey.ModSeq ms) {
            return m.info.modSeq() >= ms.modSeq();
        } else if (key instanceof SearchKey.Age age) {
            long t = m.info.internalDate().toEpochMilli();
            long limit = now - age.seconds() * 1000;
            return age.older() ? t <= limit : t >= limit;
        }
        throw new IllegalStateException("unknown search key " + key);
    }

    private static final Pattern DATE = Pattern.compile(
            "(?:[A-Za-z]{3},\\s*)?(\\d{1,2})\\s+([A-Za-z]{3})\\s+(\\d{2,4})\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?"
                    + "\\s*([+-]\\d{4}|[A-Za-z]+)?");
    private static final List<String> MONTHS = List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
            "sep", "oct", "nov", "dec");

    /** An RFC 5322 date (leniently), or null. */
    static ZonedDateTime parseDate(String s) {
        if (s == null) {
            return null;
        }
        Matcher m = DATE.matcher(s.trim());
        if (!m.find()) {
            return null;
        }
        try {
            int month = MONTHS.indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
            if (month == 0) {
                return null;
            }
            int year = Integer.parseInt(m.group(3));
            if (m.group(3).length() == 2) {
                year += year < 50 ? 2000 : 1900;
            }
            ZoneOffset zone = ZoneOffset.UTC;
            String z = m.group(7);
            if (z != null && (z.startsWith("+") || z.startsWith("-"))) {
                int sign = z.charAt(0) == '-' ? -1 : 1;
                zone = ZoneOffset.ofHoursMinutes(sign * Integer.parseInt(z.substring(1, 3)),
                        sign * Integer.parseInt(z.substring(3, 5)));
            }
            return ZonedDateTime.of(year, month, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(4)),
                    Integer.parseInt(m.group(5)), m.group(6) == null ? 0 : Integer.parseInt(m.group(6)), 0, zone);
        } catch (RuntimeException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- SEARCH

    static void search(ImapSession s, Command.Search c, Out out) throws Exception {
        List<Msg> found = matches(s, c.key(), c.charset());
        Set<String> ret = c.returns();
        boolean esearch = ret != null || s.rev2;
        if (ret != null && ret.contains("SAVE")) {
            List<Long> uids = new ArrayList<>();
            for (Msg m : found) {
                uids.add(m.uid);
            }
            s.savedSearch = uids;
        }
        long highest = 0;
        for (Msg m : found) {
            highest = Math.max(highest, m.info.modSeq());
        }
        boolean modseq = usesModSeq(c.key());
        if (!esearch) {
            out.raw("* SEARCH");
            for (Msg m : found) {
                out.sp().num(c.uid() ? m.uid : m.seq);
            }
            if (modseq && !found.isEmpty()) {
                out.raw(" (MODSEQ ").num(highest).raw(")");
            }
            out.crlf();
        } else {
            Set<String> opts = ret == null || ret.isEmpty() ? Set.of("ALL") : ret;
            boolean onlySave = ret != null && ret.equals(Set.of("SAVE"));
            if (!onlySave) {
                out.raw("* ESEARCH (TAG ").string(c.tag()).raw(")");
                if (c.uid()) {
                    out.raw(" UID");
                }
                List<Long> nums = new ArrayList<>();
                for (Msg m : found) {
                    nums.add(c.uid() ? m.uid : (long) m.seq);
                }
                if (!nums.isEmpty()) {
                    if (opts.contains("MIN")) {
                        out.raw(" MIN ").num(nums.get(0));
                    }
                    if (opts.contains("MAX")) {
                        out.raw(" MAX ").num(nums.get(nums.size() - 1));
                    }
                    if (opts.contains("ALL")) {
                        out.raw(" ALL ").raw(SequenceSet.format(nums));
                    }
                }
                if (opts.contains("COUNT")) {
                    out.raw(" COUNT ").num(nums.size());
                }
                if (modseq && !found.isEmpty()) {
                    out.raw(" MODSEQ ").num(highest);
                }
                out.crlf();
            }
        }
        MailCommands.done(s, c, out, c.name() + " completed");
    }

    // ---------------------------------------------------------------- SORT

    static void sort(ImapSession s, Command.Sort c, Out out) throws Exception {
        List<Msg> found = matches(s, c.key(), c.charset());
        Map<Msg, Map<Command.SortKey, Object>> keys = new HashMap<>();
        for (Msg m : found) {
            Map<Command.SortKey, Object> k = new LinkedHashMap<>();
            for (Command.SortCriterion cr : c.criteria()) {
                k.put(cr.key(), sortValue(m, cr.key()));
            }
            keys.put(m, k);
        }
        Comparator<Msg> cmp = null;
        for (Command.SortCriterion cr : c.criteria()) {
            Comparator<Msg> one = (a, b) -> compare(keys.get(a).get(cr.key()), keys.get(b).get(cr.key()));
            if (cr.reverse()) {
                one = one.reversed();
            }
            cmp = cmp == null ? one : cmp.thenComparing(one);
        }
        Comparator<Msg> bySeq = Comparator.comparingInt(m -> m.seq);
        found.sort(cmp == null ? bySeq : cmp.thenComparing(bySeq));
        out.raw("* SORT");
        for (Msg m : found) {
            out.sp().num(c.uid() ? m.uid : m.seq);
        }
        out.crlf();
        MailCommands.done(s, c, out, c.name() + " completed");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        return ((Comparable) a).compareTo(b);
    }

    private static Object sortValue(Msg m, Command.SortKey k) throws Exception {
        MessageStructure.Envelope e = m.structure().envelope();
        return switch (k) {
            case ARRIVAL -> m.info.internalDate();
            case DATE -> sentDate(m);
            case SIZE -> m.info.size();
            case SUBJECT -> baseSubject(e.subject() == null ? "" : HeaderDecoder.decode(e.subject()));
            case FROM -> mailbox(e.from());
            case TO -> mailbox(e.to());
            case CC -> mailbox(e.cc());
            case DISPLAYFROM -> display(e.from());
            case DISPLAYTO -> display(e.to());
        };
    }

    private static Instant sentDate(Msg m) throws Exception {
        ZonedDateTime z = parseDate(m.structure().envelope().date());
        return z == null ? m.info.internalDate() : z.toInstant();
    }

    private static String mailbox(List<Address> list) {
        if (list == null) {
            return "";
        }
        for (Address a : list) {
            if (a.host() != null && a.mailbox() != null) {
                return a.mailbox().toLowerCase(Locale.ROOT);
            }
        }
        return "";
    }

    private static String display(List<Address> list) {
        if (list == null) {
            return "";
        }
        for (Address a : list) {
            if (a.host() != null) {
                String n = a.name() == null ? null : HeaderDecoder.decode(a.name());
                return (n == null || n.isBlank() ? a.mailbox() + "@" + a.host() : n).toLowerCase(Locale.ROOT);
            }
        }
        return "";
    }

    /** RFC 5256 base subject, simplified: no leading Re:/Fw:/Fwd:/[tags], no trailing (fwd), spaces folded. */
    static String baseSubject(String subject) {
        String s = subject.replaceAll("[\\t\\r\\n ]+", " ").trim();
        while (true) {
            String t = s.replaceAll("(?i)\\s*\\(fwd\\)$", "").trim();
            if (t.length() >= 6 && t.regionMatches(true, 0, "[fwd:", 0, 5) && t.endsWith("]")) {
                t = t.substring(5, t.length() - 1).trim();
            }
            String u = t.replaceAll("(?i)^((re|fwd?)\\s*(\\[[^\\]]*\\])?\\s*:|\\[[^\\]]*\\])\\s*", "").trim();
            if (u.isEmpty()) {
                u = t;
            }
            if (u.equals(s)) {
                break;
            }
            s = u;
        }
        return s.toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- THREAD

    static void thread(ImapSession s, Command.Thread c, Out out) throws Exception {
        List<Msg> found = matches(s, c.key(), c.charset());
        List<Node> roots = c.algorithm().equals("ORDEREDSUBJECT") ? orderedSubject(found) : references(found);
        out.raw("* THREAD ");
        for (Node r : roots) {
            out.raw('(');
            write(r, out, c.uid());
            out.raw(')');
        }
        out.crlf();
        MailCommands.done(s, c, out, c.name() + " completed");
    }

    /** A thread tree node; {@code msg} is null for a dummy (a referenced message that is not here). */
    static final class Node {
        Msg msg;
        Node parent;
        final List<Node> children = new ArrayList<>();
        Instant date;

        Instant date() {
            if (date == null) {
                date = msg != null ? safeDate(msg) : children.isEmpty() ? Instant.EPOCH : children.get(0).date();
            }
            return date;
        }
    }

    private static Instant safeDate(Msg m) {
        try {
            return sentDate(m);
        } catch (Exception e) {
            return m.info.internalDate();
        }
    }

    /** Writes a node: a chain of single children is written flat, siblings each in parentheses. */
    private static void write(Node n, Out out, boolean uid) {
        boolean any = false;
        if (n.msg != null) {
            out.num(uid ? n.msg.uid : n.msg.seq);
            any = true;
        }
        if (n.children.size() == 1) {
            if (any) {
                out.sp();
            }
            write(n.children.get(0), out, uid);
        } else if (!n.children.isEmpty()) {
            if (any) {
                out.sp();
            }
            for (Node ch : n.children) {
                out.raw('(');
                write(ch, out, uid);
                out.raw(')');
            }
        }
    }

    private static List<Node> orderedSubject(List<Msg> msgs) throws Exception {
        Map<String, Node> bySubject = new LinkedHashMap<>();
        List<Msg> sorted = new ArrayList<>(msgs);
        Map<Msg, Instant> dates = new HashMap<>();
        for (Msg m : sorted) {
            dates.put(m, safeDate(m));
        }
        sorted.sort(Comparator.comparing((Msg m) -> dates.get(m)).thenComparingInt(m -> m.seq));
        for (Msg m : sorted) {
            String subj = m.structure().envelope().subject();
            String base = baseSubject(subj == null ? "" : HeaderDecoder.decode(subj));
            Node parent = bySubject.get(base);
            Node n = new Node();
            n.msg = m;
            n.date = dates.get(m);
            if (parent == null) {
                bySubject.put(base, n);
            } else {
                parent.children.add(n);
            }
        }
        List<Node> roots = new ArrayList<>(bySubject.values());
        roots.sort(Comparator.comparing(Node::date).thenComparingInt(n -> n.msg.seq));
        return roots;
    }

    private static final Pattern MSGID = Pattern.compile("<[^<>]+>");

    /** RFC 5256 REFERENCES (steps 1 to 4 and 6; subjects of root threads are not merged). */
    private static List<Node> references(List<Msg> msgs) throws Exception {
        Map<String, Node> table = new LinkedHashMap<>();
        for (Msg m : msgs) {
            MessageStructure.Envelope e = m.structure().envelope();
            String id = e.messageId() == null ? null : first(e.messageId());
            Node n = id == null ? null : table.get(id);
            if (n == null || n.msg != null) {
                n = new Node();
                if (id != null && !table.containsKey(id)) {
                    table.put(id, n);
                } else {
                    table.put("<dup-" + m.uid + ">", n);
                }
            }
            n.msg = m;
            List<String> refs = new ArrayList<>();
            List<String> r = m.values("REFERENCES");
            if (!r.isEmpty()) {
                Matcher mm = MSGID.matcher(r.get(0));
                while (mm.find()) {
                    refs.add(mm.group());
                }
            }
            if (refs.isEmpty() && e.inReplyTo() != null) {
                String irt = first(e.inReplyTo());
                if (irt != null) {
                    refs.add(irt);
                }
            }
            Node prev = null;
            for (String ref : refs) {
                Node rn = table.computeIfAbsent(ref, k -> new Node());
                if (prev != null && rn.parent == null && rn != prev && !descends(prev, rn)) {
                    link(prev, rn);
                }
                prev = rn;
            }
            if (prev != null && prev != n && !descends(n, prev)) {
                if (n.parent != null) {
                    n.parent.children.remove(n);
                    n.parent = null;
                }
                link(prev, n);
            }
        }
        Node root = new Node();
        for (Node n : new ArrayList<>(table.values())) {
            if (n.parent == null) {
                root.children.add(n);
                n.parent = root;
            }
        }
        prune(root);
        sortTree(root);
        mergeBySubject(root);
        sortTree(root);
        return root.children;
    }

    /** The message that names a (possibly dummy) root thread: itself, or its first child. */
    private static Msg representative(Node n) {
        return n.msg != null ? n.msg : n.children.isEmpty() ? null : n.children.get(0).msg;
    }

    private static String rawSubject(Msg m) {
        try {
            String s = m.structure().envelope().subject();
            return s == null ? "" : HeaderDecoder.decode(s);
        } catch (StoreException e) {
            return "";
        }
    }

    private static boolean isReply(Msg m) {
        String raw = rawSubject(m).trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        return !raw.equals(baseSubject(raw));
    }

    /** RFC 5256 REFERENCES step 5: root threads with the same base subject are gathered. */
    private static void mergeBySubject(Node root) {
        Map<String, Node> table = new HashMap<>();
        for (Node n : root.children) {
            Msg m = representative(n);
            if (m == null) {
                continue;
            }
            String subj = baseSubject(rawSubject(m));
            if (subj.isEmpty()) {
                continue;
            }
            Node old = table.get(subj);
            if (old == null || (n.msg == null && old.msg != null)
                    || (old.msg != null && n.msg != null && isReply(old.msg) && !isReply(n.msg))) {
                table.put(subj, n);
            }
        }
        List<Node> roots = new ArrayList<>(root.children);
        List<Node> kept = new ArrayList<>();
        Map<Node, Node> replaced = new java.util.IdentityHashMap<>();
        for (Node n : roots) {
            if (replaced.containsKey(n)) {
                kept.add(replaced.get(n));
                continue;
            }
            if (n.parent != root) {
                continue;
            }
            Msg m = representative(n);
            String subj = m == null ? "" : baseSubject(rawSubject(m));
            Node entry = subj.isEmpty() ? null : table.get(subj);
            if (entry == null || entry == n) {
                kept.add(n);
                continue;
            }
            if (entry.msg == null && n.msg == null) {
                for (Node c : n.children) {
                    c.parent = entry;
                    entry.children.add(c);
                }
            } else if (entry.msg == null) {
                n.parent = entry;
                entry.children.add(n);
            } else if (n.msg != null && isReply(n.msg) && !isReply(entry.msg)) {
                n.parent = entry;
                entry.children.add(n);
            } else {
                // a new dummy holds both; it takes the place of the entry
                Node dummy = new Node();
                dummy.parent = root;
                int at = kept.indexOf(entry);
                Node other = entry;
                other.parent = dummy;
                n.parent = dummy;
                dummy.children.add(other);
                dummy.children.add(n);
                table.put(subj, dummy);
                if (at >= 0) {
                    kept.set(at, dummy);
                } else {
                    // the entry comes later in the root list: it will be replaced when met
                    replaced.put(entry, dummy);
                }
            }
        }
        List<Node> result = new ArrayList<>();
        for (Node n : kept) {
            Node r = replaced.getOrDefault(n, n);
            if (!result.contains(r)) {
                result.add(r);
            }
        }
        root.children.clear();
        root.children.addAll(result);
    }

    private static String first(String ids) {
        Matcher m = MSGID.matcher(ids);
        return m.find() ? m.group() : null;
    }

    private static boolean descends(Node ancestor, Node n) {
        for (Node p = ancestor; p != null; p = p.parent) {
            if (p == n) {
                return true;
            }
        }
        return false;
    }

    private static void link(Node parent, Node child) {
        child.parent = parent;
        parent.children.add(child);
    }

    /** Removes empty dummies and promotes the children of dummies where RFC 5256 says so. */
    private static void prune(Node n) {
        List<Node> kids = new ArrayList<>();
        for (Node c : n.children) {
            prune(c);
            if (c.msg == null && c.children.isEmpty()) {
                continue;
            }
            if (c.msg == null && (n.parent != null || c.children.size() == 1)) {
                for (Node g : c.children) {
                    g.parent = n;
                    kids.add(g);
                }
                continue;
            }
            kids.add(c);
        }
        n.children.clear();
        n.children.addAll(kids);
    }

    private static void sortTree(Node n) {
        for (Node c : n.children) {
            sortTree(c);
        }
        n.children.sort(Comparator.comparing(Node::date).thenComparingLong(x -> x.msg == null ? 0 : x.msg.seq));
    }
}
