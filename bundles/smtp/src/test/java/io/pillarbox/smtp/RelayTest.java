package io.pillarbox.smtp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Relaying through the outbound queue, relay networks, and the sender/login match. */
class RelayTest extends SessionFixture {

    private final RecordingQueue queue = new RecordingQueue();

    @Test
    void authenticatedSubmissionRelaysThroughOneEnqueueAndDeliversLocalCopies() throws Exception {
        submission();
        login("alice@example.org", "alice-pw");
        t.expect("MAIL FROM:<alice@example.org>", "250 2.1.0 .*");
        // no queue: today's temporary refusal
        t.expect("RCPT TO:<friend@elsewhere.example>",
                "451 4.3.0 <friend@elsewhere.example>: Mail for remote domains cannot be accepted yet \\(no outbound queue\\); try again later");
        services.bindQueue(queue);
        t.expect("RCPT TO:<friend@elsewhere.example> NOTIFY=FAILURE", "250 2.1.5 Recipient <friend@elsewhere.example> ok \\(relayed\\)");
        t.expect("RCPT TO:<bob@example.org>", "250 2.1.5 .*");
        t.expect("RCPT TO:<other@ELSEWHERE.example>", "250 2.1.5 .*");
        t.expect("RCPT TO:<friend@elsewhere.example>", "250 2.1.5 .*");
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: out\r\n\r\n..dotted\r\nrelayed\r\n.\r\n", "250 2.0.0 Ok: queued as Q1");
        assertEquals(1, queue.calls.size(), "one enqueue for all remote recipients");
        RecordingQueue.Call c = queue.calls.get(0);
        assertEquals("alice@example.org", c.sender());
        assertEquals(List.of("friend@elsewhere.example", "other@ELSEWHERE.example"), c.recipients());
        assertTrue(c.message().startsWith("Received: from c ([192.0.2.9])\r\n\tby mx.test (Pillarbox) with ESMTPSA id "),
                "the queue gets the Received: header but no Return-Path: " + c.message());
        assertFalse(c.message().contains("Return-Path:"), c.message());
        assertTrue(c.message().endsWith("\r\nSubject: out\r\n\r\n.dotted\r\nrelayed\r\n"), c.message());
        assertEquals(c.message().getBytes(java.nio.charset.StandardCharsets.UTF_8).length, c.size());
        String local = inbox("bob@example.org", 0);
        assertTrue(local.startsWith("Return-Path: <alice@example.org>\r\nReceived: "), local);
        assertTrue(local.endsWith(c.message()), "the local copy is the queued message plus Return-Path");
        // the next transaction only local: no enqueue
        t.expectRaw("MAIL FROM:<alice@example.org>\r\nRCPT TO:<carol@example.org>\r\nBDAT 3 LAST\r\nx\r\n",
                "250 .*", "250 .*", "250 2.0.0 Ok: delivered as \\w+");
        assertEquals(1, queue.calls.size());
        // BDAT with a remote recipient
        t.expectRaw("MAIL FROM:<alice@example.org>\r\nRCPT TO:<x@remote.example>\r\nBDAT 3\r\nab\rBDAT 2 LAST\r\n\nc",
                "250 .*", "250 .*", "250 2.0.0 3 octets received", "250 2.0.0 Ok: queued as Q2");
        assertTrue(queue.calls.get(1).message().endsWith("\r\nab\r\nc"), queue.calls.get(1).message());
    }

    @Test
    void aFailingQueueGivesFourFiftyOneAndDeliversNoLocalCopy() throws Exception {
        queue.failWith = new IOException("disk full");
        services.bindQueue(queue);
        submission();
        login("alice@example.org", "alice-pw");
        t.expectRaw("MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<x@remote.example>\r\n"
                + "DATA\r\n", "250 .*", "250 .*", "250 .*", "354 .*");
        t.expectRaw("Subject: s\r\n\r\nbody\r\n.\r\n",
                "451 4.3.0 Cannot queue the message for remote recipients; try again later");
        assertEquals(0, stores.inbox("bob@example.org").size(), "nothing delivered: the retry duplicates nothing");
        // the session goes on; the queue recovers
        queue.failWith = null;
        t.expectRaw("MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<x@remote.example>\r\n"
                + "DATA\r\n", "250 .*", "250 .*", "250 .*", "354 .*");
        t.expectRaw("Subject: s\r\n\r\nbody\r\n.\r\n", "250 2.0.0 Ok: queued as Q1");
        assertEquals(1, stores.inbox("bob@example.org").size());
    }

