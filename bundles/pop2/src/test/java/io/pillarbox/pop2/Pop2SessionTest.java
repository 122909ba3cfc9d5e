package io.pillarbox.pop2;

import io.pillarbox.testkit.TestRealm;
import io.pillarbox.testkit.TestStores;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.protocol.CloseRequest;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxEvent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.core.auth.CoreAuthenticators;
import io.pillarbox.store.memory.MemoryMailStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 937 scripts against one POP2 session over core's real authenticator and the memory store. */
class Pop2SessionTest {

    static final String MSG1 = "From: a@example.org\r\nSubject: one\r\n\r\nHello\r\n";
    static final String MSG2 = "From: b@example.org\r\nSubject: two\r\n\r\n.dot line\r\nend\r\n";
    static final String GREETING = "+ POP2 Pillarbox server ready\r\n";

    TestRealm realm;
    Authenticator auth;
    MemoryMailStore memory;
    TestStores stores;
    Pop2Server server;

    @BeforeEach
    void setUp() throws Exception {
        realm = new TestRealm().user("alice", "secret").user("bob", "hunter2");
        auth = CoreAuthenticators.create(realm, 5);
        memory = new MemoryMailStore();
        stores = new TestStores(memory);
        server = server(Pop2Settings.defaults());
        append("alice", "INBOX", MSG1);
        append("alice", "INBOX", MSG2);
    }

    Pop2Server server(Pop2Settings s) {
        return new Pop2Server(s, auth, stores, ConcurrentHashMap.newKeySet());
    }

    @AfterEach
    void tearDown() {
        CoreAuthenticators.stop(auth);
    }

    void append(String user, String mailbox, String text) throws Exception {
        try (StoreSession s = memory.open(MailPrincipal.of(user, "test"))) {
            if (!mailbox.equals("INBOX") && s.list().stream().noneMatch(i -> i.name().equals(mailbox))) {
                s.create(mailbox, null);
            }
            s.append(mailbox, MessageSource.of(text.getBytes(StandardCharsets.UTF_8)), Set.of(), null);
        }
    }

    List<MessageInfo> messages(String user, String mailbox) throws Exception {
        try (StoreSession s = memory.open(MailPrincipal.of(user, "test")); Mailbox b = s.open(mailbox, true)) {
            return b.messages();
        }
    }

    Pop2Tester session() {
        Pop2Tester t = new Pop2Tester(server, c -> {
        });
        assertEquals(GREETING, t.output());
        return t;
    }

    @Test
    void fetchAcknowledgeAndDelete() throws Exception {
        List<MailboxEvent> events = new CopyOnWriteArrayList<>();
        try (StoreSession other = memory.open(MailPrincipal.of("alice", "test"));
             Mailbox watcher = other.open(StoreSession.INBOX, false);
             Mailbox.Registration r = watcher.addListener(events::add)) {
            try (Pop2Tester t = session()) {
                t.expect("HELO alice secret", "#2\r\n");
                assertEquals("alice", t.conn.user);
                t.expect("READ", "=" + MSG1.length() + "\r\n");
                t.expect("RETR", MSG1);
                t.expect("ACKD", "=" + MSG2.length() + "\r\n");
                t.expect("RETR", MSG2);
                t.expect("NACK", "=" + MSG2.length() + "\r\n");
                t.expect("RETR", MSG2);
                t.expect("ACKS", "=0\r\n");
                t.expect("RETR", "- No message to send; READ first\r\n");
                t.expect("READ 1", "=0\r\n");
                t.expect("READ 2", "=" + MSG2.length() + "\r\n");
                t.expect("QUIT", "+ OK Pillarbox POP2 server signing off (1 messages deleted)\r\n");
                assertFalse(t.ch.isOpen());
            }
            assertTrue(events.stream().anyMatch(e -> e instanceof MailboxEvent.MessagesExpunged), events.toString());
        }
        List<MessageInfo> left = messages("alice", "INBOX");
        assertEquals(1, left.size());
        assertEquals(MSG2.length(), left.get(0).size());
    }

    @Test
    void droppedConnectionDeletesNothing() throws Exception {
        try (Pop2Tester t = session()) {
            t.expect("HELO alice secret", "#2\r\n");
            t.expect("READ 1", "=" + MSG1.length() + "\r\n");
            t.expect("RETR", MSG1);
            t.expect("ACKD", "=" + MSG2.length() + "\r\n");
            t.ch.close();
            t.settle();
        }
        assertEquals(2, messages("alice", "INBOX").size());
        assertTrue(server.locks().isEmpty());
    }

