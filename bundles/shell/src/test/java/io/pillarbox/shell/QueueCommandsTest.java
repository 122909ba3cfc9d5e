package io.pillarbox.shell;

import io.pillarbox.api.delivery.OutboundQueue;
import io.pillarbox.api.store.MessageSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueueCommandsTest {

    /** An in-memory queue that records the admin operations. */
    static final class FakeQueue implements OutboundQueue {
        final Map<String, QueuedMessage> messages = new LinkedHashMap<>();
        final List<String> calls = new ArrayList<>();

        void add(String id, boolean held, String error) {
            messages.put(id, new QueuedMessage(id, "alice@example.org", List.of("bob@example.net", "carol@example.net"),
                    1234, Instant.parse("2026-01-02T03:04:05.678Z"), 2, Instant.parse("2026-01-02T04:00:00Z"), held,
                    error));
        }

        @Override
        public String enqueue(String sender, List<String> recipients, MessageSource message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<QueuedMessage> list() {
            return List.copyOf(messages.values());
        }

        @Override
        public Optional<QueuedMessage> find(String id) {
            return Optional.ofNullable(messages.get(id));
        }

        @Override
        public boolean retry(String id) {
            calls.add("retry " + id);
            return messages.containsKey(id);
        }

        @Override
        public boolean hold(String id, boolean held) {
            calls.add((held ? "hold " : "release ") + id);
            QueuedMessage m = messages.get(id);
            if (m == null) {
                return false;
            }
            messages.put(id, new QueuedMessage(id, m.sender(), m.recipients(), m.size(), m.arrived(), m.attempts(),
                    m.nextAttempt(), held, m.lastError()));
            return true;
        }

        @Override
        public boolean delete(String id) {
            calls.add("delete " + id);
            return messages.remove(id) != null;
        }
    }

    private static String run(org.apache.karaf.shell.api.action.Action a) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        System.setOut(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            a.execute();
        } finally {
            System.setOut(old);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listShowsEveryColumnAndNoFormatIsTabSeparated() throws Exception {
        FakeQueue q = new FakeQueue();
        q.add("A1", false, "host mx[192.0.2.1] said: 451 4.3.0 later");
        q.add("B2", true, null);
        QueueListCommand c = new QueueListCommand();
        c.queue = q;
        c.noFormat = true;
        String out = run(c);
        assertEquals("A1\t2026-01-02T03:04:05Z\t1234\talice@example.org\tbob@example.net, carol@example.net\t2\t"
                + "2026-01-02T04:00:00Z\thost mx[192.0.2.1] said: 451 4.3.0 later\n"
                + "B2\t2026-01-02T03:04:05Z\t1234\talice@example.org\tbob@example.net, carol@example.net\t2\theld\t\n",
                out.replace("\r\n", "\n"));
        c.noFormat = false;
        String table = run(c);
        assertTrue(table.contains("Next attempt"), table);
        assertTrue(table.contains("2 message(s), 2468 octets, 1 held"), table);
        assertTrue(run(emptyList()).contains("the queue is empty"));
    }

    private static QueueListCommand emptyList() {
        QueueListCommand c = new QueueListCommand();
        c.queue = new FakeQueue();
        return c;
    }

    @Test
    void retryHoldReleaseDelete() throws Exception {
        FakeQueue q = new FakeQueue();
        q.add("A1", false, null);
        q.add("B2", true, null);
        QueueRetryCommand retry = new QueueRetryCommand();
        retry.queue = q;
        retry.id = "A1";
        assertEquals("A1 is due now", run(retry).strip());
        retry.id = "B2";
        assertTrue(assertThrows(IllegalStateException.class, retry::execute).getMessage().contains("is held"));
        retry.id = "nope";
        assertTrue(assertThrows(IllegalArgumentException.class, retry::execute).getMessage().contains("no message nope"));
        retry.id = null;
        assertThrows(IllegalArgumentException.class, retry::execute, "neither id nor --all");
        retry.all = true;
        q.calls.clear();
        assertEquals("1 message(s) due now", run(retry).strip());
        assertEquals(List.of("retry A1"), q.calls, "held messages are left alone");

        QueueReleaseCommand release = new QueueReleaseCommand();
        release.queue = q;
        release.id = "B2";
        assertEquals("B2 released", run(release).strip());
        QueueHoldCommand hold = new QueueHoldCommand();
        hold.queue = q;
        hold.id = "A1";
        assertEquals("A1 held", run(hold).strip());
        assertTrue(q.find("A1").orElseThrow().held());
        hold.id = "nope";
        assertThrows(IllegalArgumentException.class, hold::execute);

        QueueDeleteCommand delete = new QueueDeleteCommand();
        delete.queue = q;
        delete.id = "A1";
        assertEquals("A1 deleted", run(delete).strip());
        assertThrows(IllegalArgumentException.class, delete::execute);
        assertEquals(List.of("B2"), List.copyOf(QueueIdCompleter.ids(q)));
    }

    @Test
    void aMissingQueueSaysWhichFeatureToInstall() {
        QueueListCommand c = new QueueListCommand();
        IllegalStateException e = assertThrows(IllegalStateException.class, c::execute);
        assertEquals("The outbound queue is not running (feature:install pillarbox-queue)", e.getMessage());
        QueueDeleteCommand d = new QueueDeleteCommand();
        d.id = "x";
        assertThrows(IllegalStateException.class, d::execute);
        assertTrue(QueueIdCompleter.ids(null).isEmpty());
    }
}
