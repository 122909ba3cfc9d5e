package io.pillarbox.testkit;

import io.pillarbox.api.metrics.MailMetrics;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link MailMetrics} that remembers every report, in order, for tests (any thread). */
public final class RecordingMetrics implements MailMetrics {

    /** One command report. */
    public record Timed(String protocol, String command, long nanos) {
    }

    /** The command reports, in order. */
    public final List<Timed> commands = new CopyOnWriteArrayList<>();
    /** The counters, keyed {@code protocol/counter}. */
    public final Map<String, Long> counters = new ConcurrentHashMap<>();

    @Override
    public void add(String protocol, String counter, long delta) {
        counters.merge(protocol + "/" + counter, delta, Long::sum);
    }

    @Override
    public void command(String protocol, String command, long nanos) {
        commands.add(new Timed(protocol, command, nanos));
    }

    @Override
    public Snapshot snapshot() {
        return new Snapshot(Instant.EPOCH, Map.of(), Map.of());
    }

    /** A counter of a protocol (0 if never added to). */
    public long counter(String protocol, String counter) {
        return counters.getOrDefault(protocol + "/" + counter, 0L);
    }

    /** The command names reported so far, in order. */
    public List<String> names() {
        return commands.stream().map(Timed::command).toList();
    }

    /** The commands reported so far as {@code protocol:command}, in order. */
    public List<String> qualifiedNames() {
        return commands.stream().map(c -> c.protocol() + ":" + c.command()).toList();
    }

    /** The latency of the last report of a command; fails if there was none. */
    public long last(String command) {
        List<Timed> all = List.copyOf(commands);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).command().equals(command)) {
                return all.get(i).nanos();
            }
        }
        throw new AssertionError(command + " was not reported: " + names());
    }

    /** Forgets everything reported so far. */
    public void clear() {
        commands.clear();
        counters.clear();
    }
}
