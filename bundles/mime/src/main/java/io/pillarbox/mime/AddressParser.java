package io.pillarbox.mime;

import io.pillarbox.api.store.MessageStructure.Address;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 5322 address lists (with the obsolete forms) parsed into IMAP ENVELOPE addresses, leniently: display names are
 * kept as in the header (quotes removed, RFC 2047 words undecoded), a comment serves as the name where there is no
 * phrase, groups become start and end markers. Never throws.
 */
final class AddressParser {

    private enum T { ATOM, QUOTED, LITERAL, COMMENT, DOT, AT, COMMA, SEMI, COLON, LT, GT }

    /** A token; {@code space}: white space or a comment came right before it. */
    private record Tok(T t, String s, boolean space) {
    }

    private final List<Tok> toks;
    private int i;

    private AddressParser(List<Tok> toks) {
        this.toks = toks;
    }

    static List<Address> parse(String value) {
        try {
            AddressParser p = new AddressParser(tokenize(value));
            List<Address> out = new ArrayList<>();
            p.list(out);
            return List.copyOf(out);
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private static List<Tok> tokenize(String s) {
        List<Tok> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        boolean space = false;
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
                space = true;
                continue;
            }
            boolean sp = space;
            space = false;
            if (c == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (i < n && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < n) {
                        i++;
                    }
                    b.append(s.charAt(i++));
                }
                i++;
                out.add(new Tok(T.QUOTED, b.toString(), sp));
            } else if (c == '(') {
                StringBuilder b = new StringBuilder();
                int depth = 1;
                i++;
                while (i < n && depth > 0) {
                    char d = s.charAt(i);
                    if (d == '\\' && i + 1 < n) {
                        b.append(s.charAt(i + 1));
                        i += 2;
                        continue;
                    }
                    if (d == '(') {
                        depth++;
                    } else if (d == ')') {
                        depth--;
                        if (depth == 0) {
                            i++;
                            break;
                        }
                    }
                    b.append(d);
                    i++;
                }
                out.add(new Tok(T.COMMENT, b.toString().strip(), sp));
                space = true;
            } else if (c == '[') {
                int e = s.indexOf(']', i);
                e = e < 0 ? n : e + 1;
                out.add(new Tok(T.LITERAL, s.substring(i, e), sp));
                i = e;
            } else {
                T t = switch (c) {
                    case '.' -> T.DOT;
                    case '@' -> T.AT;
                    case ',' -> T.COMMA;
                    case ';' -> T.SEMI;
                    case ':' -> T.COLON;
                    case '<' -> T.LT;
                    case '>' -> T.GT;
                    default -> null;
                };
                if (t != null) {
                    out.add(new Tok(t, String.valueOf(c), sp));
                    i++;
                } else {
                    int st = i;
                    while (i < n && " \t\r\n\"(),.;:<>@[".indexOf(s.charAt(i)) < 0) {
                        i++;
                    }
                    out.add(new Tok(T.ATOM, s.substring(st, i), sp));
                }
            }
        }
        return out;
    }

    private Tok peek() {
        return i < toks.size() ? toks.get(i) : null;
    }

    private boolean at(T t) {
        Tok k = peek();
        return k != null && k.t == t;
    }

    private void list(List<Address> out) {
        while (i < toks.size()) {
            if (at(T.COMMA) || at(T.SEMI) || at(T.GT)) {
                i++;
                continue;
            }
            int before = i;
            address(out, true);
            if (i == before) {
                i++;
            }
        }
    }

    /** Parses one address (or group) starting at i. */
    private void address(List<Address> out, boolean groupAllowed) {
        // look ahead for what ends the leading phrase / local part
        int j = i;
        while (j < toks.size()) {
            T t = toks.get(j).t;
            if (t == T.COLON || t == T.LT || t == T.AT || t == T.COMMA || t == T.SEMI || t == T.GT) {
                break;
            }
            j++;
        }
        if (j < toks.size() && toks.get(j).t == T.AT) {
            // an unquoted display name with '@' in it ("john@x.com <john@x.com>") is still a name
            int k = j;
            while (k < toks.size() && toks.get(k).t != T.LT && toks.get(k).t != T.COMMA
                    && toks.get(k).t != T.SEMI && toks.get(k).t != T.GT) {
                k++;
            }
            if (k < toks.size() && toks.get(k).t == T.LT) {
                j = k;
            }
        }
        T stop = j < toks.size() ? toks.get(j).t : null;
        if (stop == T.COLON && groupAllowed) {
            String name = phrase(i, j);
            i = j + 1;
            out.add(new Address(null, null, name == null ? "" : name, null));
            while (i < toks.size() && !at(T.SEMI)) {
                if (at(T.COMMA)) {
                    i++;
                    continue;
                }
                int before = i;
                address(out, false);
                if (i == before) {
                    i++;
                }
            }
            if (at(T.SEMI)) {
                i++;
            }
            out.add(new Address(null, null, null, null));
            return;
        }
        if (stop == T.LT) {
            String name = phrase(i, j);
            i = j + 1;
            // optional obsolete route: @a,@b:
            String route = null;
            if (at(T.AT)) {
                int k = i;
                while (k < toks.size() && toks.get(k).t != T.COLON && toks.get(k).t != T.GT) {
                    k++;
                }
                if (k < toks.size() && toks.get(k).t == T.COLON) {
                    route = concat(i, k);
                    i = k + 1;
                }
            }
            int k = i;
            while (k < toks.size() && toks.get(k).t != T.GT) {
                k++;
            }
            Address a = addrSpec(name, route, i, k);
            i = Math.min(k + 1, toks.size());
            if (a != null) {
                out.add(a);
            }
            return;
        }
        // bare addr-spec, perhaps followed by a comment holding the name
        int k = i;
        while (k < toks.size()) {
            T t = toks.get(k).t;
            if (t == T.COMMA || t == T.SEMI || t == T.LT || t == T.GT || (t == T.COLON && groupAllowed)) {
                break;
            }
            k++;
        }
        String comment = null;
        for (int m = i; m < k; m++) {
            if (toks.get(m).t == T.COMMENT && !toks.get(m).s.isEmpty()) {
                comment = toks.get(m).s;
            }
        }
        Address a = addrSpec(comment, null, i, k);
        i = k;
        if (a != null) {
            out.add(a);
        }
    }

    private Address addrSpec(String name, String route, int from, int to) {
        int at = -1;
        for (int m = to - 1; m >= from; m--) {
            if (toks.get(m).t == T.AT) {
                at = m;
                break;
            }
        }
        String local;
        String domain;
        if (at < 0) {
            local = concat(from, to);
            domain = "";
        } else {
            local = concat(from, at);
            domain = concat(at + 1, to);
        }
        if (local.isEmpty() && domain.isEmpty()) {
            return null; // a comment or "<>" alone is no address
        }
        return new Address(name, route, local, domain);
    }

    /** Tokens without comments, concatenated without spaces (local parts, domains, routes). */
    private String concat(int from, int to) {
        StringBuilder b = new StringBuilder();
        for (int m = from; m < to; m++) {
            Tok k = toks.get(m);
            if (k.t != T.COMMENT) {
                b.append(k.s);
            }
        }
        return b.toString();
    }

    /** A display name as written (runs of white space as one space, quotes removed); a comment if there is no word. */
    private String phrase(int from, int to) {
        StringBuilder b = new StringBuilder();
        String comment = null;
        for (int m = from; m < to; m++) {
            Tok k = toks.get(m);
            if (k.t == T.COMMENT) {
                if (comment == null && !k.s.isEmpty()) {
                    comment = k.s;
                }
                continue;
            }
            if (b.length() > 0 && k.space) {
                b.append(' ');
            }
            b.append(k.s);
        }
        if (b.length() == 0) {
            return comment;
        }
        return b.toString();
    }
}
