package io.pillarbox.smtp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The per-user protocol trace of SMTP and LMTP: sessions of the users listed in {@code traceUsers} ({@code *} for
 * every session, from the greeting on) are logged line by line to {@value #LOGGER} at INFO, with AUTH responses
 * masked and message contents replaced by their size. A session belongs to a user once it authenticated as that
 * user, or (MX and LMTP) once a recipient resolved to that user. Shared by all sessions of one protocol component and
 * switched without reconnecting.
 */
final class Trace {

    static final String LOGGER = "io.pillarbox.smtp.trace";
    static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private volatile Set<String> users = Set.of();

    /** Sets the traced users; entries may hold several names separated by commas or white space. */
    void users(Collection<String> u) {
        Set<String> s = new HashSet<>();
        for (String entry : u) {
            if (entry == null) {
                continue;
            }
            for (String name : entry.split("[,\\s]+")) {
                if (!name.isEmpty()) {
                    s.add(name.toLowerCase(Locale.ROOT));
                }
            }
        }
        users = Set.copyOf(s);
    }

    Set<String> users() {
        return users;
    }

    /** Whether every session is traced ({@code *}, or DEBUG on the trace logger). */
    boolean all() {
        return users.contains("*") || LOG.isDebugEnabled();
    }

    /** Whether this user (canonical name, may be null) is traced. */
    boolean on(String user) {
        if (all()) {
            return true;
        }
        Set<String> u = users;
        return user != null && !u.isEmpty() && u.contains(user.toLowerCase(Locale.ROOT));
    }

    /** Whether any of these users is traced. */
    boolean any(Collection<String> names) {
        if (users.isEmpty()) {
            return false;
        }
        for (String n : names) {
            if (on(n)) {
                return true;
            }
        }
        return false;
    }

    /** A client line as it may be logged: AUTH initial responses masked, long lines clipped. */
    static String maskCommand(String line) {
        String[] parts = line.trim().split(" +");
        if (parts.length >= 1 && parts[0].equalsIgnoreCase("AUTH")) {
            if (parts.length >= 3) {
                return parts[0] + " " + parts[1] + " <initial response masked>";
            }
            return clip(parts.length == 2 ? parts[0] + " " + parts[1] : line);
        }
        return clip(line);
    }

    static String clip(String s) {
        String t = s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + " chars)" : s;
        StringBuilder b = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }
}
