package io.pillarbox.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.pillarbox.api.protocol.CloseRequest;
import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionConcurrencyTest {

    ImapServer server;
    TestStores stores;

    /** The store the sessions use; subclasses run the same scripts on other stores. */
    io.pillarbox.api.store.MailStore newStore() {
        return new MemoryMailStore();
    }

    @BeforeEach
    void setUp() {
        TestAuth auth = new TestAuth(Map.of("alice", "secret", "bob", "pw"));
        stores = new TestStores(newStore());
        server = new ImapServer(ImapSettings.defaults(), auth, auth, stores, new RecentTracker());
    }

    ImapTester session() {
        ImapTester t = new ImapTester(server);
        t.output();
        t.login("alice", "secret");
        return t;
    }

    static String appendLine(String tag, String msg) {
        return tag + " APPEND INBOX {" + msg.getBytes(StandardCharsets.UTF_8).length + "+}\r\n" + msg;
    }

    @Test
    void twoSessionsSeeEachOthersChanges() {
        ImapTester a = session();
        ImapTester b = session();
        a.expect(appendLine("a1", Messages.SIMPLE), "a1 OK \\[APPENDUID \\d+ 1\\] APPEND completed");
        a.send("a2 SELECT INBOX");
        b.send("b1 SELECT INBOX");
        b.expect(appendLine("b2", Messages.REPLY), "\\* 2 EXISTS", "\\* 1 RECENT", "b2 OK \\[APPENDUID \\d+ 2\\] .*");
        // a learns of the new message (and claims it as recent: b had claimed message 1 already)
        a.expect("a3 NOOP", "\\* 2 EXISTS", "\\* 1 RECENT", "a3 OK NOOP completed");
        b.expect("b3 STORE 1 +FLAGS (\\Flagged)", "\\* 1 FETCH \\(FLAGS \\(\\\\Flagged\\)\\)", "b3 OK STORE completed");
        a.expect("a4 NOOP", "\\* 1 FETCH \\(UID 1 FLAGS \\(\\\\Flagged \\\\Recent\\)\\)", "a4 OK NOOP completed");
        b.expect("b3a STORE 1 +FLAGS.SILENT ($Todo)", "\\* FLAGS \\(.* \\$Todo\\)", "\\* OK \\[PERMANENTFLAGS .*\\$Todo \\\\\\*\\)\\] .*",
                "b3a OK STORE completed");
        a.expect("a4a NOOP", "\\* FLAGS \\(\\\\Answered \\\\Flagged \\\\Deleted \\\\Seen \\\\Draft \\$Todo\\)",
                "\\* OK \\[PERMANENTFLAGS .*\\] Flags permitted",
                "\\* 1 FETCH \\(UID 1 FLAGS \\(\\$Todo \\\\Flagged \\\\Recent\\)\\)", "a4a OK NOOP completed");
        b.expect("b4 STORE 1 +FLAGS.SILENT (\\Deleted)", "b4 OK STORE completed");
        b.expect("b5 EXPUNGE", "\\* 1 EXPUNGE", "b5 OK EXPUNGE completed");
        // no EXPUNGE while a FETCH runs: message 1 keeps its number until a later command
        a.expect("a5 FETCH 2 UID", "\\* 2 FETCH \\(UID 2\\)",
                "\\* 1 FETCH \\(UID 1 FLAGS \\(\\$Todo \\\\Deleted \\\\Flagged \\\\Recent\\)\\)", "a5 OK FETCH completed");
        a.expect("a6 UID FETCH 2 UID", "\\* 2 FETCH \\(UID 2\\)", "\\* 1 EXPUNGE", "a6 OK UID FETCH completed");
        a.expect("a7 FETCH 1 UID", "\\* 1 FETCH \\(UID 2\\)", "a7 OK FETCH completed");
    }

    @Test
    void idleIsToldOfNewMessagesAtOnce() {
        ImapTester a = session();
        ImapTester b = session();
        a.send("a1 SELECT INBOX");
        a.expect("a2 IDLE", "\\+ idling");
        assertEquals("idle", a.conn.state);
        b.expect(appendLine("b1", Messages.SIMPLE), "b1 OK .*");
        a.settle();
        a.expectNow("\\* 1 EXISTS", "\\* 1 RECENT");
        b.send("b2 SELECT INBOX");
        b.expect("b3 STORE 1 +FLAGS (\\Seen)", "\\* 1 FETCH \\(FLAGS \\(\\\\Seen\\)\\)", "b3 OK STORE completed");
        a.settle();
        a.expectNow("\\* 1 FETCH \\(UID 1 FLAGS \\(\\\\Seen \\\\Recent\\)\\)");
        b.send("b4 STORE 1 +FLAGS.SILENT (\\Deleted)");
        b.send("b5 EXPUNGE");
        a.settle();
        a.expectNow("\\* 1 FETCH \\(UID 1 FLAGS \\(\\\\Deleted \\\\Seen \\\\Recent\\)\\)", "\\* 1 EXPUNGE");
        a.expect("DONE", "a2 OK IDLE terminated");
        a.expect("a3 NOOP", "a3 OK NOOP completed");
        a.expect("a4 IDLE", "\\+ idling");
        a.expect("NOT-DONE", "a4 BAD Expected DONE");
    }

    @Test
    void qresyncAndImap4rev2() {
        ImapTester a = session();
        a.send(appendLine("a0", Messages.SIMPLE));
        a.send(appendLine("a0", Messages.REPLY));
        a.expect("a1 ENABLE IMAP4rev2 QRESYNC", "\\* ENABLED IMAP4rev2 QRESYNC", "a1 OK ENABLE completed");
        String sel = a.send("a2 SELECT INBOX");
        assertFalse(sel.contains("RECENT"), sel);
        assertTrue(sel.contains("* LIST () \"/\" \"INBOX\"\r\n"), sel);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("UIDVALIDITY (\\d+).*HIGHESTMODSEQ (\\d+)",
                java.util.regex.Pattern.DOTALL).matcher(sel);
        assertTrue(m.find());
        long uv = Long.parseLong(m.group(1));
        long ms = Long.parseLong(m.group(2));
        a.expect("a3 SEARCH ALL", "\\* ESEARCH \\(TAG \"a3\"\\) ALL 1:2", "a3 OK SEARCH completed");
        a.expect("a4 STORE 1 +FLAGS.SILENT (\\Deleted)", "\\* 1 FETCH \\(UID 1 MODSEQ \\(\\d+\\)\\)",
                "a4 OK STORE completed");
        a.expect("a5 EXPUNGE", "\\* VANISHED 1", "a5 OK EXPUNGE completed");
        a.expect("a6 UNSELECT", "a6 OK UNSELECT completed");
        ImapTester b = session();
        b.send(appendLine("b0", Messages.FORWARD));
        b.send("b1 SELECT INBOX");
        b.send("b2 STORE 1 +FLAGS (\\Answered)");
        a.expect("a7 SELECT INBOX (QRESYNC (" + uv + " " + ms + " 1:2))",
                "\\* FLAGS .*", "\\* OK \\[PERMANENTFLAGS .*", "\\* 2 EXISTS", "\\* OK \\[UIDVALIDITY .*",
                "\\* OK \\[UIDNEXT 4\\].*", "\\* OK \\[HIGHESTMODSEQ .*", "\\* LIST .*",
                "\\* VANISHED \\(EARLIER\\) 1",
                "\\* 1 FETCH \\(UID 2 FLAGS \\(\\\\Answered\\) MODSEQ \\(\\d+\\)\\)",
                "a7 OK \\[READ-WRITE\\] SELECT completed");
        a.expect("a8 UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + ms + " VANISHED)",
                "\\* VANISHED \\(EARLIER\\) 1", "\\* 1 FETCH \\(UID 2 FLAGS \\(\\\\Answered\\) MODSEQ \\(\\d+\\)\\)",
                "\\* 2 FETCH \\(UID 3 FLAGS \\(\\) MODSEQ \\(\\d+\\)\\)", "a8 OK UID FETCH completed");
    }

    @Test
    void authenticateWithSaslIrContinuationsAndCancel() {
        ImapTester t = new ImapTester(server);
        t.output();
        String plain = Base64.getEncoder().encodeToString("\0alice\0wrong".getBytes(StandardCharsets.UTF_8));
        t.expect("a1 AUTHENTICATE PLAIN " + plain, "a1 NO \\[AUTHENTICATIONFAILED\\] Authentication failed");
        t.expect("a2 AUTHENTICATE PLAIN", "\\+ ");
        t.expect("*", "a2 BAD Authentication cancelled");
        t.expect("a3 AUTHENTICATE PLAIN", "\\+ ");
        t.expect("not base64!", "a3 BAD Invalid base64 in SASL response");
        t.expect("a4 AUTHENTICATE X-TWOSTEP", "\\+ " + b64("user?"));
        t.expect(b64("alice"), "\\+ " + b64("pass?"));
        t.expect(b64("secret"), "\\+ " + b64("welcome"));
        t.expect("", "a4 OK \\[CAPABILITY .*\\] Logged in");
        assertEquals("alice", t.conn.user);
    }

    @Test
    void saslPlainInitialResponseLogsIn() {
        ImapTester t = new ImapTester(server);
        t.output();
        t.expect("a1 AUTHENTICATE SCRAM-SHA-1", "a1 NO Unsupported authentication mechanism");
        t.expect("a2 AUTHENTICATE PLAIN " + b64("\0bob\0pw"), "a2 OK \\[CAPABILITY .*\\] Logged in");
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void starttlsDiscardsPipelinedInputAndPlaintextRules() {
        ImapTester t = new ImapTester(server, c -> {
            c.starttls = true;
            c.plaintext = false;
        });
        t.expectNow("\\* OK \\[CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED AUTH=X-TWOSTEP SASL-IR .*\\] "
                + "Pillarbox ready\\.");
        t.expect("a0 LOGIN alice secret", "a0 NO \\[PRIVACYREQUIRED\\] .*");
        t.expect("a1 AUTHENTICATE PLAIN " + b64("\0alice\0secret"), "a1 NO \\[PRIVACYREQUIRED\\] .*");
        t.expect("a2 STARTTLS\r\na3 LOGIN alice secret", "a2 OK Begin TLS negotiation now");
        assertEquals(1, t.conn.startTlsCalls);
        t.expect("a4 CAPABILITY", "\\* CAPABILITY IMAP4rev1 IMAP4rev2 AUTH=PLAIN AUTH=X-TWOSTEP SASL-IR .*",
                "a4 OK CAPABILITY completed");
        t.expect("a5 STARTTLS", "a5 NO TLS is not available here");
        t.expect("a6 LOGIN alice secret", "a6 OK .*");
    }

    @Test
    void closeRequestsAndUnavailableStoresSayBye() {
        ImapTester t = session();
        t.ch.pipeline().fireUserEventTriggered(new CloseRequest(CloseRequest.Cause.SHUTDOWN, "Server shutting down"));
        t.settle();
        t.expectNow("\\* BYE Server shutting down");
        assertFalse(t.ch.isOpen());
        ImapTester u = session();
        stores.unavailable.get(stores.unavailable.size() - 1).run();
        u.settle();
        u.expectNow("\\* BYE \\[UNAVAILABLE\\] Mail storage is no longer available");
        assertFalse(u.ch.isOpen());
    }

    @Test
    void autologoutBeforeAndAfterLogin() {
        ImapServer quick = new ImapServer(ImapSettings.defaults().withAutologout(Duration.ofMinutes(30),
                Duration.ofMinutes(1)), server.authenticator(), server.sasl(), stores, new RecentTracker());
        ImapTester t = new ImapTester(quick);
        t.output();
        t.ch.advanceTimeBy(50, TimeUnit.SECONDS);
        t.ch.runScheduledPendingTasks();
        assertTrue(t.ch.isOpen());
        t.login("alice", "secret");
        t.ch.advanceTimeBy(20, TimeUnit.MINUTES);
        t.ch.runScheduledPendingTasks();
        assertTrue(t.ch.isOpen());
        t.ch.advanceTimeBy(11, TimeUnit.MINUTES);
        t.ch.runScheduledPendingTasks();
        t.expectNow("\\* BYE Autologout; idle for too long");
        assertFalse(t.ch.isOpen());
        ImapTester u = new ImapTester(quick);
        u.output();
        u.ch.advanceTimeBy(61, TimeUnit.SECONDS);
        u.ch.runScheduledPendingTasks();
        u.expectNow("\\* BYE Autologout; idle for too long");
    }

    @Test
    void compressDeflate() {
        ImapTester t = session();
        String caps = t.send("c0 CAPABILITY");
        assertTrue(caps.contains("COMPRESS=DEFLATE"), caps);
        t.expect("c1 COMPRESS DEFLATE", "c1 OK DEFLATE active");
        // from now on both directions are raw DEFLATE
        EmbeddedChannel deflate = new EmbeddedChannel(ZlibCodecFactory.newZlibEncoder(ZlibWrapper.NONE, 6));
        deflate.writeOutbound(Unpooled.copiedBuffer("c2 NOOP\r\n", StandardCharsets.US_ASCII));
        ByteBuf compressed = Unpooled.buffer();
        Object o;
        while ((o = deflate.readOutbound()) != null) {
            compressed.writeBytes((ByteBuf) o);
            ((ByteBuf) o).release();
        }
        t.ch.writeInbound(compressed);
        t.settle();
        EmbeddedChannel inflate = new EmbeddedChannel(ZlibCodecFactory.newZlibDecoder(ZlibWrapper.NONE));
        while ((o = t.ch.readOutbound()) != null) {
            inflate.writeInbound(o);
        }
        StringBuilder sb = new StringBuilder();
        while ((o = inflate.readInbound()) != null) {
            sb.append(((ByteBuf) o).toString(StandardCharsets.US_ASCII));
            ((ByteBuf) o).release();
        }
        assertEquals("c2 OK NOOP completed\r\n", sb.toString());
        assertNotNull(t.ch.pipeline().get(Compression.DEFLATER));
    }
}
