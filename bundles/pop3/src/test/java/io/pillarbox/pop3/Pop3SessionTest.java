package io.pillarbox.pop3;

import io.pillarbox.testkit.TestRealm;
import io.pillarbox.testkit.TestStores;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.protocol.CloseRequest;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxEvent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.core.auth.CoreAuthenticators;
import io.pillarbox.sasl.SaslServices;
import io.pillarbox.store.memory.MemoryMailStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Protocol scripts against one POP3 session over core's real authenticator, the real SASL service and the memory store. */
class Pop3SessionTest {

    static final String MSG1 = "From: a@example.org\r\nSubject: one\r\n\r\nHello\r\n";
    static final String MSG2 = "From: b@example.org\r\nSubject: two\r\n\r\n.hidden line\r\n..two dots\r\nend\r\n";

    TestRealm realm;
    Authenticator auth;
    MemoryMailStore memory;
    TestStores stores;
    Pop3Server server;

    @BeforeEach
    void setUp() throws Exception {
        realm = new TestRealm().user("alice", "secret").user("bob", "hunter2");
        auth = CoreAuthenticators.create(realm, 5);
        memory = new MemoryMailStore();
        stores = new TestStores(memory);
        server = server(Pop3Settings.defaults());
        append("alice", MSG1);
        append("alice", MSG2);
    }

    Pop3Server server(Pop3Settings settings) {
        return new Pop3Server(settings, auth, SaslServices.create(auth), stores, new MaildropLocks());
    }

    @AfterEach
    void tearDown() {
        CoreAuthenticators.stop(auth);
    }

    long append(String user, String text) throws Exception {
        try (StoreSession s = memory.open(MailPrincipal.of(user, "test"))) {
            return s.append(StoreSession.INBOX, MessageSource.of(text.getBytes(StandardCharsets.UTF_8)), Set.of(),
                    null).uid();
        }
    }

    List<MessageInfo> inbox(String user) throws Exception {
        try (StoreSession s = memory.open(MailPrincipal.of(user, "test"));
             Mailbox b = s.open(StoreSession.INBOX, true)) {
            return b.messages();
        }
    }

    long uidValidity(String user) throws Exception {
        try (StoreSession s = memory.open(MailPrincipal.of(user, "test"));
             Mailbox b = s.open(StoreSession.INBOX, true)) {
            return b.uidValidity();
        }
    }

    Pop3Tester session() {
        Pop3Tester t = new Pop3Tester(server);
        t.expectNow("\\+OK Pillarbox POP3 ready <[0-9a-z]+\\.[0-9]+@localhost>");
        return t;
    }

    // ---------------------------------------------------------------- greeting, CAPA

    @Test
    void uidlsAreDovecotsDefaultForm() {
        java.util.Random r = new java.util.Random(3);
        for (int n = 0; n < 2000; n++) {
            long uid = r.nextInt() & 0xFFFFFFFFL;
            long validity = n % 3 == 0 ? r.nextInt(16) : r.nextInt() & 0xFFFFFFFFL;
            org.junit.jupiter.api.Assertions.assertEquals(String.format("%08X%08X", uid, validity),
                    Pop3Session.uidl(uid, validity));
        }
        org.junit.jupiter.api.Assertions.assertEquals("0000000100000002", Pop3Session.uidl(1, 2));
        org.junit.jupiter.api.Assertions.assertEquals("10000000000000001", Pop3Session.uidl(1L << 32, 1));
    }

    @Test
    void greetingCarriesApopTimestampOnlyWhenARealmKeepsSharedSecrets() {
        try (Pop3Tester t = session()) {
            t.expect("QUIT", "\\+OK Pillarbox POP3 server signing off");
            assertFalse(t.ch.isOpen());
        }
        realm.sharedSecrets = false;
        try (Pop3Tester t = new Pop3Tester(server)) {
            t.expectNow("\\+OK Pillarbox POP3 ready");
            t.expect("APOP alice 0123456789abcdef0123456789abcdef", "-ERR APOP not available");
        }
    }

