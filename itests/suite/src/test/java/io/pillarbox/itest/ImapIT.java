package io.pillarbox.itest;

import io.pillarbox.api.auth.WritableRealm;
import io.pillarbox.api.server.SessionRegistry;
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
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/**
 * IMAP against the real distribution over real sockets: with Angus Mail's IMAP provider (as Thunderbird-like
 * clients use it) and with protocol scripts (client line, expected server lines as patterns).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ImapIT extends PillarboxTestSupport {

    static final String PASSWORD = "correct horse battery";

    @Inject
    BundleContext bc;

    @Inject
    ConfigurationAdmin cm;

    @Inject
    WritableRealm realm;

    @Inject
    SessionRegistry sessions;

    static int imapPort;
    static int imapsPort;

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(distributionOptions());
        options.addAll(MailClients.mailClientOptions());
        return options.toArray(new Option[0]);
    }

    @Before
    public void listenersAndUsers() throws Exception {
        if (imapPort == 0) {
            imapPort = freePort();
            imapsPort = freePort();
            createListener(cm, "imap-test", "imap", imapPort, "starttls");
            createListener(cm, "imaps-test", "imap", imapsPort, "implicit");
            await("IMAP listeners", () -> accepts(imapPort) && accepts(imapsPort));
        }
        for (String user : List.of("alice", "bob", "carol", "dave", "erin", "frank", "grace")) {
            if (!realm.users().contains(user)) {
                realm.addUser(user, PASSWORD.toCharArray());
            }
        }
    }

    // ------------------------------------------------------------------ protocol scripts

    @Test
    public void greetingCapabilitiesLoginAndBadInput() throws Exception {
        try (Imap c = Imap.connect(imapPort)) {
            String greeting = c.read();
            assertTrue(greeting, greeting.matches("\\* OK \\[CAPABILITY [^]]*IMAP4rev1 IMAP4rev2[^]]*] .*"));
            List<String> caps = c.cmd("a1 CAPABILITY");
            String capLine = caps.get(0);
            for (String cap : List.of("STARTTLS", "AUTH=PLAIN", "SASL-IR", "IDLE", "UIDPLUS", "MOVE", "CONDSTORE",
                    "QRESYNC", "SPECIAL-USE", "LITERAL+", "ENABLE", "NAMESPACE", "ESEARCH", "APPENDLIMIT=")) {
                assertTrue(cap + " in " + capLine, capLine.contains(" " + cap));
            }
            // loopback: plaintext logins are allowed
            assertFalse(capLine.contains("LOGINDISABLED"));
            c.expectOk(c.cmd("a2 NOOP"));
            // a malformed command gets BAD and the session goes on
            assertTrue(last(c.cmd("a3 FROBNICATE")).startsWith("a3 BAD"));
            assertTrue(last(c.cmd("a4 SELECT")).startsWith("a4 BAD"));
            assertTrue(last(c.cmd("a5 LOGIN alice wrong-password")).startsWith("a5 NO"));
            assertTrue(last(c.cmd("a6 SELECT INBOX")).startsWith("a6 BAD"));
            c.expectOk(c.cmd("a7 LOGIN alice \"" + PASSWORD + "\""));
            List<String> select = c.cmd("a8 SELECT INBOX");
            c.expectOk(select);
            assertTrue(select.toString(), select.stream().anyMatch(l -> l.matches("\\* \\d+ EXISTS")));
            assertTrue(select.toString(), select.stream().anyMatch(l -> l.startsWith("* OK [UIDVALIDITY ")));
            List<String> bye = c.cmd("a9 LOGOUT");
            assertTrue(bye.toString(), bye.get(0).startsWith("* BYE"));
            c.expectOk(bye);
        }
    }

    @Test
    public void specialUseMailboxesExistAfterFirstLogin() throws Exception {
        try (Imap c = Imap.loggedIn(imapPort, "bob")) {
            List<String> list = c.cmd("l1 LIST \"\" \"*\" RETURN (SPECIAL-USE)");
            c.expectOk(list);
            String all = String.join("\n", list);
            for (String[] box : new String[][]{{"Drafts", "\\Drafts"}, {"Sent", "\\Sent"}, {"Trash", "\\Trash"},
                    {"Junk", "\\Junk"}, {"Archive", "\\Archive"}}) {
                assertTrue(box[0] + " in " + all, Pattern.compile("\\* LIST \\([^)]*" + Pattern.quote(box[1])
                        + "[^)]*\\) \"/\" \"?" + box[0] + "\"?").matcher(all).find());
            }
            assertTrue(all, all.contains("INBOX"));
        }
    }

    @Test
    public void appendFetchStoreSearchCopyMoveExpungeByScript() throws Exception {
        String message = "From: Carol <carol@example.org>\r\nTo: bob@example.org\r\nSubject: script test\r\n"
                + "Message-ID: <script-1@example.org>\r\n\r\nLine one\r\n.starts with a dot\r\nLast line\r\n";
        try (Imap c = Imap.loggedIn(imapPort, "carol")) {
            List<String> append = c.append("p1 APPEND INBOX (\\Flagged) {" + message.length() + "}", message);
            c.expectOk(append);
            assertTrue(last(append), last(append).matches("p1 OK \\[APPENDUID \\d+ \\d+] .*"));
            c.expectOk(c.cmd("p2 SELECT INBOX"));
            List<String> fetch = c.cmd("p3 FETCH 1 (FLAGS RFC822.SIZE ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            c.expectOk(fetch);
            String f = String.join("\n", fetch);
            assertTrue(f, f.contains("\\Flagged"));
            assertTrue(f, f.contains("RFC822.SIZE " + message.length()));
            assertTrue(f, f.contains("\"script test\""));
            assertTrue(f, f.contains("Subject: script test"));
            // the body comes back byte-exact
            assertEquals(message, c.fetchLiteral("p4 FETCH 1 BODY.PEEK[]"));
            c.expectOk(c.cmd("p5 STORE 1 +FLAGS (\\Seen $Label1)"));
            List<String> search = c.cmd("p6 UID SEARCH SUBJECT \"script\" SEEN FLAGGED");
            c.expectOk(search);
            assertTrue(search.toString(), search.get(0).matches("\\* SEARCH \\d+"));
            c.expectOk(c.cmd("p7 CREATE Work/2026"));
            List<String> copy = c.cmd("p8 COPY 1 Work/2026");
            assertTrue(last(copy), last(copy).matches("p8 OK \\[COPYUID \\d+ \\d+ \\d+] .*"));
            List<String> move = c.cmd("p9 MOVE 1 Trash");
            c.expectOk(move);
            assertTrue(move.toString(), move.stream().anyMatch(l -> l.equals("* 1 EXPUNGE")
                    || l.startsWith("* VANISHED")));
            List<String> status = c.cmd("p10 STATUS Work/2026 (MESSAGES UNSEEN UIDNEXT)");
            c.expectOk(status);
            assertTrue(status.get(0), status.get(0).matches("\\* STATUS \"?Work/2026\"? \\(MESSAGES 1 UNSEEN 0 UIDNEXT \\d+\\)"));
            c.expectOk(c.cmd("p11 SELECT Trash"));
            c.expectOk(c.cmd("p12 STORE 1:* +FLAGS.SILENT (\\Deleted)"));
            List<String> expunge = c.cmd("p13 EXPUNGE");
            c.expectOk(expunge);
            assertTrue(expunge.toString(), expunge.contains("* 1 EXPUNGE"));
        }
    }

    @Test
    public void authenticatePlainWithInitialResponse() throws Exception {
        try (Imap c = Imap.connect(imapPort)) {
            c.read();
            String ir = Base64.getEncoder().encodeToString(("\0dave\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            c.expectOk(c.cmd("s1 AUTHENTICATE PLAIN " + ir));
            c.expectOk(c.cmd("s2 SELECT INBOX"));
        }
    }

    @Test
    public void idleIsToldOfANewMessageWithinASecondAndSessionsSeeEachOthersFlags() throws Exception {
        try (Imap idler = Imap.loggedIn(imapPort, "erin"); Imap other = Imap.loggedIn(imapPort, "erin")) {
            String msg = "Subject: first\r\n\r\nhello\r\n";
            other.expectOk(other.append("o1 APPEND INBOX {" + msg.length() + "}", msg));
            idler.expectOk(idler.cmd("i1 SELECT INBOX"));
            idler.send("i2 IDLE");
            assertTrue(idler.read().startsWith("+ "));

            String second = "Subject: second\r\n\r\nworld\r\n";
            long start = System.nanoTime();
            other.expectOk(other.append("o2 APPEND INBOX {" + second.length() + "}", second));
            idler.socket.setSoTimeout(1000);
            String untagged = idler.read();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals("* 2 EXISTS", untagged);
            assertTrue("told within a second, took " + ms + " ms", ms < 1000);
            idler.socket.setSoTimeout(10_000);

            // a flag change by the other session is announced in IDLE as well
            other.expectOk(other.cmd("o3 SELECT INBOX"));
            other.expectOk(other.cmd("o4 STORE 1 +FLAGS (\\Answered)"));
            String fetch = idler.readUntil(l -> l.contains("FETCH"));
            assertTrue(fetch, fetch.matches("\\* 1 FETCH \\(.*FLAGS \\(.*\\\\Answered.*\\).*"));
            idler.send("DONE");
            idler.expectOk(idler.readTagged("i2"));

            // an expunge by the other session reaches this one at its next command
            other.expectOk(other.cmd("o5 STORE 1 +FLAGS.SILENT (\\Deleted)"));
            other.expectOk(other.cmd("o6 EXPUNGE"));
            List<String> noop = idler.cmd("i3 NOOP");
            idler.expectOk(noop);
            assertTrue(noop.toString(), noop.contains("* 1 EXPUNGE"));
        }
    }

    @Test
    public void startTlsUpgradesAndTheSessionContinuesEncrypted() throws Exception {
        try (Imap c = Imap.connect(imapPort)) {
            c.read();
            c.expectOk(c.cmd("t1 STARTTLS"));
            SSLSocket s = PlatformIT.tlsSocket(c.socket, imapPort, "TLSv1.3");
            s.startHandshake();
            c.attach(s);
            List<String> caps = c.cmd("t2 CAPABILITY");
            assertFalse("no STARTTLS once secure: " + caps.get(0), caps.get(0).contains("STARTTLS"));
            c.expectOk(c.cmd("t3 LOGIN frank \"" + PASSWORD + "\""));
            assertTrue(sessions.sessions().stream().anyMatch(si -> "frank".equals(si.user()) && si.secure()));
        }
    }

    @Test
    public void adminKickEndsTheSessionWithBye() throws Exception {
        try (Imap c = Imap.loggedIn(imapPort, "frank")) {
            await("session registered", () -> sessions.sessions().stream().anyMatch(s -> "frank".equals(s.user())));
            assertTrue(sessions.kickUser("frank", "Kicked by the administrator") >= 1);
            String bye = c.readUntil(l -> l.startsWith("* BYE"));
            assertTrue(bye, bye.contains("Kicked by the administrator"));
        }
    }

    // ------------------------------------------------------------------ Angus Mail

    @Test
    public void angusMailOverImapsRoundTripsAMultipartMessage() throws Exception {
        MailClients.withMailClient(() -> {
            jakarta.mail.Session session = MailClients.mailSession(new Properties());
            jakarta.mail.Store store = session.getStore("imaps");
            store.connect("127.0.0.1", imapsPort, "alice", PASSWORD);
            try {
                jakarta.mail.Folder inbox = store.getFolder("INBOX");
                inbox.open(jakarta.mail.Folder.READ_WRITE);
                int before = inbox.getMessageCount();

                jakarta.mail.internet.MimeMessage m = new jakarta.mail.internet.MimeMessage(session);
                m.setFrom(new jakarta.mail.internet.InternetAddress("Zoë <zoe@example.org>"));
                m.setRecipients(jakarta.mail.Message.RecipientType.TO, "alice@example.org");
                m.setSubject("Grüße aus dem Test", "UTF-8");
                jakarta.mail.internet.MimeMultipart mp = new jakarta.mail.internet.MimeMultipart("mixed");
                jakarta.mail.internet.MimeBodyPart text = new jakarta.mail.internet.MimeBodyPart();
                text.setText("Hallo Alice,\nanbei die Datei.\n", "UTF-8");
                jakarta.mail.internet.MimeBodyPart file = new jakarta.mail.internet.MimeBodyPart();
                byte[] data = new byte[200_000];
                new java.util.Random(42).nextBytes(data);
                file.setDataHandler(new jakarta.activation.DataHandler(
                        new jakarta.mail.util.ByteArrayDataSource(data, "application/octet-stream")));
                file.setFileName("data.bin");
                mp.addBodyPart(text);
                mp.addBodyPart(file);
                m.setContent(mp);
                m.saveChanges();
                // what goes over the wire: the message with CRLF line ends, as APPEND sends it
                ByteArrayOutputStream sent = new ByteArrayOutputStream();
                m.writeTo(new org.eclipse.angus.mail.util.CRLFOutputStream(sent));

                inbox.appendMessages(new jakarta.mail.Message[]{m});
                assertEquals(before + 1, inbox.getMessageCount());
                jakarta.mail.internet.MimeMessage got = (jakarta.mail.internet.MimeMessage) inbox.getMessage(before + 1);
                assertEquals("Grüße aus dem Test", got.getSubject());
                assertEquals("zoe@example.org",
                        ((jakarta.mail.internet.InternetAddress) got.getFrom()[0]).getAddress());
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                got.writeTo(back);
                assertArrayEquals("byte-exact", sent.toByteArray(), back.toByteArray());
                jakarta.mail.Multipart parts = (jakarta.mail.Multipart) got.getContent();
                assertEquals(2, parts.getCount());
                assertEquals("data.bin", parts.getBodyPart(1).getFileName());
                assertArrayEquals(data, parts.getBodyPart(1).getInputStream().readAllBytes());

                got.setFlag(jakarta.mail.Flags.Flag.FLAGGED, true);
                // server-side SEARCH matches the decoded (RFC 2047) subject; ASCII here because Angus Mail 2.0.4
                // sends non-ASCII search strings as Latin-1 after ENABLE UTF8=ACCEPT
                jakarta.mail.Message[] found = inbox.search(new jakarta.mail.search.SubjectTerm("aus dem test"));
                assertEquals(1, found.length);
                assertTrue(found[0].isSet(jakarta.mail.Flags.Flag.FLAGGED));

                jakarta.mail.Folder archive = store.getFolder("Archive");
                assertTrue(archive.exists());
                inbox.copyMessages(new jakarta.mail.Message[]{got}, archive);
                got.setFlag(jakarta.mail.Flags.Flag.DELETED, true);
                inbox.expunge();
                assertEquals(before, inbox.getMessageCount());
                archive.open(jakarta.mail.Folder.READ_ONLY);
                assertTrue(archive.getMessageCount() >= 1);
                archive.close(false);
                inbox.close(false);
            } finally {
                store.close();
            }
            return null;
        });
    }

    @Test
    public void angusMailRequiringStartTls() throws Exception {
        MailClients.withMailClient(() -> {
            Properties p = new Properties();
            p.put("mail.imap.starttls.enable", "true");
            p.put("mail.imap.starttls.required", "true");
            jakarta.mail.Store store = MailClients.mailSession(p).getStore("imap");
            store.connect("127.0.0.1", imapPort, "bob", PASSWORD);
            try {
                jakarta.mail.Folder[] folders = store.getDefaultFolder().list("*");
                assertTrue(Arrays.stream(folders).anyMatch(f -> f.getFullName().equals("Sent")));
            } finally {
                store.close();
            }
            return null;
        });
    }

    @Test
    public void everyOtherCommandAndExtensionByScript() throws Exception {
        try (Imap c = Imap.loggedIn(imapPort, "grace")) {
            List<String> r;
            r = c.cmd("e1 ID (\"name\" \"script\")");
            c.expectOk(r);
            assertTrue(r.get(0), r.get(0).startsWith("* ID ("));
            r = c.cmd("e2 NAMESPACE");
            c.expectOk(r);
            assertTrue(r.get(0), r.get(0).startsWith("* NAMESPACE ((\"\" \"/\"))"));
            r = c.cmd("e3 ENABLE CONDSTORE QRESYNC");
            c.expectOk(r);
            assertTrue(r.get(0), r.get(0).startsWith("* ENABLED") && r.get(0).contains("QRESYNC"));

            // mailbox management
            c.expectOk(c.cmd("m1 CREATE Projects/Alpha"));
            c.expectOk(c.cmd("m2 SUBSCRIBE Projects/Alpha"));
            r = c.cmd("m3 LSUB \"\" \"Projects/*\"");
            assertTrue(r.toString(), r.stream().anyMatch(l -> l.startsWith("* LSUB") && l.contains("Projects/Alpha")));
            c.expectOk(c.cmd("m4 RENAME Projects/Alpha Projects/Beta"));
            r = c.cmd("m5 LIST \"\" \"Projects/*\" RETURN (SUBSCRIBED CHILDREN STATUS (MESSAGES UIDNEXT SIZE))");
            c.expectOk(r);
            assertTrue(r.toString(), r.stream().anyMatch(l -> l.startsWith("* LIST") && l.contains("Projects/Beta")));
            assertTrue(r.toString(), r.stream().anyMatch(l -> l.startsWith("* STATUS") && l.contains("SIZE 0")));
            c.expectOk(c.cmd("m6 UNSUBSCRIBE Projects/Beta"));
            c.expectOk(c.cmd("m7 DELETE Projects/Beta"));
            assertTrue(last(c.cmd("m8 SELECT Projects/Beta")).startsWith("m8 NO"));

            // MULTIAPPEND with LITERAL+ (no continuation waits)
            String a = "From: x@example.org\r\nSubject: bravo\r\nReferences: <r1@x>\r\nMessage-ID: <r2@x>\r\n\r\nb\r\n";
            String b = "From: y@example.org\r\nSubject: alpha\r\nMessage-ID: <r1@x>\r\n\r\na\r\n";
            String cc = "From: z@example.org\r\nSubject: charlie\r\n\r\nc\r\n";
            c.send("x1 APPEND INBOX (\\Seen) {" + a.length() + "+}");
            c.socket.getOutputStream().write(a.getBytes(StandardCharsets.UTF_8));
            c.send(" {" + b.length() + "+}");
            c.socket.getOutputStream().write(b.getBytes(StandardCharsets.UTF_8));
            c.send(" (\\Flagged) {" + cc.length() + "+}");
            c.socket.getOutputStream().write(cc.getBytes(StandardCharsets.UTF_8));
            c.send("");
            r = c.readTagged("x1");
            assertTrue(last(r), last(r).matches("x1 OK \\[APPENDUID \\d+ \\d+:\\d+] .*"));

            r = c.cmd("x2 EXAMINE INBOX (QRESYNC (1 1))");
            c.expectOk(r);
            assertTrue(last(r), last(r).contains("[READ-ONLY]"));
            assertTrue(r.toString(), r.stream().anyMatch(l -> l.startsWith("* OK [HIGHESTMODSEQ ")));
            assertTrue(last(c.cmd("x3 STORE 1 +FLAGS (\\Deleted)")).startsWith("x3 NO"));
            c.expectOk(c.cmd("x4 SELECT INBOX (CONDSTORE)"));

            r = c.cmd("s1 SEARCH RETURN (MIN MAX COUNT) OR SUBJECT alpha SUBJECT charlie");
            c.expectOk(r);
            assertTrue(r.get(0), r.get(0).matches("\\* ESEARCH \\(TAG \"s1\"\\) MIN 2 MAX 3 COUNT 2"));
            c.expectOk(c.cmd("s2 SEARCH RETURN (SAVE) FLAGGED"));
            r = c.cmd("s3 FETCH $ (FLAGS)");
            assertTrue(r.toString(), r.get(0).matches("\\* 3 FETCH \\(.*\\\\Flagged.*"));
            r = c.cmd("s4 SORT (SUBJECT) UTF-8 ALL");
            assertEquals("* SORT 2 1 3", r.get(0));
            r = c.cmd("s5 THREAD REFERENCES UTF-8 ALL");
            c.expectOk(r);
            assertTrue(r.get(0), r.get(0).startsWith("* THREAD ") && r.get(0).contains("(2 1)"));
            r = c.cmd("s6 SEARCH MODSEQ 1 NOT SEEN");
            c.expectOk(r);
            assertTrue(r.get(0), r.get(0).startsWith("* SEARCH 2 3"));

            // UID forms and CONDSTORE
            r = c.cmd("u1 UID FETCH 1:* (UID FLAGS MODSEQ)");
            c.expectOk(r);
            assertEquals(3, r.stream().filter(l -> l.contains(" FETCH (") && l.contains("MODSEQ (")).count());
            r = c.cmd("u2 UID STORE 1:* (UNCHANGEDSINCE 1) +FLAGS (\\Answered)");
            assertTrue(last(r), last(r).startsWith("u2 OK [MODIFIED "));
            c.expectOk(c.cmd("u3 CREATE Keep"));
            r = c.cmd("u4 UID COPY 1 Keep");
            assertTrue(last(r), last(r).matches("u4 OK \\[COPYUID \\d+ \\d+ \\d+] .*"));
            r = c.cmd("u5 UID MOVE 2 Keep");
            c.expectOk(r);
            assertTrue(r.toString(), r.stream().anyMatch(l -> l.startsWith("* VANISHED") || l.endsWith(" EXPUNGE")));
            c.expectOk(c.cmd("u6 UID STORE 3 +FLAGS.SILENT (\\Deleted)"));
            r = c.cmd("u7 UID EXPUNGE 3");
            c.expectOk(r);
            assertTrue(r.toString(), r.stream().anyMatch(l -> l.startsWith("* VANISHED") || l.endsWith(" EXPUNGE")));
            c.expectOk(c.cmd("u8 CHECK"));
            c.expectOk(c.cmd("u9 UNSELECT"));
            c.expectOk(c.cmd("u10 SELECT Keep"));
            c.expectOk(c.cmd("u11 STORE 1 +FLAGS.SILENT (\\Deleted)"));
            c.expectOk(c.cmd("u12 CLOSE"));
            r = c.cmd("u13 STATUS Keep (MESSAGES SIZE HIGHESTMODSEQ)");
            c.expectOk(r);
            assertTrue(r.get(0), r.get(0).matches("\\* STATUS \"?Keep\"? \\(MESSAGES 1 SIZE \\d+ HIGHESTMODSEQ \\d+\\)"));
        }
    }

    @Test
    public void angusMailWithCompressionAndIdle() throws Exception {
        MailClients.withMailClient(() -> {
            Properties p = new Properties();
            p.put("mail.imap.compress.enable", "true");
            jakarta.mail.Session session = MailClients.mailSession(p);
            jakarta.mail.Store store = session.getStore("imap");
            store.connect("127.0.0.1", imapPort, "carol", PASSWORD);
            try {
                org.eclipse.angus.mail.imap.IMAPFolder inbox =
                        (org.eclipse.angus.mail.imap.IMAPFolder) store.getFolder("INBOX");
                inbox.open(jakarta.mail.Folder.READ_WRITE);
                int before = inbox.getMessageCount();
                java.util.concurrent.CountDownLatch told = new java.util.concurrent.CountDownLatch(1);
                inbox.addMessageCountListener(new jakarta.mail.event.MessageCountAdapter() {
                    @Override
                    public void messagesAdded(jakarta.mail.event.MessageCountEvent e) {
                        told.countDown();
                    }
                });
                Thread idler = new Thread(() -> {
                    try {
                        inbox.idle(true);
                    } catch (jakarta.mail.MessagingException e) {
                        // the test fails below if no message is announced
                    }
                });
                idler.start();
                Thread.sleep(300);
                try (Imap other = Imap.loggedIn(imapPort, "carol")) {
                    String msg = "Subject: compressed idle\r\n\r\nhi\r\n";
                    other.expectOk(other.append("c1 APPEND INBOX {" + msg.length() + "}", msg));
                }
                assertTrue("IDLE over a compressed connection told of the new message",
                        told.await(5, java.util.concurrent.TimeUnit.SECONDS));
                idler.join(5000);
                assertEquals(before + 1, inbox.getMessageCount());
                inbox.close(false);
            } finally {
                store.close();
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ metrics

    static long timed(io.pillarbox.api.metrics.MailMetrics.Snapshot s, String command) {
        java.util.Map<String, io.pillarbox.api.metrics.MailMetrics.Latency> m = s.latencies().get("imap");
        io.pillarbox.api.metrics.MailMetrics.Latency l = m == null ? null : m.get(command);
        return l == null ? 0 : l.count();
    }

    @Test
    public void commandsAndAppendsReachTheMetricsService() throws Exception {
        await("the distribution's MailMetrics service",
                () -> service(bc, io.pillarbox.api.metrics.MailMetrics.class) != null);
        io.pillarbox.api.metrics.MailMetrics metrics = service(bc, io.pillarbox.api.metrics.MailMetrics.class);
        if (!realm.users().contains("imetrics")) {
            realm.addUser("imetrics", PASSWORD.toCharArray());
        }
        io.pillarbox.api.metrics.MailMetrics.Snapshot before = metrics.snapshot();
        String message = "Subject: metrics\r\n\r\nbody\r\n";
        try (Imap c = Imap.loggedIn(imapPort, "imetrics")) {
            c.expectOk(c.append("m1 APPEND INBOX {" + message.length() + "}", message));
            c.expectOk(c.cmd("m2 SELECT INBOX"));
            c.expectOk(c.cmd("m3 UID FETCH 1:* (FLAGS)"));
            c.expectOk(c.cmd("m4 UID SEARCH ALL"));
            c.expectOk(c.cmd("m5 FETCH 1 (UID)"));
            assertTrue(last(c.cmd("m6 XYZZY-CLIENT-WORDS")).startsWith("m6 BAD"));
            c.expectOk(c.cmd("m7 LOGOUT"));
        }
        await("the commands in MailMetrics", () -> {
            io.pillarbox.api.metrics.MailMetrics.Snapshot now = metrics.snapshot();
            return now.counter("imap", "messages.received") >= before.counter("imap", "messages.received") + 1
                    && timed(now, "UID FETCH") >= timed(before, "UID FETCH") + 1
                    && timed(now, "UID SEARCH") >= timed(before, "UID SEARCH") + 1
                    && timed(now, "FETCH") >= timed(before, "FETCH") + 1
                    && timed(now, "APPEND") >= timed(before, "APPEND") + 1
                    && timed(now, "UNKNOWN") >= timed(before, "UNKNOWN") + 1
                    && timed(now, "LOGOUT") >= timed(before, "LOGOUT") + 1;
        });
        io.pillarbox.api.metrics.MailMetrics.Snapshot now = metrics.snapshot();
        assertFalse(now.latencies().get("imap").toString(),
                now.latencies().get("imap").keySet().stream().anyMatch(k -> k.contains("XYZZY")));
        assertTrue(now.latencies().get("imap").get("UID FETCH").totalNanos() > 0);
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }

    /** An IMAP protocol-script client. */
    static final class Imap implements AutoCloseable {
        private final LineClient line;
        java.net.Socket socket;

        private Imap(LineClient line) {
            this.line = line;
            this.socket = line.socket;
        }

        static Imap connect(int port) throws IOException {
            return new Imap(LineClient.connect(port));
        }

        static Imap loggedIn(int port, String user) throws IOException {
            Imap c = connect(port);
            c.read();
            c.expectOk(c.cmd("x0 LOGIN " + user + " \"" + PASSWORD + "\""));
            return c;
        }

        void attach(java.net.Socket s) throws IOException {
            line.attach(s);
            socket = s;
        }

        String read() throws IOException {
            String l = line.read();
            if (l == null) {
                throw new IOException("connection closed by the server");
            }
            return l;
        }

        void send(String l) throws IOException {
            line.send(l);
        }

        String readUntil(java.util.function.Predicate<String> p) throws IOException {
            while (true) {
                String l = read();
                if (p.test(l)) {
                    return l;
                }
            }
        }

        /** Sends a command; returns the untagged lines and the tagged completion last. */
        List<String> cmd(String command) throws IOException {
            send(command);
            return readTagged(command.substring(0, command.indexOf(' ')));
        }

        List<String> readTagged(String tag) throws IOException {
            List<String> lines = new ArrayList<>();
            while (true) {
                String l = read();
                lines.add(l);
                if (l.startsWith(tag + " ")) {
                    return lines;
                }
            }
        }

        /** A command with a synchronising literal: waits for the continuation, then sends the literal. */
        List<String> append(String commandWithLiteral, String literal) throws IOException {
            send(commandWithLiteral);
            String cont = read();
            if (!cont.startsWith("+")) {
                throw new AssertionError("expected a continuation, got " + cont);
            }
            socket.getOutputStream().write(literal.getBytes(StandardCharsets.UTF_8));
            send("");
            return readTagged(commandWithLiteral.substring(0, commandWithLiteral.indexOf(' ')));
        }

        /** Fetches one literal (e.g. BODY[]) and returns its text, checking the command completes. */
        String fetchLiteral(String command) throws IOException {
            send(command);
            String first = read();
            java.util.regex.Matcher m = Pattern.compile("\\{(\\d+)}$").matcher(first);
            assertTrue(first, m.find());
            int n = Integer.parseInt(m.group(1));
            char[] buf = new char[n];
            int off = 0;
            while (off < n) {
                int r = line.in.read(buf, off, n - off);
                if (r < 0) {
                    throw new IOException("closed inside a literal");
                }
                off += r;
            }
            expectOk(readTagged(command.substring(0, command.indexOf(' '))));
            return new String(buf);
        }

        void expectOk(List<String> lines) {
            String last = lines.get(lines.size() - 1);
            assertNotNull(last);
            assertTrue(lines.toString(), last.matches("\\S+ OK.*"));
        }

        @Override
        public void close() throws IOException {
            line.close();
        }
    }
}
