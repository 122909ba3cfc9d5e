package io.pillarbox.smtp;

import io.pillarbox.transport.session.SessionTrace;
import org.slf4j.LoggerFactory;

/**
 * What SMTP and LMTP add to the shared {@link SessionTrace} (transport's {@code io.pillarbox.transport.session}): the
 * logger {@value #LOGGER}, got in this bundle so karaf.log names it, and the masking of client and server lines (AUTH
 * responses masked, control characters shown as {@code ?}). Sessions of the users listed in {@code traceUsers}
 * ({@code *} for every session, from the greeting on) are logged line by line at INFO; a session belongs to a user
 * once it authenticated as that user, or (MX and LMTP) once a recipient resolved to that user.
 */
final class Trace {

    static final String LOGGER = "io.pillarbox.smtp.trace";

    private Trace() {
    }

    /** A new trace switch on {@value #LOGGER}. */
    static SessionTrace newTrace() {
        return new SessionTrace(LoggerFactory.getLogger(LOGGER));
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

    /** {@link SessionTrace#shorten shortened}, control characters written as {@code ?}. */
    static String clip(String s) {
        String t = SessionTrace.shorten(s);
        StringBuilder b = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }
}