    @Test
    void capaListsTheExtensionsForTheState() {
        Pop3Server s = server(Pop3Settings.defaults().withAdvertised("30", 900));
        try (Pop3Tester t = new Pop3Tester(s, c -> c.starttls = true)) {
            t.output();
            t.expect("CAPA", "\\+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE",
                    "PIPELINING", "USER", "SASL CRAM-MD5 PLAIN LOGIN", "STLS", "EXPIRE 30", "LOGIN-DELAY 900",
                    "IMPLEMENTATION Pillarbox", "\\.");
            t.login("alice", "secret");
            t.expect("CAPA", "\\+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE",
                    "PIPELINING", "EXPIRE 30", "LOGIN-DELAY 900", "IMPLEMENTATION Pillarbox", "\\.");
        }
    }

    @Test
    void withoutPlaintextPermissionUserAndPlainAreNotOffered() {
        try (Pop3Tester t = new Pop3Tester(server, c -> {
            c.plaintext = false;
            c.remoteHost = "192.0.2.7";
            c.starttls = true;
        })) {
            t.output();
            t.expect("CAPA", "\\+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE",
                    "PIPELINING", "SASL CRAM-MD5", "STLS", "IMPLEMENTATION Pillarbox", "\\.");
            t.expect("USER alice", "-ERR \\[AUTH\\] Plaintext authentication disallowed on non-secure connections");
            t.expect("PASS secret", "-ERR \\[AUTH\\] Plaintext authentication disallowed on non-secure connections");
            t.expect("AUTH PLAIN " + plain("alice", "secret"), "-ERR Unsupported authentication mechanism");
            t.expect("AUTH", "\\+OK", "CRAM-MD5", "\\.");
            // after STLS everything is allowed
            t.expect("STLS", "\\+OK Begin TLS negotiation");
            assertEquals(1, t.conn.startTlsCalls);
            t.expect("CAPA", "\\+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE",
                    "PIPELINING", "USER", "SASL CRAM-MD5 PLAIN LOGIN", "IMPLEMENTATION Pillarbox", "\\.");
            t.login("alice", "secret");
        }
    }

    // ---------------------------------------------------------------- login

    @Test
    void userPassLoginShowsTheMaildrop() {
        try (Pop3Tester t = session()) {
            t.expect("USER alice", "\\+OK");
            t.expect("PASS secret", "\\+OK Logged in; maildrop has 2 messages \\("
                    + (MSG1.length() + MSG2.length()) + " octets\\)");
            assertEquals("alice", t.conn.user);
            assertEquals("transaction", t.conn.state);
            t.expect("STAT", "\\+OK 2 " + (MSG1.length() + MSG2.length()));
            t.expect("LIST", "\\+OK 2 messages \\(" + (MSG1.length() + MSG2.length()) + " octets\\)",
                    "1 " + MSG1.length(), "2 " + MSG2.length(), "\\.");
            t.expect("LIST 2", "\\+OK 2 " + MSG2.length());
            t.expect("LIST 3", "-ERR No such message");
            t.expect("NOOP", "\\+OK");
            t.expect("QUIT", "\\+OK Pillarbox POP3 server signing off \\(0 messages deleted\\)");
            assertFalse(t.ch.isOpen());
        }
    }

    @Test
    void passWithSpacesAndUserAtDomain() throws Exception {
        realm.user("carol@example.org", "pass with spaces");
        append("carol@example.org", MSG1);
        try (Pop3Tester t = session()) {
            t.expect("USER carol@example.org", "\\+OK");
            t.expect("PASS pass with spaces", "\\+OK Logged in; maildrop has 1 messages.*");
        }
    }

