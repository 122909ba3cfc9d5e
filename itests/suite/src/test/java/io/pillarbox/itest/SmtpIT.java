package io.pillarbox.itest;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.WritableRealm;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.store.MailStores;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

import javax.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertArrayEquals;
import static io.pillarbox.itest.SmtpReplies.assertReply;
import static io.pillarbox.itest.SmtpReplies.call;
import static io.pillarbox.itest.SmtpReplies.reply;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * SMTP, submission, SMTPS and LMTP in the distribution, with Angus Mail, swaks (Debian package {@code swaks}) and raw
 * protocol scripts; mail is read back through {@link MailStores} (the distribution's Maildir store).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SmtpIT extends PillarboxTestSupport {

    private static final String ALICE = "smtp-alice@localhost";
    private static final String BOB = "smtp-bob@localhost";
    private static final String PASSWORD = "s3cret-Pa55";

    private static boolean usersAdded;
    private static int mxPort;
    private static int submissionPort;
    private static int smtpsPort;
    private static int lmtpPort;
    private static int imapPort;
    private static int pop3Port;

    @Inject
    ConfigurationAdmin cm;

    @Inject
    WritableRealm realm;

    @Inject
    Authenticator authenticator;

    @Inject
    MailStores stores;

    @Inject
    LocalDelivery delivery;

    @Inject
    BundleContext bc;

    @Configuration
    public Option[] config() {
        List<Option> o = new ArrayList<>(distributionOptions());
        o.addAll(MailClients.mailClientOptions());
        return o.toArray(new Option[0]);
    }

    @Before
    public void setUp() throws Exception {
        synchronized (SmtpIT.class) {
            if (usersAdded) {
                return;
            }
            realm.addUser(ALICE, PASSWORD.toCharArray());
            realm.addUser(BOB, PASSWORD.toCharArray());
            mxPort = freePort();
            createListener(cm, "smtp-mx-it", "smtp", mxPort, "starttls", "smtp.role", "mx");
            submissionPort = freePort();
            createListener(cm, "smtp-sub-it", "smtp", submissionPort, "starttls", "smtp.role", "submission");
            smtpsPort = freePort();
            createListener(cm, "smtps-it", "smtp", smtpsPort, "implicit", "smtp.role", "submission");
            lmtpPort = freePort();
            createListener(cm, "lmtp-it", "lmtp", lmtpPort, "none");
            imapPort = freePort();
            createListener(cm, "smtp-it-imap", "imap", imapPort, "none");
            pop3Port = freePort();
            createListener(cm, "smtp-it-pop3", "pop3", pop3Port, "none");
            for (int p : new int[]{mxPort, submissionPort, smtpsPort, lmtpPort, imapPort, pop3Port}) {
                await("listener on " + p, () -> accepts(p));
            }
            await("users known to the realm", () -> principal(ALICE) != null && principal(BOB) != null);
            usersAdded = true;
        }
    }

    // ------------------------------------------------------------------ helpers

    private MailPrincipal principal(String user) {
        return Mailboxes.principal(authenticator, user);
    }

    /** The messages in a user's INBOX, oldest first, read through the store. */
    private List<byte[]> inbox(String user) throws Exception {
        return Mailboxes.inbox(stores, authenticator, user);
    }

    private byte[] last(String user) throws Exception {
        List<byte[]> all = inbox(user);
        assertTrue("no mail for " + user, !all.isEmpty());
        return all.get(all.size() - 1);
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    /** Sends a message unchanged (no saveChanges) and returns the exact octets the client wrote. */
    private static byte[] send(Session session, String protocol, int port, String user, MimeMessage msg,
                               String... to) throws Exception {
        return MailClients.withMailClient(() -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            msg.writeTo(bytes);
            InternetAddress[] rcpts = new InternetAddress[to.length];
            for (int i = 0; i < to.length; i++) {
                rcpts[i] = new InternetAddress(to[i]);
            }
            try (Transport t = session.getTransport(protocol)) {
                if (user == null) {
                    t.connect("127.0.0.1", port, null, null);
                } else {
                    t.connect("127.0.0.1", port, user, PASSWORD);
                }
                t.sendMessage(msg, rcpts);
            }
            return bytes.toByteArray();
        });
    }

    private static MimeMessage parse(Session session, byte[] raw) throws Exception {
        return MailClients.withMailClient(() -> new MimeMessage(session, new ByteArrayInputStream(raw)));
    }

    /** Checks that a stored message is the sent octets preceded by exactly Return-Path and Received. */
    private static void assertTraceAndExact(byte[] sent, byte[] stored, String returnPath) {
        assertTrue("stored message shorter than sent", stored.length > sent.length);
        byte[] tail = Arrays.copyOfRange(stored, stored.length - sent.length, stored.length);
        assertArrayEquals("the message arrives byte for byte", sent, tail);
        String trace = new String(stored, 0, stored.length - sent.length, StandardCharsets.UTF_8);
        assertTrue(trace, trace.startsWith("Return-Path: <" + returnPath + ">\r\nReceived: from "));
        assertTrue(trace, trace.endsWith("\r\n"));
        int fields = 0;
        for (String line : trace.split("\r\n")) {
            if (!line.startsWith("\t")) {
                fields++;
            }
        }
        assertEquals("exactly two trace header fields: " + trace, 2, fields);
    }

    // ------------------------------------------------------------------ Angus Mail

    @Test
    public void angusMailDeliversByteExactWithDotStuffingAndEightBitBodies() throws Exception {
        Session session = MailClients.mailSession(props("mail.mime.allowutf8", "true"));
        String raw = "From: Sender <sender@example.com>\r\n"
                + "To: " + ALICE + "\r\n"
                + "Subject: Gr\u00fc\u00dfe aus K\u00f6ln \u2014 \u65e5\u672c\r\n"
                + "Message-ID: <smtp-it-1@example.com>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n"
                + "\r\n"
                + ".a line starting with a dot\r\n"
                + "..two dots\r\n"
                + ".\r\n"
                + "\u00e9t\u00e9 \u00fcber \u65e5\u672c\u8a9e \ud83d\udce8\r\n"
                + "last line\r\n";
        MimeMessage msg = parse(session, raw.getBytes(StandardCharsets.UTF_8));
        byte[] sent = send(session, "smtp", mxPort, null, msg, ALICE);
        assertArrayEquals("the client sends the message as written", raw.getBytes(StandardCharsets.UTF_8), sent);
        byte[] stored = last(ALICE);
        assertTraceAndExact(sent, stored, "sender@example.com");
        String s = new String(stored, StandardCharsets.UTF_8);
        assertTrue(s, s.contains("\r\n\tfor <" + ALICE + ">;"));
    }

    @Test
    public void authPlainOverStartTlsOnSubmission() throws Exception {
        Session session = MailClients.mailSession(props("mail.smtp.auth", "true", "mail.smtp.starttls.enable", "true",
                "mail.smtp.starttls.required", "true", "mail.smtp.auth.mechanisms", "PLAIN",
                "mail.smtp.from", ALICE));
        byte[] raw = ("From: " + ALICE + "\r\nTo: " + BOB + "\r\nSubject: submitted\r\n\r\nvia 587\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] sent = send(session, "smtp", submissionPort, ALICE, parse(session, raw), BOB);
        byte[] stored = last(BOB);
        assertTraceAndExact(sent, stored, ALICE);
        assertTrue(new String(stored, StandardCharsets.UTF_8).contains(" with ESMTPSA id "));
    }

    @Test
    public void smtpsWithImplicitTls() throws Exception {
        Session session = MailClients.mailSession(props("mail.smtps.auth", "true", "mail.smtps.from", BOB));
        byte[] raw = ("From: " + BOB + "\r\nTo: " + ALICE + "\r\nSubject: smtps\r\n\r\nvia 465\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] sent = send(session, "smtps", smtpsPort, BOB, parse(session, raw), ALICE);
        byte[] stored = last(ALICE);
        assertTraceAndExact(sent, stored, BOB);
        assertTrue(new String(stored, StandardCharsets.UTF_8).contains(" with ESMTPSA id "));
    }

    @Test
    public void aTwentyFiveMegabyteMessage() throws Exception {
        Session session = MailClients.mailSession(props("mail.smtp.from", "big@example.com"));
        StringBuilder head = new StringBuilder("From: big@example.com\r\nTo: " + BOB + "\r\nSubject: 25 MB\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        int lineLen = 78;
        int lines = 25 * 1024 * 1024 / lineLen;
        byte[] raw = new byte[h.length + lines * lineLen];
        System.arraycopy(h, 0, raw, 0, h.length);
        java.util.Random rnd = new java.util.Random(42);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        int p = h.length;
        for (int i = 0; i < lines; i++) {
            for (int j = 0; j < 76; j++) {
                raw[p++] = (byte) alphabet.charAt(rnd.nextInt(64));
            }
            raw[p++] = '\r';
            raw[p++] = '\n';
        }
        assertTrue(raw.length > 25_000_000);
        long t0 = System.nanoTime();
        MimeMessage msg = MailClients.withMailClient(() -> new MimeMessage(session,
                new jakarta.mail.util.SharedByteArrayInputStream(raw)));
        send(session, "smtp", mxPort, null, msg, BOB);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        byte[] stored = last(BOB);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] tail = Arrays.copyOfRange(stored, stored.length - raw.length, stored.length);
        assertArrayEquals("25 MB arrive intact", sha.digest(raw), MessageDigest.getInstance("SHA-256").digest(tail));
        System.out.println("SmtpIT: 25 MB message sent and stored in " + ms + " ms");
    }

    @Test
    public void sizeIsEnforcedAtMailFromAndDuringData() throws Exception {
        org.osgi.service.cm.Configuration c = cm.getConfiguration("io.pillarbox.smtp", "?");
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("maxMessageSize", 100_000L);
        c.update(p);
        try {
            await("SIZE 100000 advertised", () -> {
                try (LineClient l = LineClient.connect(mxPort)) {
                    reply(l);
                    return call(l, "EHLO it.example").contains("SIZE 100000");
                } catch (IOException e) {
                    return false;
                }
            });
            try (LineClient l = LineClient.connect(mxPort)) {
                assertReply("220 ", reply(l));
                call(l, "EHLO it.example");
                assertReply("552 5.3.4 ", call(l, "MAIL FROM:<x@example.com> SIZE=100001"));
                assertReply("250 2.1.0", call(l, "MAIL FROM:<x@example.com> SIZE=5000"));
                assertReply("250 2.1.5", call(l, "RCPT TO:<" + ALICE + ">"));
                assertReply("354", call(l, "DATA"));
                String line = "y".repeat(98);
                for (int i = 0; i < 1100; i++) {
                    l.send(line);
                }
                assertReply("552 5.3.4 Message size exceeds fixed maximum message size", call(l, "."));
                assertReply("250 2.0.0", call(l, "NOOP"));
            }
            // and Angus Mail, which declares SIZE, is refused before it sends the message
            Session session = MailClients.mailSession(props("mail.smtp.from", "x@example.com"));
            byte[] raw = ("Subject: big\r\n\r\n" + "z".repeat(900).concat("\r\n").repeat(200))
                    .getBytes(StandardCharsets.US_ASCII);
            try {
                send(session, "smtp", mxPort, null, parse(session, raw), ALICE);
                fail("a message over the limit was accepted");
            } catch (MessagingException e) {
                assertTrue(String.valueOf(e), String.valueOf(e).contains("552"));
            }
        } finally {
            c.delete();
        }
        await("default SIZE back", () -> {
            try (LineClient l = LineClient.connect(mxPort)) {
                reply(l);
                return call(l, "EHLO it.example").contains("SIZE 52428800");
            } catch (IOException e) {
                return false;
            }
        });
    }

    // ------------------------------------------------------------------ read back over IMAP and POP3

    private static byte[] raw(jakarta.mail.Message m) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        m.writeTo(b);
        return b.toByteArray();
    }

    @Test
    public void mailSentOverSmtpIsReadBackOverImapAndPop3AndAnImapIdleIsToldWithinASecond() throws Exception {
        Session session = MailClients.mailSession(props("mail.smtp.from", "reader@example.com"));
        byte[] rawMsg = ("From: reader@example.com\r\nTo: " + ALICE + "\r\nSubject: read me back\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "..stuffed\r\n\u00e4\u00f6\u00fc \u65e5\u672c\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] sent = send(session, "smtp", mxPort, null, parse(session, rawMsg), ALICE);
        byte[] stored = last(ALICE);
        assertTraceAndExact(sent, stored, "reader@example.com");

        MailClients.withMailClient(() -> {
            jakarta.mail.Store imap = session.getStore("imap");
            imap.connect("127.0.0.1", imapPort, ALICE, PASSWORD);
            try {
                jakarta.mail.Folder inbox = imap.getFolder("INBOX");
                inbox.open(jakarta.mail.Folder.READ_ONLY);
                jakarta.mail.Message m = inbox.getMessage(inbox.getMessageCount());
                assertArrayEquals("IMAP gives back the stored octets", stored, raw(m));
                inbox.close(false);
            } finally {
                imap.close();
            }
            jakarta.mail.Store pop = session.getStore("pop3");
            pop.connect("127.0.0.1", pop3Port, ALICE, PASSWORD);
            try {
                jakarta.mail.Folder inbox = pop.getFolder("INBOX");
                inbox.open(jakarta.mail.Folder.READ_ONLY);
                jakarta.mail.Message m = inbox.getMessage(inbox.getMessageCount());
                assertArrayEquals("POP3 gives back the stored octets", stored, raw(m));
                inbox.close(false);
            } finally {
                pop.close();
            }
            return null;
        });

        // an IMAP client in IDLE hears of new mail within a second of the SMTP 250
        java.util.concurrent.CompletableFuture<Long> told = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CountDownLatch idling = new java.util.concurrent.CountDownLatch(1);
        jakarta.mail.Store imap = MailClients.withMailClient(() -> {
            jakarta.mail.Store st = session.getStore("imap");
            st.connect("127.0.0.1", imapPort, ALICE, PASSWORD);
            return st;
        });
        try {
            org.eclipse.angus.mail.imap.IMAPFolder inbox = MailClients.withMailClient(() -> {
                org.eclipse.angus.mail.imap.IMAPFolder f = (org.eclipse.angus.mail.imap.IMAPFolder) imap.getFolder("INBOX");
                f.open(jakarta.mail.Folder.READ_ONLY);
                f.addMessageCountListener(new jakarta.mail.event.MessageCountAdapter() {
                    @Override
                    public void messagesAdded(jakarta.mail.event.MessageCountEvent e) {
                        told.complete(System.nanoTime());
                    }
                });
                return f;
            });
            Thread idler = new Thread(() -> {
                try {
                    MailClients.withMailClient(() -> {
                        idling.countDown();
                        while (!told.isDone()) {
                            inbox.idle(true);
                        }
                        return null;
                    });
                } catch (Exception e) {
                    told.completeExceptionally(e);
                }
            }, "smtp-it-idle");
            idler.setDaemon(true);
            idler.start();
            idling.await(10, TimeUnit.SECONDS);
            Thread.sleep(500); // let IDLE start
            send(session, "smtp", mxPort, null, parse(session, ("Subject: idle\r\n\r\nwake up\r\n")
                    .getBytes(StandardCharsets.US_ASCII)), ALICE);
            long sentAt = System.nanoTime();
            long at = told.get(10, TimeUnit.SECONDS);
            long ms = (at - sentAt) / 1_000_000;
            assertTrue("IDLE told after " + ms + " ms", ms < 1000);
        } finally {
            MailClients.withMailClient(() -> {
                imap.close();
                return null;
            });
        }
    }

    // ------------------------------------------------------------------ protocol scripts

    @Test
    public void unknownUserRelayAndSubmissionWithoutAuthAreRefused() throws Exception {
        try (LineClient l = LineClient.connect(mxPort)) {
            assertReply("220 ", reply(l));
            assertReply("503 5.5.1", call(l, "MAIL FROM:<x@example.com>"));
            String ehlo = call(l, "EHLO it.example");
            assertTrue(ehlo, ehlo.contains("250-STARTTLS") && ehlo.contains("250-PIPELINING")
                    && ehlo.contains("250-CHUNKING") && ehlo.contains("250-SMTPUTF8") && ehlo.contains("250-DSN"));
            assertReply("250 2.1.0", call(l, "MAIL FROM:<x@example.com>"));
            assertReply("550 5.1.1", call(l, "RCPT TO:<nobody@localhost>"));
            assertReply("554 5.7.1", call(l, "RCPT TO:<victim@example.net>"));
            assertReply("554 5.7.1", call(l, "RCPT TO:<victim@LOCALHOST.example.net>"));
            assertReply("250 2.1.5", call(l, "RCPT TO:<" + ALICE.toUpperCase() + ">"));
            assertReply("250 2.1.5", call(l, "RCPT TO:<postmaster>"));
            assertReply("250 2.0.0", call(l, "RSET"));
            assertReply("221 2.0.0", call(l, "QUIT"));
        }
        try (LineClient l = LineClient.connect(submissionPort)) {
            assertReply("220 ", reply(l));
            call(l, "EHLO it.example");
            assertReply("530 5.7.0", call(l, "MAIL FROM:<" + ALICE + ">"));
            assertReply("535 5.7.8", call(l, "AUTH PLAIN " + java.util.Base64.getEncoder().encodeToString(
                    ("\0" + ALICE + "\0wrong").getBytes(StandardCharsets.UTF_8))));
        }
        // Angus Mail without AUTH on submission
        Session session = MailClients.mailSession(props("mail.smtp.from", ALICE));
        try {
            send(session, "smtp", submissionPort, null, parse(session, "Subject: x\r\n\r\nx\r\n"
                    .getBytes(StandardCharsets.US_ASCII)), BOB);
            fail("submission without AUTH was accepted");
        } catch (MessagingException e) {
            assertTrue(String.valueOf(e), String.valueOf(e).contains("530"));
        }
    }

    @Test
    public void authenticatedClientsOnTheMxRelayToo() throws Exception {
        await("the outbound queue", this::queuePresent);
        try (LineClient l = LineClient.connect(mxPort)) {
            reply(l);
            call(l, "EHLO it.example");
            assertReply("235 2.7.0", call(l, "AUTH PLAIN " + java.util.Base64.getEncoder().encodeToString(
                    ("\0" + ALICE + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8))));
            assertReply("250 2.1.0", call(l, "MAIL FROM:<" + ALICE + ">"));
            assertReply("250 2.1.5", call(l, "RCPT TO:<friend@example.net>"));
            assertReply("250 2.0.0", call(l, "RSET"));
        }
    }

    @Test
    public void notifySuccessBringsTheSenderADeliveredNotice() throws Exception {
        // RFC 3461: the final delivery agent reports success when NOTIFY asks; the queue makes the report
        await("the outbound queue", this::queuePresent);
        int before = inbox(ALICE).size();
        String marker = "notify-it-" + System.nanoTime();
        try (LineClient l = LineClient.connect(mxPort)) {
            reply(l);
            assertTrue(call(l, "EHLO it.example").contains("DSN"));
            assertReply("250 2.1.0", call(l, "MAIL FROM:<" + ALICE + "> ENVID=" + marker));
            assertReply("250 2.1.5", call(l, "RCPT TO:<" + BOB + "> NOTIFY=SUCCESS,FAILURE"));
            assertReply("354", call(l, "DATA"));
            l.send("Subject: " + marker);
            l.send("");
            l.send("body");
            assertReply("250 2.0.0", call(l, "."));
            assertReply("221", call(l, "QUIT"));
        }
        String notice = new String(last(ALICE), StandardCharsets.UTF_8);
        assertEquals(before + 1, inbox(ALICE).size());
        assertTrue(notice, notice.contains("Subject: Successful Mail Delivery Report\r\n"));
        assertTrue(notice, notice.contains("Original-Envelope-Id: " + marker + "\r\n"));
        assertTrue(notice, notice.contains("Final-Recipient: rfc822; " + BOB + "\r\nAction: delivered\r\n"
                + "Status: 2.0.0\r\n"));
        assertTrue(notice, notice.contains("Subject: " + marker + "\r\n"));
        assertFalse("the body is not returned", notice.contains("\r\nbody\r\n"));
    }

    /** An IMAP exchange: sends the lines, reads until the tagged reply of {@code tag}; all lines read. */
    private static List<String> imap(LineClient l, String tag, String... lines) throws IOException {
        for (String line : lines) {
            l.send(line);
        }
        List<String> got = new java.util.ArrayList<>();
        String line;
        while ((line = l.read()) != null) {
            got.add(line);
            if (line.startsWith(tag + " ")) {
                break;
            }
        }
        return got;
    }

    @Test
    public void overQuotaMailIsRefusedBySmtpLmtpAndImapAppend() throws Exception {
        // a server-wide quota in Dovecot's syntax that every user of this container is over at once
        org.osgi.service.cm.Configuration c = cm.getConfiguration("io.pillarbox.stores", null);
        Dictionary<String, Object> old = change(c, "quotaRules", new String[] {"*:bytes=100"});
        try {
            await("the quota in force", () -> {
                try (io.pillarbox.api.store.StoreSession s = stores.open(principal(BOB), () -> { })) {
                    io.pillarbox.api.store.Quota q = s.quota();
                    return q != null && q.storageLimit() == 100;
                } catch (Exception e) {
                    return false;
                }
            });
            int before = inbox(BOB).size();
            // SMTP on the MX, then LMTP (its one reply for the one recipient)
            for (String[] way : new String[][] {{String.valueOf(mxPort), "EHLO"}, {String.valueOf(lmtpPort), "LHLO"}}) {
                try (LineClient l = LineClient.connect(Integer.parseInt(way[0]))) {
                    reply(l);
                    call(l, way[1] + " quota.example");
                    assertReply("250 2.1.0", call(l, "MAIL FROM:<someone@example.com>"));
                    assertReply("250 2.1.5", call(l, "RCPT TO:<" + BOB + ">"));
                    assertReply("354", call(l, "DATA"));
                    l.send("Subject: too much");
                    l.send("");
                    l.send("body");
                    assertReply("552 5.2.2", call(l, "."));
                }
            }
            assertEquals(before, inbox(BOB).size());
            try (LineClient l = LineClient.connect(imapPort)) {
                l.read();
                List<String> login = imap(l, "a", "a LOGIN " + BOB + " " + PASSWORD);
                assertTrue(login.toString(), login.get(login.size() - 1).startsWith("a OK"));
                String msg = "Subject: x\r\n\r\n" + "an append over the quota ".repeat(8) + "\r\n";
                // the literal (LITERAL+) ends with the message's last CRLF; then the CRLF that ends the command
                List<String> append = imap(l, "b", "b APPEND INBOX {" + msg.length() + "+}",
                        msg.substring(0, msg.length() - 2), "");
                assertTrue(append.toString(), append.get(append.size() - 1).startsWith("b NO [OVERQUOTA]"));
                // RFC 9208: what clients such as Thunderbird show
                List<String> root = imap(l, "d", "d GETQUOTAROOT INBOX");
                assertEquals(root.toString(), "* QUOTAROOT \"INBOX\" \"\"", root.get(0));
                assertTrue(root.toString(), root.get(1).matches("\\* QUOTA \"\" \\(STORAGE \\d+ 0\\)"));
                imap(l, "c", "c LOGOUT");
            }
            assertEquals(before, inbox(BOB).size());
        } finally {
            restore(c, old);
            await("the quota lifted", () -> {
                try (io.pillarbox.api.store.StoreSession s = stores.open(principal(BOB), () -> { })) {
                    return !s.quota().limited();
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    @Test
    public void aPipelinedSession() throws Exception {
        int before = inbox(ALICE).size();
        int beforeBob = inbox(BOB).size();
        try (LineClient l = LineClient.connect(mxPort)) {
            assertReply("220 ", reply(l));
            assertTrue(call(l, "EHLO it.example").contains("PIPELINING"));
            l.out.write(("MAIL FROM:<pipe@example.com>\r\nRCPT TO:<" + ALICE + ">\r\nRCPT TO:<nobody@localhost>\r\n"
                    + "RCPT TO:<" + BOB + ">\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
            l.out.flush();
            assertReply("250 2.1.0", reply(l));
            assertReply("250 2.1.5", reply(l));
            assertReply("550 5.1.1", reply(l));
            assertReply("250 2.1.5", reply(l));
            assertReply("354", reply(l));
            l.out.write(("Subject: pipelined\r\n\r\none\r\n.\r\nMAIL FROM:<pipe@example.com>\r\nRCPT TO:<" + BOB
                    + ">\r\nBDAT 21 LAST\r\nSubject: bdat\r\n\r\nok\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));
            l.out.flush();
            assertReply("250 2.0.0", reply(l));
            assertReply("250 2.1.0", reply(l));
            assertReply("250 2.1.5", reply(l));
            assertReply("250 2.0.0", reply(l));
            assertReply("221 2.0.0", reply(l));
        }
        assertEquals(before + 1, inbox(ALICE).size());
        assertEquals(beforeBob + 2, inbox(BOB).size());
        assertTrue(new String(last(BOB), StandardCharsets.UTF_8).endsWith("\r\nSubject: bdat\r\n\r\nok\r\n"));
    }

    @Test
    public void lmtpGivesEachRecipientItsOwnReply() throws Exception {
        int before = inbox(ALICE).size();
        try (LineClient l = LineClient.connect(lmtpPort)) {
            assertReply("220 ", reply(l));
            assertReply("500 5.5.1", call(l, "EHLO mta.example"));
            assertTrue(call(l, "LHLO mta.example").startsWith("250-"));
            assertReply("250 2.1.0", call(l, "MAIL FROM:<list@example.com>"));
            String r1 = call(l, "RCPT TO:<" + ALICE + ">");
            String r2 = call(l, "RCPT TO:<nobody@localhost>");
            String r3 = call(l, "RCPT TO:<" + BOB + ">");
            assertReply("250 2.1.5", r1);
            assertReply("550 5.1.1", r2);
            assertReply("250 2.1.5", r3);
            assertReply("354", call(l, "DATA"));
            l.send("Subject: lmtp");
            l.send("");
            l.send("three recipients, one unknown");
            l.send(".");
            String d1 = reply(l);
            String d2 = reply(l);
            assertReply("250 2.0.0 <" + ALICE + ">", d1);
            assertReply("250 2.0.0 <" + BOB + ">", d2);
            assertEquals("three distinct replies", 3, new java.util.HashSet<>(List.of(d1, d2, r2)).size());
            assertReply("221", call(l, "QUIT"));
        }
        assertEquals(before + 1, inbox(ALICE).size());
        assertTrue(new String(last(ALICE), StandardCharsets.UTF_8).contains(" with LMTP id "));
    }

    // ------------------------------------------------------------------ swaks (Debian package swaks)

    private static String swaks(String... args) throws Exception {
        if (!new File("/usr/bin/swaks").canExecute()) {
            fail("swaks is not installed: install the Debian package 'swaks' (and 'libio-socket-ssl-perl' for TLS)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add("/usr/bin/swaks");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue("swaks did not finish", p.waitFor(60, TimeUnit.SECONDS));
        String s = new String(out, StandardCharsets.UTF_8);
        assertEquals("swaks failed:\n" + s, 0, p.exitValue());
        return s;
    }

    @Test
    public void swaksPipelinesToTheMxAndAuthenticatesOverStartTls() throws Exception {
        int before = inbox(BOB).size();
        String out = swaks("--server", "127.0.0.1:" + mxPort, "--from", "swaks@example.com", "--to", BOB,
                "--helo", "swaks.example", "--pipeline", "--header", "Subject: swaks to the MX",
                "--body", "Hello from swaks\n.dot line\n");
        assertTrue(out, out.contains("250 2.0.0 Ok: delivered as"));
        String out2 = swaks("--server", "127.0.0.1:" + submissionPort, "--from", ALICE, "--to", BOB,
                "--tls", "--auth", "PLAIN", "--auth-user", ALICE, "--auth-password", PASSWORD,
                "--header", "Subject: swaks submission", "--body", "submitted with STARTTLS and AUTH PLAIN");
        assertTrue(out2, out2.contains("235 2.7.0"));
        List<byte[]> mail = inbox(BOB);
        assertEquals(before + 2, mail.size());
        String first = new String(mail.get(mail.size() - 2), StandardCharsets.UTF_8);
        assertTrue(first, first.startsWith("Return-Path: <swaks@example.com>\r\nReceived: from swaks.example"));
        assertTrue(first, first.contains("\r\n.dot line\r\n"));
        String second = new String(mail.get(mail.size() - 1), StandardCharsets.UTF_8);
        assertTrue(second, second.contains(" with ESMTPSA id ") && second.contains("submitted with STARTTLS"));
        String lmtp = swaks("--server", "127.0.0.1:" + lmtpPort, "--protocol", "LMTP", "--from", "x@example.com",
                "--to", ALICE + "," + BOB, "--header", "Subject: swaks lmtp");
        assertTrue(lmtp, lmtp.contains("<" + ALICE + "> Ok") && lmtp.contains("<" + BOB + "> Ok"));
    }

    @Test
    public void deliveryServiceIsTheDistributionsOne() {
        assertEquals(io.pillarbox.api.delivery.Resolution.Kind.REMOTE, delivery.resolve("a@example.net").kind());
        assertEquals(io.pillarbox.api.delivery.Resolution.Kind.LOCAL, delivery.resolve("postmaster@LOCALHOST").kind());
    }

    // ------------------------------------------------------------------ relay rules, trace

    private static String b64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private org.osgi.framework.Bundle queueBundle() {
        for (org.osgi.framework.Bundle b : bc.getBundles()) {
            if ("io.pillarbox.queue".equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("the distribution has no io.pillarbox.queue bundle (feature pillarbox-queue)");
    }

    private boolean queuePresent() {
        return bc.getServiceReference(io.pillarbox.api.delivery.OutboundQueue.class) != null;
    }

    @Test
    public void remoteRecipientsNeedAuthAndAQueueThatMayComeAndGoAndTheSenderMustBeTheUsers() throws Exception {
        org.osgi.framework.Bundle queue = queueBundle();
        await("the outbound queue", this::queuePresent);
        int before = inbox(BOB).size();
        try (LineClient l = LineClient.connect(submissionPort)) {
            assertReply("220 ", reply(l));
            call(l, "EHLO it.example");
            assertReply("235 2.7.0", call(l, "AUTH PLAIN " + b64("\0" + ALICE + "\0" + PASSWORD)));
            // the envelope sender must belong to the login
            assertReply("553 5.7.1", call(l, "MAIL FROM:<" + BOB + ">"));
            assertReply("553 5.7.1", call(l, "MAIL FROM:<>"));
            assertReply("250 2.1.0", call(l, "MAIL FROM:<" + ALICE.toUpperCase() + ">"));
            assertReply("250 2.1.5 Recipient <friend@example.net> ok (relayed)", call(l, "RCPT TO:<friend@example.net>"));
            assertReply("250 2.1.5", call(l, "RCPT TO:<" + BOB + ">"));
            // the queue goes away while the session runs
            queue.stop();
            await("the outbound queue gone", () -> !queuePresent());
            assertReply("451 4.3.0 <other@example.net>: Mail for remote domains cannot be accepted yet "
                    + "(no outbound queue)", call(l, "RCPT TO:<other@example.net>"));
            assertReply("354", call(l, "DATA"));
            l.send("Subject: not queued");
            l.send("");
            l.send("the queue went away after RCPT");
            assertReply("451 4.3.0 Cannot queue the message for remote recipients", call(l, "."));
            assertEquals("no local copy either: the client's retry duplicates nothing", before, inbox(BOB).size());
            assertReply("221 2.0.0", call(l, "QUIT"));
        } finally {
            queue.start();
        }
        // a new submission session without the queue... and with it again
        await("the outbound queue back", this::queuePresent);
        try (LineClient l = LineClient.connect(submissionPort)) {
            assertReply("220 ", reply(l));
            call(l, "EHLO it.example");
            assertReply("235 2.7.0", call(l, "AUTH PLAIN " + b64("\0" + BOB + "\0" + PASSWORD)));
            assertReply("250 2.1.0", call(l, "MAIL FROM:<" + BOB + ">"));
            assertReply("250 2.1.5", call(l, "RCPT TO:<friend@example.net>"));
            assertReply("250 2.0.0", call(l, "RSET"));
            assertReply("221 2.0.0", call(l, "QUIT"));
        }
        // the MX without AUTH: no relaying though a queue exists (loopback is not a relay network)
        try (LineClient l = LineClient.connect(mxPort)) {
            assertReply("220 ", reply(l));
            call(l, "EHLO it.example");
            assertReply("250 2.1.0", call(l, "MAIL FROM:<" + BOB + ">"));
            assertReply("554 5.7.1 <victim@example.net>: Relay access denied", call(l, "RCPT TO:<victim@example.net>"));
            assertReply("250 2.1.5", call(l, "RCPT TO:<" + ALICE + ">"));
            assertReply("221 2.0.0", call(l, "QUIT"));
        }
    }

    @Test
    public void withoutTheQueueSubmissionToARemoteAddressGetsFourFiftyOne() throws Exception {
        org.osgi.framework.Bundle queue = queueBundle();
        queue.stop();
        try {
            await("the outbound queue gone", () -> !queuePresent());
            try (LineClient l = LineClient.connect(submissionPort)) {
                assertReply("220 ", reply(l));
                call(l, "EHLO it.example");
                assertReply("235 2.7.0", call(l, "AUTH PLAIN " + b64("\0" + ALICE + "\0" + PASSWORD)));
                assertReply("250 2.1.0", call(l, "MAIL FROM:<" + ALICE + ">"));
                assertReply("451 4.3.0 <friend@example.net>: Mail for remote domains cannot be accepted yet "
                        + "(no outbound queue)", call(l, "RCPT TO:<friend@example.net>"));
                assertReply("250 2.1.5", call(l, "RCPT TO:<" + BOB + ">"));
                assertReply("221 2.0.0", call(l, "QUIT"));
            }
            try (LineClient l = LineClient.connect(mxPort)) {
                assertReply("220 ", reply(l));
                call(l, "EHLO it.example");
                assertReply("250 2.1.0", call(l, "MAIL FROM:<x@example.com>"));
                assertReply("554 5.7.1", call(l, "RCPT TO:<victim@example.net>"));
            }
        } finally {
            queue.start();
        }
        await("the outbound queue back", this::queuePresent);
    }

    private static String karafLog() {
        try {
            return Files.readString(Path.of(System.getProperty("karaf.data"), "log", "karaf.log"),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    public void theTraceShowsAnAuthPlainSubmissionInKarafLogWithTheSecretMasked() throws Exception {
        org.osgi.service.cm.Configuration c = cm.getConfiguration("io.pillarbox.smtp", "?");
        Dictionary<String, Object> old = change(c, "traceUsers", new String[]{"*"});
        String secret = b64("\0" + ALICE + "\0" + PASSWORD);
        String marker = "TRACE-IT-BODY-" + System.nanoTime();
        try {
            // the change reaches the SMTP component asynchronously: probe until a new session is traced
            String probe = "probe-" + System.nanoTime() + ".example";
            await("the trace switched on", () -> {
                try (LineClient l = LineClient.connect(submissionPort)) {
                    reply(l);
                    call(l, "EHLO " + probe);
                    call(l, "QUIT");
                } catch (IOException e) {
                    return false;
                }
                return karafLog().contains("C: EHLO " + probe);
            });
            String helo = "trace-it-" + System.nanoTime() + ".example";
            try (LineClient l = LineClient.connect(submissionPort)) {
                assertReply("220 ", reply(l));
                String ehlo = call(l, "EHLO " + helo);
                assertTrue(ehlo, ehlo.contains("AUTH") && ehlo.contains("PLAIN"));
                assertReply("235 2.7.0", call(l, "AUTH PLAIN " + secret));
                assertReply("250 2.1.0", call(l, "MAIL FROM:<" + ALICE + ">"));
                assertReply("250 2.1.5", call(l, "RCPT TO:<" + BOB + ">"));
                assertReply("354", call(l, "DATA"));
                l.send("Subject: " + marker);
                l.send("");
                l.send(marker);
                assertReply("250 2.0.0", call(l, "."));
                assertReply("221 2.0.0", call(l, "QUIT"));
            }
            Pattern first = Pattern.compile("smtp (\\S+) - C: EHLO " + Pattern.quote(helo));
            await("the conversation in karaf.log", () -> {
                Matcher m = first.matcher(karafLog());
                return m.find() && karafLog().contains("smtp " + m.group(1) + " " + ALICE + " S: 221 2.0.0");
            });
            String log = karafLog();
            Matcher m = first.matcher(log);
            assertTrue(m.find());
            String session = "smtp " + m.group(1) + " ";
            StringBuilder conversation = new StringBuilder();
            for (String line : log.split("\n")) {
                if (line.contains(session)) {
                    conversation.append(line.substring(line.indexOf(session))).append('\n');
                }
            }
            String conv = conversation.toString();
            System.out.println("SmtpIT: the traced conversation in karaf.log:\n" + conv);
            for (String expected : new String[]{
                    "- S: 220 ", "- C: EHLO " + helo, "- C: AUTH PLAIN <initial response masked>",
                    ALICE + " S: 235 2.7.0 Authentication successful", ALICE + " C: MAIL FROM:<" + ALICE + ">",
                    ALICE + " C: RCPT TO:<" + BOB + ">", ALICE + " S: 354 ", ALICE + " C: <"
                    + (2 * marker.length() + 15) + " octets>", ALICE + " S: 250 2.0.0 Ok: delivered as ",
                    ALICE + " C: QUIT"}) {
                assertTrue("missing \"" + expected + "\" in:\n" + conv, conv.contains(session + expected));
            }
            assertFalse("the password is in karaf.log", log.contains(PASSWORD));
            assertFalse("the AUTH PLAIN response is in karaf.log", log.contains(secret));
            assertFalse("the message is in karaf.log", log.contains(marker));
        } finally {
            restore(c, old);
        }
    }

    // ------------------------------------------------------------------ relay end to end (pillarbox-queue)

    /** A scripted SMTP server on loopback: the queue's relay host. Records one session's lines (data as "D: ..."). */
    private static final class RelayPeer implements AutoCloseable {
        final java.net.ServerSocket server;
        final java.util.concurrent.CompletableFuture<List<String>> session = new java.util.concurrent.CompletableFuture<>();

        RelayPeer() throws IOException {
            server = new java.net.ServerSocket(0, 5, java.net.InetAddress.getByName(HOST));
            Thread t = new Thread(this::serve, "smtp-it-relay-peer");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            List<String> lines = new ArrayList<>();
            try (java.net.Socket s = server.accept()) {
                s.setSoTimeout(30_000);
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        s.getInputStream(), StandardCharsets.UTF_8));
                java.io.OutputStream out = s.getOutputStream();
                out.write("220 peer.example ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
                    String answer;
                    switch (verb) {
                        case "EHLO", "HELO" -> answer = "250 peer.example";
                        case "DATA" -> {
                            out.write("354 go ahead\r\n".getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            String d;
                            while ((d = in.readLine()) != null && !d.equals(".")) {
                                lines.add("D: " + d);
                            }
                            answer = "250 2.0.0 accepted by the peer";
                        }
                        case "QUIT" -> answer = "221 2.0.0 bye";
                        case "MAIL", "RCPT", "RSET", "NOOP" -> answer = "250 2.0.0 ok";
                        default -> answer = "502 5.5.1 not here";
                    }
                    out.write((answer + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (verb.equals("QUIT")) {
                        break;
                    }
                }
                session.complete(lines);
            } catch (Exception e) {
                session.completeExceptionally(new AssertionError("relay peer after " + lines, e));
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    public void submissionRelaysThroughTheOutboundQueueToItsRelayHost() throws Exception {
        await("the outbound queue (feature pillarbox-queue)", this::queuePresent);
        org.osgi.service.cm.Configuration c = cm.getConfiguration("io.pillarbox.queue", "?");
        Dictionary<String, Object> old = c.getProperties();
        try (RelayPeer peer = new RelayPeer()) {
            change(c, "relayHost", HOST, "relayPort", peer.port(), "tls", "none", "retrySchedule", "2s");
            await("the queue configured with the relay host", () -> {
                org.osgi.framework.ServiceReference<?> r = bc.getServiceReference(
                        io.pillarbox.api.delivery.OutboundQueue.class);
                return r != null && String.valueOf(peer.port()).equals(String.valueOf(r.getProperty("relayPort")));
            });
            String marker = "relayed-" + System.nanoTime();
            int before = inbox(BOB).size();
            try (LineClient l = LineClient.connect(submissionPort)) {
                assertReply("220 ", reply(l));
                call(l, "EHLO relay-it.example");
                assertReply("235 2.7.0", call(l, "AUTH PLAIN " + b64("\0" + ALICE + "\0" + PASSWORD)));
                assertReply("250 2.1.0", call(l, "MAIL FROM:<" + ALICE + ">"));
                assertReply("250 2.1.5", call(l, "RCPT TO:<friend@example.net>"));
                assertReply("250 2.1.5", call(l, "RCPT TO:<" + BOB + ">"));
                assertReply("354", call(l, "DATA"));
                l.send("Subject: " + marker);
                l.send("");
                l.send("..a stuffed line");
                l.send(marker);
                assertReply("250 2.0.0 Ok: queued as ", call(l, "."));
                assertReply("221", call(l, "QUIT"));
            }
            List<String> lines = peer.session.get(60, TimeUnit.SECONDS);
            String all = String.join("\n", lines);
            assertTrue(all, lines.stream().anyMatch(x -> x.toUpperCase().startsWith("MAIL FROM:<" + ALICE.toUpperCase() + ">")));
            assertTrue(all, lines.stream().anyMatch(x -> x.equalsIgnoreCase("RCPT TO:<friend@example.net>")));
            assertFalse("only the remote recipient goes out: " + all, all.contains("RCPT TO:<" + BOB + ">"));
            assertTrue(all, lines.contains("D: Received: from relay-it.example ([127.0.0.1])"));
            assertFalse("no Return-Path: leaves the server: " + all, all.contains("D: Return-Path:"));
            assertTrue(all, lines.contains("D: Subject: " + marker));
            assertTrue("dot-stuffing is the queue's job again: " + all, lines.contains("D: ..a stuffed line"));
            assertTrue(all, lines.contains("D: " + marker));
            List<byte[]> bob = inbox(BOB);
            assertEquals(before + 1, bob.size());
            String local = new String(bob.get(bob.size() - 1), StandardCharsets.UTF_8);
            assertTrue(local, local.startsWith("Return-Path: <" + ALICE + ">\r\nReceived: from relay-it.example")
                    && local.endsWith("\r\n" + marker + "\r\n"));
        } finally {
            restore(c, old);
        }
    }

    // ------------------------------------------------------------------ forwarding aliases (through the queue)

    @Test
    public void anAliasForwardingToARemoteAddressIsQueuedForAnUnauthenticatedClientAndLoopsAreRefused()
            throws Exception {
        await("the outbound queue (feature pillarbox-queue)", this::queuePresent);
        org.osgi.service.cm.Configuration c = cm.getConfiguration("io.pillarbox.queue", "?");
        Dictionary<String, Object> old = c.getProperties();
        // a relay host that refuses connections: the message stays deferred in the queue, nothing leaves loopback
        int closed = freePort();
        Path aliases = Path.of(System.getProperty("karaf.etc"), "pillarbox.aliases");
        String aliasesBefore = Files.exists(aliases) ? Files.readString(aliases, StandardCharsets.UTF_8) : null;
        try {
            change(c, "relayHost", HOST, "relayPort", closed, "tls", "none", "retrySchedule", "1h");
            await("the queue configured with the closed relay host", () -> {
                org.osgi.framework.ServiceReference<?> r = bc.getServiceReference(
                        io.pillarbox.api.delivery.OutboundQueue.class);
                return r != null && String.valueOf(closed).equals(String.valueOf(r.getProperty("relayPort")));
            });
            Files.writeString(aliases, (aliasesBefore == null ? "" : aliasesBefore)
                    + "\nsmtp-fwd@localhost: far-away@example.net, " + BOB + "\n", StandardCharsets.UTF_8);
            await("the forwarding alias read", () -> delivery.resolve("smtp-fwd@localhost").remoteTargets()
                    .equals(List.of("far-away@example.net")));
            io.pillarbox.api.delivery.OutboundQueue queue = service(bc, io.pillarbox.api.delivery.OutboundQueue.class);
            int before = inbox(BOB).size();
            String marker = "forwarded-" + System.nanoTime();
            String id;
            try (LineClient l = LineClient.connect(mxPort)) {
                assertReply("220 ", reply(l));
                call(l, "EHLO fwd-it.example");
                assertReply("250 2.1.0", call(l, "MAIL FROM:<someone@sender.example>"));
                assertReply("554 5.7.1", call(l, "RCPT TO:<far-away@example.net>"));
                assertReply("250 2.1.5 Recipient <smtp-fwd@localhost> ok (forwarded)",
                        call(l, "RCPT TO:<smtp-fwd@localhost>"));
                assertReply("354", call(l, "DATA"));
                l.send("Subject: " + marker);
                l.send("");
                l.send("through a forwarding alias");
                String done = call(l, ".");
                assertReply("250 2.0.0 Ok: queued as ", done);
                id = done.substring("250 2.0.0 Ok: queued as ".length()).strip();
                // a message that already went round 50 times: a loop
                assertReply("250 2.1.0", call(l, "MAIL FROM:<someone@sender.example>"));
                assertReply("250 2.1.5", call(l, "RCPT TO:<smtp-fwd@localhost>"));
                assertReply("354", call(l, "DATA"));
                for (int i = 0; i < 50; i++) {
                    l.send("Received: from hop" + i + " by somewhere; Fri, 27 Nov 2026 04:00:00 +0000");
                }
                l.send("Subject: looping");
                l.send("");
                l.send("again");
                assertReply("554 5.4.6 Too many hops (50 Received: headers)", call(l, "."));
                assertReply("221", call(l, "QUIT"));
            }
            io.pillarbox.api.delivery.OutboundQueue.QueuedMessage m = queue.find(id).orElseThrow(
                    () -> new AssertionError("not in the queue: " + id + " " + queue.list()));
            assertEquals("the original envelope sender (SRS is off while the first local domain is localhost)", "someone@sender.example", m.sender());
            assertEquals(List.of("far-away@example.net"), m.recipients());
            assertEquals("the local target got its copy, the looping message none", before + 1, inbox(BOB).size());
            String local = new String(inbox(BOB).get(before), StandardCharsets.UTF_8);
            assertTrue(local, local.startsWith("Return-Path: <someone@sender.example>\r\n") && local.contains(marker));
            assertEquals("one message queued, the loop refused", 1, queue.list().stream()
                    .filter(q -> q.sender().equals("someone@sender.example")).count());
            assertTrue(queue.delete(id));
        } finally {
            if (aliasesBefore == null) {
                Files.deleteIfExists(aliases);
            } else {
                Files.writeString(aliases, aliasesBefore, StandardCharsets.UTF_8);
            }
            restore(c, old);
        }
    }
}
