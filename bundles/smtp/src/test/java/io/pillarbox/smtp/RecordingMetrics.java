package io.pillarbox.smtp;

import io.pillarbox.api.metrics.MailMetrics;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every call, in order. */
final class RecordingMetrics implements MailMetrics {

    record Timed(String protocol, String command, long nanos) {
    }

    final List<Timed> commands = new CopyOnWriteArrayList<>();
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

    List<String> names() {
        return commands.stream().map(c -> c.protocol() + ":" + c.command()).toList();
    }

    Timed last(String command) {
        Timed t = null;
        for (Timed c : commands) {
            if (c.command().equals(command)) {
                t = c;
            }
        }
        return t;
    }
}
