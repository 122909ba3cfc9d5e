package io.pillarbox.metrics;

import io.pillarbox.api.metrics.MailMetrics;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The counters and histograms, outside OSGi. Lock-free on the recording paths once a name has been seen; memory is
 * bounded: at most {@code maxProtocols} protocols, and per protocol at most {@code maxNames} counter names and
 * {@code maxNames} command names besides the ones {@link MailMetrics} defines. Beyond that, counters are added to {@link #OTHER} and commands are timed under
 * {@link MailMetrics#UNKNOWN_COMMAND}, so a caller that passes unbounded names cannot grow memory.
 */
final class Registry implements MailMetrics {

    /** Where counters beyond the cap go, and the protocol name of protocols beyond the cap. */
    static final String OTHER = "other";
    static final int DEFAULT_MAX_NAMES = 256;
    /** Names outside the cap: the counters {@link MailMetrics} defines, and where names beyond the cap go. */
    static final java.util.Set<String> ALWAYS = java.util.Set.of(LOGINS_OK, LOGINS_FAILED, CONNECTIONS,
            CONNECTIONS_REJECTED, COMMANDS, MESSAGES_RECEIVED, MESSAGES_DELIVERED, MESSAGES_SENT, MESSAGES_BOUNCED,
            MESSAGES_RETRIEVED, OTHER, UNKNOWN_COMMAND);
    static final int DEFAULT_MAX_PROTOCOLS = 64;
    /** Longest name kept; longer ones are cut (they are either a bug or client input). */
    static final int MAX_NAME_LENGTH = 64;

    private final Instant since;
    private volatile int maxNames;
    private final int maxProtocols;
    private final ConcurrentHashMap<String, ProtocolMetrics> protocols = new ConcurrentHashMap<>();
    private final AtomicInteger protocolCount = new AtomicInteger();

    /** One protocol's counters and command histograms. */
    final class ProtocolMetrics {
        final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, Histogram> commands = new ConcurrentHashMap<>();
        private final AtomicInteger counterNames = new AtomicInteger();
        private final AtomicInteger commandNames = new AtomicInteger();

        LongAdder counter(String name) {
            LongAdder a = counters.get(name);
            if (a != null) {
                return a;
            }
            a = capped(counters, counterNames, name, k -> new LongAdder());
            return a != null ? a : counters.computeIfAbsent(OTHER, k -> new LongAdder());
        }

        Histogram command(String name) {
            Histogram h = commands.get(name);
            if (h != null) {
                return h;
            }
            h = capped(commands, commandNames, name, k -> new Histogram());
            return h != null ? h : commands.computeIfAbsent(UNKNOWN_COMMAND, k -> new Histogram());
        }

        private <V> V capped(ConcurrentHashMap<String, V> map, AtomicInteger size, String name,
                             Function<String, V> make) {
            return map.computeIfAbsent(name, k -> {
                // the API's own counter names and the fallbacks (OTHER, UNKNOWN) are always admitted: a flood of
                // other names can neither hide them nor make folding fail
                if (ALWAYS.contains(k)) {
                    return make.apply(k);
                }
                if (size.incrementAndGet() > maxNames) {
                    size.decrementAndGet();
                    return null;
                }
                return make.apply(k);
            });
        }
    }

    Registry(Instant since, int maxNames, int maxProtocols) {
        this.since = since;
        this.maxNames = Math.max(1, maxNames);
        this.maxProtocols = Math.max(1, maxProtocols);
    }

    Registry() {
        this(Instant.now(), DEFAULT_MAX_NAMES, DEFAULT_MAX_PROTOCOLS);
    }

    /** Changes the cap for names not seen yet; names already counted stay. */
    void maxNames(int max) {
        maxNames = Math.max(1, max);
    }

    Instant since() {
        return since;
    }

    static String name(String s, String fallback) {
        if (s == null || s.isEmpty()) {
            return fallback;
        }
        return s.length() > MAX_NAME_LENGTH ? s.substring(0, MAX_NAME_LENGTH) : s;
    }

    ProtocolMetrics protocol(String protocol) {
        String p = name(protocol, OTHER).toLowerCase(Locale.ROOT);
        ProtocolMetrics m = protocols.get(p);
        if (m != null) {
            return m;
        }
        m = protocols.computeIfAbsent(p, k -> {
            if (protocolCount.incrementAndGet() > maxProtocols && !k.equals(OTHER)) {
                protocolCount.decrementAndGet();
                return null;
            }
            return new ProtocolMetrics();
        });
        return m != null ? m : protocols.computeIfAbsent(OTHER, k -> new ProtocolMetrics());
    }

    @Override
    public void add(String protocol, String counter, long delta) {
        protocol(protocol).counter(name(counter, OTHER)).add(delta);
    }

    @Override
    public void command(String protocol, String command, long nanos) {
        ProtocolMetrics p = protocol(protocol);
        p.command(name(command, UNKNOWN_COMMAND)).record(nanos);
        p.counter(COMMANDS).increment();
    }

    @Override
    public Snapshot snapshot() {
        Map<String, Map<String, Long>> counters = new TreeMap<>();
        Map<String, Map<String, Latency>> latencies = new TreeMap<>();
        protocols.forEach((p, m) -> {
            Map<String, Long> c = new TreeMap<>();
            m.counters.forEach((k, v) -> c.put(k, v.sum()));
            Map<String, Latency> l = new TreeMap<>();
            m.commands.forEach((k, v) -> l.put(k, v.snapshot()));
            counters.put(p, java.util.Collections.unmodifiableMap(c));
            latencies.put(p, java.util.Collections.unmodifiableMap(l));
        });
        return new Snapshot(since, counters, latencies);
    }

    /** One command's histogram now, or {@code null} when it was never timed. */
    Latency latency(String protocol, String command) {
        ProtocolMetrics m = protocols.get(protocol);
        Histogram h = m == null ? null : m.commands.get(command);
        return h == null ? null : h.snapshot();
    }

    /** One protocol's counters now (sorted by name), empty when it never counted anything. */
    Map<String, Long> counters(String protocol) {
        ProtocolMetrics m = protocols.get(protocol);
        Map<String, Long> c = new TreeMap<>();
        if (m != null) {
            m.counters.forEach((k, v) -> c.put(k, v.sum()));
        }
        return c;
    }
}
