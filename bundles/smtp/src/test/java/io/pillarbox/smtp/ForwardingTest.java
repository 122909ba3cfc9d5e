package io.pillarbox.smtp;

import io.pillarbox.api.delivery.DsnRequest;
import io.pillarbox.api.delivery.DsnRequest.Notify;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Aliases forwarding to remote addresses (through the outbound queue), the hop limit, DSN parameters to the queue. */
class ForwardingTest extends SessionFixture {

    private final RecordingQueue queue = new RecordingQueue();

    @BeforeEach
    void aliases() throws Exception {
        // written before the first lookup, so the delivery service reads this version
        Files.writeString(dir.resolve("aliases"), """
                team@example.org: alice@example.org, bob@example.org
                fwd@example.org: Alice@Elsewhere.net
                mix@example.org: carol@example.org, friend@remote.test, fwd@example.org
                loop1@example.org: loop2@example.org
                loop2@example.org: loop1@example.org, back@remote.test
                """);
    }

    @Test
    void notifySuccessOnALocalDeliveryAsksTheQueueForADeliveredNotice() throws Exception {
        services.bindQueue(queue);
        mx("198.51.100.7");
        ehlo("EHLO c");
        t.expect("MAIL FROM:<stranger@outside.example> ENVID=E1", "250 2.1.0 .*");
        t.expect("RCPT TO:<alice@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+2Bb@example.org", "250 2.1.5 .*");
        t.expect("RCPT TO:<bob@example.org> NOTIFY=FAILURE", "250 2.1.5 .*");
        t.expect("RCPT TO:<fwd@example.org> NOTIFY=SUCCESS", "250 2.1.5 .*forwarded.*");
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: n\r\n\r\nnotify\r\n.\r\n", "250 2.0.0 Ok: queued as Q1");
        assertEquals(1, queue.delivered.size());
        RecordingQueue.Call c = queue.delivered.get(0);
        assertEquals("stranger@outside.example", c.sender());
        assertEquals(List.of("alice@example.org"), c.recipients(), "bob asked for no success notice; fwd is the "
                + "queue's (its NOTIFY went on with the forwarded copy)");
        assertEquals("E1", c.dsn().envelopeId());
        assertEquals("rfc822;a+2Bb@example.org", c.dsn().recipient("alice@example.org").originalRecipient());
        assertTrue(c.message().startsWith("Received: from c ([198.51.100.7])"), c.message());
        assertTrue(c.message().contains("Subject: n\r\n"), c.message());
        assertEquals(1, stores.inbox("alice@example.org").size());

        // a failing notice changes nothing for the message; nor is anything asked for the null sender
        queue.failWith = new java.io.IOException("sender unavailable");
        t.expect("MAIL FROM:<stranger@outside.example>", "250 2.1.0 .*");
        t.expect("RCPT TO:<alice@example.org> NOTIFY=SUCCESS", "250 2.1.5 .*");
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: n2\r\n\r\nnotify\r\n.\r\n", "250 2.0.0 Ok: delivered as .*");
        queue.failWith = null;
        t.expect("MAIL FROM:<>", "250 2.1.0 .*");
        t.expect("RCPT TO:<alice@example.org> NOTIFY=SUCCESS", "250 2.1.5 .*");
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: n3\r\n\r\nnotify\r\n.\r\n", "250 2.0.0 Ok: delivered as .*");
        assertEquals(1, queue.delivered.size());
        assertEquals(3, stores.inbox("alice@example.org").size());
    }

    @Test
    void withSrsForwardedCopiesGetARewrittenSenderAndRelayedOnesKeepTheirs() throws Exception {
        delivery = io.pillarbox.delivery.DeliveryAccess.createWithSrs(auth, stores, List.of("example.org"),
                dir.resolve("aliases"), "alice@example.org", "example.org");
        services.bindQueue(queue);
        settings = settings.withRelay(Networks.parse(List.of("192.0.2.0/24")), true);
        mx("192.0.2.9");
        ehlo("EHLO c");
        t.expect("MAIL FROM:<app@partner.example>", "250 2.1.0 .*");
        t.expect("RCPT TO:<fwd@example.org>", "250 2.1.5 .*forwarded.*");
        t.expect("RCPT TO:<someone@elsewhere.example>", "250 2.1.5 .*relayed.*");
        t.expect("RCPT TO:<carol@example.org>", "250 2.1.5 .*");
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: srs\r\n\r\nbody\r\n.\r\n", "250 2.0.0 Ok: queued as Q1");
        assertEquals(2, queue.calls.size());
        assertEquals("app@partner.example", queue.calls.get(0).sender());
        assertEquals(List.of("someone@elsewhere.example"), queue.calls.get(0).recipients());
        RecordingQueue.Call fwd = queue.calls.get(1);
        assertTrue(fwd.sender().matches("SRS0=[A-Z2-7]{5}=[A-Z2-7]{2}=partner\\.example=app@example\\.org"),
                fwd.sender());
        assertEquals(List.of("Alice@Elsewhere.net"), fwd.recipients());
        assertEquals(fwd.message(), queue.calls.get(0).message());
        assertTrue(inbox("carol@example.org", 0).startsWith("Return-Path: <app@partner.example>\r\n"),
                "local copies keep the sender");
        // the bounce to the rewritten sender, from anyone, is forwarded to the original sender with <>
        mx("198.51.100.7");
        ehlo("EHLO far");
        t.expect("MAIL FROM:<>", "250 2.1.0 .*");
        t.expect("RCPT TO:<" + fwd.sender() + ">", "250 2.1.5 .*forwarded.*");
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: bounce\r\n\r\nno such user\r\n.\r\n", "250 2.0.0 Ok: queued as Q3");
        assertEquals("", queue.calls.get(2).sender());
        assertEquals(List.of("app@partner.example"), queue.calls.get(2).recipients());
        // a sender of ours is not rewritten: one enqueue
        t.expect("MAIL FROM:<bob@example.org>", "250 2.1.0 .*");
        t.expect("RCPT TO:<fwd@example.org>", "250 2.1.5 .*forwarded.*");
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: own\r\n\r\nbody\r\n.\r\n", "250 2.0.0 Ok: queued as Q4");
        assertEquals("bob@example.org", queue.calls.get(3).sender());
    }