    @Test
    void aQueueGoneBeforeTheEndOfDataGivesFourFiftyOne() throws Exception {
        services.bindQueue(queue);
        submission();
        login("bob@example.org", "bob-pw");
        t.expectRaw("MAIL FROM:<bob@example.org>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<x@remote.example>\r\n"
                + "DATA\r\n", "250 .*", "250 .*", "250 .*", "354 .*");
        RecordingQueue other = new RecordingQueue();
        services.bindQueue(other); // greedy replacement: the new one is bound before the old one is unbound
        services.unbindQueue(queue);
        t.expectRaw("Subject: s\r\n\r\nbody\r\n.\r\n", "250 2.0.0 Ok: queued as Q1");
        assertEquals(0, queue.calls.size());
        assertEquals(1, other.calls.size());
        services.unbindQueue(other);
        t.expectRaw("MAIL FROM:<bob@example.org>\r\nRCPT TO:<alice@example.org>\r\n", "250 .*", "250 .*");
        t.expect("RCPT TO:<x@remote.example>", "451 4.3.0 .*no outbound queue.*");
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: s\r\n\r\nlocal only\r\n.\r\n", "250 2.0.0 Ok: delivered as \\w+");
        // a queue that goes away between RCPT and the end of the data
        services.bindQueue(queue);
        t.expectRaw("MAIL FROM:<bob@example.org>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<x@remote.example>\r\n"
                + "DATA\r\n", "250 .*", "250 .*", "250 .*", "354 .*");
        services.unbindQueue(queue);
        t.expectRaw("Subject: s\r\n\r\nbody\r\n.\r\n", "451 4.3.0 Cannot queue .*");
        assertEquals(2, stores.inbox("alice@example.org").size());
    }

    @Test
    void unauthenticatedClientsRelayOnlyFromRelayNetworks() throws Exception {
        services.bindQueue(queue);
        // loopback is not trusted by default
        mx("127.0.0.1");
        t.expectRaw("HELO c\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<someone@elsewhere.example>\r\n", "250 .*", "250 .*",
                "554 5.7.1 <someone@elsewhere.example>: Relay access denied");
        settings = settings.withRelay(Networks.parse(List.of("10.0.0.0/8, 192.0.2.0/25", "2001:db8::/32")), true);
        mx("192.0.2.200");
        t.expectRaw("HELO c\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<someone@elsewhere.example>\r\n", "250 .*", "250 .*",
                "554 5.7.1 .*Relay access denied");
        mx("192.0.2.100");
        t.expectRaw("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<someone@elsewhere.example>\r\nRCPT TO:<carol@example.org>\r\n"
                + "DATA\r\n", "250 .*", "250 .*", "250 2.1.5 .*relayed.*", "250 2.1.5 .*", "354 .*");
        t.expectRaw("Subject: app\r\n\r\nfrom a trusted network\r\n.\r\n", "250 2.0.0 Ok: queued as Q1");
        assertEquals("", queue.calls.get(0).sender(), "the null sender is passed on as an empty string");
        assertEquals(List.of("someone@elsewhere.example"), queue.calls.get(0).recipients());
        assertTrue(queue.calls.get(0).message().startsWith("Received: from c ([192.0.2.100])\r\n"));
        assertEquals(1, stores.inbox("carol@example.org").size());
        // without a queue, a relay network's client gets the temporary refusal
        services.unbindQueue(queue);
        t.expectRaw("MAIL FROM:<x@y.example>\r\nRCPT TO:<someone@elsewhere.example>\r\n", "250 .*", "451 4.3.0 .*");
        services.bindQueue(queue);
        mx("2001:db8:1::5");
        ehlo("EHLO c");
        t.expectRaw("MAIL FROM:<x@y.example>\r\nRCPT TO:<a@elsewhere.example>\r\n", "250 .*", "250 2.1.5 .*");
    }

    @Test
    void lmtpNeverRelays() {
        services.bindQueue(queue);
        settings = settings.withRelay(Networks.parse(List.of("127.0.0.0/8")), true);
        open("lmtp", c -> { });
        t.expectRaw("LHLO m\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<x@remote.example>\r\n", "250-.*", "250-.*", "250-.*",
                "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250 HELP", "250 .*",
                "550 5.1.2 <x@remote.example>: Recipient address rejected: not a local domain");
        t.expect("AUTH PLAIN " + b64("\0alice@example.org\0alice-pw"), "502 5.5.1 AUTH is not available over LMTP");
    }

