package io.pillarbox.imap;

import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionBasicsTest {

    static final String CAPS = "IMAP4rev1 IMAP4rev2 .*IDLE.*";

    ImapServer server;
    TestStores stores;

    @BeforeEach
    void setUp() {
        TestAuth auth = new TestAuth(Map.of("alice", "secret", "bob", "pw"));
        stores = new TestStores(new MemoryMailStore());
        server = new ImapServer(ImapSettings.defaults(), auth, auth, stores, new RecentTracker());
    }

    @Test
    void greetingCapabilityNoopLogout() {
        ImapTester t = new ImapTester(server);
        t.expectNow("\\* OK \\[CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN AUTH=X-TWOSTEP SASL-IR LITERAL\\+ .*"
                + "APPENDLIMIT=52428800 .*\\] Pillarbox ready\\.");
        t.expect("a1 CAPABILITY", "\\* CAPABILITY IMAP4rev1 IMAP4rev2 .*ID ENABLE IDLE.*", "a1 OK CAPABILITY completed");
        t.expect("a2 NOOP", "a2 OK NOOP completed");
        t.expect("a3 LOGOUT", "\\* BYE Logging out", "a3 OK LOGOUT completed");
        assertFalse(t.ch.isOpen());
    }

    @Test
    void commandsNeedTheRightState() {
        ImapTester t = new ImapTester(server);
        t.output();
        t.expect("a SELECT INBOX", "a BAD Not authenticated");
        t.expect("b FETCH 1 FLAGS", "b BAD Not authenticated");
        t.login("alice", "secret");
        t.expect("c FETCH 1 FLAGS", "c BAD No mailbox selected");
        t.expect("d LOGIN alice secret", "d BAD Already authenticated");
    }

    @Test
    void malformedCommandsGetBadAndTooManyCloseTheConnection() {
        ImapTester t = new ImapTester(new ImapServer(ImapSettings.defaults().withLimits(65536, 3),
                server.authenticator(), server.sasl(), stores, new RecentTracker()));
        t.output();
        t.expect("a1 FROB", "a1 BAD Unknown command: FROB");
        t.expect("a2 NOOP", "a2 OK NOOP completed");
        t.expect("x", "\\* BAD Missing or invalid tag");
        t.expect("b1 LOGIN", "b1 BAD Missing.*");
        assertTrue(t.ch.isOpen());
        t.expect("b2 FETCH", "b2 BAD .*", "\\* BYE Too many invalid commands");
        assertFalse(t.ch.isOpen());
    }

    @Test
    void loginFailsAndSucceeds() {
        ImapTester t = new ImapTester(server);
        t.output();
        t.expect("a LOGIN alice wrong", "a NO \\[AUTHENTICATIONFAILED\\] Authentication failed");
        t.expect("b LOGIN nobody x", "b NO \\[AUTHENTICATIONFAILED\\] Authentication failed");
        t.write("c LOGIN \"alice\" {6+}\r\n");
        t.expect("secret", "c OK \\[CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL\\+ .*\\] Logged in");
        assertEquals("alice", t.conn.user);
        t.expect("d LIST \"\" *",
                "\\* LIST \\(\\\\HasNoChildren \\\\Archive\\) \"/\" \"Archive\"",
                "\\* LIST \\(\\\\HasNoChildren \\\\Drafts\\) \"/\" \"Drafts\"",
                "\\* LIST \\(\\\\HasNoChildren\\) \"/\" \"INBOX\"",
                "\\* LIST \\(\\\\HasNoChildren \\\\Junk\\) \"/\" \"Junk\"",
                "\\* LIST \\(\\\\HasNoChildren \\\\Sent\\) \"/\" \"Sent\"",
                "\\* LIST \\(\\\\HasNoChildren \\\\Trash\\) \"/\" \"Trash\"",
                "d OK LIST completed");
    }

    @Test
    void tooManyFailedLoginsCloseTheConnection() {
        ImapTester t = new ImapTester(server);
        t.output();
        for (int i = 1; i < ImapSession.MAX_AUTH_FAILURES; i++) {
            t.expect("a" + i + " LOGIN alice nope", "a" + i + " NO \\[AUTHENTICATIONFAILED\\] Authentication failed");
        }
        t.expect("z LOGIN alice nope", "z NO \\[AUTHENTICATIONFAILED\\] Authentication failed",
                "\\* BYE Too many failed logins");
        assertFalse(t.ch.isOpen());
    }
}
