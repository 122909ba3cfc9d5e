package io.pillarbox.transport.session;

import io.pillarbox.api.metrics.MailMetrics;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandTimerTest {

    /** Remembers every report as text; fails on demand. */
    static final class Reports implements MailMetrics {
        final List<String> seen = new ArrayList<>();
        final List<Long> nanos = new ArrayList<>();
        boolean fail;

        @Override
        public void add(String protocol, String counter, long delta) {
            if (fail) {
                throw new IllegalStateException("down");
            }
            seen.add(protocol + "/" + counter + "+" + delta);
        }

        @Override
        public void command(String protocol, String command, long n) {
            if (fail) {
                throw new IllegalStateException("down");
            }
            seen.add(protocol + ":" + command);
            nanos.add(n);
        }

        @Override
        public Snapshot snapshot() {
            return new Snapshot(Instant.EPOCH, Map.of(), Map.of());
        }
    }

    @Test
    void verbOfAKnownCommandElseUnknown() {
        Set<String> known = Set.of("RETR", "QUIT");
        assertEquals("RETR", CommandTimer.verb("retr 1", known));
        assertEquals("QUIT", CommandTimer.verb("Quit", known));
        assertEquals(MailMetrics.UNKNOWN_COMMAND, CommandTimer.verb("XYZZY secret", known));
        assertEquals(MailMetrics.UNKNOWN_COMMAND, CommandTimer.verb("", known));
        assertEquals(MailMetrics.UNKNOWN_COMMAND, CommandTimer.verb(new Object(), known));
    }

    @Test
    void oneReportPerStartedCommandAtTheCurrentService() throws Exception {
        Reports a = new Reports();
        Reports b = new Reports();
        AtomicReference<MailMetrics> current = new AtomicReference<>(a);
        CommandTimer t = new CommandTimer("pop3", current::get);
        t.stop(); // nothing timed: nothing reported
        assertFalse(t.timing());
        t.start("STAT");
        assertTrue(t.timing());
        Thread.sleep(20);
        t.restart(); // the input went on: the clock starts again
        t.stop();
        t.stop();
        assertFalse(t.timing());
        assertEquals(List.of("pop3:STAT"), a.seen);
        assertTrue(a.nanos.get(0) >= 1 && a.nanos.get(0) < 20_000_000L, "from the restart: " + a.nanos);
        t.restart(); // nothing timed: stays so
        assertFalse(t.timing());
        current.set(b);
        t.start("RETR");
        t.cancel();
        t.stop();
        t.start("QUIT");
        t.stop();
        t.increment(MailMetrics.MESSAGES_RETRIEVED);
        t.add(MailMetrics.MESSAGES_RECEIVED, 3);
        assertEquals(List.of("pop3:QUIT", "pop3/" + MailMetrics.MESSAGES_RETRIEVED + "+1",
                "pop3/" + MailMetrics.MESSAGES_RECEIVED + "+3"), b.seen);
    }

    @Test
    void aFailingServiceIsIgnored() {
        Reports r = new Reports();
        r.fail = true;
        CommandTimer t = new CommandTimer("imap", () -> r);
        t.start("NOOP");
        t.stop();
        t.increment("x");
        t.add("y", 2);
        assertFalse(t.timing());
        r.fail = false;
        t.start("NOOP");
        t.stop();
        assertEquals(List.of("imap:NOOP"), r.seen);
    }
}
