package io.pillarbox.smtp;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Parsing of MAIL FROM / RCPT TO arguments: the path and the ESMTP parameters (RFC 5321 4.1.2, 4.5.3.1). */
final class Envelope {

    private Envelope() {
    }

    /** A parsed path and its parameters, or an error reply. */
    record Parsed(String address, Map<String, String> params, String error) {
        boolean ok() {
            return error == null;
        }
    }

    /**
     * Parses {@code FROM:<path> params} or {@code TO:<path> params}.
     *
     * @param keyword      {@code FROM:} or {@code TO:}
     * @param allowEmpty   whether {@code <>} is acceptable (the null reverse-path)
     * @param badAddress   the reply for a malformed address (553 5.1.7 for senders, 553 5.1.3 for recipients)
     */
    static Parsed parse(String args, String keyword, boolean allowEmpty, String badAddress) {
        String syntax = "501 5.5.4 Syntax: " + (keyword.startsWith("F") ? "MAIL FROM:<address>" : "RCPT TO:<address>");
        if (args.length() < keyword.length() || !args.regionMatches(true, 0, keyword, 0, keyword.length())) {
            return new Parsed(null, null, syntax);
        }
        String rest = args.substring(keyword.length());
        int i = 0;
        while (i < rest.length() && rest.charAt(i) == ' ') {
            i++; // tolerate "MAIL FROM: <a@b>"
        }
        if (i >= rest.length() || rest.charAt(i) != '<') {
            return new Parsed(null, null, syntax);
        }
        int start = i + 1;
        boolean quoted = false;
        int end = -1;
        for (int j = start; j < rest.length(); j++) {
            char c = rest.charAt(j);
            if (quoted && c == '\\') {
                j++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '>') {
                end = j;
                break;
            }
        }
        if (end < 0) {
            return new Parsed(null, null, syntax);
        }
        String path = rest.substring(start, end);
        String after = rest.substring(end + 1);
        if (!after.isEmpty() && after.charAt(0) != ' ') {
            return new Parsed(null, null, syntax);
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : after.trim().split(" +")) {
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).toUpperCase(Locale.ROOT);
            if (key.isEmpty() || !key.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-')
                    || params.containsKey(key)) {
                return new Parsed(null, null, "501 5.5.4 Bad parameter: " + printable(p));
            }
            params.put(key, eq < 0 ? null : p.substring(eq + 1));
        }
        if (path.isEmpty()) {
            return allowEmpty ? new Parsed("", params, null) : new Parsed(null, null, badAddress);
        }
        // A source route (@a,@b:user@c) is accepted and ignored (RFC 5321 4.1.2 and appendix C).
        if (path.startsWith("@")) {
            int colon = path.indexOf(':');
            if (colon < 0) {
                return new Parsed(null, null, badAddress);
            }
            path = path.substring(colon + 1);
        }
        String check = validMailbox(path, !allowEmpty);
        if (check != null) {
            return new Parsed(null, null, badAddress + " (" + check + ")");
        }
        return new Parsed(path, params, null);
    }

    /** Null if the mailbox is acceptable, else why not. */
    static String validMailbox(String m, boolean allowBarePostmaster) {
        if (m.getBytes(StandardCharsets.UTF_8).length > 254) {
            return "address too long";
        }
        int at = lastAtOutsideQuotes(m);
        if (at < 0) {
            return allowBarePostmaster && m.equalsIgnoreCase("postmaster") ? null : "no domain";
        }
        String local = m.substring(0, at);
        String domain = m.substring(at + 1);
        if (local.isEmpty() || local.getBytes(StandardCharsets.UTF_8).length > 64) {
            return "bad local part";
        }
        if (local.startsWith("\"")) {
            if (local.length() < 2 || !local.endsWith("\"")) {
                return "bad quoted local part";
            }
            for (int i = 1; i < local.length() - 1; i++) {
                char c = local.charAt(i);
                if (c < 0x20 || c == 0x7f) {
                    return "control character";
                }
            }
        } else {
            if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
                return "bad dots in local part";
            }
            for (int i = 0; i < local.length(); i++) {
                char c = local.charAt(i);
                if (c < 0x80 && !(Character.isLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.".indexOf(c) >= 0)) {
                    return "bad character in local part";
                }
            }
        }
        if (domain.isEmpty() || domain.getBytes(StandardCharsets.UTF_8).length > 255) {
            return "bad domain";
        }
        if (domain.startsWith("[")) {
            return domain.endsWith("]") && domain.length() > 2 && domain.chars().allMatch(c -> c > 0x20 && c < 0x7f)
                    ? null : "bad address literal";
        }
        for (String label : domain.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return "bad domain";
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (c < 0x80 && !(Character.isLetterOrDigit(c) || c == '-')) {
                    return "bad character in domain";
                }
            }
        }
        return null;
    }

    static int lastAtOutsideQuotes(String m) {
        boolean quoted = false;
        int at = -1;
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '@') {
                at = i;
            }
        }
        return at;
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** xtext (RFC 3461 section 4): printable US-ASCII except '=' and '+', or +HH. */
    static boolean isXtext(String s) {
        if (s == null || s.isEmpty() || s.length() > 500) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                if (i + 2 >= s.length() || !isHexUpper(s.charAt(i + 1)) || !isHexUpper(s.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return false;
            }
        }
        return true;
    }

    private static boolean isHexUpper(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }

    /** A string safe to echo in a reply or a log line. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }
}
