package io.pillarbox.queue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One SMTP reply: its code and its lines as received (code and separator included). */
record Reply(int code, List<String> lines) {

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(\\s|$)");

    Reply {
        lines = List.copyOf(lines);
    }

    boolean positive() {
        return code >= 200 && code < 300;
    }

    boolean temporary() {
        return code >= 400 && code < 500;
    }

    boolean permanent() {
        return code >= 500 && code < 600;
    }

    /** The reply on one line: {@code 550 5.1.1 No such user}, continuation lines joined by spaces. */
    String text() {
        StringBuilder b = new StringBuilder().append(code);
        for (String l : lines) {
            String t = l.length() > 4 ? l.substring(4).strip() : "";
            if (!t.isEmpty()) {
                b.append(' ').append(t);
            }
        }
        return b.toString();
    }

    /** The enhanced status code (RFC 3463) of the first line, or one made from the reply code. */
    String status() {
        String first = lines.isEmpty() || lines.get(0).length() <= 4 ? "" : lines.get(0).substring(4);
        Matcher m = ENHANCED.matcher(first);
        if (m.find() && m.group(1).charAt(0) == Integer.toString(code).charAt(0)) {
            return m.group(1) + "." + m.group(2) + "." + m.group(3);
        }
        return (code / 100) + ".0.0";
    }

    @Override
    public String toString() {
        return text();
    }
}
