package io.pillarbox.transport.session;

import org.slf4j.Logger;

import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The per-user protocol trace of one protocol: the sessions of the users listed in the configuration
 * ({@code traceUsers}; {@code *} for every session, also before login) are logged line by line at INFO to the
 * protocol's trace logger ({@code io.pillarbox.<protocol>.trace}); DEBUG on that logger traces every session too.
 * What a line may show (passwords and SASL responses masked) is the protocol's business. Shared by all sessions of a
 * protocol and switched without reconnecting.
 */
public final class SessionTrace {

    /** How many characters of a line the trace shows at most. */
    public static final int MAX_CHARS = 300;

    private final Logger log;
    private volatile Set<String> users = Set.of();

    /**
     * A trace logging to {@code log}, the protocol's {@code io.pillarbox.<protocol>.trace}. The protocol's bundle
     * must get that logger itself ({@code LoggerFactory.getLogger} in its own code): Pax Logging remembers the bundle
     * that asked for a logger and karaf.log shows it with every line.
     */
    public SessionTrace(Logger log) {
        this.log = log;
    }

    /** The trace logger. */
    public Logger logger() {
        return log;
    }

    /**
     * Sets the users to trace from {@code traceUsers} values: an entry may list several names separated by commas or
     * white space ({@code traceUsers = alice, bob} in a .cfg file arrives as one string); case does not matter,
     * blanks and duplicates are ignored, {@code *} is every session. Null entries are skipped.
     */
    public void users(Collection<String> entries) {
        Set<String> s = new HashSet<>();
        for (String entry : entries) {
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

    /** The traced users (lower case; {@code *} for all). */
    public Set<String> users() {
        return users;
    }

    /** Whether every session is traced: {@code *} is listed, or DEBUG is on for the trace logger. */
    public boolean all() {
        return users.contains("*") || log.isDebugEnabled();
    }

    /** Whether to trace a session of this user (any case; null or empty before login: only if {@link #all}). */
    public boolean on(String user) {
        if (all()) {
            return true;
        }
        Set<String> u = users;
        return user != null && !u.isEmpty() && u.contains(user.toLowerCase(Locale.ROOT));
    }

    /** Logs one trace line at INFO: {@code <session> <user> <text>} (the user empty when null). */
    public void log(Object session, String user, String text) {
        log.info("{} {} {}", session, user == null ? "" : user, text);
    }

    /**
     * A line cut to its first {@value #MAX_CHARS} characters, a longer one followed by {@code ...(N chars)}; nothing
     * else changed.
     */
    public static String shorten(String s) {
        return s.length() > MAX_CHARS ? s.substring(0, MAX_CHARS) + "...(" + s.length() + " chars)" : s;
    }

    /** A line as the trace shows it: {@link #shorten shortened}, each CRLF written as the four characters {@code \r\n}. */
    public static String clip(String s) {
        return shorten(s).replace("\r\n", "\\r\\n");
    }
}
