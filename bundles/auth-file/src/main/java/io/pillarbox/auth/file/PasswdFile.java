package io.pillarbox.auth.file;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Dovecot passwd-file in memory: {@code user:password:uid:gid:gecos:home:shell:extra_fields}, trailing fields
 * optional, {@code #} comments and blank lines kept as they are. Lines are kept in order so that a rewrite changes
 * only the lines it means to.
 */
final class PasswdFile {

    /** One user line. {@code extra} holds the space-separated extra fields in order ({@code key=value} or flags). */
    record Entry(String user, String password, String uid, String gid, String gecos, String home, String shell,
                 LinkedHashMap<String, String> extra) {

        /** Parses a line, or returns null if it is not a user line. */
        static Entry parse(String line) {
            if (line.isBlank() || line.startsWith("#")) {
                return null;
            }
            String[] f = line.split(":", 8);
            if (f.length < 2 || f[0].isEmpty()) {
                return null;
            }
            LinkedHashMap<String, String> extra = new LinkedHashMap<>();
            if (f.length > 7) {
                for (String token : f[7].trim().split("\\s+")) {
                    if (token.isEmpty()) {
                        continue;
                    }
                    int eq = token.indexOf('=');
                    if (eq < 0) {
                        extra.put(token, null);
                    } else {
                        extra.put(token.substring(0, eq), token.substring(eq + 1));
                    }
                }
            }
            return new Entry(f[0], field(f, 1), field(f, 2), field(f, 3), field(f, 4), field(f, 5), field(f, 6),
                    extra);
        }

        private static String field(String[] f, int i) {
            return i < f.length ? f[i] : "";
        }

        String format() {
            StringBuilder sb = new StringBuilder(user).append(':').append(password);
            String[] rest = {uid, gid, gecos, home, shell};
            int last = -1;
            for (int i = 0; i < rest.length; i++) {
                if (!rest[i].isEmpty()) {
                    last = i;
                }
            }
            if (!extra.isEmpty()) {
                last = rest.length;
            }
            for (int i = 0; i <= last; i++) {
                sb.append(':');
                if (i < rest.length) {
                    sb.append(rest[i]);
                }
            }
            if (!extra.isEmpty()) {
                List<String> tokens = new ArrayList<>();
                extra.forEach((k, v) -> tokens.add(v == null ? k : k + "=" + v));
                sb.append(String.join(" ", tokens));
            }
            return sb.toString();
        }

        Entry withPassword(String newPassword) {
            return new Entry(user, newPassword, uid, gid, gecos, home, shell, new LinkedHashMap<>(extra));
        }

        Entry withExtra(String key, String value) {
            LinkedHashMap<String, String> e = new LinkedHashMap<>(extra);
            if (value == null) {
                e.remove(key);
            } else {
                e.put(key, value);
            }
            return new Entry(user, password, uid, gid, gecos, home, shell, e);
        }

        /** Never shows the password field. */
        @Override
        public String toString() {
            return "Entry[" + user + "]";
        }
    }

    /** A line of the file: its text and, for user lines, the parsed entry. */
    record Line(String text, Entry entry) {
        @Override
        public String toString() {
            return entry != null ? entry.toString() : "Line[comment]";
        }
    }

    private final List<Line> lines;
    private final Map<String, Entry> byName = new HashMap<>();
    private final Map<String, Entry> byLowerName = new HashMap<>();

    PasswdFile(List<Line> lines) {
        this.lines = List.copyOf(lines);
        for (Line l : this.lines) {
            if (l.entry() != null) {
                byName.putIfAbsent(l.entry().user(), l.entry());
                byLowerName.putIfAbsent(l.entry().user().toLowerCase(Locale.ROOT), l.entry());
            }
        }
    }

    static PasswdFile parse(List<String> text) {
        List<Line> lines = new ArrayList<>(text.size());
        for (String t : text) {
            lines.add(new Line(t, Entry.parse(t)));
        }
        return new PasswdFile(lines);
    }

    static PasswdFile empty() {
        return new PasswdFile(List.of());
    }

    Entry get(String user, boolean caseInsensitive) {
        Entry e = byName.get(user);
        if (e == null && caseInsensitive) {
            e = byLowerName.get(user.toLowerCase(Locale.ROOT));
        }
        return e;
    }

    List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (Line l : lines) {
            if (l.entry() != null && byName.get(l.entry().user()) == l.entry()) {
                out.add(l.entry());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** A copy with the entry of {@code user} replaced (null: removed) or, if absent, appended. */
    PasswdFile with(String user, Entry replacement) {
        List<Line> out = new ArrayList<>(lines.size() + 1);
        boolean done = false;
        for (Line l : lines) {
            if (!done && l.entry() != null && l.entry().user().equals(user)) {
                done = true;
                if (replacement != null) {
                    out.add(new Line(replacement.format(), replacement));
                }
            } else {
                out.add(l);
            }
        }
        if (!done && replacement != null) {
            out.add(new Line(replacement.format(), replacement));
        }
        return new PasswdFile(out);
    }

    List<String> text() {
        return lines.stream().map(Line::text).toList();
    }
}
