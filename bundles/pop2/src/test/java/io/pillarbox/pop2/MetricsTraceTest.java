package io.pillarbox.pop2;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.core.auth.CoreAuthenticators;
import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.RecordingMetrics;
import io.pillarbox.testkit.TestRealm;
import io.pillarbox.testkit.TestStores;
import io.pillarbox.transport.session.SessionTrace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POP2 commands in MailMetrics, and the per-user trace (logger io.pillarbox.pop2.trace, from slf4j-simple). */
class MetricsTraceTest {

    static final String BODY = "BODY-MARKER-never-in-the-trace";
    static final String MSG = "Subject: hi\r\n\r\n" + BODY + "\r\n";

    TestRealm realm;
    Authenticator auth;
    MemoryMailStore memory;
    final RecordingMetrics metrics = new RecordingMetrics();
    final AtomicReference<MailMetrics> current = new AtomicReference<>(metrics);
    final SessionTrace trace = Pop2Server.newTrace();
    Pop2Server server;

    @BeforeEach
    void setUp() throws Exception {
        realm = new TestRealm().user("alice", "al1ce-pw").user("bob", "b0b-pw");
        auth = CoreAuthenticators.create(realm, 50);
        memory = new MemoryMailStore();
        server = new Pop2Server(Pop2Settings.defaults(), auth, new TestStores(memory), ConcurrentHashMap.newKeySet(),
                trace, current::get);
        for (String user : new String[] {"alice", "bob"}) {
            for (int i = 0; i < 2; i++) {
                try (StoreSession s = memory.open(MailPrincipal.of(user, "test"))) {
                    s.append(StoreSession.INBOX, MessageSource.of(MSG.getBytes(StandardCharsets.UTF_8)), Set.of(),
                            null);
                }
            }
        }
    }

    @AfterEach
    void tearDown() {
        CoreAuthenticators.stop(auth);
    }

    Pop2Tester session() {
        Pop2Tester t = new Pop2Tester(server, c -> {
        });
        t.output();
        return t;
    }

