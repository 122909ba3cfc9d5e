package io.pillarbox.pop3;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.core.auth.CoreAuthenticators;
import io.pillarbox.sasl.SaslServices;
import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.RecordingMetrics;
import io.pillarbox.testkit.TestRealm;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {

    TestRealm realm;
    Authenticator auth;
    MemoryMailStore memory;
    final RecordingMetrics metrics = new RecordingMetrics();
    final AtomicReference<MailMetrics> current = new AtomicReference<>(metrics);
    Pop3Server server;

    @BeforeEach
    void setUp() throws Exception {
        realm = new TestRealm().user("alice", "secret");
        auth = CoreAuthenticators.create(realm, 5);
        memory = new MemoryMailStore();
        server = new Pop3Server(Pop3Settings.defaults(), auth, SaslServices.create(auth), new TestStores(memory),
                new MaildropLocks(), Pop3Server.newTrace(), current::get);
        for (String m : List.of("Subject: one\r\n\r\nHello\r\n", "Subject: two\r\n\r\nWorld\r\n")) {
            try (StoreSession s = memory.open(MailPrincipal.of("alice", "test"))) {
                s.append(StoreSession.INBOX, MessageSource.of(m.getBytes(StandardCharsets.UTF_8)), Set.of(), null);
            }
        }
    }

    @AfterEach
    void tearDown() {
        CoreAuthenticators.stop(auth);
    }

    Pop3Tester session() {
        Pop3Tester t = new Pop3Tester(server);
        t.output();
        return t;
    }

    @Test
    void everyCommandIsTimedUnderItsNameAndRetrIsCounted() {
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            assertTrue(t.send("STAT").startsWith("+OK"));
            assertTrue(t.send("LIST").startsWith("+OK"));
            assertTrue(t.send("uidl").startsWith("+OK"));
            assertTrue(t.send("RETR 1").startsWith("+OK"));
            assertTrue(t.send("RETR 2").startsWith("+OK"));
            assertTrue(t.send("RETR 1").startsWith("+OK"));
            assertTrue(t.send("TOP 1 0").startsWith("+OK"));
            assertTrue(t.send("RETR 9").startsWith("-ERR"));
            assertEquals(3, metrics.counter("pop3", MailMetrics.MESSAGES_RETRIEVED));
            assertTrue(t.send("DELE 1").startsWith("+OK"));
            assertTrue(t.send("NOOP").startsWith("+OK"));
            assertTrue(t.send("RSET").startsWith("+OK"));
            assertTrue(t.send("XYZZY some-client-input").startsWith("-ERR"));
            assertTrue(t.send("x".repeat(9000)).startsWith("-ERR Line too long"));
            assertTrue(t.send("CAPA").startsWith("+OK"));
            assertTrue(t.send("QUIT").startsWith("+OK"));
        }
        assertEquals(List.of("USER", "PASS", "STAT", "LIST", "UIDL", "RETR", "RETR", "RETR", "TOP", "RETR", "DELE",
                "NOOP", "RSET", "UNKNOWN", "UNKNOWN", "CAPA", "QUIT"), metrics.names());
        assertEquals(3, metrics.counter("pop3", MailMetrics.MESSAGES_RETRIEVED));
        for (RecordingMetrics.Timed r : metrics.commands) {
            assertEquals("pop3", r.protocol());
            assertTrue(r.nanos() > 0, r.toString());
            assertTrue(r.command().equals(MailMetrics.UNKNOWN_COMMAND)
                    || Pop3Session.COMMAND_NAMES.contains(r.command()), r.toString());
        }
        // logins are the authenticator's to count, connections the transport's
        assertEquals(0, metrics.counter("pop3", MailMetrics.LOGINS_OK));
        assertEquals(0, metrics.counter("pop3", MailMetrics.CONNECTIONS));
    }

    @Test
    void commandsBeforeLoginAndQuitInAuthorizationAreTimed() {
        try (Pop3Tester t = session()) {
            assertTrue(t.send("CAPA").startsWith("+OK"));
            assertTrue(t.send("STAT").startsWith("-ERR"));
            assertTrue(t.send("QUIT").startsWith("+OK"));
        }
        assertEquals(List.of("CAPA", "STAT", "QUIT"), metrics.names());
    }

    @Test
    void authIsTimedFromItsLastResponse() throws Exception {
        try (Pop3Tester t = session()) {
            assertTrue(t.send("AUTH PLAIN").startsWith("+ "));
            Thread.sleep(150); // the client thinking: not the server's latency
            assertTrue(t.send(Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(StandardCharsets.UTF_8)))
                    .startsWith("+OK Logged in"));
        }
        assertEquals(List.of("AUTH"), metrics.names());
        assertTrue(metrics.last("AUTH") < 100_000_000L, "from the response: " + metrics.last("AUTH"));
    }

    @Test
    void theMetricsServiceMayComeAndGoWhileASessionRuns() {
        current.set(MailMetrics.NONE);
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            assertTrue(t.send("RETR 1").startsWith("+OK"));
            current.set(metrics);
            assertTrue(t.send("NOOP").startsWith("+OK"));
            assertTrue(t.send("RETR 2").startsWith("+OK"));
            current.set(MailMetrics.NONE);
            assertTrue(t.send("RETR 1").startsWith("+OK"));
        }
        assertEquals(List.of("NOOP", "RETR"), metrics.names());
        assertEquals(1, metrics.counter("pop3", MailMetrics.MESSAGES_RETRIEVED));
    }

    @Test
    void theProtocolServiceReadsItsDynamicReference() throws Exception {
        Pop3Protocol p = new Pop3Protocol(auth, SaslServices.create(auth), new TestStores(memory), config());
        assertTrue(p.metrics() == MailMetrics.NONE);
        java.lang.reflect.Field f = Pop3Protocol.class.getDeclaredField("metrics");
        f.setAccessible(true);
        f.set(p, metrics);
        assertTrue(p.metrics() == metrics);
        f.set(p, null);
        assertTrue(p.metrics() == MailMetrics.NONE);
    }

    static Pop3Config config() {
        return (Pop3Config) java.lang.reflect.Proxy.newProxyInstance(Pop3Config.class.getClassLoader(),
                new Class<?>[] {Pop3Config.class}, (proxy, m, args) -> m.getDefaultValue());
    }
}
