package io.pillarbox.shell;

import io.pillarbox.api.auth.LoginHistory;
import io.pillarbox.api.metrics.MailMetrics;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsCommandsTest {

    private static final Instant SINCE = Instant.parse("2026-01-01T10:00:00Z");

    /** A histogram of the API's shape: bounds 100, 250, 500 µs, then unbounded. */
    private static MailMetrics.Latency latency(long c100, long c250, long c500, long cMore, long maxNanos) {
        long count = c100 + c250 + c500 + cMore;
        return new MailMetrics.Latency(count, count * 200_000L, maxNanos, List.of(100L, 250L, 500L, Long.MAX_VALUE),
                List.of(c100, c250, c500, cMore));
    }

    private static MailMetrics.Snapshot snapshot() {
        return new MailMetrics.Snapshot(SINCE,
                Map.of("imap", Map.of(MailMetrics.LOGINS_OK, 7L, MailMetrics.LOGINS_FAILED, 2L,
                                MailMetrics.CONNECTIONS, 12L, MailMetrics.COMMANDS, 100L),
                        "smtp", Map.of(MailMetrics.MESSAGES_RECEIVED, 3L, MailMetrics.MESSAGES_DELIVERED, 5L)),
                Map.of("imap", Map.of("LOGIN", latency(9, 1, 0, 0, 240_000),
                        "UID FETCH", latency(0, 0, 90, 10, 3_000_000))));
    }

    private static String capture(java.util.function.Consumer<PrintStream> body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(b, true, StandardCharsets.UTF_8);
        body.accept(ps);
        return b.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, StatsCommand.Row> imapListener() {
        StatsCommand.Row r = new StatsCommand.Row();
        r.listeners = 1;
        r.bound = 1;
        r.open = 2;
        return Map.of("imap", r);
    }

    @Test
    void statsShowCountersSinceStartPerProtocol() {
        String out = capture(ps -> StatsCommand.print(imapListener(), snapshot(), null, ps, false));
        assertTrue(out.contains("Logins ok"), out);
        assertTrue(out.contains("Since " + Durations.time(SINCE)), out);
        String imap = out.lines().filter(l -> l.trim().startsWith("imap") && l.contains("12")).findFirst()
                .orElseThrow(() -> new AssertionError(out));
        assertEquals(List.of("imap", "7", "2", "12", "0", "100", "0", "0", "0", "0", "0"),
                List.of(imap.replace("|", " ").trim().split("\\s+")), imap);
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("smtp") && l.contains("5")), out);
    }

    @Test
    void statsForScriptsAreOneLinePerProtocolWithEighteenColumns() {
        String out = capture(ps -> StatsCommand.print(imapListener(), snapshot(), null, ps, true));
        List<String> lines = out.lines().toList();
        assertEquals(List.of(
                "imap\t1\t1\t2\t0\t0\t0\t0\t7\t2\t12\t0\t100\t0\t0\t0\t0\t0",
                "smtp\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t3\t5\t0\t0\t0"), lines);
        String one = capture(ps -> StatsCommand.print(imapListener(), snapshot(), "smtp", ps, true));
        assertEquals(1, one.lines().count(), one);
    }

    @Test
    void statsWithoutTheMetricsServiceStillShowNow() {
        String out = capture(ps -> StatsCommand.print(imapListener(), null, null, ps, true));
        assertEquals(List.of("imap\t1\t1\t2\t0\t0\t0\t0\t\t\t\t\t\t\t\t\t\t"), out.lines().toList());
        String formatted = capture(ps -> StatsCommand.print(imapListener(), null, null, ps, false));
        assertTrue(!formatted.contains("Logins ok"), formatted);
    }

    @Test
    void latenciesPerProtocolAndCommand() {
        String raw = capture(ps -> StatsCommand.printLatency(snapshot(), null, ps, true));
        assertEquals(List.of("imap\tLOGIN\t10\t0.200\t100\t240\t240\t240",
                "imap\tUID FETCH\t100\t0.200\t500\t3000\t3000\t3000"), raw.lines().toList());
        String out = capture(ps -> StatsCommand.printLatency(snapshot(), "imap", ps, false));
        assertTrue(out.contains("UID FETCH"), out);
        assertTrue(out.contains("3.0ms"), out);
        assertTrue(out.contains("200us"), out);
        assertTrue(capture(ps -> StatsCommand.printLatency(snapshot(), "pop3", ps, true)).isEmpty());
    }

    @Test
    void durationsAreShort() {
        assertEquals("250us", Durations.micros(250));
        assertEquals("2.5ms", Durations.micros(2_500));
        assertEquals("120ms", Durations.micros(120_000));
        assertEquals("10.00s", Durations.micros(10_000_000));
        Instant now = Instant.parse("2026-01-02T12:00:00Z");
        assertEquals("30s ago", Durations.age(now.minusSeconds(30), now));
        assertEquals("5m ago", Durations.age(now.minusSeconds(300), now));
        assertEquals("3h 12m ago", Durations.age(now.minusSeconds(3 * 3600 + 12 * 60), now));
        assertEquals("2d 4h ago", Durations.age(now.minusSeconds(2 * 86400 + 4 * 3600), now));
    }

    @Test
    void lastLoginOrNever() {
        Instant t = Instant.parse("2026-03-04T05:06:07Z");
        List<String> asked = new ArrayList<>();
        LoginHistory h = new LoginHistory() {
            @Override
            public Optional<LastLogin> lastLogin(String user) {
                asked.add(user);
                return user.equals("amy") ? Optional.of(new LastLogin(t, "imap", "192.0.2.1"))
                        : user.equals("ben") ? Optional.of(new LastLogin(t, "test", null)) : Optional.empty();
            }

            @Override
            public Optional<Instant> since() {
                return Optional.of(SINCE);
            }
        };
        assertEquals(Durations.time(t) + " via imap from 192.0.2.1", UserShowCommand.lastLogin(h, "amy"));
        assertEquals(Durations.time(t) + " via test", UserShowCommand.lastLogin(h, "ben"));
        assertEquals("never (since " + Durations.time(SINCE) + ")", UserShowCommand.lastLogin(h, "cid"));
        assertEquals(List.of("amy", "ben", "cid"), asked);
        LoginHistory noSince = user -> Optional.empty();
        assertEquals("never", UserShowCommand.lastLogin(noSince, "cid"));
        assertTrue(UserShowCommand.lastLogin(null, "cid").contains("not running"));
    }
}
