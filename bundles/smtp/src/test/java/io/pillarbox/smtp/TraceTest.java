package io.pillarbox.smtp;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SMTP/LMTP protocol trace: who is traced from when, and that secrets and message contents never appear. */
class TraceTest extends SessionFixture {

    private static final String BODY = "TOP-SECRET-BODY-LINE";

    private interface Script {
        void run() throws Exception;
    }

    /** Runs a script with the log (slf4j-simple writes to System.err) captured. */
    private static String logOf(Script s) throws Exception {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            s.run();
        } finally {
            System.setErr(old);
        }
        String log = buf.toString(StandardCharsets.UTF_8);
        System.err.print(log);
        return log;
    }

    private static void assertNoSecrets(String log, String... secrets) {
        for (String secret : secrets) {
            assertFalse(log.contains(secret), "\"" + secret + "\" appears in the trace:\n" + log);
        }
        assertFalse(log.contains(BODY), log);
    }

    @Test
    void everySessionWithStarAndNoSecretEverAppears() throws Exception {
        services.trace.users(List.of("*"));
        String plainAlice = b64("\0alice@example.org\0alice-pw");
        String plainCarol = b64("\0carol@example.org\0carol-pw");
        String log = logOf(() -> {
            // AUTH PLAIN with an initial response, a wrong one first
            submission();
            t.expect("AUTH PLAIN " + b64("\0alice@example.org\0wrong-secret-1"), "535 .*");
            t.expect("AUTH PLAIN " + plainAlice, "235 .*");
            t.expect("MAIL FROM:<alice@example.org>", "250 .*");
            t.expect("RCPT TO:<bob@example.org>", "250 .*");
            t.expect("DATA", "354 .*");
            t.expectRaw("Subject: " + BODY + "\r\n\r\n" + BODY + "\r\n.\r\n", "250 .*");
            t.expectRaw("MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nBDAT 22 LAST\r\n" + BODY + "\r\n",
                    "250 .*", "250 .*", "250 .*");
            // AUTH LOGIN: user name and password as continuations
            submission();
            t.expect("AUTH LOGIN", "334 VXNlcm5hbWU6");
            t.expect(b64("bob@example.org"), "334 UGFzc3dvcmQ6");
            t.expect(b64("bob-pw"), "235 .*");
            // AUTH PLAIN without initial response; a cancelled exchange
            submission();
            t.expect("AUTH PLAIN", "334 ");
            t.expect("*", "501 .*");
            t.expect("AUTH PLAIN", "334 ");
            t.expect(plainCarol, "235 .*");
            t.expect("QUIT", "221 .*");
        });
        assertTrue(log.contains("io.pillarbox.smtp.trace"), log);
        assertTrue(log.contains("smtp t1 - S: 220 mx.test ESMTP Pillarbox ready"), log);
        assertTrue(log.contains("smtp t1 - C: EHLO c"), log);
        assertTrue(log.contains("smtp t1 - C: AUTH PLAIN <initial response masked>"), log);
        assertTrue(log.contains("smtp t1 - S: 535 5.7.8"), log);
        assertTrue(log.contains("smtp t1 alice@example.org S: 235 2.7.0 Authentication successful"), log);
        assertTrue(log.contains("smtp t1 alice@example.org C: MAIL FROM:<alice@example.org>"), log);
        assertTrue(log.contains("smtp t1 alice@example.org S: 354 "), log);
        assertTrue(log.contains("C: <" + (BODY.length() * 2 + 15) + " octets>"), log);
        assertTrue(log.contains("alice@example.org C: BDAT 22 LAST"), log);
        assertTrue(log.contains("alice@example.org C: <22 octets>"), log);
        assertTrue(log.contains("smtp t1 - C: AUTH LOGIN"), log);
        assertTrue(log.contains("smtp t1 - S: 334 <AUTH challenge masked>"), log);
        assertTrue(log.contains("smtp t1 - C: <AUTH response masked>"), log);
        assertTrue(log.contains("smtp t1 bob@example.org S: 235 "), log);
        assertTrue(log.contains("smtp t1 - C: *"), log);
        assertTrue(log.contains("smtp t1 carol@example.org S: 221 "), log);
        assertNoSecrets(log, "alice-pw", "bob-pw", "carol-pw", "wrong-secret-1", plainAlice, plainCarol,
                b64("\0alice@example.org\0wrong-secret-1"), b64("bob@example.org"), b64("bob-pw"));
    }

    @Test
    void onlyTheListedUsersSessionsFromTheirLoginOn() throws Exception {
        services.trace.users(List.of("Alice@Example.org, dave"));
        String log = logOf(() -> {
            submission();
            t.expect("AUTH PLAIN " + b64("\0bob@example.org\0bob-pw"), "235 .*");
            t.expect("MAIL FROM:<bob@example.org>", "250 .*");
            submission();
            t.expect("NOOP", "250 .*");
            t.expect("AUTH PLAIN " + b64("\0alice@example.org\0alice-pw"), "235 .*");
            t.expect("MAIL FROM:<alice@example.org>", "250 .*");
            // switched off while the session runs
            services.trace.users(List.of());
            t.expect("RCPT TO:<carol@example.org>", "250 .*");
        });
        assertFalse(log.contains("bob@example.org"), log);
        assertFalse(log.contains("NOOP"), "nothing before the login: " + log);
        assertTrue(log.contains("smtp t1 alice@example.org S: 235 2.7.0"), log);
        assertTrue(log.contains("smtp t1 alice@example.org C: MAIL FROM:<alice@example.org>"), log);
        assertFalse(log.contains("carol"), "not after the trace was switched off: " + log);
        assertNoSecrets(log, "alice-pw", "bob-pw");
    }

    @Test
    void mxAndLmtpSessionsAreTracedOnceARecipientResolvesToTheUser() throws Exception {
        services.trace.users(List.of("bob@example.org"));
        String log = logOf(() -> {
            mx("127.0.0.1");
            t.expectRaw("HELO before.example\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<carol@example.org>\r\n"
                    + "RCPT TO:<team@example.org>\r\nDATA\r\n", "250 .*", "250 .*", "250 .*", "250 .*", "354 .*");
            t.expectRaw("Subject: " + BODY + "\r\n\r\nx\r\n.\r\n", "250 .*");
            mx("127.0.0.1");
            t.expectRaw("HELO other.example\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\n",
                    "250 .*", "250 .*", "250 .*", "354 .*");
            t.expectRaw("x\r\n.\r\n", "250 .*");
            open("lmtp", c -> { });
            t.expectRaw("LHLO mta.example\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n",
                    "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250 HELP",
                    "250 .*", "250 .*", "354 .*");
            t.expectRaw(BODY + "\r\n.\r\n", "250 .*");
        });
        assertFalse(log.contains("before.example"), "not before the recipient: " + log);
        assertFalse(log.contains("RCPT TO:<carol@example.org>"), log);
        assertTrue(log.contains("smtp t1 (rcpt bob@example.org) C: RCPT TO:<team@example.org>"), log);
        assertTrue(log.contains("smtp t1 (rcpt bob@example.org) S: 250 2.1.5 Recipient <team@example.org> ok"), log);
        assertTrue(log.contains("smtp t1 (rcpt bob@example.org) C: DATA"), log);
        assertTrue(log.contains("smtp t1 (rcpt bob@example.org) S: 250 2.0.0 Ok: delivered as"), log);
        assertFalse(log.contains("other.example"), "a session for carol only is not traced: " + log);
        assertFalse(log.contains("mta.example"), log);
        assertTrue(log.contains("lmtp t1 (rcpt bob@example.org) C: RCPT TO:<bob@example.org>"), log);
        assertTrue(log.contains("lmtp t1 (rcpt bob@example.org) S: 250 2.0.0 <bob@example.org> Ok"), log);
        assertNoSecrets(log);
    }

    @Test
    void commandsAreMaskedAndClipped() {
        org.junit.jupiter.api.Assertions.assertEquals("AUTH PLAIN <initial response masked>",
                Trace.maskCommand("AUTH PLAIN AGFsaWNlAHB3"));
        org.junit.jupiter.api.Assertions.assertEquals("auth login <initial response masked>",
                Trace.maskCommand("auth login YWxpY2U="));
        org.junit.jupiter.api.Assertions.assertEquals("AUTH CRAM-MD5", Trace.maskCommand("AUTH CRAM-MD5"));
        org.junit.jupiter.api.Assertions.assertEquals("AUTH PLAIN <initial response masked>",
                Trace.maskCommand("AUTH  PLAIN   secret extra"));
        org.junit.jupiter.api.Assertions.assertEquals("NOOP ?", Trace.maskCommand("NOOP \u001b"));
        assertTrue(Trace.maskCommand("NOOP " + "x".repeat(1000)).endsWith("...(1005 chars)"));
    }
}
