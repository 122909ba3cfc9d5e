package io.pillarbox.smtp;

import io.pillarbox.api.delivery.DeliveryResult;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.delivery.Resolution;
import io.pillarbox.api.protocol.CloseRequest;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.sasl.SaslAccess;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmtpSessionTest extends SessionFixture {

    private SmtpTester mx() {
        return open("smtp", c -> c.properties.put("smtp.role", "mx"));
    }

    // ------------------------------------------------------------------ MX

    @Test
    void ehloAdvertisesTheExtensions() {
        mx();
        t.expect("EHLO client.example", "250-mx.test Hello client.example \\[127.0.0.1\\]", "250-PIPELINING",
                "250-SIZE 52428800", "250-8BITMIME", "250-SMTPUTF8", "250-ENHANCEDSTATUSCODES", "250-CHUNKING",
                "250-DSN", "250-AUTH PLAIN LOGIN", "250 HELP");
        t.expect("HELO client.example", "250 mx.test Hello client.example \\[127.0.0.1\\]");
    }

    @Test
    void plaintextMechanismsHiddenWithoutTlsAndStartTlsOffered() {
        open("smtp", c -> {
            c.plaintext = false;
            c.starttls = true;
            c.remoteHost = "192.0.2.7";
        });
        List<String> lines = t.expect("EHLO c", "250-mx.test Hello c \\[192.0.2.7\\]", "250-PIPELINING",
                "250-SIZE \\d+", "250-8BITMIME", "250-SMTPUTF8", "250-ENHANCEDSTATUSCODES", "250-CHUNKING", "250-DSN",
                "250-STARTTLS", "250 HELP");
        assertFalse(String.join("\n", lines).contains("AUTH"));
        t.expect("AUTH PLAIN " + b64("\0alice@example.org\0alice-pw"),
                "538 5.7.11 Encryption required for requested authentication mechanism: use STARTTLS first");
    }

    @Test
    void deliversToALocalUserByteExactWithTraceHeaders() throws Exception {
        mx();
        t.expect("EHLO client.example", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250-.*", "250-.*", "250 HELP");
        t.expect("MAIL FROM:<sender@remote.example> SIZE=100 BODY=8BITMIME", "250 2.1.0 Sender <sender@remote.example> ok");
        t.expect("RCPT TO:<Alice@EXAMPLE.org>", "250 2.1.5 Recipient <Alice@EXAMPLE.org> ok");
        t.expect("DATA", "354 End data with <CR><LF>.<CR><LF>");
        String body = "From: sender@remote.example\r\nSubject: caf\u00e9\r\n\r\n..leading dot\r\n.\r\nline \u00fc\u00f1\u00ee\r\n";
        t.expectRaw(body.replace("\r\n.\r\n", "\r\n..\r\n") + ".\r\n", "250 2.0.0 Ok: delivered as \\w+");
        String stored = inbox("alice@example.org", 0);
        assertTrue(stored.startsWith("Return-Path: <sender@remote.example>\r\nReceived: from client.example "
                + "([127.0.0.1])\r\n\tby mx.test (Pillarbox) with ESMTP id "), stored);
        assertTrue(stored.contains("\r\n\tfor <Alice@EXAMPLE.org>;\r\n\t"), stored);
        // everything after the trace headers is exactly what the client sent, unstuffed
        String expected = "From: sender@remote.example\r\nSubject: caf\u00e9\r\n\r\n.leading dot\r\n.\r\nline \u00fc\u00f1\u00ee\r\n";
        assertTrue(stored.endsWith("\r\n" + expected), stored);
        byte[] raw = stores.inbox("alice@example.org").get(0);
        byte[] exp = expected.getBytes(StandardCharsets.UTF_8);
        byte[] tail = java.util.Arrays.copyOfRange(raw, raw.length - exp.length, raw.length);
        assertArrayEquals(exp, tail);
        t.expect("QUIT", "221 2.0.0 mx.test Bye");
        assertFalse(t.ch.isOpen());
    }

    @Test
    void unknownUsersRelayAndSequenceErrors() {
        mx();
        t.expect("MAIL FROM:<a@b.example>", "503 5.5.1 Send HELO/EHLO first");
        t.expect("RCPT TO:<alice@example.org>", "503 5.5.1 Need MAIL command first");
        t.expect("DATA", "503 5.5.1 Need MAIL command first");
        t.expect("EHLO c", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250 HELP");
        t.expect("MAIL FROM:<a@b.example>", "250 2.1.0 .*");
        t.expect("MAIL FROM:<a@b.example>", "503 5.5.1 Nested MAIL command");
        t.expect("RCPT TO:<nobody@example.org>", "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown");
        t.expect("RCPT TO:<someone@elsewhere.example>", "554 5.7.1 <someone@elsewhere.example>: Relay access denied");
        t.expect("RCPT TO:<bad address>", "553 5.1.3 Bad recipient address syntax.*");
        t.expect("RCPT TO:alice@example.org", "501 5.5.4 Syntax: RCPT TO:<address>");
        t.expect("DATA", "554 5.5.1 No valid recipients");
        t.expect("RCPT TO:<postmaster>", "250 2.1.5 .*");
        t.expect("RCPT TO:<POSTMASTER@example.ORG>", "250 2.1.5 .*");
        t.expect("RSET", "250 2.0.0 Ok");
        t.expect("NOOP", "250 2.0.0 Ok");
        t.expect("VRFY alice", "252 2.5.2 .*");
        t.expect("FOO", "500 5.5.2 Command unrecognized: FOO");
    }

    @Test
    void postmasterMailGoesToTheConfiguredAddress() throws Exception {
        mx();
        t.expectRaw("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<postmaster>\r\nDATA\r\n",
                "250 .*", "250 2.1.0 Sender <> ok", "250 2.1.5 .*", "354 .*");
        t.expectRaw("Subject: bounce\r\n\r\nx\r\n.\r\n", "250 2.0.0 .*");
        assertTrue(inbox("alice@example.org", 0).startsWith("Return-Path: <>\r\nReceived: from c ([127.0.0.1])\r\n\tby mx.test (Pillarbox) with SMTP id "));
    }

    @Test
    void aPipelinedSessionIsAnsweredInOrder() throws Exception {
        mx();
        t.expectRaw("EHLO c\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<nobody@example.org>\r\n"
                        + "RCPT TO:<team@example.org>\r\nDATA\r\n",
                "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250 HELP",
                "250 2.1.0 .*", "250 2.1.5 .*", "550 5.1.1 .*", "250 2.1.5 .*", "354 .*");
        t.expectRaw("Subject: p\r\n\r\nhi\r\n.\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<bob@example.org>\r\nBDAT 5 LAST\r\nabc\r\nQUIT\r\n",
                "250 2.0.0 .*", "250 2.1.0 .*", "250 2.1.5 .*", "250 2.0.0 .*", "221 2.0.0 .*");
        assertEquals(1, stores.inbox("alice@example.org").size(), "alice once, though named directly and by alias");
        assertEquals(2, stores.inbox("bob@example.org").size());
        assertTrue(inbox("bob@example.org", 1).endsWith("\r\nabc\r\n"));
        assertFalse(inbox("alice@example.org", 0).contains("\tfor <"), "no 'for' with several recipients");
    }

    @Test
    void sizeIsEnforcedAtMailFromAndDuringData() throws Exception {
        settings = settings.withMaxMessageSize(2000);
        mx();
        t.expect("EHLO c", "250-.*", "250-.*", "250-SIZE 2000", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250-.*", "250 HELP");
        t.expect("MAIL FROM:<x@y.example> SIZE=2001",
                "552 5.3.4 Message size exceeds fixed maximum message size \\(2000 octets\\)");
        t.expect("MAIL FROM:<x@y.example> SIZE=1000", "250 2.1.0 .*");
        t.expect("RCPT TO:<alice@example.org>", "250 .*");
        t.expect("DATA", "354 .*");
        String line = "x".repeat(98) + "\r\n";
        t.write(line.repeat(15));
        t.expectNow();
        t.expectRaw(line.repeat(15) + ".\r\n", "552 5.3.4 Message size exceeds fixed maximum message size \\(2000 octets\\)");
        assertEquals(0, stores.inbox("alice@example.org").size());
        // the session goes on
        t.expectRaw("MAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nBDAT 1500\r\n" + "y".repeat(1500)
                + "BDAT 600 LAST\r\n" + "z".repeat(600), "250 .*", "250 .*", "250 2.0.0 1500 octets received",
                "552 5.3.4 .*");
        t.expect("RCPT TO:<alice@example.org>", "503 5.5.1 Need MAIL command first");
    }

    @Test
    void bareLineFeedsNulAndLongLinesAreRefused() throws Exception {
        mx();
        t.expectRaw("HELO c\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n",
                "250 .*", "250 .*", "250 .*", "354 .*");
        // "\n.\n" is not the end of data (no SMTP smuggling); the message is refused as a whole
        t.expectRaw("Subject: x\r\n\r\nsmuggle\n.\nMAIL FROM:<evil@x>\r\n.\r\n",
                "554 5.6.0 Message refused: bare CR or LF found; lines must end with CRLF \\(RFC 5321 2.3.8\\)");
        t.expectRaw("MAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n", "250 .*", "250 .*", "354 .*");
        t.expectRaw("a\0b\r\n.\r\n", "554 5.6.0 Message refused: it contains NUL octets \\(RFC 5322 2.3\\)");
        t.expectRaw("MAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n", "250 .*", "250 .*", "354 .*");
        t.expectRaw("a".repeat(999) + "\r\n.\r\n", "554 5.6.0 Message refused: a line is longer than 998 octets.*");
        t.expectRaw("MAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n", "250 .*", "250 .*", "354 .*");
        t.expectRaw("b".repeat(998) + "\r\n.\r\n", "250 2.0.0 .*");
        assertEquals(1, stores.inbox("alice@example.org").size());
        t.expectRaw("NOOP\n", "500 5.5.2 Bare LF received: command lines must end with CRLF \\(RFC 5321 2.3.8\\)");
        t.expectRaw("NO\0OP\r\n", "500 5.5.2 NUL or bare CR in command line");
        t.expectRaw("NOOP " + "x".repeat(13000) + "\r\nNOOP\r\n", "500 5.5.2 Line too long \\(limit 12288 octets\\)",
                "250 2.0.0 Ok");
    }

    @Test
    void bareLineFeedsOfTrustedClientsAreStoredWithCrlf() throws Exception {
        // an authenticated client (curl without --crlf): taken, stored with CRLF
        submission();
        t.expect("AUTH PLAIN " + b64("\0alice@example.org\0alice-pw"), "235 .*");
        t.expectRaw("MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n", "250 .*", "250 .*",
                "354 .*");
        t.expectRaw("Subject: lf\n\nfrom a script\n\r\n.\r\n", "250 2.0.0 .*");
        assertTrue(inbox("bob@example.org", 0).endsWith("\r\nSubject: lf\r\n\r\nfrom a script\r\n\r\n"),
                inbox("bob@example.org", 0));
        // bareLineEnds = reject: refused for everybody
        settings = settings.withBareLineEnds(SmtpSettings.BareLineEnds.REJECT);
        submission();
        t.expect("AUTH PLAIN " + b64("\0alice@example.org\0alice-pw"), "235 .*");
        t.expectRaw("MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n", "250 .*", "250 .*",
                "354 .*");
        t.expectRaw("Subject: lf\n\nx\r\n.\r\n", "554 5.6.0 .*");
        // normalize: also for a stranger on the MX
        settings = settings.withBareLineEnds(SmtpSettings.BareLineEnds.NORMALIZE);
        mx();
        t.expectRaw("HELO c\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n",
                "250 .*", "250 .*", "250 .*", "354 .*");
        t.expectRaw("Subject: lf\n\nsmuggle\n.\nMAIL FROM:<evil@x>\r\n.\r\n", "250 2.0.0 .*");
        assertTrue(inbox("bob@example.org", 1).endsWith("\r\nsmuggle\r\n\r\nMAIL FROM:<evil@x>\r\n"),
                "one message, the smuggled command part of it: " + inbox("bob@example.org", 1));
        assertEquals(2, stores.inbox("bob@example.org").size());
    }

    @Test
    void dsnAndUtf8ParametersAreAcceptedAndChecked() throws Exception {
        mx();
        t.expect("EHLO c", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250 HELP");
        t.expect("MAIL FROM:<j\u00f6rg@y.example>", "553 5.6.7 Non-ASCII sender address needs the SMTPUTF8 parameter");
        t.expect("MAIL FROM:<x@y.example> FOO=1", "555 5.5.4 Unsupported parameter FOO");
        t.expect("MAIL FROM:<x@y.example> BODY=BINARYMIME", "555 5.5.4 Unsupported BODY type.*");
        t.expect("MAIL FROM:<j\u00f6rg@y.example> SMTPUTF8 RET=HDRS ENVID=QQ+2B314 BODY=8BITMIME", "250 2.1.0 .*");
        t.expect("RCPT TO:<alice@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;alice@example.org", "250 2.1.5 .*");
        t.expect("RCPT TO:<bob@example.org> NOTIFY=SOMETIMES", "501 5.5.4 NOTIFY must be .*");
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: \u00fcber\r\n\r\n\u65e5\u672c\u8a9e\r\n.\r\n", "250 2.0.0 .*");
        String m = inbox("alice@example.org", 0);
        assertTrue(m.startsWith("Return-Path: <j\u00f6rg@y.example>\r\n"), m);
        assertTrue(m.contains(" with UTF8SMTP id "), m);
        assertTrue(m.endsWith("\r\nSubject: \u00fcber\r\n\r\n\u65e5\u672c\u8a9e\r\n"), m);
    }

    @Test
    void tooManyRecipientsAndTooManyErrors() {
        settings = settings.withLimits(2, 5);
        mx();
        t.expectRaw("HELO c\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
                + "RCPT TO:<carol@example.org>\r\n", "250 .*", "250 .*", "250 .*", "250 .*",
                "452 4.5.3 Too many recipients \\(at most 2 per message\\)");
        t.expect("RCPT TO:<nobody@example.org>", "452 4.5.3 .*");
        t.expect("RCPT TO:<nobody@example.org> FOO=BAR", "555 5.5.4 .*");
        t.expect("FOO", "500 5.5.2 .*");
        t.expect("BAR", "500 5.5.2 .*");
        t.expect("BAZ", "500 5.5.2 .*");
        t.expect("QUX", "500 5.5.2 .*", "421 4.7.0 mx.test Too many errors, closing connection");
        assertFalse(t.ch.isOpen());
    }

    @Test
    void slowClientsTimeOut() {
        settings = settings.withTimeouts(30, 10);
        mx();
        t.ch.advanceTimeBy(20, TimeUnit.SECONDS);
        t.settle();
        t.expectNow();
        t.expectRaw("HELO c\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n", "250 .*", "250 .*",
                "250 .*", "354 .*");
        for (int i = 0; i < 20; i++) {
            t.ch.advanceTimeBy(1, TimeUnit.SECONDS);
            t.ch.runPendingTasks();
        }
        t.expectNow("421 4.4.2 mx.test Timeout exceeded, closing connection");
        assertFalse(t.ch.isOpen());
    }

    @Test
    void closeRequestSaysGoodbye() {
        mx();
        t.ch.pipeline().fireUserEventTriggered(new CloseRequest(CloseRequest.Cause.SHUTDOWN, "Server shutting down"));
        t.settle();
        t.expectNow("421 4.3.2 mx.test Server shutting down");
        assertFalse(t.ch.isOpen());
    }

    @Test
    void startTlsDiscardsPipelinedInputAndResetsTheSession() {
        open("smtp", c -> c.starttls = true);
        t.expect("EHLO c", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250-STARTTLS", "250-AUTH PLAIN LOGIN", "250 HELP");
        t.expectRaw("STARTTLS\r\nMAIL FROM:<injected@x.example>\r\n", "220 2.0.0 Ready to start TLS");
        assertEquals(1, t.conn.startTlsCalls);
        t.expect("MAIL FROM:<x@y.example>", "503 5.5.1 Send HELO/EHLO first");
        t.expect("EHLO c", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250-AUTH PLAIN LOGIN", "250 HELP");
        t.expect("STARTTLS", "503 5.5.1 TLS is already active");
    }

    // ------------------------------------------------------------------ submission

    /** A submission session from 192.0.2.9 that may STARTTLS, before TLS and EHLO. */
    private SmtpTester submissionBeforeTls() {
        open("smtp", c -> {
            c.properties.put("smtp.role", "submission");
            c.starttls = true;
            c.plaintext = false;
            c.remoteHost = "192.0.2.9";
        });
        return t;
    }

    @Test
    void submissionRequiresTlsAndAuthentication() throws Exception {
        submissionBeforeTls();
        t.expect("EHLO c", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250-STARTTLS", "250 HELP");
        t.expect("MAIL FROM:<alice@example.org>", "530 5.7.0 Must issue a STARTTLS command first");
        t.expect("STARTTLS", "220 2.0.0 Ready to start TLS");
        t.expect("EHLO c", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250-AUTH PLAIN LOGIN", "250 HELP");
        t.expect("MAIL FROM:<alice@example.org>", "530 5.7.0 Authentication required");
        t.expect("AUTH PLAIN " + b64("\0alice@example.org\0wrong"), "535 5.7.8 Authentication credentials invalid");
        t.expect("AUTH PLAIN", "334 ");
        t.expect("*", "501 5.0.0 Authentication cancelled");
        t.expect("AUTH PLAIN " + b64("\0alice@example.org\0alice-pw"), "235 2.7.0 Authentication successful");
        assertEquals("alice@example.org", t.conn.user);
        t.expect("AUTH PLAIN " + b64("\0alice@example.org\0alice-pw"), "503 5.5.1 Already authenticated");
        t.expect("MAIL FROM:<alice@example.org>", "250 2.1.0 .*");
        t.expect("RCPT TO:<friend@elsewhere.example>",
                "451 4.3.0 <friend@elsewhere.example>: Mail for remote domains cannot be accepted yet \\(no outbound queue\\); try again later");
        t.expect("RCPT TO:<bob@example.org>", "250 2.1.5 .*");
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: s\r\n\r\nsubmitted\r\n.\r\n", "250 2.0.0 .*");
        assertTrue(inbox("bob@example.org", 0).contains(" with ESMTPSA id "));
    }

    @Test
    void authLoginTakesTwoSteps() {
        submissionBeforeTls();
        t.expect("STARTTLS", "220 2.0.0 Ready to start TLS");
        t.expect("EHLO c", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250-AUTH PLAIN LOGIN", "250 HELP");
        t.expect("AUTH LOGIN", "334 VXNlcm5hbWU6");
        t.expect(b64("bob@example.org"), "334 UGFzc3dvcmQ6");
        t.expect(b64("bob-pw"), "235 2.7.0 Authentication successful");
    }

    // ------------------------------------------------------------------ LMTP

    @Test
    void lmtpGivesOneReplyPerRecipient() throws Exception {
        open("lmtp", c -> { });
        t.expect("EHLO c", "500 5.5.1 This is LMTP: use LHLO \\(RFC 2033\\)");
        t.expect("LHLO mta.example", "250-mx.test Hello mta.example \\[127.0.0.1\\]", "250-PIPELINING", "250-SIZE \\d+",
                "250-8BITMIME", "250-SMTPUTF8", "250-ENHANCEDSTATUSCODES", "250-CHUNKING", "250-DSN", "250 HELP");
        t.expectRaw("MAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<nobody@example.org>\r\n"
                        + "RCPT TO:<bob@example.org>\r\nRCPT TO:<x@remote.example>\r\nDATA\r\n",
                "250 2.1.0 .*", "250 2.1.5 .*", "550 5.1.1 .*", "250 2.1.5 .*", "550 5.1.2 .*", "354 .*");
        t.expectRaw("Subject: l\r\n\r\nlmtp\r\n.\r\n", "250 2.0.0 <alice@example.org> Ok: delivered as \\w+",
                "250 2.0.0 <bob@example.org> Ok: delivered as \\w+");
        assertTrue(inbox("alice@example.org", 0).contains(" with LMTP id "));
        assertEquals(1, stores.inbox("bob@example.org").size());
    }

    @Test
    void lmtpReportsEachRecipientsDeliveryFailure() throws Exception {
        // a delivery service that fails for bob only, after resolution said yes
        LocalDelivery failing = new LocalDelivery() {
            @Override
            public Resolution resolve(String address) {
                return delivery.resolve(address);
            }

            @Override
            public DeliveryResult deliver(String recipient, String mailbox, MessageSource message) {
                if (recipient.startsWith("bob")) {
                    return DeliveryResult.failed(DeliveryResult.Status.OVER_QUOTA, "quota exceeded");
                }
                return delivery.deliver(recipient, mailbox, message);
            }
        };
        open(new SmtpServer(settings, auth, SaslAccess.create(auth), failing, services), "lmtp", c -> { });
        t.expectRaw("LHLO m\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
                        + "RCPT TO:<carol@example.org>\r\nDATA\r\n", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250-.*", "250-.*", "250-.*", "250 HELP", "250 .*", "250 .*", "250 .*", "250 .*", "354 .*");
        t.expectRaw("Subject: l\r\n\r\nlmtp\r\n.\r\n", "250 2.0.0 <alice@example.org> .*",
                "552 5.2.2 <bob@example.org> Mailbox full: quota exceeded", "250 2.0.0 <carol@example.org> .*");
        assertEquals(1, stores.inbox("alice@example.org").size());
        assertEquals(1, stores.inbox("carol@example.org").size());
        t.close();
        t = null;
        // the same over SMTP: one reply, not 250, but the other copies are not lost
        open(new SmtpServer(settings, auth, SaslAccess.create(auth), failing, services), "smtp", c -> { });
        t.expectRaw("HELO m\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
                + "DATA\r\n", "250 .*", "250 .*", "250 .*", "250 .*", "354 .*");
        t.expectRaw("Subject: l\r\n\r\nsmtp\r\n.\r\n",
                "552 5.2.2 \\(delivered to 1 of 2 recipients\\) Mailbox full: quota exceeded");
        assertEquals(2, stores.inbox("alice@example.org").size());
    }

    @Test
    void aLargeMessageIsSpooledNotHeld() throws Exception {
        mx();
        t.expectRaw("HELO c\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\n", "250 .*", "250 .*",
                "250 .*", "354 .*");
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < 76; i++) {
            line.append((char) ('A' + i % 26));
        }
        byte[] l = (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
        int lines = 3 * 1024 * 1024 / l.length;
        byte[] block = new byte[l.length * 1000];
        for (int i = 0; i < 1000; i++) {
            System.arraycopy(l, 0, block, i * l.length, l.length);
        }
        for (int i = 0; i < lines / 1000; i++) {
            t.write(block);
        }
        t.expectRaw(".\r\n", "250 2.0.0 .*");
        byte[] stored = stores.inbox("carol@example.org").get(0);
        assertTrue(stored.length > (lines / 1000) * block.length);
        assertTrue(new String(stored, StandardCharsets.US_ASCII).endsWith("\r\n" + line + "\r\n"));
    }
}
