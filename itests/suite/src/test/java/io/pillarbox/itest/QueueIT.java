package io.pillarbox.itest;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.WritableRealm;
import io.pillarbox.api.delivery.OutboundQueue;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.MessageSource;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

import javax.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static io.pillarbox.itest.SmtpReplies.assertReply;
import static io.pillarbox.itest.SmtpReplies.call;
import static io.pillarbox.itest.SmtpReplies.reply;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * The outbound queue in the distribution: a DNS server (MX and A records) and a scripted SMTP server run inside the
 * test on loopback; io.pillarbox.queue is pointed at them through Configuration Admin. Messages enter through the
 * OutboundQueue service and through an authenticated submission session over a real socket; the mail:queue-*
 * commands run in a Karaf shell session; a bounce lands in the local sender's INBOX; the health check sees the queue.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class QueueIT extends PillarboxTestSupport {

    private static final String ALICE = "queue-alice@localhost";
    private static final String PASSWORD = "qu3ue-Pa55";

    private static Dns dns;
    private static Peer peer;
    private static int submissionPort;
    private static int mxPort;
    private static boolean ready;

    @Inject
    BundleContext bc;

    @Inject
    ConfigurationAdmin cm;

    @Inject
    WritableRealm realm;

    @Inject
    Authenticator authenticator;

    @Inject
    MailStores stores;

    @Inject
    SessionFactory sessionFactory;

    @Inject
    HealthCheckExecutor health;

    @Configuration
    public Option[] config() {
        return distributionOptions().toArray(new Option[0]);
    }

    @Before
    public void setUp() throws Exception {
        synchronized (QueueIT.class) {
            if (ready) {
                return;
            }
            dns = new Dns();
            dns.mx("example.test", 10, "mx.example.test");
            dns.a("mx.example.test", new byte[]{127, 0, 0, 1});
            peer = new Peer();
            org.osgi.service.cm.Configuration c = cm.getConfiguration("io.pillarbox.queue", null);
            Dictionary<String, Object> p = new Hashtable<>();
            p.put("dnsServers", "127.0.0.1:" + dns.port());
            p.put("remotePort", peer.port());
            p.put("hostname", "queue-it.test");
            p.put("retrySchedule", "1h");
            p.put("tls", "may");
            p.put("commandTimeout", "20s");
            c.update(p);
            await("the queue configured for the test peer", () -> queueRef() != null);
            realm.addUser(ALICE, PASSWORD.toCharArray());
            submissionPort = freePort();
            createListener(cm, "queue-it-submission", "smtp", submissionPort, "none", "smtp.role", "submission");
            await("submission listener", () -> accepts(submissionPort));
            mxPort = freePort();
            createListener(cm, "queue-it-mx", "smtp", mxPort, "none", "smtp.role", "mx");
            await("MX listener", () -> accepts(mxPort));
            await("mail:queue-* commands", () -> sessionFactory.getRegistry().getCommand("mail", "queue-list") != null);
            await(ALICE + " known", () -> Mailboxes.principal(authenticator, ALICE) != null);
            ready = true;
        }
    }

    // no @AfterClass: Pax Exam runs each test method as a request of its own, so it would run after every method;
    // the peers' daemon threads and sockets end with the container

    // ------------------------------------------------------------------ helpers

    private ServiceReference<?> queueRef() {
        try {
            ServiceReference<?>[] refs = bc.getServiceReferences(OutboundQueue.class.getName(),
                    "(remotePort=" + peer.port() + ")");
            return refs == null ? null : refs[0];
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private OutboundQueue queue() {
        ServiceReference<?> ref = queueRef();
        assertTrue("no configured outbound queue", ref != null);
        return (OutboundQueue) bc.getService(ref);
    }

    private List<byte[]> inbox(String user) throws Exception {
        return Mailboxes.inbox(stores, authenticator, user);
    }

    private String shell(String command) throws Exception {
        return ShellRunner.shell(sessionFactory, command, "");
    }

    private String[] shellAllowingFailure(String command) throws Exception {
        return ShellRunner.shellAllowingFailure(sessionFactory, command, "");
    }

    private static void awaitLong(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static byte[] message(String subject, String body) {
        return ("From: " + ALICE + "\r\nTo: someone@example.test\r\nSubject: " + subject + "\r\nMessage-ID: <"
                + subject + "@queue-it>\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
    }

    private Peer.Received awaitReceived(String rcpt) throws InterruptedException {
        awaitLong("the peer to receive mail for " + rcpt, () -> peer.find(rcpt) != null);
        return peer.find(rcpt);
    }

    private OutboundQueue.QueuedMessage awaitAttempted(String id) throws InterruptedException {
        awaitLong(id + " attempted", () -> queue().find(id).map(m -> m.attempts() > 0).orElse(false));
        return queue().find(id).orElseThrow();
    }

    // ------------------------------------------------------------------ tests

    @Test
    public void aQueuedMessageReachesTheMxByteExact() throws Exception {
        byte[] m = message("exact", ".leading dot\r\n..two\r\n.\r\nend\r\n");
        String id = queue().enqueue(ALICE, List.of("exact@example.test"), MessageSource.of(m));
        Peer.Received r = awaitReceived("exact@example.test");
        assertEquals("<" + ALICE + "> SIZE=" + m.length, r.mailFrom);
        assertArrayEquals(message("exact", "..leading dot\r\n...two\r\n..\r\nend\r\n"), r.raw);
        assertArrayEquals(m, r.unstuffed());
        awaitLong(id + " removed", () -> queue().find(id).isEmpty());
        assertTrue(dns.queries.contains("MX example.test"));
        MailMetrics metrics = service(bc, MailMetrics.class);
        assertTrue("the metrics service", metrics != null);
        assertTrue(metrics.snapshot().counters().toString(),
                metrics.snapshot().counter("queue", MailMetrics.MESSAGES_SENT) >= 1);
        assertTrue(peer.commands.contains("EHLO queue-it.test"));
    }

    @Test
    public void authenticatedSubmissionRelaysThroughTheQueue() throws Exception {
        byte[] body = message("submitted", "Hello over submission.\r\n.dot line\r\n");
        try (LineClient l = submission()) {
            String done = send(l, "<" + ALICE + ">", List.of("<friend@example.test>"), body);
            assertReply("250 2.0.0", done);
            assertTrue(done, done.contains("queued as"));
            assertReply("221", call(l, "QUIT"));
        }
        Peer.Received r = awaitReceived("friend@example.test");
        assertTrue(r.mailFrom, r.mailFrom.startsWith("<" + ALICE + ">"));
        byte[] got = r.unstuffed();
        byte[] tail = Arrays.copyOfRange(got, got.length - body.length, got.length);
        assertArrayEquals("the message arrives as submitted (after the Received: field added by SMTP)", body, tail);
        String head = new String(got, 0, got.length - body.length, StandardCharsets.UTF_8);
        assertTrue(head, head.startsWith("Received: "));
    }

    @Test
    public void aDeferredMessageIsManagedFromTheShell() throws Exception {
        peer.deferred.add("later@example.test");
        String id = queue().enqueue(ALICE, List.of("later@example.test"), MessageSource.of(message("later", "x\r\n")));
        OutboundQueue.QueuedMessage m = awaitAttempted(id);
        assertTrue(m.lastError(), m.lastError().contains("451 4.3.0 Try again later"));

        String list = shell("mail:queue-list --no-format");
        String row = Arrays.stream(list.split("\r?\n")).filter(s -> s.startsWith(id + "\t")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + id + " in:\n" + list));
        String[] cells = row.split("\t", -1);
        assertEquals(row, ALICE, cells[3]);
        assertEquals(row, "later@example.test", cells[4]);
        assertEquals(row, "1", cells[5]);
        assertTrue(row, cells[7].contains("451 4.3.0 Try again later"));
        assertTrue(shell("mail:queue-list").contains("Last error"));

        assertTrue(shell("mail:queue-hold " + id).contains("held"));
        assertTrue(queue().find(id).orElseThrow().held());
        assertTrue(shell("mail:queue-list --no-format").contains("\theld\t"));
        String[] refused = shellAllowingFailure("mail:queue-retry " + id);
        assertTrue(String.valueOf(refused[1]), String.valueOf(refused[1]).contains("is held"));

        peer.deferred.remove("later@example.test");
        assertTrue(shell("mail:queue-release " + id).contains("released"));
        Peer.Received r = awaitReceived("later@example.test");
        assertEquals(List.of("later@example.test"), r.rcptTo);
        awaitLong(id + " removed", () -> queue().find(id).isEmpty());

        // retry and delete
        peer.deferred.add("again@example.test");
        peer.deferred.add("dropped@example.test");
        String again = queue().enqueue(ALICE, List.of("again@example.test"), MessageSource.of(message("again", "x\r\n")));
        String dropped = queue().enqueue(ALICE, List.of("dropped@example.test"),
                MessageSource.of(message("dropped", "x\r\n")));
        awaitAttempted(again);
        awaitAttempted(dropped);
        assertTrue(shell("mail:queue-delete " + dropped).contains("deleted"));
        assertTrue(queue().find(dropped).isEmpty());
        assertTrue(shellAllowingFailure("mail:queue-delete " + dropped)[1].contains("no message"));
        peer.deferred.remove("again@example.test");
        peer.deferred.remove("dropped@example.test");
        assertTrue(shell("mail:queue-retry " + again).contains("due now"));
        awaitReceived("again@example.test");
        Thread.sleep(500);
        assertTrue("a deleted message is not delivered", peer.find("dropped@example.test") == null);
        assertTrue(shell("mail:queue-retry --all").contains("due now"));
    }

    @Test
    public void a550BouncesIntoTheSendersInbox() throws Exception {
        int before = inbox(ALICE).size();
        peer.rejected.add("nosuch@example.test");
        String id = queue().enqueue(ALICE, List.of("nosuch@example.test"), MessageSource.of(message("bounced", "x\r\n")));
        awaitLong("a bounce in " + ALICE + "'s INBOX", () -> inboxSize(ALICE) > before);
        List<byte[]> all = inbox(ALICE);
        String dsn = new String(all.get(all.size() - 1), StandardCharsets.UTF_8);
        assertTrue(dsn, dsn.contains("From: Mail Delivery System <MAILER-DAEMON@queue-it.test>"));
        assertTrue(dsn, dsn.contains("Content-Type: multipart/report; report-type=delivery-status;"));
        assertTrue(dsn, dsn.contains("Final-Recipient: rfc822; nosuch@example.test\r\nAction: failed\r\n"
                + "Status: 5.1.1\r\nRemote-MTA: dns; mx.example.test\r\n"
                + "Diagnostic-Code: smtp; 550 5.1.1 No such user here\r\n"));
        assertTrue(dsn, dsn.contains("Content-Type: text/rfc822-headers"));
        assertTrue(dsn, dsn.contains("Subject: bounced\r\n"));
        assertTrue(dsn, dsn.contains(id));
        awaitLong(id + " removed", () -> queue().find(id).isEmpty());
        assertTrue(service(bc, MailMetrics.class).snapshot().counter("queue", MailMetrics.MESSAGES_BOUNCED) >= 1);
    }

    /** A connection to the submission listener, past the greeting, EHLO and AUTH PLAIN as ALICE. */
    private static LineClient submission() throws IOException {
        LineClient l = LineClient.connect(submissionPort);
        try {
            assertReply("220 ", reply(l));
            assertReply("250", call(l, "EHLO client.test"));
            String token = Base64.getEncoder().encodeToString(("\0" + ALICE + "\0" + PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            assertReply("235", call(l, "AUTH PLAIN " + token));
            return l;
        } catch (IOException | RuntimeException | Error e) {
            l.close();
            throw e;
        }
    }

    /** One SMTP transaction over a real socket; returns the reply to the end of the data. */
    private static String send(LineClient l, String mailFrom, List<String> rcptTo, byte[] body) throws IOException {
        assertReply("250", call(l, "MAIL FROM:" + mailFrom));
        for (String r : rcptTo) {
            assertReply("250", call(l, "RCPT TO:" + r));
        }
        assertReply("354", call(l, "DATA"));
        String data = new String(body, StandardCharsets.UTF_8).replace("\r\n.", "\r\n..");
        l.out.write(data.getBytes(StandardCharsets.UTF_8));
        l.out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        l.out.flush();
        return reply(l);
    }

    private int inboxSize(String user) {
        try {
            return inbox(user).size();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    public void anAliasForwardingToARemoteAddressGoesThroughTheQueue() throws Exception {
        String added = shell("mail:alias-add fwd-it@localhost forwarded@example.test " + ALICE);
        assertTrue(added, added.contains("Alias fwd-it@localhost: forwarded@example.test, " + ALICE));
        await("the alias read by the delivery service", () -> {
            io.pillarbox.api.delivery.LocalDelivery d = service(bc, io.pillarbox.api.delivery.LocalDelivery.class);
            return d != null && d.resolve("fwd-it@localhost").remoteTargets().contains("forwarded@example.test");
        });
        int before = inboxSize(ALICE);
        byte[] body = ("From: stranger@outside.test\r\nTo: fwd-it@localhost\r\nSubject: forwarded\r\n\r\n"
                + "through an alias\r\n").getBytes(StandardCharsets.UTF_8);
        try (LineClient l = LineClient.connect(mxPort)) {
            assertReply("220 ", reply(l));
            assertReply("250", call(l, "EHLO outside.test"));
            // no AUTH: relaying is refused, the alias is ours
            assertReply("250", call(l, "MAIL FROM:<x@outside.test>"));
            assertReply("554 5.7.1", call(l, "RCPT TO:<someone@example.test>"));
            assertReply("250", call(l, "RSET"));
            String done = send(l, "<stranger@outside.test> RET=HDRS ENVID=it+2Bfwd",
                    List.of("<fwd-it@localhost> NOTIFY=FAILURE"), body);
            assertReply("250 2.0.0", done);
            assertTrue(done, done.contains("queued as"));
            assertReply("221", call(l, "QUIT"));
        }
        Peer.Received r = awaitReceived("forwarded@example.test");
        assertTrue("the original envelope sender, DSN parameters passed on: " + r.mailFrom,
                r.mailFrom.startsWith("<stranger@outside.test> SIZE=") && r.mailFrom.endsWith(" RET=HDRS ENVID=it+2Bfwd"));
        assertEquals(List.of("forwarded@example.test"), r.rcptTo);
        assertTrue(peer.commands.toString(), peer.commands.contains(
                "RCPT TO:<forwarded@example.test> NOTIFY=FAILURE ORCPT=rfc822;fwd-it@localhost"));
        byte[] got = r.unstuffed();
        assertArrayEquals(body, Arrays.copyOfRange(got, got.length - body.length, got.length));
        assertTrue(new String(got, StandardCharsets.UTF_8).startsWith("Received: from outside.test "));
        awaitLong("the local copy", () -> inboxSize(ALICE) == before + 1);
        List<byte[]> all = inbox(ALICE);
        String local = new String(all.get(all.size() - 1), StandardCharsets.UTF_8);
        assertTrue(local, local.startsWith("Return-Path: <stranger@outside.test>\r\n"));
        shell("mail:alias-del fwd-it@localhost");
    }

    @Test
    public void srsRewritesTheSenderOfForwardedMailAndItsBounceFindsTheWayBack() throws Exception {
        org.osgi.service.cm.Configuration c = cm.getConfiguration("io.pillarbox.delivery", null);
        Dictionary<String, Object> old = change(c, "localDomains", new String[] {"localhost", "srs-it.test"},
                "srs", true, "srsDomain", "srs-it.test");
        try {
            await("SRS switched on", () -> {
                io.pillarbox.api.delivery.LocalDelivery d = service(bc, io.pillarbox.api.delivery.LocalDelivery.class);
                return d != null && d.forwardingSender("x@example.test").startsWith("SRS0=");
            });
            shell("mail:alias-add srs-fwd@localhost srs-target@example.test");
            await("the alias read", () -> service(bc, io.pillarbox.api.delivery.LocalDelivery.class)
                    .resolve("srs-fwd@localhost").remoteTargets().contains("srs-target@example.test"));
            byte[] body = ("From: someone@example.test\r\nTo: srs-fwd@localhost\r\nSubject: srs\r\n\r\n"
                    + "forwarded with SRS\r\n").getBytes(StandardCharsets.UTF_8);
            try (LineClient l = LineClient.connect(mxPort)) {
                assertReply("220 ", reply(l));
                assertReply("250", call(l, "EHLO example.test"));
                assertReply("250 2.0.0", send(l, "<someone@example.test>", List.of("<srs-fwd@localhost>"), body));
                assertReply("221", call(l, "QUIT"));
            }
            Peer.Received r = awaitReceived("srs-target@example.test");
            String srs = r.mailFrom.substring(1, r.mailFrom.indexOf('>'));
            assertTrue(r.mailFrom, srs.matches("SRS0=[A-Z2-7]{5}=[A-Z2-7]{2}=example\\.test=someone@srs-it\\.test"));
            byte[] got = r.unstuffed();
            assertArrayEquals(body, Arrays.copyOfRange(got, got.length - body.length, got.length));

            // the next server bounces it to the rewritten sender: back to the original sender, with the null sender
            byte[] bounce = ("From: MAILER-DAEMON@example.test\r\nSubject: Undelivered\r\n\r\nsrs bounce "
                    + System.nanoTime() + "\r\n").getBytes(StandardCharsets.UTF_8);
            try (LineClient l = LineClient.connect(mxPort)) {
                assertReply("220 ", reply(l));
                assertReply("250", call(l, "EHLO example.test"));
                assertReply("250", call(l, "MAIL FROM:<>"));
                // an address made up to look like ours is refused
                assertReply("550", call(l, "RCPT TO:<SRS0=AAAAA=AA=example.test=victim@srs-it.test>"));
                assertReply("250", call(l, "RSET"));
                assertReply("250 2.0.0", send(l, "<>", List.of("<" + srs + ">"), bounce));
                assertReply("221", call(l, "QUIT"));
            }
            Peer.Received back = awaitReceived("someone@example.test");
            assertTrue(back.mailFrom, back.mailFrom.startsWith("<> "));
            byte[] b = back.unstuffed();
            assertArrayEquals(bounce, Arrays.copyOfRange(b, b.length - bounce.length, b.length));
        } finally {
            shell("mail:alias-del srs-fwd@localhost");
            restore(c, old);
        }
    }

    @Test
    public void dsnParametersShapeTheBounce() throws Exception {
        peer.rejected.add("full@example.test");
        peer.rejected.add("never@example.test");
        int before = inboxSize(ALICE);
        byte[] body = message("full-return", "the whole body comes back\r\n");
        try (LineClient l = submission()) {
            assertReply("250 2.0.0", send(l, "<" + ALICE + "> RET=FULL ENVID=env+2Bit", List.of(
                    "<full@example.test> ORCPT=rfc822;list+2Bit@localhost", "<never@example.test> NOTIFY=NEVER"), body));
            assertReply("221", call(l, "QUIT"));
        }
        awaitLong("a bounce in " + ALICE + "'s INBOX", () -> inboxSize(ALICE) > before);
        awaitLong("the queue done with it", () -> queue().list().stream()
                .noneMatch(m -> m.recipients().contains("never@example.test")));
        List<byte[]> all = inbox(ALICE);
        assertEquals("one bounce (none for NOTIFY=NEVER)", before + 1, all.size());
        String dsn = new String(all.get(all.size() - 1), StandardCharsets.UTF_8);
        assertTrue(dsn, dsn.contains("Original-Envelope-Id: env+it\r\n"));
        assertTrue(dsn, dsn.contains("Original-Recipient: rfc822;list+it@localhost\r\n"
                + "Final-Recipient: rfc822; full@example.test\r\nAction: failed\r\n"));
        assertFalse(dsn, dsn.contains("Final-Recipient: rfc822; never@example.test"));
        assertTrue(dsn, dsn.contains("Content-Type: message/rfc822"));
        assertTrue(dsn, dsn.contains("the whole body comes back\r\n"));
    }

    @Test
    public void theHealthCheckReportsTheQueue() throws Exception {
        Map<String, org.apache.felix.hc.api.Result> results = new ConcurrentHashMap<>();
        for (HealthCheckExecutionResult r : health.execute(HealthCheckSelector.tags("queue"))) {
            results.put(r.getHealthCheckMetadata().getName(), r.getHealthCheckResult());
        }
        org.apache.felix.hc.api.Result r = results.get("Pillarbox outbound queue");
        assertTrue(results.toString(), r != null);
        assertEquals(r.toString(), org.apache.felix.hc.api.Result.Status.OK, r.getStatus());
        assertTrue(r.toString(), r.toString().contains("message(s) in the queue"));
        String[] out = shellAllowingFailure("mail:health -v --no-format");
        assertTrue(out[0], out[0].contains("Pillarbox outbound queue\tOK"));
        assertTrue(out[0], out[0].contains("Pillarbox outbound queue\tOK\tSpool "));
    }

    // ------------------------------------------------------------------ peers

    /**
     * A DNS server on loopback UDP answering MX and A questions from two maps (written by hand: the queue's resolver
     * is the client under test, so the server shares no code with it).
     */
    static final class Dns implements AutoCloseable {
        final Map<String, List<int[]>> mxPrefs = new ConcurrentHashMap<>();
        final Map<String, List<String>> mxHosts = new ConcurrentHashMap<>();
        final Map<String, byte[]> a = new ConcurrentHashMap<>();
        final Collection<String> queries = new CopyOnWriteArrayList<>();
        private final DatagramSocket socket;
        private final Thread thread;

        Dns() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            thread = new Thread(this::serve, "queue-it-dns");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        void mx(String domain, int preference, String host) {
            mxPrefs.computeIfAbsent(domain, d -> new CopyOnWriteArrayList<>()).add(new int[]{preference});
            mxHosts.computeIfAbsent(domain, d -> new CopyOnWriteArrayList<>()).add(host);
        }

        void a(String host, byte[] ipv4) {
            a.put(host, ipv4);
        }

        private void serve() {
            byte[] buf = new byte[4096];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    byte[] answer = answer(Arrays.copyOf(p.getData(), p.getLength()));
                    socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                } catch (IOException | RuntimeException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        }

        private byte[] answer(byte[] q) {
            int i = 12;
            StringBuilder name = new StringBuilder();
            while (q[i] != 0) {
                int len = q[i] & 0xFF;
                if (name.length() > 0) {
                    name.append('.');
                }
                name.append(new String(q, i + 1, len, StandardCharsets.US_ASCII));
                i += len + 1;
            }
            i++;
            int type = ((q[i] & 0xFF) << 8) | (q[i + 1] & 0xFF);
            int questionEnd = i + 4;
            String n = name.toString().toLowerCase(java.util.Locale.ROOT);
            queries.add((type == 15 ? "MX " : type == 1 ? "A " : type + " ") + n);
            List<byte[]> rdata = new ArrayList<>();
            if (type == 15) {
                List<String> hosts = mxHosts.getOrDefault(n, List.of());
                List<int[]> prefs = mxPrefs.getOrDefault(n, List.of());
                for (int k = 0; k < hosts.size(); k++) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.write(prefs.get(k)[0] >> 8);
                    b.write(prefs.get(k)[0]);
                    for (String label : hosts.get(k).split("\\.")) {
                        b.write(label.length());
                        b.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
                    }
                    b.write(0);
                    rdata.add(b.toByteArray());
                }
            } else if (type == 1 && a.containsKey(n)) {
                rdata.add(a.get(n));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(q[0]);
            out.write(q[1]);
            out.write(0x84 | (q[2] & 0x01));  // QR, AA, RD as asked
            out.write(0x80);                  // RA, NOERROR
            out.writeBytes(new byte[]{0, 1, 0, (byte) rdata.size(), 0, 0, 0, 0});
            out.write(q, 12, questionEnd - 12);
            for (byte[] rd : rdata) {
                out.writeBytes(new byte[]{(byte) 0xC0, 12, 0, (byte) type, 0, 1, 0, 0, 0, 60,
                        (byte) (rd.length >> 8), (byte) rd.length});
                out.writeBytes(rd);
            }
            return out.toByteArray();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** A scripted SMTP server: 451 for addresses in {@link #deferred}, 550 for {@link #rejected}, else 250. */
    static final class Peer implements AutoCloseable {

        static final class Received {
            final String mailFrom;
            final List<String> rcptTo;
            final byte[] raw;

            Received(String mailFrom, List<String> rcptTo, byte[] raw) {
                this.mailFrom = mailFrom;
                this.rcptTo = rcptTo;
                this.raw = raw;
            }

            byte[] unstuffed() {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                boolean lineStart = true;
                for (byte c : raw) {
                    if (lineStart && c == '.') {
                        lineStart = false;
                        continue;
                    }
                    out.write(c);
                    lineStart = c == '\n';
                }
                return out.toByteArray();
            }
        }

        final Set<String> deferred = ConcurrentHashMap.newKeySet();
        final Set<String> rejected = ConcurrentHashMap.newKeySet();
        final List<String> commands = new CopyOnWriteArrayList<>();
        final List<Received> received = new CopyOnWriteArrayList<>();
        private final ServerSocket server;

        Peer() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getByName(HOST));
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread h = new Thread(() -> session(s), "queue-it-smtp-session");
                        h.setDaemon(true);
                        h.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "queue-it-smtp");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        Received find(String rcpt) {
            for (Received r : received) {
                if (r.rcptTo.contains(rcpt)) {
                    return r;
                }
            }
            return null;
        }

        private void session(Socket s) {
            try (s) {
                s.setSoTimeout(30_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String from = null;
                List<String> rcpts = new ArrayList<>();
                send(out, "220 peer.test ESMTP");
                String line;
                while ((line = readLine(in)) != null) {
                    commands.add(line);
                    String u = line.toUpperCase(java.util.Locale.ROOT);
                    if (u.startsWith("EHLO")) {
                        send(out, "250-peer.test\r\n250-SIZE 10000000\r\n250-8BITMIME\r\n250-DSN\r\n250 PIPELINING");
                    } else if (u.startsWith("MAIL FROM:")) {
                        from = line.substring(10);
                        rcpts = new ArrayList<>();
                        send(out, "250 2.1.0 Ok");
                    } else if (u.startsWith("RCPT TO:")) {
                        String a = line.substring(8).replaceAll("^<|>.*$", "");
                        if (deferred.contains(a)) {
                            send(out, "451 4.3.0 Try again later");
                        } else if (rejected.contains(a)) {
                            send(out, "550 5.1.1 No such user here");
                        } else {
                            rcpts.add(a);
                            send(out, "250 2.1.5 Ok");
                        }
                    } else if (u.equals("DATA") && rcpts.isEmpty()) {
                        send(out, "554 5.5.1 Error: no valid recipients");
                    } else if (u.equals("DATA")) {
                        send(out, "354 go ahead");
                        ByteArrayOutputStream data = new ByteArrayOutputStream();
                        ByteArrayOutputStream l = new ByteArrayOutputStream();
                        while (true) {
                            int c = in.read();
                            if (c < 0) {
                                return;
                            }
                            l.write(c);
                            if (c == '\n') {
                                byte[] b = l.toByteArray();
                                l.reset();
                                if (b.length == 3 && b[0] == '.' && b[1] == '\r') {
                                    break;
                                }
                                data.writeBytes(b);
                            }
                        }
                        received.add(new Received(from, List.copyOf(rcpts), data.toByteArray()));
                        send(out, "250 2.0.0 Ok: queued");
                    } else if (u.equals("QUIT")) {
                        send(out, "221 2.0.0 Bye");
                        return;
                    } else {
                        send(out, "250 2.0.0 Ok");
                    }
                }
            } catch (IOException e) {
                commands.add("! " + e);
            }
        }

        private static void send(OutputStream out, String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    String s = b.toString(StandardCharsets.UTF_8);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                b.write(c);
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
