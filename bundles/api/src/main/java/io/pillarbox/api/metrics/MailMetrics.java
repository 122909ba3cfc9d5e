package io.pillarbox.api.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Counters and per-command latency histograms, kept since the service started. Protocols, the authenticator, the
 * delivery and the queue report here; {@code mail:stats} and JMX read {@link #snapshot()}.
 * <p>
 * Calls are cheap, thread-safe and never block: they may be made on an event loop. Callers reference this service
 * optionally and dynamically and use {@link #NONE} while it is absent. To keep memory bounded, callers pass only
 * names they define (a known command name, never a client's raw input: unknown commands are reported as
 * {@link #UNKNOWN_COMMAND}); an implementation still caps the number of distinct names per protocol.
 */
public interface MailMetrics {

    /** Successful logins (counted by the authenticator, per protocol of the attempt). */
    String LOGINS_OK = "logins.ok";
    /** Failed logins: wrong password, unknown user, locked out. */
    String LOGINS_FAILED = "logins.failed";
    /** Connections accepted by a listener of the protocol. */
    String CONNECTIONS = "connections";
    /** Connections refused by a limit (total or per address). */
    String CONNECTIONS_REJECTED = "connections.rejected";
    /** Commands served (also the sum of the latency histograms' counts). */
    String COMMANDS = "commands";
    /** Messages accepted from a client (SMTP/LMTP DATA answered 250, IMAP APPEND OK). */
    String MESSAGES_RECEIVED = "messages.received";
    /** Message copies put into a local mailbox (one per recipient). */
    String MESSAGES_DELIVERED = "messages.delivered";
    /** Message copies handed to a remote server by the outbound queue (one per recipient). */
    String MESSAGES_SENT = "messages.sent";
    /** Recipients given up on by the outbound queue (a delivery status notification went to the sender). */
    String MESSAGES_BOUNCED = "messages.bounced";
    /** Messages retrieved by a client (POP3 RETR, POP2 RETR). */
    String MESSAGES_RETRIEVED = "messages.retrieved";
    /** The command name under which unrecognised commands are timed. */
    String UNKNOWN_COMMAND = "UNKNOWN";

    /** Adds to a counter of a protocol ({@code imap}, {@code pop3}, {@code pop2}, {@code smtp}, {@code lmtp}, {@code queue}). */
    void add(String protocol, String counter, long delta);

    default void increment(String protocol, String counter) {
        add(protocol, counter, 1);
    }

    /**
     * Records one command served: how long it took from its complete input to its final response (for IMAP the
     * tagged response; for a command with a literal or DATA, from the end of the data). Also counts
     * {@link #COMMANDS}.
     *
     * @param command the upper-case command name as the protocol defines it ({@code FETCH}, {@code UID FETCH},
     *                {@code RETR}, {@code DATA}), or {@link #UNKNOWN_COMMAND}
     */
    void command(String protocol, String command, long nanos);

    /** Everything counted so far. */
    Snapshot snapshot();

    /**
     * @param since      when counting started
     * @param counters   protocol → counter name → value
     * @param latencies  protocol → command → histogram
     */
    record Snapshot(Instant since, Map<String, Map<String, Long>> counters,
                    Map<String, Map<String, Latency>> latencies) {

        public Snapshot {
            counters = Map.copyOf(counters);
            latencies = Map.copyOf(latencies);
        }

        /** A counter's value, 0 when never counted. */
        public long counter(String protocol, String counter) {
            Map<String, Long> m = counters.get(protocol);
            Long v = m == null ? null : m.get(counter);
            return v == null ? 0 : v;
        }
    }

    /**
     * A latency histogram of one command.
     *
     * @param count        how many were timed
     * @param totalNanos   their sum
     * @param maxNanos     the slowest
     * @param upperMicros  the buckets' inclusive upper bounds in microseconds, ascending; the last bucket is
     *                     unbounded and has {@link Long#MAX_VALUE}
     * @param counts       how many fell into each bucket (same length as {@code upperMicros})
     */
    record Latency(long count, long totalNanos, long maxNanos, List<Long> upperMicros, List<Long> counts) {

        public Latency {
            upperMicros = List.copyOf(upperMicros);
            counts = List.copyOf(counts);
            if (upperMicros.size() != counts.size()) {
                throw new IllegalArgumentException("bounds and counts differ in length");
            }
        }

        public double meanMillis() {
            return count == 0 ? 0 : totalNanos / 1e6 / count;
        }

        /**
         * The upper bound (µs) of the bucket holding the given quantile (0 < q ≤ 1): an estimate that is never
         * below the true value, except in the unbounded last bucket where the maximum is given instead.
         */
        public long quantileMicros(double q) {
            if (count == 0) {
                return 0;
            }
            long rank = (long) Math.ceil(q * count);
            long seen = 0;
            for (int i = 0; i < counts.size(); i++) {
                seen += counts.get(i);
                if (seen >= rank) {
                    long bound = upperMicros.get(i);
                    return bound == Long.MAX_VALUE ? maxNanos / 1000 : Math.min(bound, Math.max(1, maxNanos / 1000));
                }
            }
            return maxNanos / 1000;
        }
    }

    /** Counts nothing: what callers use while no metrics service is registered. */
    MailMetrics NONE = new MailMetrics() {
        @Override
        public void add(String protocol, String counter, long delta) {
        }

        @Override
        public void command(String protocol, String command, long nanos) {
        }

        @Override
        public Snapshot snapshot() {
            return new Snapshot(Instant.EPOCH, Map.of(), Map.of());
        }
    };
}
