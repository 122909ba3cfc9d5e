package io.pillarbox.imap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Set;

/**
 * The per-user protocol trace: the users listed in the configuration ({@code traceUsers}, {@code *} for every
 * session, also before login) have their sessions logged line by line to {@code io.pillarbox.imap.trace} at INFO,
 * passwords and SASL responses masked. Shared by all sessions and switched without reconnecting.
 */
final class Trace {

    static final Logger LOG = LoggerFactory.getLogger("io.pillarbox.imap.trace");

    private volatile Set<String> users = Set.of();

    /**
     * The users to trace: case does not matter, blanks are ignored, duplicates allowed, and an entry may list several
     * separated by commas ({@code traceUsers = alice, bob} in a .cfg file arrives as one string).
     */
    void users(java.util.Collection<String> u) {
        users = Set.copyOf(u.stream().filter(x -> x != null)
                .flatMap(x -> java.util.Arrays.stream(x.split(",")))
                .map(x -> x.strip().toLowerCase(Locale.ROOT)).filter(x -> !x.isEmpty()).distinct().toList());
    }

    /** Whether to trace a session of this user (null before login). */
    boolean on(String user) {
        Set<String> u = users;
        if (u.contains("*") || LOG.isDebugEnabled()) {
            return true;
        }
        return user != null && !u.isEmpty() && u.contains(user.toLowerCase(Locale.ROOT));
    }

    static String clip(String s) {
        String t = s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + " chars)" : s;
        return t.replace("\r\n", "\\r\\n");
    }
}
