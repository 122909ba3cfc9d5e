package io.pillarbox.transport.session;

import io.pillarbox.api.metrics.MailMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@link MailMetrics} reports of one session: the latency of its commands, one at a time, and its counters. The
 * metrics service is looked up at every report ({@code metrics.get()}: it may come and go) and a failing one never
 * disturbs the session. Timing runs on the session's event loop only; counters may be added from any thread.
 */
public final class CommandTimer {

    private static final Logger LOG = LoggerFactory.getLogger(CommandTimer.class);

    private final String protocol;
    private final Supplier<MailMetrics> metrics;

    /** The command being timed (null when none) and since when. */
    private String name;
    private long start;

    /**
     * @param protocol the protocol name the reports go under (the listener protocol: {@code imap}, {@code pop3}, ...)
     * @param metrics  where the reports go, read at every report
     */
    public CommandTimer(String protocol, Supplier<MailMetrics> metrics) {
        this.protocol = protocol;
        this.metrics = metrics;
    }

    /**
     * The metric name of a client line: its verb (up to the first space, upper case) when {@code known} has it, else
     * {@link MailMetrics#UNKNOWN_COMMAND}; so is anything that is not a String (a line too long to decode).
     */
    public static String verb(Object line, Set<String> known) {
        if (!(line instanceof String s)) {
            return MailMetrics.UNKNOWN_COMMAND;
        }
        int sp = s.indexOf(' ');
        String verb = (sp < 0 ? s : s.substring(0, sp)).toUpperCase(Locale.ROOT);
        return known.contains(verb) ? verb : MailMetrics.UNKNOWN_COMMAND;
    }

    /** Starts timing a command under this name (a known name, never the client's input), from now. */
    public void start(String command) {
        name = command;
        start = System.nanoTime();
    }

    /** Whether a command is being timed. */
    public boolean timing() {
        return name != null;
    }

    /**
     * The command's input goes on (an AUTH response, IDLE's DONE): its latency is the server's time after the last
     * of it, so the clock starts again. Nothing when no command is timed.
     */
    public void restart() {
        if (name != null) {
            start = System.nanoTime();
        }
    }

    /** Reports the command being timed, if any (at least one nanosecond): its final response has gone out. */
    public void stop() {
        String n = name;
        if (n == null) {
            return;
        }
        name = null;
        long nanos = Math.max(1, System.nanoTime() - start);
        try {
            metrics.get().command(protocol, n, nanos);
        } catch (RuntimeException e) {
            LOG.debug("metrics failed", e);
        }
    }

    /** Forgets the command being timed without reporting it (it was interrupted). */
    public void cancel() {
        name = null;
    }

    /** Adds one to a counter of the protocol (any thread). */
    public void increment(String counter) {
        try {
            metrics.get().increment(protocol, counter);
        } catch (RuntimeException e) {
            LOG.debug("metrics failed", e);
        }
    }

    /** Adds to a counter of the protocol (any thread). */
    public void add(String counter, long delta) {
        try {
            metrics.get().add(protocol, counter, delta);
        } catch (RuntimeException e) {
            LOG.debug("metrics failed", e);
        }
    }
}
