package io.pillarbox.pop2;

import io.pillarbox.api.metrics.MailMetrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link MailMetrics} that remembers every report, for tests. */
final class RecordingMetrics implements MailMetrics {

    record Timed(String protocol, String command, long nanos) {
    }

    final List<Timed> commands = java.util.Collections.synchronizedList(new ArrayList<>());
    final Map<String, Long> counters = new ConcurrentHashMap<>();

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

    long counter(String protocol, String counter) {
        return counters.getOrDefault(protocol + "/" + counter, 0L);
    }

    /** The command names reported so far, in order. */
    List<String> names() {
        synchronized (commands) {
            return commands.stream().map(Timed::command).toList();
        }
    }

    /** The latency of the last report of a command. */
    long last(String command) {
        synchronized (commands) {
            for (int i = commands.size() - 1; i >= 0; i--) {
                if (commands.get(i).command().equals(command)) {
                    return commands.get(i).nanos();
                }
            }
        }
        throw new AssertionError(command + " was not reported: " + names());
    }

    void clear() {
        commands.clear();
        counters.clear();
    }
}