    static String captured(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    static String traceLines(String log) {
        StringBuilder sb = new StringBuilder();
        for (String l : log.split("\n")) {
            if (l.contains(" io.pillarbox.pop2.trace - ")) {
                sb.append(l).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void everyCommandIsTimedUnderItsNameAndRetrIsCounted() {
        try (Pop2Tester t = session()) {
            t.expect("READ", "- HELO first\r\n");
            t.expect("HELO alice al1ce-pw", "#2\r\n");
            t.expect("read", "=" + MSG.length() + "\r\n");
            t.expect("RETR", MSG);
            t.expect("NACK", "=" + MSG.length() + "\r\n");
            t.expect("RETR", MSG);
            t.expect("ACKS", "=" + MSG.length() + "\r\n");
            t.expect("RETR", MSG);
            t.expect("ACKD", "=0\r\n");
            t.expect("RETR", "- No message to send; READ first\r\n");
            t.expect("FOLD INBOX", "#1\r\n"); // the ACKD message went at FOLD
            t.expect("XYZZY secret-looking", "- Unknown command\r\n");
            assertTrue(t.send("QUIT").startsWith("+ OK"));
        }
        assertEquals(List.of("READ", "HELO", "READ", "RETR", "NACK", "RETR", "ACKS", "RETR", "ACKD", "RETR", "FOLD",
                "UNKNOWN", "QUIT"), metrics.names());
        assertEquals(3, metrics.counter("pop2", MailMetrics.MESSAGES_RETRIEVED));
        for (RecordingMetrics.Timed r : metrics.commands) {
            assertEquals("pop2", r.protocol());
            assertTrue(r.nanos() > 0, r.toString());
        }
        assertEquals(0, metrics.counter("pop2", MailMetrics.LOGINS_OK));
    }

    @Test
    void theMetricsServiceMayComeAndGoWhileASessionRuns() throws Exception {
        current.set(MailMetrics.NONE);
        try (Pop2Tester t = session()) {
            t.expect("HELO alice al1ce-pw", "#2\r\n");
            t.expect("READ", "=" + MSG.length() + "\r\n");
            t.expect("RETR", MSG);
            current.set(metrics);
            t.expect("NACK", "=" + MSG.length() + "\r\n");
            t.expect("RETR", MSG);
            current.set(MailMetrics.NONE);
            t.expect("ACKS", "=" + MSG.length() + "\r\n");
        }
        assertEquals(List.of("NACK", "RETR"), metrics.names());
        assertEquals(1, metrics.counter("pop2", MailMetrics.MESSAGES_RETRIEVED));
        Pop2Protocol p = new Pop2Protocol(auth, new TestStores(memory), config(new HashMap<>()));
        assertTrue(p.metrics() == MailMetrics.NONE);
        java.lang.reflect.Field f = Pop2Protocol.class.getDeclaredField("metrics");
        f.setAccessible(true);
        f.set(p, metrics);
        assertTrue(p.metrics() == metrics);
    }

    @Test
    void tracesListedUsersWithoutPasswordsOrBodies() {
        trace.users(Set.of("ALICE"));
        String log = captured(() -> {
            try (Pop2Tester a = session(); Pop2Tester b = session()) {
                a.expect("HELO alice al1ce-pw", "#2\r\n");
                a.expect("READ", "=" + MSG.length() + "\r\n");
                a.expect("RETR", MSG);
                b.expect("HELO bob b0b-pw", "#2\r\n");
                b.expect("READ", "=" + MSG.length() + "\r\n");
                a.expect("ACKS", "=" + MSG.length() + "\r\n");
                a.send("QUIT");
            }
        });
        String trace = traceLines(log);
        assertTrue(trace.contains(" alice C: HELO alice ***"), log); // from the line that names her
        assertTrue(trace.contains(" alice S: #2"), log);
        assertTrue(trace.contains(" alice C: READ"), log);
        assertTrue(trace.contains(" alice S: <message content, " + MSG.length() + " octets, not logged>"), log);
        assertTrue(trace.contains(" alice C: ACKS"), log);
        assertTrue(trace.contains(" alice S: + OK Pillarbox POP2 server signing off"), log);
        assertFalse(trace.contains("bob"), log);
        assertFalse(log.contains(BODY), log);
        assertFalse(log.contains("al1ce-pw"), log);
        assertFalse(log.contains("b0b-pw"), log);
    }

    @Test
    void starTracesBeforeLoginWithTheHeloPasswordMaskedAndSwitchesWithoutReconnecting() throws Exception {
        Map<String, Object> values = new HashMap<>(Map.of("traceUsers", new String[] {"*"}));
        Pop2Protocol p = new Pop2Protocol(auth, new TestStores(memory), config(values));
        java.lang.reflect.Field f = Pop2Protocol.class.getDeclaredField("server");
        f.setAccessible(true);
        Pop2Server running = (Pop2Server) f.get(p);
        String log = captured(() -> {
            try (Pop2Tester t = new Pop2Tester(running, c -> {
            })) {
                t.output();
                t.expect("HELO bob wrong-pw", "- Bad login\r\n");
                t.expect("HELO bob b0b-pw", "#2\r\n");
                t.expect("READ", "=" + MSG.length() + "\r\n");
                values.put("traceUsers", new String[0]);
                p.modified(config(values));
                t.expect("READ 2", "=" + MSG.length() + "\r\n");
            }
        });
        String trace = traceLines(log);
        assertTrue(trace.contains("  S: + POP2 Pillarbox server ready"), log);
        assertTrue(trace.contains(" bob C: HELO bob ***"), log);
        assertTrue(trace.contains(" bob S: - Bad login"), log);
        assertTrue(trace.contains(" bob S: #2"), log);
        assertTrue(trace.contains(" bob C: READ"), log);
        assertFalse(trace.contains("READ 2"), log);
        assertFalse(log.contains("b0b-pw"), log);
        assertFalse(log.contains("wrong-pw"), log);
    }

    static Pop2Config config(Map<String, Object> values) {
        return (Pop2Config) java.lang.reflect.Proxy.newProxyInstance(Pop2Config.class.getClassLoader(),
                new Class<?>[] {Pop2Config.class},
                (proxy, m, args) -> values.getOrDefault(m.getName(), m.getDefaultValue()));
    }
}
