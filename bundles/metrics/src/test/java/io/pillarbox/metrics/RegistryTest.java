package io.pillarbox.metrics;

import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.metrics.MailMetrics.Snapshot;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryTest {

    @Test
    void countersAddPerProtocolAndName() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        Registry r = new Registry(start, 256, 64);
        r.increment("imap", MailMetrics.LOGINS_OK);
        r.increment("imap", MailMetrics.LOGINS_OK);
        r.add("imap", MailMetrics.LOGINS_FAILED, 3);
        r.increment("POP3", MailMetrics.LOGINS_OK); // protocol names are lower-cased
        Snapshot s = r.snapshot();
        assertEquals(start, s.since());
        assertEquals(2, s.counter("imap", MailMetrics.LOGINS_OK));
        assertEquals(3, s.counter("imap", MailMetrics.LOGINS_FAILED));
        assertEquals(1, s.counter("pop3", MailMetrics.LOGINS_OK));
        assertEquals(0, s.counter("smtp", MailMetrics.LOGINS_OK));
        assertEquals(0, s.counter("imap", MailMetrics.MESSAGES_SENT));
    }

    @Test
    void commandsAreTimedAndCounted() {
        Registry r = new Registry();
        r.command("imap", "FETCH", 1_000_000);
        r.command("imap", "FETCH", 3_000_000);
        r.command("imap", "UID FETCH", 10_000);
        r.command("imap", null, 10_000);
        Snapshot s = r.snapshot();
        assertEquals(4, s.counter("imap", MailMetrics.COMMANDS));
        assertEquals(2, s.latencies().get("imap").get("FETCH").count());
        assertEquals(2.0, s.latencies().get("imap").get("FETCH").meanMillis(), 1e-9);
        assertEquals(1, s.latencies().get("imap").get("UID FETCH").count());
        assertEquals(1, s.latencies().get("imap").get(MailMetrics.UNKNOWN_COMMAND).count());
        assertEquals(2, r.latency("imap", "FETCH").count());
        assertNull(r.latency("imap", "NOOP"));
    }

    @Test
    void theSnapshotIsACopy() {
        Registry r = new Registry();
        r.increment("smtp", MailMetrics.CONNECTIONS);
        Snapshot s = r.snapshot();
        r.increment("smtp", MailMetrics.CONNECTIONS);
        assertEquals(1, s.counter("smtp", MailMetrics.CONNECTIONS));
        assertEquals(2, r.snapshot().counter("smtp", MailMetrics.CONNECTIONS));
    }

    @Test
    void distinctNamesPerProtocolAreCapped() {
        Registry r = new Registry(Instant.now(), 10, 4);
        for (int i = 0; i < 1000; i++) {
            r.command("imap", "CMD" + i, 1000);
            r.increment("imap", "counter" + i);
        }
        Snapshot s = r.snapshot();
        // 10 names, then everything else folded into UNKNOWN / other
        assertEquals(11, s.latencies().get("imap").size(), s.latencies().get("imap").keySet().toString());
        assertEquals(1000 - 10, s.latencies().get("imap").get(MailMetrics.UNKNOWN_COMMAND).count());
        assertTrue(s.latencies().get("imap").containsKey("CMD0"));
        assertFalse(s.latencies().get("imap").containsKey("CMD999"));
        // counters: ten names, COMMANDS (outside the cap) and 'other'
        assertEquals(12, s.counters().get("imap").size(), s.counters().get("imap").keySet().toString());
        assertEquals(1000, s.counter("imap", MailMetrics.COMMANDS));
        assertEquals(1000 - 10, s.counter("imap", Registry.OTHER));
        // the API's counters still count after the flood
        r.increment("imap", MailMetrics.LOGINS_OK);
        r.increment("imap", MailMetrics.MESSAGES_BOUNCED);
        assertEquals(1, r.snapshot().counter("imap", MailMetrics.LOGINS_OK));
        assertEquals(1, r.snapshot().counter("imap", MailMetrics.MESSAGES_BOUNCED));
        assertEquals(1000 - 10, r.snapshot().counter("imap", Registry.OTHER));
        // nothing counted is lost
        long total = s.counters().get("imap").entrySet().stream()
                .filter(e -> !e.getKey().equals(MailMetrics.COMMANDS)).mapToLong(e -> e.getValue()).sum();
        assertEquals(1000, total);
    }

    @Test
    void protocolsAreCappedAndLongNamesCut() {
        Registry r = new Registry(Instant.now(), 10, 3);
        for (int i = 0; i < 100; i++) {
            r.increment("p" + i, MailMetrics.CONNECTIONS);
        }
        Snapshot s = r.snapshot();
        assertEquals(4, s.counters().size(), s.counters().keySet().toString());
        assertEquals(97, s.counter(Registry.OTHER, MailMetrics.CONNECTIONS));

        Registry r2 = new Registry();
        r2.increment("imap", "x".repeat(10_000));
        String kept = r2.snapshot().counters().get("imap").keySet().iterator().next();
        assertEquals(Registry.MAX_NAME_LENGTH, kept.length());
    }

    @Test
    void concurrentRecordingLosesNothing() throws Exception {
        Registry r = new Registry();
        int threads = 8;
        int each = 20_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> list = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    r.increment("imap", MailMetrics.CONNECTIONS);
                    r.command(i % 2 == 0 ? "imap" : "pop3", "CMD" + (i % 7), (i % 100) * 10_000L + id);
                }
            });
            th.start();
            list.add(th);
        }
        go.countDown();
        // read while they write: every snapshot is internally consistent
        for (int i = 0; i < 50; i++) {
            MailMetrics.Latency l = r.snapshot().latencies().getOrDefault("imap", java.util.Map.of()).get("CMD0");
            if (l != null) {
                assertEquals(l.count(), l.counts().stream().mapToLong(Long::longValue).sum());
            }
        }
        for (Thread th : list) {
            th.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(th.isAlive());
        }
        Snapshot s = r.snapshot();
        assertEquals((long) threads * each, s.counter("imap", MailMetrics.CONNECTIONS));
        assertEquals((long) threads * each / 2, s.counter("imap", MailMetrics.COMMANDS));
        assertEquals((long) threads * each / 2, s.counter("pop3", MailMetrics.COMMANDS));
        long timed = 0;
        for (var byProtocol : s.latencies().values()) {
            for (var l : byProtocol.values()) {
                timed += l.count();
            }
        }
        assertEquals((long) threads * each, timed);
        assertEquals(7, s.latencies().get("imap").size());
    }
}