    @Test
    void badPasswordsAnswerAuthAndCloseAfterTheLimit() {
        try (Pop3Tester t = session()) {
            t.expect("PASS secret", "-ERR USER first");
            t.expect("USER alice", "\\+OK");
            t.expect("PASS wrong", "-ERR \\[AUTH\\] Authentication failed");
            t.expect("USER nobody", "\\+OK");
            t.expect("PASS wrong", "-ERR \\[AUTH\\] Authentication failed");
            t.expect("USER alice", "\\+OK");
            t.expect("PASS wrong", "-ERR \\[AUTH\\] Authentication failed");
            assertFalse(t.ch.isOpen());
        }
    }

    @Test
    void disabledAccountAnswersAuth() {
        realm.disabled.add("bob");
        try (Pop3Tester t = session()) {
            t.expect("USER bob", "\\+OK");
            t.expect("PASS hunter2", "-ERR \\[AUTH\\] Account disabled");
        }
    }

    @Test
    void lockedOutUserGetsSysTemp() {
        CoreAuthenticators.stop(auth);
        auth = CoreAuthenticators.create(realm, 2);
        server = server(Pop3Settings.defaults());
        try (Pop3Tester t = session()) {
            t.expect("USER bob", "\\+OK");
            t.expect("PASS x", "-ERR \\[AUTH\\] Authentication failed");
            t.expect("USER bob", "\\+OK");
            t.expect("PASS y", "-ERR \\[AUTH\\] Authentication failed");
        }
        try (Pop3Tester t = session()) {
            t.expect("USER bob", "\\+OK");
            t.expect("PASS hunter2", "-ERR \\[SYS/TEMP\\] Too many failed logins; try again later");
        }
    }