    @Test
    void anUnauthenticatedMxClientReachesAForwardingAliasThroughOneEnqueue() throws Exception {
        services.bindQueue(queue);
        mx("198.51.100.7");
        ehlo("EHLO c");
        t.expect("MAIL FROM:<stranger@outside.example> RET=FULL ENVID=QQ+2B1", "250 2.1.0 .*");
        t.expect("RCPT TO:<fwd@example.org> NOTIFY=FAILURE,DELAY", "250 2.1.5 Recipient <fwd@example.org> ok \\(forwarded\\)");
        t.expect("RCPT TO:<mix@example.org>", "250 2.1.5 .*forwarded.*");
        t.expect("RCPT TO:<nobody@remote.test>", "554 5.7.1 .*Relay access denied");
        t.expect("RCPT TO:<loop1@example.org>", "250 2.1.5 .*");
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: fwd\r\n\r\nforwarded\r\n.\r\n", "250 2.0.0 Ok: queued as Q1");
        assertEquals(1, queue.calls.size(), "one enqueue for every remote target");
        RecordingQueue.Call c = queue.calls.get(0);
        assertEquals("stranger@outside.example", c.sender(), "the envelope sender stays the original one (no SRS)");
        assertEquals(List.of("Alice@Elsewhere.net", "friend@remote.test", "back@remote.test"), c.recipients(),
                "targets of several aliases, duplicates once, the alias loop cut");
        assertTrue(c.message().startsWith("Received: from c ([198.51.100.7])"), c.message());
        assertFalse(c.message().contains("Return-Path:"));
        DsnRequest dsn = c.dsn();
        assertEquals("QQ+2B1", dsn.envelopeId());
        assertEquals(DsnRequest.Return.FULL, dsn.ret());
        assertEquals(Set.of(Notify.FAILURE, Notify.DELAY), dsn.recipient("alice@elsewhere.net").notifications());
        assertEquals("rfc822;fwd@example.org", dsn.recipient("Alice@Elsewhere.net").originalRecipient(),
                "an expanded alias keeps the original recipient (RFC 3461 6.2)");
        assertEquals(Set.of(), dsn.recipient("friend@remote.test").notifications());
        assertEquals("rfc822;mix@example.org", dsn.recipient("friend@remote.test").originalRecipient());
        assertEquals(1, stores.inbox("carol@example.org").size(), "the local target of the mixed alias");
        assertTrue(inbox("carol@example.org", 0).startsWith("Return-Path: <stranger@outside.example>\r\n"));
    }

    @Test
    void withoutAQueueAForwardingAliasIsATemporaryFailure() throws Exception {
        mx("198.51.100.7");
        t.expectRaw("HELO c\r\nMAIL FROM:<x@outside.example>\r\n", "250 .*", "250 .*");
        t.expect("RCPT TO:<fwd@example.org>",
                "451 4.3.0 <fwd@example.org>: forwarding to a remote address needs the outbound queue; try again later");
        t.expect("RCPT TO:<mix@example.org>", "451 4.3.0 .*");
        t.expect("RCPT TO:<team@example.org>", "250 2.1.5 Recipient <team@example.org> ok");
        // bound between RCPT and the end of the data: still works; gone again: 451 with no local copy
        services.bindQueue(queue);
        t.expect("RCPT TO:<mix@example.org>", "250 .*");
        services.unbindQueue(queue);
        t.expect("DATA", "354 .*");
        t.expectRaw("Subject: s\r\n\r\nx\r\n.\r\n", "451 4.3.0 Cannot queue .*");
        assertEquals(0, stores.inbox("carol@example.org").size());
        assertEquals(0, stores.inbox("alice@example.org").size());
    }

