package io.pillarbox.health;

import io.pillarbox.api.delivery.OutboundQueue;
import io.pillarbox.api.delivery.OutboundQueue.QueuedMessage;
import io.pillarbox.api.store.MessageSource;
import org.apache.felix.hc.api.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueueHealthCheckTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static OutboundQueue queue(List<QueuedMessage> messages) {
        return new OutboundQueue() {
            @Override
            public String enqueue(String sender, List<String> recipients, MessageSource message) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<QueuedMessage> list() {
                return messages;
            }

            @Override
            public Optional<QueuedMessage> find(String id) {
                return Optional.empty();
            }

            @Override
            public boolean retry(String id) {
                return false;
            }

            @Override
            public boolean hold(String id, boolean held) {
                return false;
            }

            @Override
            public boolean delete(String id) {
                return false;
            }
        };
    }

    private static QueuedMessage message(String id, Duration age, int attempts, Duration dueIn, boolean held) {
        return new QueuedMessage(id, "a@example.org", List.of("b@example.net"), 100, NOW.minus(age), attempts,
                NOW.plus(dueIn), held, attempts > 0 ? "451 4.3.0 later" : null);
    }

    private Result check(List<QueuedMessage> messages, Path spool) {
        return QueueHealthCheck.check(queue(messages), spool, Duration.ofMinutes(10), Duration.ofHours(24), 3, CLOCK);
    }

    private static String text(Result r) {
        StringBuilder b = new StringBuilder();
        r.forEach(e -> b.append(e.getStatus()).append(' ').append(e.getMessage()).append('\n'));
        return b.toString();
    }

    @Test
    void anEmptyOrHealthyQueueIsOk() {
        assertEquals(Result.Status.OK, check(List.of(), dir).getStatus());
        Result r = check(List.of(message("A", Duration.ofHours(1), 2, Duration.ofMinutes(20), false),
                message("B", Duration.ofMinutes(1), 0, Duration.ofMinutes(-2), false)), dir);
        assertEquals(Result.Status.OK, r.getStatus(), text(r));
        assertTrue(text(r).contains("2 message(s) in the queue: 1 deferred, 0 held"), text(r));
    }

    @Test
    void overdueMessagesAreCritical() {
        Result r = check(List.of(message("LATE", Duration.ofHours(1), 1, Duration.ofMinutes(-30), false)), dir);
        assertEquals(Result.Status.CRITICAL, r.getStatus(), text(r));
        assertTrue(text(r).contains("LATE"), text(r));
        Result held = check(List.of(message("HELD", Duration.ofHours(1), 1, Duration.ofMinutes(-30), true)), dir);
        assertEquals(Result.Status.OK, held.getStatus(), "a held message is not overdue: " + text(held));
    }

    @Test
    void anUnwritableSpoolIsCritical() {
        Result r = check(List.of(), dir.resolve("missing"));
        assertEquals(Result.Status.CRITICAL, r.getStatus(), text(r));
    }

    @Test
    void oldDeferredMessagesAndALongQueueWarn() {
        Result old = check(List.of(message("OLD", Duration.ofHours(30), 9, Duration.ofMinutes(30), false)), dir);
        assertEquals(Result.Status.WARN, old.getStatus(), text(old));
        assertTrue(text(old).contains("OLD") && text(old).contains("451 4.3.0 later"), text(old));
        List<QueuedMessage> many = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            many.add(message("M" + i, Duration.ofMinutes(1), 0, Duration.ofMinutes(1), false));
        }
        assertEquals(Result.Status.WARN, check(many, dir).getStatus());
    }

    @Test
    void aMissingQueueWarnsAndTheSpoolComesFromTheServiceProperties() {
        Result r = QueueHealthCheck.check(null, null, Duration.ofMinutes(10), Duration.ofHours(24), 3, CLOCK);
        assertEquals(Result.Status.WARN, r.getStatus());
        assertTrue(text(r).contains("pillarbox-queue"));
        assertEquals(dir, QueueHealthCheck.spool(Map.of("spoolDirectory", dir.toString())));
        assertTrue(QueueHealthCheck.spool(Map.of("spoolDirectory", "")).endsWith(Path.of("pillarbox", "queue")));
    }
}