    @Test
    void anAuthenticatedSenderMustBelongToTheLogin() throws Exception {
        services.bindQueue(queue);
        submission();
        login("alice@example.org", "alice-pw");
        t.expect("MAIL FROM:<bob@example.org>",
                "553 5.7.1 <bob@example.org>: Sender address rejected: not owned by user alice@example.org");
        t.expect("MAIL FROM:<>", "553 5.7.1 The null sender <> is not allowed for authenticated clients");
        t.expect("MAIL FROM:<alice@elsewhere.example>", "553 5.7.1 .*not owned by user alice@example.org");
        t.expect("MAIL FROM:<nobody@example.org>", "553 5.7.1 .*");
        t.expect("MAIL FROM:<ALICE@Example.ORG>", "250 2.1.0 .*");
        t.expect("RSET", "250 .*");
        // an alias that leads to alice, and the postmaster (alice here)
        t.expect("MAIL FROM:<team@example.org>", "250 2.1.0 .*");
        t.expect("RSET", "250 .*");
        t.expect("MAIL FROM:<postmaster@example.org>", "250 2.1.0 .*");
        t.expect("RCPT TO:<x@remote.example>", "250 2.1.5 .*");
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: s\r\n\r\nbody\r\n.\r\n", "250 2.0.0 Ok: queued as Q1");
        assertEquals("postmaster@example.org", queue.calls.get(0).sender());

        // switched off: any sender, but still no null sender on submission
        settings = settings.withRelay(Networks.NONE, false);
        submission();
        login("alice@example.org", "alice-pw");
        t.expect("MAIL FROM:<>", "553 5.7.1 .*");
        t.expect("MAIL FROM:<bob@example.org>", "250 2.1.0 .*");
        // on the MX an authenticated client may then use the null sender
        mx("127.0.0.1");
        ehlo("EHLO c");
        login("carol@example.org", "carol-pw");
        t.expect("MAIL FROM:<>", "250 2.1.0 .*");
        t.expect("RCPT TO:<x@remote.example>", "250 2.1.5 .*");

        // on: the MX checks authenticated clients too, unauthenticated ones keep any sender
        settings = settings.withRelay(Networks.NONE, true);
        mx("127.0.0.1");
        ehlo("EHLO c");
        t.expect("MAIL FROM:<bob@example.org>", "250 2.1.0 .*");
        t.expect("RCPT TO:<x@remote.example>", "554 5.7.1 .*");
        t.expect("RSET", "250 .*");
        login("carol@example.org", "carol-pw");
        t.expect("MAIL FROM:<bob@example.org>", "553 5.7.1 .*");
        t.expect("MAIL FROM:<>", "553 5.7.1 .*");
    }

    @Test
    void relayNetworksParseLiteralsOnly() throws Exception {
        Networks n = Networks.parse(List.of("10.1.0.0/16", "192.0.2.7", "2001:db8::/32 ::1", "example.org",
                "10.0.0.0/33", "1.2.3/8", "", "300.1.1.1", "fe80::/abc"));
        assertEquals("10.1.0.0/16, 192.0.2.7, 2001:db8::/32, ::1", n.toString());
        assertTrue(n.contains(InetAddress.getByName("10.1.255.3")));
        assertFalse(n.contains(InetAddress.getByName("10.2.0.1")));
        assertTrue(n.contains(InetAddress.getByName("192.0.2.7")));
        assertFalse(n.contains(InetAddress.getByName("192.0.2.8")));
        assertTrue(n.contains(InetAddress.getByName("2001:db8:ffff::1")));
        assertFalse(n.contains(InetAddress.getByName("2001:db9::1")));
        assertTrue(n.contains(InetAddress.getByName("::1")));
        assertFalse(n.contains(InetAddress.getByName("127.0.0.1")));
        assertFalse(n.contains(null));
        Networks odd = Networks.parse(List.of("192.0.2.128/25", "0.0.0.0/0"));
        assertTrue(odd.contains(InetAddress.getByName("8.8.8.8")), "0.0.0.0/0 is every IPv4 address");
        assertFalse(Networks.parse(List.of("192.0.2.128/25")).contains(InetAddress.getByName("192.0.2.127")));
        assertTrue(Networks.parse(List.of("192.0.2.128/25")).contains(InetAddress.getByName("192.0.2.255")));
        assertTrue(Networks.parse(List.of()).isEmpty());
    }
}