    @Test
    void foldSwitchesMailboxesAndCommitsDeletions() throws Exception {
        append("alice", "Archive", MSG2);
        try (Pop2Tester t = session()) {
            t.expect("HELO alice secret", "#2\r\n");
            t.expect("READ", "=" + MSG1.length() + "\r\n");
            t.expect("RETR", MSG1);
            t.expect("ACKD", "=" + MSG2.length() + "\r\n");
            t.expect("FOLD Archive", "#1\r\n");
            assertEquals(1, messages("alice", "INBOX").size());
            t.expect("FOLD Nonexistent", "- Cannot open mailbox Nonexistent\r\n");
            t.expect("READ", "=" + MSG2.length() + "\r\n");
            t.expect("RETR", MSG2);
            t.expect("ACKS", "=0\r\n");
            t.expect("QUIT", "+ OK Pillarbox POP2 server signing off (0 messages deleted)\r\n");
        }
    }

    @Test
    void badLoginsAndCommandsOutOfOrder() {
        try (Pop2Tester t = session()) {
            t.expect("READ", "- HELO first\r\n");
            t.expect("HELO alice", "- Syntax: HELO user password\r\n");
            t.expect("HELO alice wrong", "- Bad login\r\n");
            t.expect("HELO alice secret", "#2\r\n");
            t.expect("HELO alice secret", "- Already logged in\r\n");
            t.expect("ACKS", "- Nothing to acknowledge; RETR first\r\n");
            t.expect("RETR", "- No message to send; READ first\r\n");
            t.expect("READ x", "- Syntax: READ [n]\r\n");
            t.expect("READ 99", "=0\r\n");
            t.expect("XYZZY", "- Unknown command\r\n");
            t.expect("x".repeat(2000), "- Line too long\r\n");
            t.expect("read 1", "=" + MSG1.length() + "\r\n");
        }
    }

    @Test
    void tooManyBadLoginsClose() {
        try (Pop2Tester t = session()) {
            t.expect("HELO alice a", "- Bad login\r\n");
            t.expect("HELO alice b", "- Bad login\r\n");
            t.expect("HELO alice c", "- Bad login\r\n");
            assertFalse(t.ch.isOpen());
        }
    }

    @Test
    void plaintextLoginRefusedWhereNotAllowed() {
        try (Pop2Tester t = new Pop2Tester(server, c -> c.plaintext = false)) {
            t.output();
            t.expect("HELO alice secret", "- Plaintext login not allowed on this connection; use TLS\r\n");
            assertFalse(t.ch.isOpen());
        }
    }

    @Test
    void oneSessionPerUser() {
        try (Pop2Tester a = session(); Pop2Tester b = session()) {
            a.expect("HELO alice secret", "#2\r\n");
            b.expect("HELO alice secret", "- Mailbox in use by another POP2 session\r\n");
            a.expect("QUIT", "+ OK Pillarbox POP2 server signing off (0 messages deleted)\r\n");
            b.expect("HELO alice secret", "#2\r\n");
        }
    }

    @Test
    void bigMessageIsStreamedInChunks() throws Exception {
        String big = "Subject: big\r\n\r\n" + "0123456789abcdef\r\n".repeat(100_000);
        append("bob", "INBOX", big);
        server = server(Pop2Settings.defaults().withChunkSize(1000));
        try (Pop2Tester t = session()) {
            t.expect("HELO bob hunter2", "#1\r\n");
            t.expect("READ", "=" + big.length() + "\r\n");
            t.expect("RETR", big);
        }
    }

    @Test
    void closeRequestAndAutologout() throws Exception {
        try (Pop2Tester t = session()) {
            t.ch.pipeline().fireUserEventTriggered(new CloseRequest(CloseRequest.Cause.SHUTDOWN, "Shutting down"));
            t.settle();
            assertEquals("- Shutting down\r\n", t.output());
            assertFalse(t.ch.isOpen());
        }
        server = server(Pop2Settings.defaults().withAutologout(Duration.ofMillis(100)));
        try (Pop2Tester t = session()) {
            t.expect("HELO alice secret", "#2\r\n");
            Thread.sleep(200);
            t.ch.runScheduledPendingTasks();
            t.settle();
            assertEquals("- Autologout; idle for too long\r\n", t.output());
            assertFalse(t.ch.isOpen());
        }
        assertTrue(server.locks().isEmpty());
    }
}
