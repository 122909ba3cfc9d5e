package io.pillarbox.imap;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Turns a {@link RawCommand} into a {@link Command}, or a {@link ParseException} naming what is wrong. */
final class CommandParser {

    private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
        "NOV", "DEC"};

    private CommandParser() {
    }

    /** The result of parsing: a command, or the tag (maybe {@code *}) and the reason it is bad. */
    record Result(Command command, String tag, String error) {
    }

    static Result parse(RawCommand raw) {
        ImapReader r = new ImapReader(raw);
        String tag;
        try {
            tag = r.tag();
            r.sp();
        } catch (ParseException e) {
            return new Result(null, "*", "Missing or invalid tag");
        }
        try {
            Command c = command(r, tag);
            r.end();
            return new Result(c, tag, null);
        } catch (ParseException e) {
            return new Result(null, tag, e.getMessage());
        } catch (RuntimeException e) {
            return new Result(null, tag, "Invalid command: " + e.getMessage());
        }
    }

    private static Command command(ImapReader r, String tag) throws ParseException {
        String name = r.keyword();
        switch (name) {
            case "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "CHECK", "CLOSE", "UNSELECT", "IDLE", "EXPUNGE",
                 "NAMESPACE" -> {
                return new Command.Simple(tag, name);
            }
            case "LOGIN" -> {
                r.sp();
                String user = r.astring();
                r.sp();
                return new Command.Login(tag, user, r.astring());
            }
            case "AUTHENTICATE" -> {
                r.sp();
                String mech = r.keyword();
                String ir = null;
                if (r.tryChar(' ')) {
                    ir = r.base64OrEquals();
                }
                return new Command.Authenticate(tag, mech, ir);
            }
            case "ENABLE" -> {
                List<String> caps = new ArrayList<>();
                do {
                    r.sp();
                    caps.add(r.keyword());
                } while (r.peek() == ' ');
                return new Command.Enable(tag, caps);
            }
            case "SELECT", "EXAMINE" -> {
                return select(r, tag, name.equals("EXAMINE"));
            }
            case "CREATE" -> {
                r.sp();
                String mb = r.astring();
                List<String> use = List.of();
                if (r.tryChar(' ')) {
                    r.expect('(');
                    if (!r.keyword().equals("USE")) {
                        throw new ParseException("Unknown CREATE parameter");
                    }
                    r.sp();
                    use = r.flagList();
                    r.expect(')');
                }
                return new Command.Create(tag, mb, use);
            }
            case "DELETE", "SUBSCRIBE", "UNSUBSCRIBE", "GETQUOTAROOT", "GETQUOTA" -> {
                r.sp();
                return new Command.MailboxCmd(tag, name, r.astring());
            }
            case "SETQUOTA" -> {
                // RFC 9208 4.3: root SP "(" [resource SP limit *(SP resource SP limit)] ")"; always refused
                r.sp();
                String root = r.astring();
                r.sp();
                r.expect('(');
                while (r.peek() != ')') {
                    r.keyword();
                    r.sp();
                    r.number();
                    r.tryChar(' ');
                }
                r.expect(')');
                return new Command.MailboxCmd(tag, name, root);
            }
            case "RENAME" -> {
                r.sp();
                String from = r.astring();
                r.sp();
                return new Command.Rename(tag, from, r.astring());
            }
            case "LIST" -> {
                return list(r, tag);
            }
            case "LSUB" -> {
                r.sp();
                String ref = r.astring();
                r.sp();
                return new Command.ListCmd(tag, true, Set.of("SUBSCRIBED"), ref, List.of(r.listMailbox()),
                        Set.of(), List.of());
            }
            case "STATUS" -> {
                r.sp();
                String mb = r.astring();
                r.sp();
                return new Command.Status(tag, mb, statusItems(r));
            }
            case "APPEND" -> {
                return append(r, tag);
            }
            case "SEARCH" -> {
                return search(r, tag, false);
            }
            case "FETCH" -> {
                return fetch(r, tag, false);
            }
            case "STORE" -> {
                return store(r, tag, false);
            }
            case "COPY", "MOVE" -> {
                r.sp();
                SequenceSet set = r.sequenceSet();
                r.sp();
                return new Command.Copy(tag, false, name.equals("MOVE"), set, r.astring());
            }
            case "SORT" -> {
                return sort(r, tag, false);
            }
            case "THREAD" -> {
                return thread(r, tag, false);
            }
            case "UID" -> {
                r.sp();
                String sub = r.keyword();
                switch (sub) {
                    case "FETCH" -> {
                        return fetch(r, tag, true);
                    }
                    case "SEARCH" -> {
                        return search(r, tag, true);
                    }
                    case "STORE" -> {
                        return store(r, tag, true);
                    }
                    case "COPY", "MOVE" -> {
                        r.sp();
                        SequenceSet set = r.sequenceSet();
                        r.sp();
                        return new Command.Copy(tag, true, sub.equals("MOVE"), set, r.astring());
                    }
                    case "EXPUNGE" -> {
                        r.sp();
                        return new Command.UidExpunge(tag, r.sequenceSet());
                    }
                    case "SORT" -> {
                        return sort(r, tag, true);
                    }
                    case "THREAD" -> {
                        return thread(r, tag, true);
                    }
                    default -> throw new ParseException("Unknown UID command: " + sub);
                }
            }
            case "ID" -> {
                r.sp();
                if (r.lookingAt("NIL")) {
                    r.keyword();
                    return new Command.Id(tag, null);
                }
                r.expect('(');
                Map<String, String> params = new LinkedHashMap<>();
                if (!r.tryChar(')')) {
                    do {
                        String k = r.string();
                        r.sp();
                        String v = r.nstring();
                        if (params.size() >= 30) {
                            throw new ParseException("Too many ID parameters");
                        }
                        params.put(k, v);
                    } while (r.tryChar(' '));
                    r.expect(')');
                }
                return new Command.Id(tag, params);
            }
            case "COMPRESS" -> {
                r.sp();
                return new Command.Compress(tag, r.keyword());
            }
            default -> throw new ParseException("Unknown command: " + name);
        }
    }

    private static Command select(ImapReader r, String tag, boolean readOnly) throws ParseException {
        r.sp();
        String mb = r.astring();
        boolean condstore = false;
        Command.QResyncParams qr = null;
        if (r.tryChar(' ')) {
            r.expect('(');
            do {
                String p = r.keyword();
                if (p.equals("CONDSTORE")) {
                    condstore = true;
                } else if (p.equals("QRESYNC")) {
                    r.sp();
                    r.expect('(');
                    long uv = r.nzNumber();
                    r.sp();
                    long ms = r.number();
                    SequenceSet known = null;
                    SequenceSet seqMatch = null;
                    SequenceSet uidMatch = null;
                    if (r.tryChar(' ')) {
                        if (r.peek() != '(') {
                            known = r.sequenceSet();
                            r.tryChar(' ');
                        }
                        if (r.tryChar('(')) {
                            seqMatch = r.sequenceSet();
                            r.sp();
                            uidMatch = r.sequenceSet();
                            r.expect(')');
                        }
                    }
                    r.expect(')');
                    qr = new Command.QResyncParams(uv, ms, known, seqMatch, uidMatch);
                } else {
                    throw new ParseException("Unknown SELECT parameter: " + p);
                }
            } while (r.tryChar(' '));
            r.expect(')');
        }
        return new Command.Select(tag, mb, readOnly, condstore, qr);
    }

    private static Command list(ImapReader r, String tag) throws ParseException {
        r.sp();
        Set<String> selection = new LinkedHashSet<>();
        if (r.tryChar('(')) {
            if (!r.tryChar(')')) {
                do {
                    String o = r.keyword();
                    if (!Set.of("SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE").contains(o)) {
                        throw new ParseException("Unknown LIST selection option: " + o);
                    }
                    selection.add(o);
                } while (r.tryChar(' '));
                r.expect(')');
            }
            r.sp();
            if (selection.equals(Set.of("RECURSIVEMATCH"))) {
                throw new ParseException("RECURSIVEMATCH needs another selection option");
            }
        }
        String ref = r.astring();
        r.sp();
        List<String> patterns = new ArrayList<>();
        if (r.tryChar('(')) {
            do {
                patterns.add(r.listMailbox());
            } while (r.tryChar(' '));
            r.expect(')');
        } else {
            patterns.add(r.listMailbox());
        }
        Set<String> returns = new LinkedHashSet<>();
        List<String> status = List.of();
        if (r.tryChar(' ')) {
            if (!r.keyword().equals("RETURN")) {
                throw new ParseException("Expected RETURN");
            }
            r.sp();
            r.expect('(');
            if (!r.tryChar(')')) {
                do {
                    String o = r.keyword();
                    if (o.equals("STATUS")) {
                        r.sp();
                        status = statusItems(r);
                    } else if (Set.of("SUBSCRIBED", "CHILDREN", "SPECIAL-USE").contains(o)) {
                        returns.add(o);
                    } else {
                        throw new ParseException("Unknown LIST return option: " + o);
                    }
                } while (r.tryChar(' '));
                r.expect(')');
            }
        }
        return new Command.ListCmd(tag, false, selection, ref, patterns, returns, status);
    }

    private static final Set<String> STATUS_ITEMS = Set.of("MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN",
            "DELETED", "SIZE", "HIGHESTMODSEQ", "APPENDLIMIT");

    private static List<String> statusItems(ImapReader r) throws ParseException {
        r.expect('(');
        List<String> items = new ArrayList<>();
        do {
            String item = r.keyword();
            if (!STATUS_ITEMS.contains(item)) {
                throw new ParseException("Unknown STATUS item: " + item);
            }
            items.add(item);
        } while (r.tryChar(' '));
        r.expect(')');
        return items;
    }

    private static Command append(ImapReader r, String tag) throws ParseException {
        r.sp();
        String mb = r.astring();
        List<Command.AppendMessage> msgs = new ArrayList<>();
        do {
            r.sp();
            List<String> flags = List.of();
            java.time.Instant date = null;
            if (r.peek() == '(') {
                flags = r.flagList();
                r.sp();
            }
            if (r.peek() == '"') {
                date = dateTime(r.quoted());
                r.sp();
            }
            Literal content;
            if (r.lookingAt("UTF8")) {
                r.keyword();
                r.sp();
                r.expect('(');
                content = r.literal();
                r.expect(')');
            } else {
                content = r.literal();
            }
            msgs.add(new Command.AppendMessage(flags, date, content));
        } while (r.peek() == ' ');
        return new Command.Append(tag, mb, msgs);
    }

    private static Command search(ImapReader r, String tag, boolean uid) throws ParseException {
        r.sp();
        Set<String> returns = null;
        if (r.lookingAt("RETURN ")) {
            r.keyword();
            r.sp();
            returns = new LinkedHashSet<>();
            r.expect('(');
            if (!r.tryChar(')')) {
                do {
                    String o = r.keyword();
                    if (!Set.of("MIN", "MAX", "ALL", "COUNT", "SAVE").contains(o)) {
                        throw new ParseException("Unknown SEARCH return option: " + o);
                    }
                    returns.add(o);
                } while (r.tryChar(' '));
                r.expect(')');
            }
            r.sp();
        }
        String charset = null;
        if (r.lookingAt("CHARSET ")) {
            r.keyword();
            r.sp();
            charset = r.astring();
            r.sp();
        }
        return new Command.Search(tag, uid, returns, charset, searchKeys(r));
    }

    /** One or more search keys separated by spaces, to the end of the command. */
    static SearchKey searchKeys(ImapReader r) throws ParseException {
        List<SearchKey> keys = new ArrayList<>();
        keys.add(searchKey(r, 0));
        while (r.tryChar(' ')) {
            keys.add(searchKey(r, 0));
        }
        return keys.size() == 1 ? keys.get(0) : new SearchKey.And(keys);
    }

    private static SearchKey searchKey(ImapReader r, int depth) throws ParseException {
        if (depth > 50) {
            throw new ParseException("Search criteria nested too deeply");
        }
        if (r.tryChar('(')) {
            List<SearchKey> keys = new ArrayList<>();
            do {
                keys.add(searchKey(r, depth + 1));
            } while (r.tryChar(' '));
            r.expect(')');
            return keys.size() == 1 ? keys.get(0) : new SearchKey.And(keys);
        }
        if (r.atSequenceSet()) {
            return new SearchKey.Set(r.sequenceSet(), false);
        }
        String k = r.keyword();
        switch (k) {
            case "ALL":
                return new SearchKey.All();
            case "ANSWERED":
                return new SearchKey.Flag("\\Answered", true);
            case "DELETED":
                return new SearchKey.Flag("\\Deleted", true);
            case "DRAFT":
                return new SearchKey.Flag("\\Draft", true);
            case "FLAGGED":
                return new SearchKey.Flag("\\Flagged", true);
            case "SEEN":
                return new SearchKey.Flag("\\Seen", true);
            case "UNANSWERED":
                return new SearchKey.Flag("\\Answered", false);
            case "UNDELETED":
                return new SearchKey.Flag("\\Deleted", false);
            case "UNDRAFT":
                return new SearchKey.Flag("\\Draft", false);
            case "UNFLAGGED":
                return new SearchKey.Flag("\\Flagged", false);
            case "UNSEEN":
                return new SearchKey.Flag("\\Seen", false);
            case "KEYWORD":
                r.sp();
                return new SearchKey.Flag(r.atom(), true);
            case "UNKEYWORD":
                r.sp();
                return new SearchKey.Flag(r.atom(), false);
            case "NEW":
                return new SearchKey.New();
            case "OLD":
                return new SearchKey.Recent(false);
            case "RECENT":
                return new SearchKey.Recent(true);
            case "BCC", "CC", "FROM", "SUBJECT", "TO":
                r.sp();
                return new SearchKey.Header(k, r.astring());
            case "HEADER": {
                r.sp();
                String field = r.astring();
                r.sp();
                return new SearchKey.Header(field.toUpperCase(Locale.ROOT), r.astring());
            }
            case "BODY":
                r.sp();
                return new SearchKey.Body(r.astring());
            case "TEXT":
                r.sp();
                return new SearchKey.Text(r.astring());
            case "BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE": {
                r.sp();
                boolean sent = k.startsWith("SENT");
                String op = sent ? k.substring(4) : k;
                return new SearchKey.Date(SearchKey.DateOp.valueOf(op), date(r), sent);
            }
            case "LARGER":
                r.sp();
                return new SearchKey.Size(true, r.number());
            case "SMALLER":
                r.sp();
                return new SearchKey.Size(false, r.number());
            case "UID":
                r.sp();
                return new SearchKey.Set(r.sequenceSet(), true);
            case "NOT":
                r.sp();
                return new SearchKey.Not(searchKey(r, depth + 1));
            case "OR": {
                r.sp();
                SearchKey a = searchKey(r, depth + 1);
                r.sp();
                return new SearchKey.Or(a, searchKey(r, depth + 1));
            }
            case "MODSEQ": {
                r.sp();
                if (r.peek() == '"') {
                    r.quoted();
                    r.sp();
                    String type = r.keyword();
                    if (!Set.of("PRIV", "SHARED", "ALL").contains(type)) {
                        throw new ParseException("Invalid MODSEQ entry type");
                    }
                    r.sp();
                }
                return new SearchKey.ModSeq(r.number());
            }
            case "OLDER", "YOUNGER":
                r.sp();
                return new SearchKey.Age(k.equals("OLDER"), r.nzNumber());
            default:
                throw new ParseException("Unknown search key: " + k);
        }
    }

    /** date = date-text / DQUOTE date-text DQUOTE, date-text = d[d]-Mon-yyyy. */
    static LocalDate date(ImapReader r) throws ParseException {
        String text;
        if (r.peek() == '"') {
            text = r.quoted();
        } else {
            text = r.atom();
        }
        return parseDate(text);
    }

    static LocalDate parseDate(String text) throws ParseException {
        String[] p = text.split("-");
        if (p.length != 3 || p[0].isEmpty() || p[0].length() > 2 || p[2].length() != 4) {
            throw new ParseException("Invalid date: " + text);
        }
        try {
            int month = month(p[1]);
            return LocalDate.of(Integer.parseInt(p[2]), month, Integer.parseInt(p[0]));
        } catch (NumberFormatException | DateTimeException e) {
            throw new ParseException("Invalid date: " + text);
        }
    }

    private static int month(String m) throws ParseException {
        for (int i = 0; i < 12; i++) {
            if (MONTHS[i].equalsIgnoreCase(m)) {
                return i + 1;
            }
        }
        throw new ParseException("Invalid month: " + m);
    }

    /** date-time = "dd-Mon-yyyy hh:mm:ss +zzzz" (day may be space-padded). */
    static java.time.Instant dateTime(String s) throws ParseException {
        String t = s.startsWith(" ") ? s.substring(1) : s;
        String[] p = t.split(" ");
        if (p.length != 3 || p[1].length() != 8 || p[2].length() != 5
                || (p[2].charAt(0) != '+' && p[2].charAt(0) != '-')) {
            throw new ParseException("Invalid date-time: " + s);
        }
        LocalDate d = parseDate(p[0]);
        try {
            String[] hms = p[1].split(":");
            if (hms.length != 3) {
                throw new ParseException("Invalid date-time: " + s);
            }
            int zh = Integer.parseInt(p[2].substring(1, 3));
            int zm = Integer.parseInt(p[2].substring(3, 5));
            int sign = p[2].charAt(0) == '-' ? -1 : 1;
            ZoneOffset off = ZoneOffset.ofHoursMinutes(sign * zh, sign * zm);
            return LocalDateTime.of(d.getYear(), d.getMonthValue(), d.getDayOfMonth(), Integer.parseInt(hms[0]),
                    Integer.parseInt(hms[1]), Integer.parseInt(hms[2])).toInstant(off);
        } catch (NumberFormatException | DateTimeException e) {
            throw new ParseException("Invalid date-time: " + s);
        }
    }

    private static Command fetch(ImapReader r, String tag, boolean uid) throws ParseException {
        r.sp();
        SequenceSet set = r.sequenceSet();
        r.sp();
        List<FetchItem> items = new ArrayList<>();
        if (r.tryChar('(')) {
            do {
                items.add(fetchAtt(r));
            } while (r.tryChar(' '));
            r.expect(')');
        } else {
            String macro = r.lookingAt("ALL") || r.lookingAt("FAST") || r.lookingAt("FULL") ? peekWord(r) : null;
            if (macro != null) {
                r.keyword();
                items.add(new FetchItem.Simple(FetchItem.Kind.FLAGS));
                items.add(new FetchItem.Simple(FetchItem.Kind.INTERNALDATE));
                items.add(new FetchItem.Simple(FetchItem.Kind.RFC822_SIZE));
                if (!macro.equals("FAST")) {
                    items.add(new FetchItem.Simple(FetchItem.Kind.ENVELOPE));
                }
                if (macro.equals("FULL")) {
                    items.add(new FetchItem.Simple(FetchItem.Kind.BODY));
                }
            } else {
                items.add(fetchAtt(r));
            }
        }
        long changedSince = -1;
        boolean vanished = false;
        if (r.tryChar(' ')) {
            r.expect('(');
            do {
                String m = r.keyword();
                if (m.equals("CHANGEDSINCE")) {
                    r.sp();
                    changedSince = r.number();
                } else if (m.equals("VANISHED")) {
                    vanished = true;
                } else {
                    throw new ParseException("Unknown FETCH modifier: " + m);
                }
            } while (r.tryChar(' '));
            r.expect(')');
            if (vanished && (!uid || changedSince < 0)) {
                throw new ParseException("VANISHED needs UID FETCH with CHANGEDSINCE");
            }
        }
        return new Command.Fetch(tag, uid, set, items, changedSince, vanished);
    }

    private static String peekWord(ImapReader r) {
        for (String w : new String[]{"ALL", "FAST", "FULL"}) {
            if (r.lookingAt(w) && !ImapReader.isAtomChar(r.peek(w.length()))) {
                return w;
            }
        }
        return null;
    }

    private static FetchItem fetchAtt(ImapReader r) throws ParseException {
        StringBuilder name = new StringBuilder();
        while (true) {
            int c = r.peek();
            if (c < 0 || c == '[' || c == ' ' || c == ')' || c == '(') {
                break;
            }
            name.append(Character.toUpperCase((char) c));
            r.tryChar((char) c);
        }
        String n = name.toString();
        switch (n) {
            case "FLAGS":
                return new FetchItem.Simple(FetchItem.Kind.FLAGS);
            case "INTERNALDATE":
                return new FetchItem.Simple(FetchItem.Kind.INTERNALDATE);
            case "RFC822.SIZE":
                return new FetchItem.Simple(FetchItem.Kind.RFC822_SIZE);
            case "ENVELOPE":
                return new FetchItem.Simple(FetchItem.Kind.ENVELOPE);
            case "BODYSTRUCTURE":
                return new FetchItem.Simple(FetchItem.Kind.BODYSTRUCTURE);
            case "UID":
                return new FetchItem.Simple(FetchItem.Kind.UID);
            case "MODSEQ":
                return new FetchItem.Simple(FetchItem.Kind.MODSEQ);
            case "RFC822":
                return new FetchItem.Simple(FetchItem.Kind.RFC822);
            case "RFC822.HEADER":
                return new FetchItem.Simple(FetchItem.Kind.RFC822_HEADER);
            case "RFC822.TEXT":
                return new FetchItem.Simple(FetchItem.Kind.RFC822_TEXT);
            case "BODY":
                if (r.peek() != '[') {
                    return new FetchItem.Simple(FetchItem.Kind.BODY);
                }
                return section(r, false, false);
            case "BODY.PEEK":
                return section(r, false, true);
            case "BINARY":
                return section(r, true, false);
            case "BINARY.PEEK":
                return section(r, true, true);
            case "BINARY.SIZE": {
                r.expect('[');
                int[] part = r.peek() == ']' ? new int[0] : partNumbers(r, true);
                r.expect(']');
                return new FetchItem.BinarySize(part, join(part));
            }
            default:
                throw new ParseException(n.isEmpty() ? "Missing FETCH item" : "Unknown FETCH item: " + n);
        }
    }

    private static FetchItem section(ImapReader r, boolean binary, boolean peek) throws ParseException {
        r.expect('[');
        int[] part = new int[0];
        FetchItem.Spec spec = FetchItem.Spec.ALL;
        List<String> fields = List.of();
        List<String> labelFields = List.of();
        StringBuilder label = new StringBuilder();
        if (r.peek() >= '0' && r.peek() <= '9') {
            part = partNumbers(r, binary);
            label.append(join(part));
        }
        if (!binary && (part.length == 0 || r.peek() == '.')) {
            boolean dot = part.length > 0 && r.tryChar('.');
            if (dot || r.peek() != ']') {
                String s = sectionWord(r);
                switch (s) {
                    case "HEADER" -> spec = FetchItem.Spec.HEADER;
                    case "TEXT" -> spec = FetchItem.Spec.TEXT;
                    case "MIME" -> {
                        if (part.length == 0) {
                            throw new ParseException("MIME needs a part number");
                        }
                        spec = FetchItem.Spec.MIME;
                    }
                    case "HEADER.FIELDS", "HEADER.FIELDS.NOT" -> {
                        spec = s.equals("HEADER.FIELDS") ? FetchItem.Spec.HEADER_FIELDS
                                : FetchItem.Spec.HEADER_FIELDS_NOT;
                        r.sp();
                        r.expect('(');
                        fields = new ArrayList<>();
                        labelFields = new ArrayList<>();
                        do {
                            String f = r.astring();
                            if (f.isEmpty() || !f.chars().allMatch(ch -> ImapReader.isAtomChar(ch) && ch != ':')) {
                                throw new ParseException("Invalid header field name");
                            }
                            fields.add(f.toUpperCase(Locale.ROOT));
                            labelFields.add(f);
                        } while (r.tryChar(' '));
                        r.expect(')');
                    }
                    default -> throw new ParseException("Invalid section: " + s);
                }
                if (label.length() > 0) {
                    label.append('.');
                }
                label.append(s);
                if (!fields.isEmpty()) {
                    label.append(" (").append(String.join(" ", labelFields)).append(')');
                }
            }
        }
        r.expect(']');
        long start = -1;
        long length = -1;
        if (r.tryChar('<')) {
            start = r.number32();
            r.expect('.');
            length = r.nzNumber();
            r.expect('>');
        }
        return new FetchItem.Section(binary, peek, part, spec, fields, start, length, label.toString());
    }

    private static String sectionWord(ImapReader r) {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = r.peek();
            if (c < 0 || c == ']' || c == ' ') {
                break;
            }
            sb.append(Character.toUpperCase((char) c));
            r.tryChar((char) c);
        }
        return sb.toString();
    }

    private static int[] partNumbers(ImapReader r, boolean binary) throws ParseException {
        List<Integer> parts = new ArrayList<>();
        do {
            if (r.peek() < '0' || r.peek() > '9') {
                throw new ParseException("Invalid section part number");
            }
            long n = r.nzNumber();
            if (n > 10000) {
                throw new ParseException("Part number too large");
            }
            parts.add((int) n);
        } while (r.peek() == '.' && r.peek(1) >= '0' && r.peek(1) <= '9' && r.tryChar('.'));
        if (parts.size() > 100) {
            throw new ParseException("Section nested too deeply");
        }
        return parts.stream().mapToInt(Integer::intValue).toArray();
    }

    static String join(int[] part) {
        StringBuilder sb = new StringBuilder();
        for (int p : part) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(p);
        }
        return sb.toString();
    }

    private static Command store(ImapReader r, String tag, boolean uid) throws ParseException {
        r.sp();
        SequenceSet set = r.sequenceSet();
        r.sp();
        long unchangedSince = -1;
        if (r.tryChar('(')) {
            if (!r.keyword().equals("UNCHANGEDSINCE")) {
                throw new ParseException("Unknown STORE modifier");
            }
            r.sp();
            unchangedSince = r.number();
            r.expect(')');
            r.sp();
        }
        Command.StoreOp op = Command.StoreOp.REPLACE;
        if (r.tryChar('+')) {
            op = Command.StoreOp.ADD;
        } else if (r.tryChar('-')) {
            op = Command.StoreOp.REMOVE;
        }
        String item = r.keyword();
        boolean silent;
        if (item.equals("FLAGS")) {
            silent = false;
        } else if (item.equals("FLAGS.SILENT")) {
            silent = true;
        } else {
            throw new ParseException("Expected FLAGS or FLAGS.SILENT");
        }
        r.sp();
        List<String> flags;
        if (r.peek() == '(') {
            flags = r.flagList();
        } else {
            flags = new ArrayList<>();
            do {
                flags.add(r.flag(false));
            } while (r.tryChar(' '));
        }
        for (String f : flags) {
            if (f.equalsIgnoreCase("\\Recent")) {
                throw new ParseException("\\Recent cannot be stored");
            }
        }
        return new Command.Store(tag, uid, set, unchangedSince, op, silent, flags);
    }

    private static Command sort(ImapReader r, String tag, boolean uid) throws ParseException {
        r.sp();
        r.expect('(');
        List<Command.SortCriterion> criteria = new ArrayList<>();
        do {
            boolean reverse = false;
            String k = r.keyword();
            if (k.equals("REVERSE")) {
                reverse = true;
                r.sp();
                k = r.keyword();
            }
            try {
                criteria.add(new Command.SortCriterion(Command.SortKey.valueOf(k), reverse));
            } catch (IllegalArgumentException e) {
                throw new ParseException("Unknown sort key: " + k);
            }
        } while (r.tryChar(' '));
        r.expect(')');
        r.sp();
        String charset = r.astring();
        r.sp();
        return new Command.Sort(tag, uid, criteria, charset, searchKeys(r));
    }

    private static Command thread(ImapReader r, String tag, boolean uid) throws ParseException {
        r.sp();
        String alg = r.keyword();
        if (!alg.equals("REFERENCES") && !alg.equals("ORDEREDSUBJECT")) {
            throw new ParseException("Unknown threading algorithm: " + alg);
        }
        r.sp();
        String charset = r.astring();
        r.sp();
        return new Command.Thread(tag, uid, alg, charset, searchKeys(r));
    }
}