    @Test
    void apopWithTheRightDigestLogsIn() throws Exception {
        try (Pop3Tester t = new Pop3Tester(server)) {
            String greeting = t.output();
            Matcher m = Pattern.compile("(<[^>]+>)").matcher(greeting);
            assertTrue(m.find(), greeting);
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest((m.group(1) + "secret").getBytes(StandardCharsets.US_ASCII)));
            t.expect("APOP alice 0123456789abcdef0123456789abcdef", "-ERR \\[AUTH\\] Authentication failed");
            t.expect("APOP alice nothex", "-ERR Syntax error: APOP name digest");
            t.expect("APOP alice " + digest, "\\+OK Logged in; maildrop has 2 messages.*");
        }
    }

    @Test
    void authPlainWithAndWithoutInitialResponse() {
        try (Pop3Tester t = session()) {
            t.expect("AUTH", "\\+OK", "CRAM-MD5", "PLAIN", "LOGIN", "\\.");
            t.expect("AUTH PLAIN " + plain("alice", "bad"), "-ERR \\[AUTH\\] Authentication failed");
            t.expect("AUTH X-UNKNOWN", "-ERR Unsupported authentication mechanism");
            t.expect("AUTH PLAIN", "\\+ ");
            t.expect("*", "-ERR Authentication cancelled");
            t.expect("AUTH PLAIN", "\\+ ");
            t.expect("!!notbase64", "-ERR Invalid base64; authentication aborted");
            t.expect("AUTH PLAIN =", "-ERR \\[AUTH\\] Authentication failed");
            t.expect("AUTH plain", "\\+ ");
            t.expect(plain("alice", "secret"), "\\+OK Logged in; maildrop has 2 messages.*");
            t.expect("AUTH PLAIN " + plain("alice", "secret"), "-ERR Already logged in");
        }
        try (Pop3Tester t = session()) {
            t.expect("AUTH PLAIN " + plain("alice", "secret"), "\\+OK Logged in; maildrop has 2 messages.*");
        }
    }

    @Test
    void authLoginTakesTwoSteps() {
        try (Pop3Tester t = session()) {
            t.expect("AUTH LOGIN", "\\+ " + b64("Username:"));
            t.expect(b64("alice"), "\\+ " + b64("Password:"));
            t.expect(b64("secret"), "\\+OK Logged in.*");
        }
    }

    /** SCRAM-SHA-256 (RFC 7677) against the real SASL service: the server's final message goes out as a last challenge. */
    @Test
    void authScramSendsTheServerSignatureAsALastChallenge() throws Exception {
        realm.scram = true;
        try (Pop3Tester t = session()) {
            String cnonce = "rOprNGfwEbeRWgbNEkqO";
            String clientFirstBare = "n=alice,r=" + cnonce;
            String serverFirst = new String(Base64.getDecoder().decode(
                    challenge(t.send("AUTH SCRAM-SHA-256 " + b64("n,," + clientFirstBare)))), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("r=([^,]+),s=([^,]+),i=(\\d+)").matcher(serverFirst);
            assertTrue(m.matches(), serverFirst);
            assertTrue(m.group(1).startsWith(cnonce));
            String withoutProof = "c=biws,r=" + m.group(1);
            String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
            io.pillarbox.api.auth.ScramCredential cred = io.pillarbox.api.auth.ScramCredential.derive("SHA-256",
                    "secret".toCharArray(), Base64.getDecoder().decode(m.group(2)), Integer.parseInt(m.group(3)));
            byte[] clientSignature = hmac(cred.storedKey(), authMessage);
            // ClientKey = ClientProof XOR ClientSignature, so the proof is ClientKey XOR ClientSignature; ClientKey
            // comes from the password the same way the credential was derived
            byte[] salted = hi("secret", Base64.getDecoder().decode(m.group(2)), Integer.parseInt(m.group(3)));
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) {
                proof[i] = (byte) (clientKey[i] ^ clientSignature[i]);
            }
            String serverFinal = new String(Base64.getDecoder().decode(challenge(t.send(b64(withoutProof + ",p="
                    + Base64.getEncoder().encodeToString(proof))))), StandardCharsets.UTF_8);
            assertEquals("v=" + Base64.getEncoder().encodeToString(hmac(cred.serverKey(), authMessage)), serverFinal);
            t.expect("", "\\+OK Logged in; maildrop has 2 messages.*");
        }
    }

    static String challenge(String out) {
        assertTrue(out.startsWith("+ ") && out.endsWith("\r\n"), out);
        return out.substring(2, out.length() - 2);
    }

    static byte[] hmac(byte[] key, String data) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] hi(String password, byte[] salt, int iterations) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update(salt);
        byte[] u = mac.doFinal(new byte[]{0, 0, 0, 1});
        byte[] r = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = mac.doFinal(u);
            for (int j = 0; j < r.length; j++) {
                r[j] ^= u[j];
            }
        }
        return r;
    }

    // ---------------------------------------------------------------- transaction

    @Test
    void retrIsByteExactWithDotStuffing() {
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            String out = t.send("RETR 2");
            String expected = "+OK " + MSG2.length() + " octets\r\n"
                    + "From: b@example.org\r\nSubject: two\r\n\r\n..hidden line\r\n...two dots\r\nend\r\n.\r\n";
            assertEquals(expected, out);
            assertEquals(MSG2, unstuff(out));
            t.expect("RETR 3", "-ERR No such message");
            t.expect("RETR x", "-ERR Syntax error: message number expected");
            t.expect("RETR", "-ERR Syntax error: RETR msg");
        }
    }

    @Test
    void retrEndsAnUnterminatedLastLineAndConvertsBareLf() throws Exception {
        append("alice", "Subject: raw\n\nline one\n.dot\nno end");
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            // 34 octets stored, 4 of them bare LFs sent as CRLF: 38 octets sent (RFC 1939 section 11)
            assertEquals("+OK 38 octets\r\nSubject: raw\r\n\r\nline one\r\n..dot\r\nno end\r\n.\r\n", t.send("RETR 3"));
        }
    }

    /**
     * A message a store keeps with bare LFs (an IMAP APPEND of a file with LF line ends) is sent with CRLF: STAT,
     * LIST and RETR must count the octets sent, not the octets stored. fetchmail and curl fetched such a message with
     * a LIST size six octets short of what RETR then sent.
     */
    @Test
    void sizesCountBareLfsAsTheyAreSentWithCrlf() throws Exception {
        String lf = "From: lf@example.org\nSubject: lf only\n\nline1\n.dotline\r\nline3\n";
        append("alice", lf);
        long sent = lf.length() + 5; // five bare LFs, one CRLF already
        long total = MSG1.length() + MSG2.length() + sent;
        for (int login = 0; login < 2; login++) { // the second from what the first learnt
            try (Pop3Tester t = session()) {
                t.expect("USER alice", "\\+OK");
                t.expect("PASS secret", "\\+OK Logged in; maildrop has 3 messages \\(" + total + " octets\\)");
                t.expect("STAT", "\\+OK 3 " + total);
                t.expect("LIST", "\\+OK 3 messages \\(" + total + " octets\\)",
                        "1 " + MSG1.length(), "2 " + MSG2.length(), "3 " + sent, "\\.");
                t.expect("LIST 3", "\\+OK 3 " + sent);
                String out = t.send("RETR 3");
                assertTrue(out.startsWith("+OK " + sent + " octets\r\n"), out);
                String message = unstuff(out);
                assertEquals(lf.replace("\r\n", "\n").replace("\n", "\r\n"), message);
                assertEquals(sent, message.getBytes(StandardCharsets.UTF_8).length);
                t.expect("QUIT", "\\+OK .*");
            }
        }
    }

    @Test
    void bigMessageStreamsInChunksByteExact() throws Exception {
        StringBuilder sb = new StringBuilder("Subject: big\r\n\r\n");
        int i = 0;
        while (sb.length() < 3_000_000) {
            sb.append(i % 7 == 0 ? "." : "").append("line ").append(i++).append(" of the big message\r\n");
        }
        String big = sb.toString();
        append("alice", big);
        server = server(Pop3Settings.defaults().withChunkSize(4096));
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            byte[] out = t.outputBytesOf("RETR 3");
            String s = new String(out, StandardCharsets.UTF_8);
            assertTrue(s.startsWith("+OK " + big.length() + " octets\r\n"), s.substring(0, 40));
            assertTrue(s.endsWith("\r\n.\r\n"));
            assertEquals(big, unstuff(s));
        }
    }

    @Test
    void retrWaitsWhileTheChannelIsNotWritable() throws Exception {
        server = server(Pop3Settings.defaults().withChunkSize(8));
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            t.ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
            assertEquals("+OK " + MSG2.length() + " octets\r\n", t.send("RETR 2"));
            t.expect("NOOP");
            t.ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
            t.settle();
            String rest = t.output();
            assertEquals(MSG2, unstuff("+OK\r\n" + rest.substring(0, rest.length() - 5)));
            assertTrue(rest.endsWith("\r\n.\r\n+OK\r\n"), rest);
        }
    }

    @Test
    void topSendsHeaderAndSomeBodyLines() throws Exception {
        append("alice", "Subject: top\r\n\r\nl1\r\n.l2\r\nl3\r\n");
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            assertEquals("+OK Top of message follows\r\nSubject: top\r\n\r\n.\r\n", t.send("TOP 3 0"));
            assertEquals("+OK Top of message follows\r\nSubject: top\r\n\r\nl1\r\n..l2\r\n.\r\n", t.send("TOP 3 2"));
            assertEquals("+OK Top of message follows\r\nSubject: top\r\n\r\nl1\r\n..l2\r\nl3\r\n.\r\n",
                    t.send("TOP 3 99"));
            t.expect("TOP 3", "-ERR Syntax error: TOP msg n");
            t.expect("TOP 3 -1", "-ERR Syntax error: TOP msg n");
            t.expect("TOP 9 1", "-ERR No such message");
        }
    }

    @Test
    void uidlIsUidAndUidValidityInDovecotsFormatAndStable() throws Exception {
        List<MessageInfo> msgs = inbox("alice");
        long v = uidValidity("alice");
        String u1 = String.format("%08X%08X", msgs.get(0).uid(), v);
        String u2 = String.format("%08X%08X", msgs.get(1).uid(), v);
        assertEquals(16, u1.length());
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            t.expect("UIDL", "\\+OK Unique-ID listing follows", "1 " + u1, "2 " + u2, "\\.");
            t.expect("UIDL 2", "\\+OK 2 " + u2);
            t.expect("DELE 1", "\\+OK Message 1 deleted");
            t.expect("UIDL", "\\+OK Unique-ID listing follows", "2 " + u2, "\\.");
            t.expect("UIDL 1", "-ERR Message 1 already deleted");
            t.expect("QUIT", "\\+OK .*\\(1 messages deleted\\)");
        }
        append("alice", MSG1);
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            // message 2 is now number 1 and keeps its identifier
            t.expect("UIDL", "\\+OK Unique-ID listing follows", "1 " + u2, "2 [0-9A-F]{16}", "\\.");
        }
    }

    @Test
    void identifiersTheStoreKeepsWinOverTheDefault() {
        java.time.Instant now = java.time.Instant.now();
        List<MessageInfo> list = List.of(new MessageInfo(5, Set.of(), now, 10, 1),
                new MessageInfo(7, Set.of(), now, 10, 1), new MessageInfo(9, Set.of(), now, 10, 1));
        String[] u = Pop3Session.uidls(list, 0x1234, java.util.Map.of(7L, "legacy-id-7", 9L, "not valid"));
        assertArrayEquals(new String[]{"0000000500001234", "legacy-id-7", "0000000900001234"}, u);
    }

    @Test
    void deleQuitExpungesAndAnotherSessionHearsIt() throws Exception {
        List<MailboxEvent> events = new CopyOnWriteArrayList<>();
        try (StoreSession other = memory.open(MailPrincipal.of("alice", "test"));
             Mailbox imapLike = other.open(StoreSession.INBOX, false);
             Mailbox.Registration r = imapLike.addListener(events::add)) {
            long uid1 = imapLike.messages().get(0).uid();
            try (Pop3Tester t = session()) {
                t.login("alice", "secret");
                t.expect("DELE 1", "\\+OK Message 1 deleted");
                t.expect("DELE 1", "-ERR Message 1 already deleted");
                t.expect("RETR 1", "-ERR Message 1 already deleted");
                t.expect("STAT", "\\+OK 1 " + MSG2.length());
                t.expect("QUIT", "\\+OK Pillarbox POP3 server signing off \\(1 messages deleted\\)");
            }
            assertTrue(events.stream().anyMatch(e -> e instanceof MailboxEvent.MessagesExpunged x
                    && x.uids().equals(List.of(uid1))), events.toString());
            assertEquals(1, imapLike.messages().size());
        }
    }

    @Test
    void deleRsetKeepsEverything() throws Exception {
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            t.expect("DELE 1", "\\+OK Message 1 deleted");
            t.expect("DELE 2", "\\+OK Message 2 deleted");
            t.expect("STAT", "\\+OK 0 0");
            t.expect("RSET", "\\+OK Maildrop has 2 messages \\(" + (MSG1.length() + MSG2.length()) + " octets\\)");
            t.expect("STAT", "\\+OK 2 " + (MSG1.length() + MSG2.length()));
            t.expect("QUIT", "\\+OK .*\\(0 messages deleted\\)");
        }
        assertEquals(2, inbox("alice").size());
    }

    @Test
    void droppedConnectionExpungesNothingAndReleasesTheLock() throws Exception {
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            t.expect("DELE 1", "\\+OK Message 1 deleted");
            t.ch.close();
            t.settle();
        }
        assertEquals(2, inbox("alice").size());
        assertFalse(server.locks().isLocked("alice"));
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
        }
    }

    @Test
    void secondLoginToAMaildropInUseGetsInUse() {
        try (Pop3Tester first = session(); Pop3Tester second = session()) {
            first.login("alice", "secret");
            second.expect("USER ALICE", "\\+OK");
            realm.user("ALICE", "secret");
            second.expect("PASS secret", "-ERR \\[IN-USE\\] Maildrop is already in use by another POP3 session");
            assertTrue(second.ch.isOpen());
            second.login("bob", "hunter2");
            first.expect("QUIT", "\\+OK .*");
            try (Pop3Tester third = session()) {
                third.login("alice", "secret");
            }
        }
    }

    @Test
    void retrievedMessagesAreSeenAfterQuit() throws Exception {
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            t.send("RETR 1");
            t.send("TOP 2 1");
            t.expect("QUIT", "\\+OK .*");
        }
        List<MessageInfo> m = inbox("alice");
        assertTrue(m.get(0).has(Flags.SEEN));
        assertFalse(m.get(1).has(Flags.SEEN));
    }

    @Test
    void messageExpungedElsewhereIsReportedOnRetr() throws Exception {
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            try (StoreSession other = memory.open(MailPrincipal.of("alice", "test"));
                 Mailbox b = other.open(StoreSession.INBOX, false)) {
                long uid = b.messages().get(0).uid();
                b.updateFlags(List.of(uid), io.pillarbox.api.store.FlagOp.ADD, Set.of(Flags.DELETED), -1);
                b.expunge(List.of(uid));
            }
            t.expect("RETR 1", "-ERR Message was removed by another session");
            t.expect("DELE 1", "\\+OK Message 1 deleted");
            t.expect("QUIT", "\\+OK .*\\(0 messages deleted\\)");
        }
    }

    // ---------------------------------------------------------------- pipelining, STLS, malformed input

    @Test
    void pipelinedCommandsAnswerInOrder() {
        try (Pop3Tester t = session()) {
            t.write("USER alice\r\nPASS secret\r\nSTAT\r\nLIST 1\r\nUIDL 1\r\nNOOP\r\nQUIT\r\n");
            Pop3Tester.check("pipeline", t.output(), "\\+OK", "\\+OK Logged in.*", "\\+OK 2 .*", "\\+OK 1 .*",
                    "\\+OK 1 [0-9A-F]{16}", "\\+OK", "\\+OK .*signing off.*");
        }
    }

    @Test
    void inputPipelinedAfterStlsIsDiscarded() {
        try (Pop3Tester t = new Pop3Tester(server, c -> c.starttls = true)) {
            t.output();
            t.expect("STLS\r\nUSER alice\r\nPASS secret", "\\+OK Begin TLS negotiation");
            t.expect("STAT", "-ERR Not logged in");
            t.expect("STLS", "-ERR TLS is already active");
            t.login("alice", "secret");
            t.expect("STLS", "-ERR Already logged in");
        }
        try (Pop3Tester t = session()) {
            t.expect("STLS", "-ERR STLS not available on this connection");
        }
    }

    @Test
    void malformedAndMisplacedCommands() {
        try (Pop3Tester t = session()) {
            t.expect("FOO", "-ERR Unknown command");
            t.expect("", "-ERR Unknown command");
            t.expect("STAT", "-ERR Not logged in");
            t.expect("USER", "-ERR Syntax error: USER name");
            t.expect("x".repeat(9000), "-ERR Line too long");
            t.login("alice", "secret");
            t.expect("STAT x", "-ERR Syntax error: no arguments expected");
            t.expect("LIST 1 2", "-ERR Syntax error: LIST \\[msg\\]");
            t.expect("LIST 0", "-ERR No such message");
            t.expect("LIST +1", "-ERR Syntax error: message number expected");
            t.expect("DELE", "-ERR Syntax error: DELE msg");
            t.expect("USER bob", "-ERR Already logged in");
            t.expect("list 1", "\\+OK 1 " + MSG1.length());
            t.expect("LAST", "-ERR Unknown command");
            t.write("NOOP\n");
            t.expectNow("\\+OK");
        }
    }

    @Test
    void tooManyBadCommandsCloseTheConnection() {
        server = server(Pop3Settings.defaults().withLimits(8192, 30, 3, 3));
        try (Pop3Tester t = session()) {
            t.expect("A", "-ERR Unknown command");
            t.expect("B", "-ERR Unknown command");
            t.expect("C", "-ERR Unknown command", "-ERR Too many bad commands");
            assertFalse(t.ch.isOpen());
        }
    }

    @Test
    void tooManyCommandsBeforeLoginCloseTheConnection() {
        server = server(Pop3Settings.defaults().withLimits(8192, 3, 3, 10));
        try (Pop3Tester t = session()) {
            t.expect("CAPA", "\\+OK.*", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "USER",
                    "SASL CRAM-MD5 PLAIN LOGIN", "IMPLEMENTATION Pillarbox", "\\.");
            t.expect("NOOP", "-ERR Not logged in");
            t.expect("USER alice", "\\+OK");
            t.expect("PASS secret", "-ERR Too many commands before login");
            assertFalse(t.ch.isOpen());
        }
    }

    // ---------------------------------------------------------------- endings

    @Test
    void autologoutInTransactionRemovesNothing() throws Exception {
        server = server(Pop3Settings.defaults().withAutologout(Duration.ofMillis(200), Duration.ofMillis(200)));
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            t.expect("DELE 1", "\\+OK Message 1 deleted");
            Thread.sleep(300);
            t.ch.runScheduledPendingTasks();
            t.settle();
            t.expectNow("-ERR Autologout; idle for too long");
            assertFalse(t.ch.isOpen());
        }
        assertEquals(2, inbox("alice").size());
    }

    @Test
    void closeRequestSaysSysTempAndCloses() throws Exception {
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            t.expect("DELE 1", "\\+OK Message 1 deleted");
            t.ch.pipeline().fireUserEventTriggered(new CloseRequest(CloseRequest.Cause.SHUTDOWN,
                    "Server shutting down"));
            t.settle();
            t.expectNow("-ERR \\[SYS/TEMP\\] Server shutting down");
            assertFalse(t.ch.isOpen());
        }
        assertEquals(2, inbox("alice").size());
    }

    @Test
    void storeUnavailableAtLoginOrLater() {
        stores.down = true;
        try (Pop3Tester t = session()) {
            t.expect("USER alice", "\\+OK");
            t.expect("PASS secret", "-ERR \\[SYS/TEMP\\] Cannot open the maildrop now");
            assertFalse(t.ch.isOpen());
        }
        assertFalse(server.locks().isLocked("alice"));
        stores.down = false;
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            stores.unavailable.forEach(Runnable::run);
            t.settle();
            t.expectNow("-ERR \\[SYS/TEMP\\] Mail store no longer available");
            assertFalse(t.ch.isOpen());
        }
        assertFalse(server.locks().isLocked("alice"));
    }

    @Test
    void overloadedWorkerAnswersSysTemp() throws Exception {
        try (Pop3Tester t = session()) {
            t.login("alice", "secret");
            t.rejectWork = true;
            t.expect("STAT", "-ERR \\[SYS/TEMP\\] Server busy, try again later");
            t.rejectWork = false;
            t.expect("STAT", "\\+OK 2 .*");
        }
    }

    // ---------------------------------------------------------------- helpers

    static String plain(String user, String password) {
        return b64("\0" + user + "\0" + password);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The message inside a multi-line response: first line and terminator removed, dot-stuffing undone. */
    static String unstuff(String response) {
        int first = response.indexOf("\r\n") + 2;
        String body = response.substring(first, response.length() - 3);
        List<String> lines = new ArrayList<>(List.of(body.split("\r\n", -1)));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            sb.append(l.startsWith(".") ? l.substring(1) : l);
            if (i < lines.size() - 1) {
                sb.append("\r\n");
            }
        }
        return sb.toString();
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    static void assertSameBytes(byte[] a, byte[] b) {
        assertArrayEquals(a, b);
    }
}
