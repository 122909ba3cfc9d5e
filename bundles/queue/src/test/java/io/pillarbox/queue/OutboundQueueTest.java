package io.pillarbox.queue;

import io.pillarbox.api.delivery.DsnRequest;
import io.pillarbox.api.delivery.OutboundQueue.QueuedMessage;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MessageSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.pillarbox.queue.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutboundQueueTest {

    @TempDir
    Path dir;

    private TestDns dns;
    private SmtpPeer peer;
    private final TestSupport.Local local = new TestSupport.Local();
    private final TestSupport.Metrics metrics = new TestSupport.Metrics();
    private final List<OutboundQueueImpl> queues = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        dns = new TestDns();
        dns.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.1");
        peer = new SmtpPeer(false);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (OutboundQueueImpl q : queues) {
            q.deactivate();
        }
        peer.close();
        dns.close();
    }

    private OutboundQueueImpl queue(Object... keyValues) throws Exception {
        return queue(peer, keyValues);
    }

    private OutboundQueueImpl queue(SmtpPeer p, Object... keyValues) throws Exception {
        Map<String, Object> c = new HashMap<>();
        c.put("spoolDirectory", dir.resolve("spool").toString());
        c.put("hostname", "queue.test");
        c.put("dnsServers", new String[]{dns.address()});
        c.put("remotePort", p.port());
        c.put("retrySchedule", "1h");
        c.put("connectTimeout", "5s");
        c.put("commandTimeout", "10s");
        c.put("dnsTimeout", "2s");
        c.put("tls", "none");
        for (int i = 0; i < keyValues.length; i += 2) {
            c.put((String) keyValues[i], keyValues[i + 1]);
        }
        OutboundQueueImpl q = new OutboundQueueImpl();
        q.localDelivery = local;
        q.metrics = metrics;
        q.activate(TestSupport.config(c));
        queues.add(q);
        return q;
    }

    private void stop(OutboundQueueImpl q) {
        q.deactivate();
        queues.remove(q);
    }

    static byte[] message(String subject, String body) {
        return ("From: Alice <alice@local.test>\r\nTo: bob@example.test\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.hashCode() + "@local.test>\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void awaitEmpty(OutboundQueueImpl q) throws InterruptedException {
        await("an empty queue (" + q.list() + ")", 15000, () -> q.list().isEmpty());
    }

    private static QueuedMessage awaitAttempts(OutboundQueueImpl q, String id, int attempts) throws InterruptedException {
        await(id + " attempted " + attempts + " time(s)", 15000,
                () -> q.find(id).map(m -> m.attempts() >= attempts).orElse(false));
        return q.find(id).orElseThrow();
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void deliversToTheMxAndRemovesTheMessage() throws Exception {
        OutboundQueueImpl q = queue();
        byte[] m = message("hello", "Hi Bob,\r\nthis is a test.\r\n");
        String id = q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(m));
        awaitEmpty(q);
        assertEquals(1, peer.received.size());
        SmtpPeer.Received r = peer.received.get(0);
        assertEquals("<alice@local.test> SIZE=" + m.length, r.mailFrom());
        assertEquals(List.of("bob@example.test"), r.rcptTo());
        assertArrayEquals(m, r.raw());
        assertEquals("EHLO queue.test", peer.commands.get(0));
        assertEquals("QUIT", peer.commands.get(peer.commands.size() - 1));
        assertTrue(dns.queries.contains("MX example.test"), dns.queries.toString());
        assertEquals(1, metrics.get("queue", MailMetrics.MESSAGES_SENT));
        assertFalse(Files.exists(dir.resolve("spool/env/" + id)));
        assertFalse(Files.exists(dir.resolve("spool/msg/" + id)));
    }

    @Test
    void dotStuffingIsByteExact() throws Exception {
        OutboundQueueImpl q = queue();
        String body = ".starts with a dot\r\n..two dots\r\n.\r\nmiddle . dot\r\n. \r\n.\r\n";
        byte[] m = message("dots", body);
        q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(m));
        awaitEmpty(q);
        byte[] expected = message("dots", "..starts with a dot\r\n...two dots\r\n..\r\nmiddle . dot\r\n.. \r\n..\r\n");
        assertArrayEquals(expected, peer.received.get(0).raw());
        assertArrayEquals(m, peer.received.get(0).unstuffed());
    }

    @Test
    void bareLineFeedsAndAMissingLastLineEndAreFixed() throws Exception {
        OutboundQueueImpl q = queue();
        byte[] m = "Subject: lf\n\n.line one\nline two".getBytes(StandardCharsets.US_ASCII);
        q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(m));
        awaitEmpty(q);
        assertEquals("Subject: lf\r\n\r\n..line one\r\nline two\r\n", text(peer.received.get(0).raw()));
    }

    @Test
    void eightBitMessagesAreDeclared() throws Exception {
        OutboundQueueImpl q = queue();
        byte[] m = message("8bit", "Grüße\r\n");
        q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(m));
        awaitEmpty(q);
        assertTrue(peer.received.get(0).mailFrom().endsWith(" BODY=8BITMIME"), peer.received.get(0).mailFrom());
    }

    @Test
    void perRecipient550BouncesToTheLocalSender() throws Exception {
        peer.rcptReply = a -> a.startsWith("bad@") ? "550 5.1.1 <" + a + ">: Recipient address rejected: No such user"
                : "250 2.1.5 Ok";
        OutboundQueueImpl q = queue();
        byte[] m = message("partly", "body\r\n");
        String id = q.enqueue("alice@local.test", List.of("good@example.test", "bad@example.test"),
                MessageSource.of(m));
        awaitEmpty(q);
        assertEquals(List.of("good@example.test"), peer.received.get(0).rcptTo());
        List<byte[]> inbox = local.inbox("alice@local.test");
        assertEquals(1, inbox.size());
        String dsn = text(inbox.get(0));
        assertTrue(dsn.startsWith("From: Mail Delivery System <MAILER-DAEMON@queue.test>\r\n"), dsn);
        assertTrue(dsn.contains("Content-Type: multipart/report; report-type=delivery-status;"), dsn);
        assertTrue(dsn.contains("Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; queue.test\r\n"), dsn);
        assertTrue(dsn.contains("X-Pillarbox-Queue-ID: " + id + "\r\n"), dsn);
        assertTrue(dsn.contains("\r\nFinal-Recipient: rfc822; bad@example.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                + "Remote-MTA: dns; mx.example.test\r\nDiagnostic-Code: smtp; 550 5.1.1 <bad@example.test>: "
                + "Recipient address rejected: No such user\r\n"), dsn);
        assertFalse(dsn.contains("Final-Recipient: rfc822; good@example.test"), dsn);
        assertTrue(dsn.contains("<bad@example.test>: host mx.example.test[127.0.0.1] said: 550 5.1.1"), dsn);
        assertTrue(dsn.contains("Content-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "From: Alice <alice@local.test>\r\nTo: bob@example.test\r\nSubject: partly\r\n"), dsn);
        assertFalse(dsn.contains("body\r\n"), "only the headers are returned");
        assertEquals(1, metrics.get("queue", MailMetrics.MESSAGES_SENT));
        assertEquals(1, metrics.get("queue", MailMetrics.MESSAGES_BOUNCED));
    }

    private static DsnRequest dsn(String envid, DsnRequest.Return ret, Object... addressNotifyOrcpt) {
        Map<String, DsnRequest.Recipient> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < addressNotifyOrcpt.length; i += 3) {
            m.put((String) addressNotifyOrcpt[i], new DsnRequest.Recipient(
                    DsnRequest.Recipient.parseNotify((String) addressNotifyOrcpt[i + 1]), (String) addressNotifyOrcpt[i + 2]));
        }
        return new DsnRequest(envid, ret, m);
    }

    @Test
    void dsnParametersGoOnlyToANextHopOfferingDsn() throws Exception {
        peer.offerDsn = true;
        OutboundQueueImpl q = queue();
        byte[] m = message("dsn", "x\r\n");
        q.enqueue("alice@local.test", List.of("bob@example.test", "carol@example.test", "dan@example.test"),
                MessageSource.of(m), dsn("ab+2Bc", DsnRequest.Return.FULL,
                        "BOB@example.test", "DELAY,FAILURE", "rfc822;orig@local.test",
                        "carol@example.test", "NEVER", null));
        awaitEmpty(q);
        assertTrue(peer.commands.contains("MAIL FROM:<alice@local.test> SIZE=" + m.length + " RET=FULL ENVID=ab+2Bc"),
                peer.commands.toString());
        assertTrue(peer.commands.contains("RCPT TO:<bob@example.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;orig@local.test"),
                peer.commands.toString());
        assertTrue(peer.commands.contains("RCPT TO:<carol@example.test> NOTIFY=NEVER"), peer.commands.toString());
        assertTrue(peer.commands.contains("RCPT TO:<dan@example.test>"), "no parameters: none added");
        // a next hop without DSN gets none of them
        peer.offerDsn = false;
        peer.commands.clear();
        q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(m),
                dsn("e1", DsnRequest.Return.HDRS, "bob@example.test", "FAILURE", "rfc822;orig@local.test"));
        awaitEmpty(q);
        assertTrue(peer.commands.contains("MAIL FROM:<alice@local.test> SIZE=" + m.length), peer.commands.toString());
        assertTrue(peer.commands.contains("RCPT TO:<bob@example.test>"), peer.commands.toString());
    }

    @Test
    void retFullEnvidAndOrcptInTheBounce() throws Exception {
        peer.rcptReply = a -> a.startsWith("bad@") ? "550 5.1.1 No such user" : "250 2.1.5 Ok";
        OutboundQueueImpl q = queue();
        byte[] m = message("full", "the whole body\r\n.. dotted\r\n");
        q.enqueue("alice@local.test", List.of("bad@example.test"), MessageSource.of(m),
                dsn("my+2Benvelope", DsnRequest.Return.FULL, "bad@example.test", null, "rfc822;list+2Bx@local.test"));
        awaitEmpty(q);
        String dsn = text(local.inbox("alice@local.test").get(0));
        assertTrue(dsn.contains("Content-Type: message/delivery-status\r\n\r\nOriginal-Envelope-Id: my+envelope\r\n"
                + "Reporting-MTA: dns; queue.test\r\n"), dsn);
        assertTrue(dsn.contains("\r\nOriginal-Recipient: rfc822;list+x@local.test\r\nFinal-Recipient: rfc822; "
                + "bad@example.test\r\nAction: failed\r\n"), dsn);
        assertTrue(dsn.contains("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + text(m) + "\r\n--"), "RET=FULL returns the whole message: " + dsn);
        assertFalse(dsn.contains("text/rfc822-headers"), dsn);
        // RET=HDRS (and no RET) only the headers
        q.enqueue("alice@local.test", List.of("bad@example.test"), MessageSource.of(m),
                dsn(null, DsnRequest.Return.HDRS));
        awaitEmpty(q);
        String hdrs = text(local.inbox("alice@local.test").get(1));
        assertTrue(hdrs.contains("Content-Type: text/rfc822-headers"), hdrs);
        assertFalse(hdrs.contains("the whole body"), hdrs);
        assertFalse(hdrs.contains("Original-Envelope-Id"), hdrs);
        assertFalse(hdrs.contains("Original-Recipient"), hdrs);
    }

    @Test
    void notifyNeverOrWithoutFailureSendsNoBounce() throws Exception {
        peer.rcptReply = a -> "550 5.1.1 No such user";
        OutboundQueueImpl q = queue();
        q.enqueue("alice@local.test", List.of("never@example.test", "delay@example.test"),
                MessageSource.of(message("n", "x\r\n")), dsn(null, null, "never@example.test", "NEVER", null,
                        "delay@example.test", "SUCCESS,DELAY", null));
        awaitEmpty(q);
        assertTrue(local.inbox.isEmpty(), "no bounce asked for");
        assertEquals(0, metrics.get("queue", MailMetrics.MESSAGES_BOUNCED));
        q.enqueue("alice@local.test", List.of("never@example.test", "plain@example.test", "fail@example.test"),
                MessageSource.of(message("n2", "x\r\n")), dsn(null, null, "never@example.test", "NEVER", null,
                        "fail@example.test", "FAILURE", null));
        awaitEmpty(q);
        String dsn = text(local.inbox("alice@local.test").get(0));
        assertFalse(dsn.contains("never@example.test"), dsn);
        assertTrue(dsn.contains("Final-Recipient: rfc822; plain@example.test"), dsn);
        assertTrue(dsn.contains("Final-Recipient: rfc822; fail@example.test"), dsn);
        assertEquals(2, metrics.get("queue", MailMetrics.MESSAGES_BOUNCED));
    }

    @Test
    void notifySuccessToANextHopWithoutDsnGetsARelayedNotice() throws Exception {
        OutboundQueueImpl q = queue();
        byte[] m = message("relayed", "x\r\n");
        String id = q.enqueue("alice@local.test", List.of("bob@example.test", "carol@example.test"),
                MessageSource.of(m), dsn("env1", DsnRequest.Return.FULL, "bob@example.test", "SUCCESS,FAILURE",
                        "rfc822;bob+2Bx@local.test", "carol@example.test", "FAILURE", null));
        awaitEmpty(q);
        assertEquals(List.of("bob@example.test", "carol@example.test"), peer.received.get(0).rcptTo());
        List<byte[]> inbox = local.inbox("alice@local.test");
        assertEquals(1, inbox.size(), "one notice, for bob only");
        String dsn = text(inbox.get(0));
        assertTrue(dsn.contains("Subject: Successful Mail Delivery Report\r\n"), dsn);
        assertTrue(dsn.contains("Original-Envelope-Id: env1\r\nReporting-MTA: dns; queue.test\r\n"), dsn);
        assertTrue(dsn.contains("\r\nOriginal-Recipient: rfc822;bob+x@local.test\r\nFinal-Recipient: rfc822; "
                + "bob@example.test\r\nAction: relayed\r\nStatus: 2.0.0\r\nRemote-MTA: dns; mx.example.test\r\n"
                + "Diagnostic-Code: smtp; 250 2.0.0 Ok: queued as PEER1\r\n"), dsn);
        assertFalse(dsn.contains("carol@example.test"), dsn);
        assertFalse(dsn.contains("Last-Attempt-Date"), dsn);
        assertTrue(dsn.contains("Content-Description: Delivered Message Headers\r\nContent-Type: text/rfc822-headers"),
                "headers only, whatever RET says: " + dsn);
        assertTrue(dsn.contains(id), dsn);
        assertEquals(0, metrics.get("queue", MailMetrics.MESSAGES_BOUNCED));

        // a next hop that offers DSN takes the request on: no notice from us
        peer.offerDsn = true;
        q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("passed", "x\r\n")),
                dsn(null, null, "bob@example.test", "SUCCESS", null));
        awaitEmpty(q);
        assertEquals(1, local.inbox("alice@local.test").size());
        // nor to the null sender
        peer.offerDsn = false;
        q.enqueue("", List.of("bob@example.test"), MessageSource.of(message("null", "x\r\n")),
                dsn(null, null, "bob@example.test", "SUCCESS", null));
        awaitEmpty(q);
        assertEquals(1, local.inbox("alice@local.test").size());
    }

    @Test
    void aDelayedMessageWarnsItsSenderOnceAndIsStillDelivered() throws Exception {
        peer.rcptReply = a -> "451 4.3.0 Try again later";
        OutboundQueueImpl q = queue("retrySchedule", "300ms", "delayWarning", "1s");
        String id = q.enqueue("alice@local.test", List.of("bob@example.test", "carol@example.test",
                "dan@example.test"), MessageSource.of(message("slow", "x\r\n")),
                dsn(null, DsnRequest.Return.FULL, "carol@example.test", "FAILURE", null,
                        "dan@example.test", "DELAY,FAILURE", null));
        await("a delay warning", 15000, () -> !local.inbox("alice@local.test").isEmpty());
        int attempts = q.find(id).orElseThrow().attempts();
        await("two more attempts", 15000, () -> q.find(id).orElseThrow().attempts() >= attempts + 2);
        assertEquals(1, local.inbox("alice@local.test").size(), "warned once");
        String dsn = text(local.inbox("alice@local.test").get(0));
        assertTrue(dsn.contains("Subject: Delayed Mail (still being retried)\r\n"), dsn);
        assertTrue(dsn.contains("THIS IS A WARNING ONLY"), dsn);
        assertTrue(dsn.contains("Final-Recipient: rfc822; bob@example.test\r\nAction: delayed\r\nStatus: 4.3.0\r\n"
                + "Remote-MTA: dns; mx.example.test\r\nDiagnostic-Code: smtp; 451 4.3.0 Try again later\r\n"), dsn);
        assertTrue(dsn.contains("Final-Recipient: rfc822; dan@example.test\r\nAction: delayed\r\n"), dsn);
        assertFalse(dsn.contains("carol@example.test"), "NOTIFY=FAILURE wants no warning: " + dsn);
        assertTrue(dsn.contains("\r\nWill-Retry-Until: "), dsn);
        assertTrue(dsn.contains("Content-Type: text/rfc822-headers"), "headers only: " + dsn);
        assertTrue(Files.readString(dir.resolve("spool/env/" + id)).contains("delayWarned=true"));
        // a restart does not warn again, and the message is still delivered
        stop(q);
        peer.rcptReply = a -> "250 2.1.5 Ok";
        OutboundQueueImpl q2 = queue("retrySchedule", "300ms", "delayWarning", "1s");
        assertTrue(q2.retry(id));
        awaitEmpty(q2);
        assertEquals(List.of("bob@example.test", "carol@example.test", "dan@example.test"),
                peer.received.get(0).rcptTo());
        assertEquals(1, local.inbox("alice@local.test").size());
    }

    @Test
    void noDelayWarningWhenSwitchedOffOrBeforeItsTime() throws Exception {
        peer.rcptReply = a -> "451 4.3.0 Try again later";
        OutboundQueueImpl q = queue("retrySchedule", "200ms", "delayWarning", "0");
        String id = q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("w", "x\r\n")));
        awaitAttempts(q, id, 4);
        OutboundQueueImpl q2 = queue("spoolDirectory", dir.resolve("spool2").toString(),
                "retrySchedule", "200ms", "delayWarning", "1h");
        String id2 = q2.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("w2",
                "x\r\n")));
        awaitAttempts(q2, id2, 3);
        assertTrue(local.inbox.isEmpty(), "no warning");
    }

    @Test
    void aDeliveredNoticeGoesToALocalSenderOrIntoTheQueueForARemoteOne() throws Exception {
        OutboundQueueImpl q = queue();
        byte[] m = message("delivered", "the body\r\n");
        q.reportDelivered("alice@local.test", List.of("bob@local.test"), MessageSource.of(m),
                dsn("env+2B1", DsnRequest.Return.FULL, "bob@local.test", "SUCCESS", "rfc822;list@local.test"));
        String dsn = text(local.inbox("alice@local.test").get(0));
        assertTrue(dsn.contains("Subject: Successful Mail Delivery Report\r\n"), dsn);
        assertTrue(dsn.contains("Original-Envelope-Id: env+1\r\n"), dsn);
        assertTrue(dsn.contains("\r\nOriginal-Recipient: rfc822;list@local.test\r\nFinal-Recipient: rfc822; "
                + "bob@local.test\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\n"), dsn);
        assertTrue(dsn.contains("Content-Type: text/rfc822-headers\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "From: Alice <alice@local.test>\r\n"), dsn);
        assertFalse(dsn.contains("the body"), "RET=FULL is for failures: " + dsn);
        // a remote sender: queued with the null sender, and delivered to its MX
        q.reportDelivered("zoe@example.test", List.of("bob@local.test"), MessageSource.of(m), null);
        awaitEmpty(q);
        assertEquals("<> SIZE=" + peer.received.get(0).raw().length, peer.received.get(0).mailFrom());
        assertEquals(List.of("zoe@example.test"), peer.received.get(0).rcptTo());
        assertTrue(text(peer.received.get(0).raw()).contains("Action: delivered"));
        // never to the null sender
        q.reportDelivered("", List.of("bob@local.test"), MessageSource.of(m), null);
        assertEquals(1, local.inbox.size());
        assertTrue(q.list().isEmpty());
    }

    @Test
    void dsnParametersSurviveARestart() throws Exception {
        peer.offerDsn = true;
        peer.rcptReply = a -> "451 4.3.0 Try again later";
        OutboundQueueImpl q = queue();
        String id = q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("r", "x\r\n")),
                dsn("keep", DsnRequest.Return.HDRS, "bob@example.test", "FAILURE", "rfc822;o@local.test"));
        awaitAttempts(q, id, 1);
        stop(q);
        peer.commands.clear();
        peer.rcptReply = a -> "250 2.1.5 Ok";
        OutboundQueueImpl q2 = queue();
        assertTrue(q2.retry(id));
        awaitEmpty(q2);
        assertTrue(peer.commands.stream().anyMatch(c -> c.startsWith("MAIL FROM:<alice@local.test>")
                && c.endsWith(" RET=HDRS ENVID=keep")), peer.commands.toString());
        assertTrue(peer.commands.contains("RCPT TO:<bob@example.test> NOTIFY=FAILURE ORCPT=rfc822;o@local.test"),
                peer.commands.toString());
    }

    @Test
    void withoutPipeliningEachCommandWaitsForItsReply() throws Exception {
        peer.offerPipelining = false;
        peer.rcptReply = a -> a.startsWith("bad@") ? "550 5.1.1 No such user" : "250 2.1.5 Ok";
        OutboundQueueImpl q = queue();
        byte[] m = message("nopipe", "x\r\n");
        q.enqueue("alice@local.test", List.of("bad@example.test", "good@example.test"), MessageSource.of(m));
        awaitEmpty(q);
        assertEquals(List.of("good@example.test"), peer.received.get(0).rcptTo());
        assertArrayEquals(m, peer.received.get(0).raw());
        assertTrue(text(local.inbox("alice@local.test").get(0)).contains("Final-Recipient: rfc822; bad@example.test"));
    }

    @Test
    void pipelinedTransactionWhereEveryRecipientIsRefused() throws Exception {
        peer.rcptReply = a -> "550 5.1.1 No such user";
        OutboundQueueImpl q = queue();
        q.enqueue("alice@local.test", List.of("x@example.test", "y@example.test"),
                MessageSource.of(message("allbad", "x\r\n")));
        awaitEmpty(q);
        assertTrue(peer.received.isEmpty());
        int data = peer.commands.indexOf("DATA");
        assertEquals("RSET", peer.commands.get(data + 1), "no message data after the refused DATA: " + peer.commands);
        String dsn = text(local.inbox("alice@local.test").get(0));
        assertTrue(dsn.contains("Final-Recipient: rfc822; x@example.test") && dsn.contains("rfc822; y@example.test"));
    }

    @Test
    void aRefusedSenderFailsEveryRecipientOfTheTransaction() throws Exception {
        peer.mailReply = "553 5.7.1 Sender rejected";
        OutboundQueueImpl q = queue();
        q.enqueue("alice@local.test", List.of("x@example.test", "y@example.test"),
                MessageSource.of(message("sender", "x\r\n")));
        awaitEmpty(q);
        String dsn = text(local.inbox("alice@local.test").get(0));
        assertTrue(dsn.contains("Status: 5.7.1"), dsn);
        assertTrue(dsn.contains("(in reply to MAIL FROM command)"), dsn);
        assertTrue(dsn.contains("rfc822; x@example.test") && dsn.contains("rfc822; y@example.test"), dsn);
        peer.mailReply = "451 4.3.2 Sender check unavailable";
        String id = q.enqueue("alice@local.test", List.of("z@example.test"), MessageSource.of(message("s2", "x\r\n")));
        assertTrue(awaitAttempts(q, id, 1).lastError().contains("451 4.3.2"));
    }

    @Test
    void aBounceToARemoteSenderIsQueuedWithTheNullSender() throws Exception {
        dns.mx("remote.test", 5, "mx.example.test");
        peer.rcptReply = a -> a.startsWith("bad@") ? "550 5.1.1 No such user" : "250 2.1.5 Ok";
        OutboundQueueImpl q = queue();
        q.enqueue("carol@remote.test", List.of("bad@example.test"), MessageSource.of(message("x", "y\r\n")));
        await("the bounce at the peer", 15000, () -> peer.received.size() == 1);
        SmtpPeer.Received r = peer.received.get(0);
        assertTrue(r.mailFrom().startsWith("<> "), r.mailFrom());
        assertEquals(List.of("carol@remote.test"), r.rcptTo());
        assertTrue(text(r.raw()).contains("Final-Recipient: rfc822; bad@example.test"));
        awaitEmpty(q);
    }

    @Test
    void aBounceToAForwardingAliasGoesToItsLocalUsersAndRemoteTargets() throws Exception {
        dns.mx("remote.test", 5, "mx.example.test");
        peer.rcptReply = a -> a.startsWith("bad@") ? "550 5.1.1 No such user" : "250 2.1.5 Ok";
        OutboundQueueImpl q = queue();
        q.enqueue("fwd@local.test", List.of("bad@example.test"), MessageSource.of(message("f", "y\r\n")));
        await("the forwarded bounce at the peer", 15000, () -> peer.received.size() == 1);
        assertEquals(List.of("carol@remote.test"), peer.received.get(0).rcptTo());
        assertTrue(peer.received.get(0).mailFrom().startsWith("<> "), peer.received.get(0).mailFrom());
        assertEquals(1, local.inbox("fwd-user@local.test").size());
        awaitEmpty(q);
    }

    @Test
    void theNullSenderIsNeverBounced() throws Exception {
        peer.rcptReply = a -> "550 5.1.1 No such user";
        OutboundQueueImpl q = queue();
        q.enqueue("", List.of("bad@example.test"), MessageSource.of(message("bounce", "x\r\n")));
        awaitEmpty(q);
        assertTrue(local.inbox.isEmpty());
        assertTrue(peer.received.isEmpty());
        assertTrue(peer.commands.contains("MAIL FROM:<> SIZE=" + message("bounce", "x\r\n").length));
    }

    @Test
    void a451DefersWithTheErrorAndRetryDelivers() throws Exception {
        peer.rcptReply = a -> "451 4.3.0 Try again later";
        OutboundQueueImpl q = queue("retrySchedule", "1h");
        Instant before = Instant.now();
        String id = q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("d", "x\r\n")));
        QueuedMessage m = awaitAttempts(q, id, 1);
        assertTrue(m.lastError().contains("451 4.3.0 Try again later"), m.lastError());
        assertTrue(m.lastError().contains("mx.example.test[127.0.0.1]"), m.lastError());
        assertTrue(m.nextAttempt().isAfter(before.plus(Duration.ofMinutes(59))), m.nextAttempt().toString());
        assertEquals(List.of("bob@example.test"), m.recipients());
        assertEquals("alice@local.test", m.sender());
        assertFalse(m.held());
        assertTrue(peer.received.isEmpty());
        assertTrue(Files.readString(dir.resolve("spool/env/" + id), StandardCharsets.ISO_8859_1)
                .contains("451 4.3.0 Try again later"), "the envelope keeps the error");

        peer.rcptReply = a -> "250 2.1.5 Ok";
        assertTrue(q.retry(id));
        awaitEmpty(q);
        assertEquals(1, peer.received.size());
        assertFalse(q.retry(id), "gone");
        assertTrue(local.inbox.isEmpty(), "no bounce");
    }

    @Test
    void holdReleaseAndDelete() throws Exception {
        peer.rcptReply = a -> "451 4.3.0 Try again later";
        OutboundQueueImpl q = queue();
        String id = q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("h", "x\r\n")));
        awaitAttempts(q, id, 1);
        assertTrue(q.hold(id, true));
        assertTrue(q.find(id).orElseThrow().held());
        peer.rcptReply = a -> "250 2.1.5 Ok";
        assertTrue(q.retry(id));
        int connections = peer.connections;
        Thread.sleep(1500);
        assertEquals(connections, peer.connections, "a held message is not attempted");
        assertTrue(Files.readString(dir.resolve("spool/env/" + id)).contains("held=true"));

        assertTrue(q.hold(id, false));
        awaitEmpty(q);
        assertEquals(1, peer.received.size());

        peer.rcptReply = a -> "451 4.3.0 Try again later";
        String id2 = q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("d", "x\r\n")));
        awaitAttempts(q, id2, 1);
        assertTrue(q.delete(id2));
        assertFalse(q.delete(id2));
        assertTrue(q.find(id2).isEmpty());
        assertFalse(q.hold(id2, true));
        assertFalse(Files.exists(dir.resolve("spool/env/" + id2)));
        assertFalse(Files.exists(dir.resolve("spool/msg/" + id2)));
        assertTrue(local.inbox.isEmpty(), "deletion notifies no one");
    }

    @Test
    void aRetryDuringAnAttemptMakesItDueWhenItEnds() throws Exception {
        peer.rcptReply = a -> "451 4.3.0 Try again later";
        peer.rcptDelayMillis = 500;
        OutboundQueueImpl q = queue("retrySchedule", "1h");
        String id = q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("r", "x\r\n")));
        await("an attempt in progress", 10000, () -> peer.commands.stream().anyMatch(c -> c.startsWith("RCPT")));
        assertTrue(q.retry(id));
        assertEquals(2, awaitAttempts(q, id, 2).attempts(), "attempted again at once, not in an hour");
    }

    @Test
    void holdAndDeleteDuringAnAttempt() throws Exception {
        peer.rcptReply = a -> "451 4.3.0 Try again later";
        peer.rcptDelayMillis = 700;
        OutboundQueueImpl q = queue("retrySchedule", "1s");
        String id = q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("h", "x\r\n")));
        await("an attempt in progress", 10000, () -> peer.commands.stream().anyMatch(c -> c.startsWith("RCPT")));
        assertTrue(q.hold(id, true), "hold while the attempt runs");
        QueuedMessage m = awaitAttempts(q, id, 1);
        assertTrue(m.held(), "the attempt's end keeps the hold");
        assertTrue(m.lastError().contains("451"), m.lastError());
        Thread.sleep(1500);
        assertEquals(1, q.find(id).orElseThrow().attempts(), "no attempt while held, though due after 1s");
        assertTrue(Files.readString(dir.resolve("spool/env/" + id)).contains("held=true"));

        int before = (int) peer.commands.stream().filter(c -> c.startsWith("RCPT")).count();
        assertTrue(q.hold(id, false));
        await("the second attempt in progress", 10000,
                () -> peer.commands.stream().filter(c -> c.startsWith("RCPT")).count() > before);
        assertTrue(q.delete(id), "delete while the attempt runs");
        assertTrue(q.find(id).isEmpty());
        Thread.sleep(1500);
        assertTrue(q.list().isEmpty(), q.list().toString());
        assertFalse(Files.exists(dir.resolve("spool/env/" + id)), "not written back by the worker");
        assertFalse(Files.exists(dir.resolve("spool/msg/" + id)));
        peer.rcptDelayMillis = 0;
        peer.rcptReply = a -> "250 2.1.5 Ok";
        q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("after", "x\r\n")));
        awaitEmpty(q);
        assertEquals(1, peer.received.size(), "the queue goes on");
    }

    @Test
    void aRestartResumesWithoutSendingTwice() throws Exception {
        peer.rcptReply = a -> a.startsWith("now@") ? "250 2.1.5 Ok" : "451 4.3.0 Try again later";
        OutboundQueueImpl q = queue();
        byte[] m = message("restart", "x\r\n");
        String id = q.enqueue("alice@local.test", List.of("now@example.test", "later@example.test"),
                MessageSource.of(m));
        QueuedMessage before = awaitAttempts(q, id, 1);
        assertEquals(List.of("later@example.test"), before.recipients());
        assertEquals(1, peer.received.size());
        String id2 = q.enqueue("alice@local.test", List.of("held@example.test"), MessageSource.of(m));
        awaitAttempts(q, id2, 1);
        assertTrue(q.hold(id2, true));
        stop(q);

        peer.rcptReply = a -> "250 2.1.5 Ok";
        OutboundQueueImpl q2 = queue();
        QueuedMessage after = q2.find(id).orElseThrow();
        assertEquals(before.recipients(), after.recipients());
        assertEquals(before.attempts(), after.attempts());
        assertEquals(before.lastError(), after.lastError());
        assertEquals(before.nextAttempt(), after.nextAttempt());
        assertEquals(before.arrived(), after.arrived());
        assertTrue(q2.find(id2).orElseThrow().held());
        assertTrue(q2.retry(id));
        await("the deferred recipient", 15000, () -> peer.received.size() == 2);
        assertEquals(List.of("later@example.test"), peer.received.get(1).rcptTo(), "now@ is not sent again");
        assertArrayEquals(m, peer.received.get(1).raw());
        q2.delete(id2);
        awaitEmpty(q2);
    }

    @Test
    void aLeftoverMessageFileWithoutEnvelopeIsRemovedOnStart() throws Exception {
        OutboundQueueImpl q = queue();
        stop(q);
        Path orphan = dir.resolve("spool/msg/0000000000000001");
        Files.write(orphan, message("orphan", "x\r\n"));
        Files.writeString(dir.resolve("spool/env/BROKEN"), "not an envelope");
        OutboundQueueImpl q2 = queue();
        assertTrue(q2.list().isEmpty());
        assertFalse(Files.exists(orphan));
        assertTrue(Files.exists(dir.resolve("spool/corrupt/BROKEN.env")));
    }

    @Test
    void aNullMxBouncesWithoutConnecting() throws Exception {
        dns.mx("nomail.test", 0, ".");
        OutboundQueueImpl q = queue();
        q.enqueue("alice@local.test", List.of("x@nomail.test"), MessageSource.of(message("n", "x\r\n")));
        awaitEmpty(q);
        assertEquals(0, peer.connections);
        String dsn = text(local.inbox("alice@local.test").get(0));
        assertTrue(dsn.contains("Final-Recipient: rfc822; x@nomail.test\r\nAction: failed\r\nStatus: 5.1.10\r\n"), dsn);
        assertTrue(dsn.contains("null MX"), dsn);
    }

    @Test
    void aDomainThatDoesNotExistBounces() throws Exception {
        dns.nxdomain.add("gone.test");
        OutboundQueueImpl q = queue();
        q.enqueue("alice@local.test", List.of("x@gone.test"), MessageSource.of(message("n", "x\r\n")));
        awaitEmpty(q);
        String dsn = text(local.inbox("alice@local.test").get(0));
        assertTrue(dsn.contains("Status: 5.4.4"), dsn);
    }

    @Test
    void withoutMxTheDomainsAddressIsUsed() throws Exception {
        dns.a("plain.test", "127.0.0.1");
        OutboundQueueImpl q = queue();
        q.enqueue("alice@local.test", List.of("x@plain.test"), MessageSource.of(message("a", "x\r\n")));
        awaitEmpty(q);
        assertEquals(List.of("x@plain.test"), peer.received.get(0).rcptTo());
        assertTrue(dns.queries.contains("MX plain.test"));
        assertTrue(dns.queries.contains("A plain.test"), dns.queries.toString());
    }

    @Test
    void theNextMxIsTriedWhenTheFirstCannotBeReached() throws Exception {
        dns.mx("two.test", 10, "dead.two.test").a("dead.two.test", "127.0.0.2");
        dns.mx("two.test", 20, "live.two.test").a("live.two.test", "127.0.0.1");
        OutboundQueueImpl q = queue();
        q.enqueue("alice@local.test", List.of("x@two.test"), MessageSource.of(message("a", "x\r\n")));
        awaitEmpty(q);
        assertEquals(1, peer.received.size());
        int dead = dns.queries.indexOf("A dead.two.test");
        int live = dns.queries.indexOf("A live.two.test");
        assertTrue(dead >= 0 && live > dead, dns.queries.toString());
    }

    @Test
    void recipientsAreSplitIntoTransactionsAndGroupedByDomain() throws Exception {
        dns.mx("other.test", 10, "mx.example.test");
        OutboundQueueImpl q = queue("maxRecipients", 2);
        q.enqueue("alice@local.test", List.of("a@example.test", "b@example.test", "c@example.test", "d@other.test"),
                MessageSource.of(message("many", "x\r\n")));
        awaitEmpty(q);
        List<List<String>> tx = new ArrayList<>();
        for (SmtpPeer.Received r : peer.received) {
            tx.add(r.rcptTo());
        }
        assertEquals(List.of(List.of("a@example.test", "b@example.test"), List.of("c@example.test"),
                List.of("d@other.test")), tx);
        assertEquals(2, peer.connections, "one connection per domain");
        assertEquals(4, metrics.get("queue", MailMetrics.MESSAGES_SENT));
    }

    @Test
    void aMessageTooBigForTheServerBounces() throws Exception {
        peer.sizeLimit = 100;
        OutboundQueueImpl q = queue();
        q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("big", "x".repeat(200))));
        awaitEmpty(q);
        assertTrue(text(local.inbox("alice@local.test").get(0)).contains("Status: 5.3.4"));
        assertFalse(peer.commands.stream().anyMatch(c -> c.startsWith("MAIL")));
    }

    @Test
    void startTlsWithASelfSignedPeer() throws Exception {
        try (SmtpPeer tlsPeer = new SmtpPeer(true)) {
            OutboundQueueImpl q = queue(tlsPeer, "tls", "encrypt");
            byte[] m = message("tls", ".secret\r\n");
            q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(m));
            awaitEmpty(q);
            SmtpPeer.Received r = tlsPeer.received.get(0);
            assertTrue(r.tls());
            assertArrayEquals(m, r.unstuffed());
            assertEquals(List.of("EHLO queue.test", "STARTTLS", "EHLO queue.test"), tlsPeer.commands.subList(0, 3));
        }
    }

    @Test
    void mayUsesStartTlsWhenOfferedAndPlainTextOtherwise() throws Exception {
        try (SmtpPeer tlsPeer = new SmtpPeer(true)) {
            OutboundQueueImpl q = queue(tlsPeer, "tls", "may");
            q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("m", "x\r\n")));
            awaitEmpty(q);
            assertTrue(tlsPeer.received.get(0).tls());
            tlsPeer.offerStartTls = false;
            q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("m", "x\r\n")));
            awaitEmpty(q);
            assertFalse(tlsPeer.received.get(1).tls());
        }
    }

    @Test
    void mayFallsBackToPlainTextWhenTheHandshakeFails() throws Exception {
        try (SmtpPeer tlsPeer = new SmtpPeer(true)) {
            tlsPeer.brokenTls = true;
            OutboundQueueImpl q = queue(tlsPeer, "tls", "may");
            q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("f", "x\r\n")));
            awaitEmpty(q);
            assertFalse(tlsPeer.received.get(0).tls());
            assertEquals(2, tlsPeer.connections);
            assertEquals(1, tlsPeer.commands.stream().filter(c -> c.equals("STARTTLS")).count());
        }
        try (SmtpPeer tlsPeer = new SmtpPeer(true)) {
            tlsPeer.brokenTls = true;
            OutboundQueueImpl q = queue(tlsPeer, "tls", "encrypt", "spoolDirectory", dir.resolve("spool2").toString());
            String id = q.enqueue("alice@local.test", List.of("bob@example.test"),
                    MessageSource.of(message("f", "x\r\n")));
            QueuedMessage m = awaitAttempts(q, id, 1);
            assertTrue(m.lastError().contains("TLS"), m.lastError());
            assertTrue(tlsPeer.received.isEmpty(), "encrypt never falls back");
        }
    }

    @Test
    void encryptDefersWhenThePeerOffersNoStartTls() throws Exception {
        OutboundQueueImpl q = queue("tls", "encrypt");
        String id = q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("e", "x\r\n")));
        QueuedMessage m = awaitAttempts(q, id, 1);
        assertTrue(m.lastError().contains("TLS is required"), m.lastError());
        assertTrue(peer.received.isEmpty());
    }

    @Test
    void verifyRejectsASelfSignedCertificate() throws Exception {
        try (SmtpPeer tlsPeer = new SmtpPeer(true)) {
            OutboundQueueImpl q = queue(tlsPeer, "tls", "verify");
            String id = q.enqueue("alice@local.test", List.of("bob@example.test"),
                    MessageSource.of(message("v", "x\r\n")));
            QueuedMessage m = awaitAttempts(q, id, 1);
            assertTrue(m.lastError().contains("TLS"), m.lastError());
            assertTrue(tlsPeer.received.isEmpty());
        }
    }

    @Test
    void relayHostWithAuthPlainOverTls() throws Exception {
        try (SmtpPeer relay = new SmtpPeer(true)) {
            relay.authPlainExpected = java.util.Base64.getEncoder().encodeToString(
                    "\0relayuser\0s3cret".getBytes(StandardCharsets.UTF_8));
            OutboundQueueImpl q = queue(relay, "relayHost", "[127.0.0.1]", "relayPort", relay.port(),
                    "relayUser", "relayuser", "_relayPassword", "s3cret", "tls", "may");
            q.enqueue("alice@local.test", List.of("x@nowhere.test"), MessageSource.of(message("r", "x\r\n")));
            awaitEmpty(q);
            assertTrue(relay.received.get(0).tls());
            assertTrue(relay.commands.contains("AUTH PLAIN " + relay.authPlainExpected), relay.commands.toString());
            assertFalse(dns.queries.stream().anyMatch(s -> s.contains("nowhere")), "no MX lookup with a relay host");

            relay.offerStartTls = false;
            String id = q.enqueue("alice@local.test", List.of("x@nowhere.test"), MessageSource.of(message("r", "x\r\n")));
            QueuedMessage m = awaitAttempts(q, id, 1);
            assertTrue(m.lastError().contains("not sending the relay password"), m.lastError());
            assertFalse(relay.commands.subList(relay.commands.lastIndexOf("EHLO queue.test"), relay.commands.size())
                    .stream().anyMatch(c -> c.startsWith("AUTH")));
        }
    }

    @Test
    void expiryBouncesTheRemainingRecipients() throws Exception {
        peer.rcptReply = a -> "451 4.3.0 Try again later";
        OutboundQueueImpl q = queue("retrySchedule", "1s", "maxAge", "2s");
        String id = q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("old", "x\r\n")));
        awaitEmpty(q);
        String dsn = text(local.inbox("alice@local.test").get(0));
        assertTrue(dsn.contains("Final-Recipient: rfc822; bob@example.test\r\nAction: failed\r\nStatus: 4.4.7\r\n"), dsn);
        assertTrue(dsn.contains("delivery gave up after 2s; last error: host mx.example.test[127.0.0.1] said: 451 4.3.0"),
                dsn);
        assertTrue(dsn.contains(id));
        assertTrue(peer.commands.stream().filter(c -> c.startsWith("RCPT")).count() >= 2, "retried before giving up");
    }

    @Test
    void aBounceIsKeptWhileTheSendersMailboxIsUnavailable() throws Exception {
        peer.rcptReply = a -> "550 5.1.1 No such user";
        local.temporarilyDown = true;
        OutboundQueueImpl q = queue();
        String id = q.enqueue("alice@local.test", List.of("bad@example.test"), MessageSource.of(message("b", "x\r\n")));
        awaitAttempts(q, id, 1);
        Thread.sleep(300);
        assertEquals(List.of("bad@example.test"), q.find(id).orElseThrow().recipients(), "still owed a bounce");
        assertTrue(Files.readString(dir.resolve("spool/env/" + id)).contains("state=FAILED"));
        local.temporarilyDown = false;
        int rcpts = (int) peer.commands.stream().filter(c -> c.startsWith("RCPT")).count();
        q.retry(id);
        awaitEmpty(q);
        assertEquals(1, local.inbox("alice@local.test").size());
        assertEquals(rcpts, peer.commands.stream().filter(c -> c.startsWith("RCPT")).count(), "not sent again");
    }

    @Test
    void enqueueIsDurableBeforeItReturns() throws Exception {
        peer.greeting = "421 4.3.2 busy";
        OutboundQueueImpl q = queue();
        byte[] m = message("durable", "x\r\n");
        String id = q.enqueue("alice@local.test", List.of("<bob@example.test>", "BOB@example.test"),
                MessageSource.of(m));
        assertArrayEquals(m, Files.readAllBytes(dir.resolve("spool/msg/" + id)));
        QueueEntry e = QueueEntry.parse(Files.readAllBytes(dir.resolve("spool/env/" + id)));
        assertEquals("alice@local.test", e.sender);
        assertEquals(1, e.rcpts.size(), "duplicates are dropped");
        assertEquals("bob@example.test", e.rcpts.get(0).address);
        assertEquals(m.length, e.size);
        QueuedMessage qm = awaitAttempts(q, id, 1);
        assertTrue(qm.lastError().contains("refused to talk to me: 421 4.3.2 busy"), qm.lastError());
        assertEquals(1, q.list().size());
        assertNotNull(q.find(id).orElseThrow().nextAttempt());
    }

    @Test
    void aServerThatFloodsRepliesIsLeft() throws Exception {
        peer.greeting = "220-flood\r\n".repeat(3000) + "220 done";
        OutboundQueueImpl q = queue();
        String id = q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("f", "x")));
        QueuedMessage m = awaitAttempts(q, id, 1);
        assertTrue(m.lastError().contains("1000"), m.lastError());
    }

    @Test
    void listIsOldestFirst() throws Exception {
        peer.greeting = "421 4.3.2 busy";
        OutboundQueueImpl q = queue();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(q.enqueue("alice@local.test", List.of("bob@example.test"), MessageSource.of(message("l" + i, "x"))));
        }
        List<String> listed = new ArrayList<>();
        for (QueuedMessage m : q.list()) {
            listed.add(m.id());
        }
        assertEquals(ids, listed);
    }
}