    @Test
    void fiftyReceivedHeadersAreAForwardingLoop() throws Exception {
        services.bindQueue(queue);
        mx("198.51.100.7");
        StringBuilder hops = new StringBuilder();
        for (int i = 0; i < 49; i++) {
            hops.append(i % 2 == 0 ? "Received: " : "RECEIVED :").append("from h").append(i).append("\r\n\tby x\r\n");
        }
        t.expectRaw("HELO c\r\nMAIL FROM:<x@outside.example>\r\nRCPT TO:<fwd@example.org>\r\nDATA\r\n", "250 .*",
                "250 .*", "250 .*", "354 .*");
        t.expectRaw(hops + "Subject: 49\r\n\r\nReceived: in the body does not count\r\n.\r\n",
                "250 2.0.0 Ok: queued as Q1");
        t.expectRaw("MAIL FROM:<x@outside.example>\r\nRCPT TO:<fwd@example.org>\r\nRCPT TO:<team@example.org>\r\n"
                + "DATA\r\n", "250 .*", "250 .*", "250 .*", "354 .*");
        t.expectRaw("Received: one more\r\n" + hops + "Subject: 50\r\n\r\nx\r\n.\r\n",
                "554 5.4.6 Too many hops \\(50 Received: headers\\): mail forwarding loop");
        assertEquals(1, queue.calls.size());
        assertEquals(0, stores.inbox("alice@example.org").size(), "refused as a whole, no local copy either");
        // LMTP: one reply per recipient
        open("lmtp", c -> { });
        ehlo("LHLO c");
        t.expectRaw("MAIL FROM:<x@outside.example>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
                + "DATA\r\n", "250 .*", "250 .*", "250 .*", "354 .*");
        t.expectRaw("Received: one more\r\n" + hops + "\r\nx\r\n.\r\n", "554 5.4.6 .*", "554 5.4.6 .*");
    }

    @Test
    void dsnParametersOfRelayedRecipientsReachTheQueue() throws Exception {
        services.bindQueue(queue);
        submission();
        login("alice@example.org", "alice-pw");
        t.expectRaw("MAIL FROM:<alice@example.org> RET=HDRS\r\nRCPT TO:<a@remote.test> NOTIFY=NEVER ORCPT=rfc822;a+2Bx@remote.test\r\n"
                + "RCPT TO:<b@remote.test>\r\nDATA\r\n", "250 .*", "250 .*", "250 .*", "354 .*");
        t.expectRaw("Subject: s\r\n\r\nx\r\n.\r\n", "250 2.0.0 Ok: queued as Q1");
        DsnRequest dsn = queue.calls.get(0).dsn();
        assertNull(dsn.envelopeId());
        assertEquals(DsnRequest.Return.HDRS, dsn.ret());
        assertEquals(Set.of(Notify.NEVER), dsn.recipient("a@remote.test").notifications());
        assertFalse(dsn.recipient("a@remote.test").reportFailure());
        assertEquals("rfc822;a+2Bx@remote.test", dsn.recipient("a@remote.test").originalRecipient());
        assertEquals(DsnRequest.Recipient.NONE, dsn.recipient("b@remote.test"));
        assertTrue(dsn.recipient("b@remote.test").reportFailure());
        t.expectRaw("MAIL FROM:<alice@example.org>\r\nRCPT TO:<c@remote.test>\r\nDATA\r\n", "250 .*", "250 .*",
                "354 .*");
        t.expectRaw("Subject: s\r\n\r\nx\r\n.\r\n", "250 2.0.0 Ok: queued as Q2");
        assertNull(queue.calls.get(1).dsn().ret(), "RET not given");
    }

    @Test
    void lmtpForwardsToo() throws Exception {
        services.bindQueue(queue);
        open("lmtp", c -> { });
        ehlo("LHLO c");
        t.expectRaw("MAIL FROM:<x@outside.example>\r\nRCPT TO:<fwd@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
                + "DATA\r\n", "250 .*", "250 .*", "250 .*", "354 .*");
        t.expectRaw("Subject: l\r\n\r\nx\r\n.\r\n", "250 2.0.0 <fwd@example.org> .*", "250 2.0.0 <bob@example.org> .*");
        assertEquals(List.of("Alice@Elsewhere.net"), queue.calls.get(0).recipients());
        assertEquals(1, stores.inbox("bob@example.org").size());
        queue.failWith = new java.io.IOException("disk full");
        t.expectRaw("MAIL FROM:<x@outside.example>\r\nRCPT TO:<fwd@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
                + "DATA\r\n", "250 .*", "250 .*", "250 .*", "354 .*");
        t.expectRaw("Subject: l\r\n\r\nx\r\n.\r\n", "451 4.3.0 .*", "451 4.3.0 .*");
        assertEquals(1, stores.inbox("bob@example.org").size());
    }
}
