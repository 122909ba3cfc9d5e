package io.pillarbox.itest;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.WritableRealm;
import io.pillarbox.api.store.FlagOp;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.ConfigurationAdmin;

import javax.inject.Inject;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Real mail clients from outside the JVM against the distribution, over loopback: curl (IMAP, POP3, SMTP submission
 * with STARTTLS and AUTH PLAIN), fetchmail (Debian package {@code fetchmail}: POP3 with UIDL, IMAP, IMAP IDLE as a
 * daemon, all over STARTTLS with the server certificate checked), mbsync (Debian package {@code isync}: pull, push,
 * flags and expunges both ways between the server and a local Maildir; SCRAM-SHA-256 through Cyrus SASL, package
 * {@code libsasl2-modules}) and mutt (package {@code mutt}: sending over submission with SCRAM-SHA-256, reading and
 * saving in an IMAP folder under script(1)). Messages are compared byte for byte with what the store holds (read
 * through {@link MailStores}). A missing program fails the test, naming its package.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ClientsIT extends PillarboxTestSupport {

    private static final String PASSWORD = "clients-Pa55 word";
    private static final String CURL = "clients-curl@localhost";
    private static final String CURL_RCPT = "clients-rcpt@localhost";
    private static final String FM_POP = "clients-fmpop@localhost";
    private static final String FM_IMAP = "clients-fmimap@localhost";
    private static final String MBSYNC = "clients-mbsync@localhost";
    private static final String FM_IDLE = "clients-fmidle@localhost";
    private static final String MUTT = "clients-mutt@localhost";

    private static final Pattern SENT = Pattern.compile("\\* LIST \\([^)]*\\\\Sent[^)]*\\) \"/\" \"?Sent\"?");

    private static int imapPort;
    private static int pop3Port;
    private static int submissionPort;

    @Inject
    ConfigurationAdmin cm;

    @Inject
    WritableRealm realm;

    @Inject
    Authenticator authenticator;

    @Inject
    MailStores stores;

    @Configuration
    public Option[] config() {
        return distributionOptions().toArray(new Option[0]);
    }

    @Before
    public void listenersAndUsers() throws Exception {
        synchronized (ClientsIT.class) {
            if (imapPort != 0) {
                return;
            }
            int imap = freePort();
            int pop3 = freePort();
            int submission = freePort();
            createListener(cm, "clients-imap", "imap", imap, "starttls");
            createListener(cm, "clients-pop3", "pop3", pop3, "starttls");
            createListener(cm, "clients-submission", "smtp", submission, "starttls", "smtp.role", "submission");
            for (String u : List.of(CURL, CURL_RCPT, FM_POP, FM_IMAP, MBSYNC, FM_IDLE, MUTT)) {
                if (!realm.users().contains(u)) {
                    realm.addUser(u, PASSWORD.toCharArray());
                }
            }
            await("client listeners", () -> accepts(imap) && accepts(pop3) && accepts(submission));
            for (String u : List.of(CURL, CURL_RCPT, FM_POP, FM_IMAP, MBSYNC, FM_IDLE, MUTT)) {
                await("user " + u, () -> principal(u) != null);
            }
            // a STARTTLS listener is bound only once the TLS material exists: the self-signed certificate is there
            assertTrue("server certificate " + certificate(), certificate().isFile());
            imapPort = imap;
            pop3Port = pop3;
            submissionPort = submission;
        }
    }

    // ------------------------------------------------------------------ curl

    @Test
    public void curlImapListFetchSearchAndAppend() throws Exception {
        String needle = "curl-needle-" + System.nanoTime();
        byte[] first = crlf("From: Sender <sender@example.org>\nTo: " + CURL + "\nSubject: first " + needle
                + "\nMessage-ID: <curl-1@example.org>\n\nHello curl,\n.a line with a leading dot\nbye\n");
        byte[] second = crlf("From: Sender <sender@example.org>\nTo: " + CURL + "\nSubject: second\n"
                + "Message-ID: <curl-2@example.org>\n\nsecond body\n");
        String base = "imap://127.0.0.1:" + imapPort + "/";
        // the first login makes the special-use mailboxes (the user has only INBOX)
        String firstList = new String(curl(CURL, base).stdout, StandardCharsets.UTF_8);
        assertTrue(firstList, SENT.matcher(firstList).find());
        long uid1;
        long uidValidity;
        try (StoreSession s = session(CURL)) {
            if (s.list().stream().noneMatch(i -> i.name().equals("Work"))) {
                s.create("Work", null);
            }
            uid1 = s.append(StoreSession.INBOX, MessageSource.of(first), Set.of(), null).uid();
            s.append(StoreSession.INBOX, MessageSource.of(second), Set.of(), null);
            try (Mailbox m = s.open(StoreSession.INBOX, true)) {
                uidValidity = m.uidValidity();
            }
        }

        // LIST
        String list = new String(curl(CURL, base).stdout, StandardCharsets.UTF_8);
        assertTrue(list, list.contains("\"/\" \"INBOX\"") || list.contains("\"/\" INBOX"));
        assertTrue(list, Pattern.compile("\\* LIST \\([^)]*\\) \"/\" \"?Work\"?\r?\n").matcher(list).find());
        assertTrue(list, SENT.matcher(list).find());

        // SELECT + UID FETCH (curl checks the UIDVALIDITY given in the URL against SELECT's), over STARTTLS with the
        // server's certificate as the only trusted CA
        Result fetched = curl(CURL, base + "INBOX;UIDVALIDITY=" + uidValidity + ";UID=" + uid1,
                "--ssl-reqd", "--cacert", certificate().getPath(), "-v");
        assertArrayEquals(fetched.stderr, first, fetched.stdout);
        assertTrue(fetched.stderr, Pattern.compile("> A\\d+ STARTTLS").matcher(fetched.stderr).find());
        assertTrue("a FETCH without PEEK sets \\Seen", flags(CURL, StoreSession.INBOX, uid1).contains("\\Seen"));
        // a section of the message
        Result header = curl(CURL, base + "INBOX;UID=" + uid1 + ";SECTION=HEADER");
        String firstText = new String(first, StandardCharsets.UTF_8);
        assertEquals(firstText.substring(0, firstText.indexOf("\r\n\r\n") + 4),
                new String(header.stdout, StandardCharsets.UTF_8));

        // SEARCH as a custom request in the selected INBOX
        String search = new String(curl(CURL, base + "INBOX", "-X", "UID SEARCH SUBJECT \"" + needle + "\"").stdout,
                StandardCharsets.UTF_8);
        assertEquals("* SEARCH " + uid1, search.trim());

        // APPEND by upload: curl appends with \Seen
        byte[] upload = crlf("From: " + CURL + "\nTo: someone@example.org\nSubject: uploaded by curl\n"
                + "Message-ID: <curl-up@example.org>\n\nuploaded\n..two dots\nend\n");
        Path file = Files.write(Files.createTempFile("curl-append", ".eml"), upload);
        int before = messages(CURL, "Work").size();
        Result append = curl(CURL, base + "Work", "-T", file.toString(), "-v");
        assertTrue(append.stderr, append.stderr.matches("(?s).*< A\\d+ OK \\[APPENDUID \\d+ \\d+].*"));
        List<MessageInfo> work = messages(CURL, "Work");
        assertEquals(before + 1, work.size());
        MessageInfo appended = work.get(work.size() - 1);
        assertArrayEquals(upload, content(CURL, "Work", appended.uid()));
        assertTrue(appended.flags().toString(), appended.flags().contains("\\Seen"));
    }

    @Test
    public void curlPop3ListAndRetr() throws Exception {
        String user = "clients-curlpop@localhost";
        addUser(user);
        byte[] a = crlf("From: a@example.org\nSubject: pop one\n\nfirst\n.dot-stuffed on the wire\n");
        byte[] b = crlf("From: b@example.org\nSubject: pop two\n\nsecond\n");
        try (StoreSession s = session(user)) {
            s.append(StoreSession.INBOX, MessageSource.of(a), Set.of(), null);
            s.append(StoreSession.INBOX, MessageSource.of(b), Set.of(), null);
        }
        // a file with LF line ends, appended over IMAP by curl: the store keeps it as given, POP3 sends it with CRLF
        String lf = "From: c@example.org\nSubject: pop three, LF only\n\nthird\n.dot\nend\n";
        Path file = Files.writeString(Files.createTempFile("curl-lf", ".eml"), lf);
        curl(user, "imap://127.0.0.1:" + imapPort + "/INBOX", "-T", file.toString());
        byte[] c = crlf(lf);
        String base = "pop3://127.0.0.1:" + pop3Port + "/";
        String list = new String(curl(user, base).stdout, StandardCharsets.UTF_8).replace("\r\n", "\n");
        // the sizes are the octets RETR sends (RFC 1939 section 11), also for the LF-only message
        assertEquals("1 " + a.length + "\n2 " + b.length + "\n3 " + c.length + "\n", list);
        assertArrayEquals(a, curl(user, base + "1").stdout);
        // RETR over STARTTLS, the certificate checked
        assertArrayEquals(b, curl(user, base + "2", "--ssl-reqd", "--cacert", certificate().getPath()).stdout);
        Result retr = curl(user, base + "3", "-v");
        assertArrayEquals(c, retr.stdout);
        assertTrue(retr.stderr, retr.stderr.contains("< +OK " + c.length + " octets"));
        assertEquals("keep: RETR deletes nothing", 3, messages(user, StoreSession.INBOX).size());
    }

    @Test
    public void curlSubmitsWithStartTlsAndAuthPlainByteExact() throws Exception {
        byte[] message = crlf("From: Curl User <" + CURL + ">\nTo: <" + CURL_RCPT + ">\nSubject: submitted by curl\n"
                + "Message-ID: <curl-submit@localhost>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
                + "Content-Transfer-Encoding: 8bit\n\nGr\u00fc\u00dfe from curl.\n.a dot line, stuffed by curl\n"
                + "..two dots\nlast line\n");
        Path file = Files.write(Files.createTempFile("curl-submit", ".eml"), message);
        int before = Mailboxes.inbox(stores, authenticator, CURL_RCPT).size();
        Result r = run(tool("curl", "curl"), "-sS", "-v", "--ssl-reqd", "--cacert", certificate().getPath(),
                "--user", CURL + ":" + PASSWORD, "--login-options", "AUTH=PLAIN",
                "--mail-from", CURL, "--mail-rcpt", CURL_RCPT, "--upload-file", file.toString(),
                "smtp://127.0.0.1:" + submissionPort + "/curl.example");
        assertEquals(r.stderr, 0, r.exit);
        assertTrue(r.stderr, r.stderr.contains("> STARTTLS") && r.stderr.contains("< 220 2.0.0"));
        assertTrue(r.stderr, r.stderr.contains("> AUTH PLAIN") && r.stderr.contains("< 235 2.7.0"));
        assertTrue(r.stderr, r.stderr.contains("< 250 2.0.0"));
        List<byte[]> inbox = Mailboxes.inbox(stores, authenticator, CURL_RCPT);
        assertEquals(before + 1, inbox.size());
        byte[] stored = inbox.get(inbox.size() - 1);
        String text = new String(stored, StandardCharsets.UTF_8);
        assertTrue(text, text.startsWith("Return-Path: <" + CURL + ">\r\nReceived: from curl.example ([127.0.0.1])"));
        assertTrue(text, text.contains(" with ESMTPSA id "));
        // exactly the client's octets after the two trace headers
        int received = text.indexOf("\r\n", text.indexOf("\r\nReceived: ") + 2);
        while (stored[received + 2] == '\t' || stored[received + 2] == ' ') {
            received = text.indexOf("\r\n", received + 2);
        }
        assertArrayEquals(message, Arrays.copyOfRange(stored, received + 2, stored.length));

        // a file with LF line ends, as scripts write them, without curl's --crlf: an authenticated client's bare
        // LFs are taken (bareLineEnds = trusted) and stored as CRLF
        String lf = "From: " + CURL + "\nTo: " + CURL_RCPT + "\nSubject: LF only\n\nfrom a script\n";
        Path lfFile = Files.write(Files.createTempFile("curl-lf", ".eml"), lf.getBytes(StandardCharsets.UTF_8));
        Result lfRun = run(tool("curl", "curl"), "-sS", "-v", "--ssl-reqd", "--cacert", certificate().getPath(),
                "--user", CURL + ":" + PASSWORD, "--mail-from", CURL, "--mail-rcpt", CURL_RCPT,
                "--upload-file", lfFile.toString(), "smtp://127.0.0.1:" + submissionPort + "/curl.example");
        assertEquals(lfRun.stderr, 0, lfRun.exit);
        List<byte[]> after = Mailboxes.inbox(stores, authenticator, CURL_RCPT);
        assertEquals(before + 2, after.size());
        String lfStored = new String(after.get(after.size() - 1), StandardCharsets.UTF_8);
        // (curl ends data that does not end in CRLF with CRLF . CRLF: one empty line more, as with Postfix)
        assertTrue(lfStored, lfStored.contains("\r\nSubject: LF only\r\n\r\nfrom a script\r\n"));
        assertFalse(lfStored, lfStored.replace("\r\n", "").contains("\n"));
    }

    // ------------------------------------------------------------------ fetchmail

    @Test
    public void fetchmailOverPop3WithUidlKeepsAndFetchesOnlyNewMail() throws Exception {
        byte[] m1 = crlf("From: one@example.org\nTo: " + FM_POP + "\nSubject: fm pop 1\nMessage-ID: <fmpop-1@x>\n\n"
                + "first\n.dot\n");
        byte[] m2 = crlf("From: two@example.org\nTo: " + FM_POP + "\nSubject: fm pop 2\nMessage-ID: <fmpop-2@x>\n\n"
                + "second\n");
        byte[] m3 = crlf("From: three@example.org\nTo: " + FM_POP + "\nSubject: fm pop 3\n"
                + "Message-ID: <fmpop-3@x>\n\nthird, after the first poll\n");
        appendAll(FM_POP, StoreSession.INBOX, Set.of(), m1, m2);
        Path dir = Files.createTempDirectory("fetchmail-pop3");
        Path rc = fetchmailrc(dir, "pop3", pop3Port, FM_POP, "uidl");

        Result first = fetchmail(dir, rc, dir.resolve("out1"));
        assertEquals(first.all(), 0, first.exit);
        assertTrue(first.all(), first.all().contains("POP3> STLS") && first.all().contains("upgrade to TLS succeeded"));
        assertTrue(first.all(), first.all().contains("POP3> UIDL"));
        assertEquals(List.of(m1, m2), delivered(dir.resolve("out1")), "first poll");
        assertEquals("keep: nothing deleted", 2, messages(FM_POP, StoreSession.INBOX).size());

        appendAll(FM_POP, StoreSession.INBOX, Set.of(), m3);
        Result second = fetchmail(dir, rc, dir.resolve("out2"));
        assertEquals(second.all(), 0, second.exit);
        assertEquals(List.of(m3), delivered(dir.resolve("out2")), "second poll");
        assertEquals(3, messages(FM_POP, StoreSession.INBOX).size());

        Result third = fetchmail(dir, rc, dir.resolve("out3"));
        assertEquals("fetchmail's 'no new mail' status\n" + third.all(), 1, third.exit);
        assertEquals(List.of(), delivered(dir.resolve("out3")), "third poll");
    }

    @Test
    public void fetchmailOverImapFetchesUnseenMailAndMarksItSeen() throws Exception {
        byte[] seen = crlf("From: old@example.org\nSubject: fm imap seen\n\nalready read\n");
        byte[] m1 = crlf("From: one@example.org\nTo: " + FM_IMAP + "\nSubject: fm imap 1\nMessage-ID: <fmimap-1@x>\n\n"
                + "first\n.dot\n");
        byte[] m2 = crlf("From: two@example.org\nTo: " + FM_IMAP + "\nSubject: fm imap 2\n\nsecond\n\n\nblank lines\n");
        byte[] m3 = crlf("From: three@example.org\nSubject: fm imap 3\n\nthird\n");
        appendAll(FM_IMAP, StoreSession.INBOX, Set.of("\\Seen"), seen);
        appendAll(FM_IMAP, StoreSession.INBOX, Set.of(), m1, m2);
        Path dir = Files.createTempDirectory("fetchmail-imap");
        Path rc = fetchmailrc(dir, "imap", imapPort, FM_IMAP, "");

        Result first = fetchmail(dir, rc, dir.resolve("out1"));
        assertEquals(first.all(), 0, first.exit);
        assertTrue(first.all(), first.all().contains("IMAP> A0001 STARTTLS")
                && first.all().contains("upgrade to TLS succeeded"));
        assertEquals(List.of(m1, m2), delivered(dir.resolve("out1")), "first poll");
        List<MessageInfo> inbox = messages(FM_IMAP, StoreSession.INBOX);
        assertEquals(3, inbox.size());
        for (MessageInfo i : inbox) {
            assertTrue(i + " is seen", i.flags().contains("\\Seen"));
        }

        appendAll(FM_IMAP, StoreSession.INBOX, Set.of(), m3);
        Result second = fetchmail(dir, rc, dir.resolve("out2"));
        assertEquals(second.all(), 0, second.exit);
        assertEquals(List.of(m3), delivered(dir.resolve("out2")), "second poll");
    }

    @Test
    public void fetchmailInIdleIsPushedNewMail() throws Exception {
        byte[] waiting = crlf("From: one@example.org\nSubject: fm idle 1\n\nthere before\n");
        byte[] pushed = crlf("From: two@example.org\nSubject: fm idle 2\n\narrived during IDLE\n");
        appendAll(FM_IDLE, StoreSession.INBOX, Set.of(), waiting);
        Path dir = Files.createTempDirectory("fetchmail-idle");
        Path rc = fetchmailrc(dir, "imap", imapPort, FM_IDLE, "");
        Path out = dir.resolve("out");
        Path daemonRc = dir.resolve("fetchmailrc.idle");
        // a daemon polling every 300 s: only IDLE can bring the second message within seconds
        Files.writeString(daemonRc, Files.readString(rc).replace("%OUT%", out.toString())
                .replace("  keep no stripcr\n", "  keep no stripcr idle\n"));
        Files.setPosixFilePermissions(daemonRc, PosixFilePermissions.fromString("rwx------"));
        Path log = dir.resolve("fetchmail.log");
        ProcessBuilder pb = new ProcessBuilder(tool("fetchmail", "fetchmail"), "-f", daemonRc.toString(), "-v",
                "--nosyslog", "--nodetach", "-d", "300", "--pidfile", dir.resolve("fetchmail.pid").toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(Map.of("HOME", dir.toString(), "FETCHMAILHOME", dir.toString()));
        Process daemon = pb.start();
        try {
            awaitLog(log, "the first poll, then IDLE", l -> delivered(out).size() == 1 && l.contains("IMAP< + idling"));
            assertEquals(List.of(waiting), delivered(out), "first poll");
            long start = System.nanoTime();
            appendAll(FM_IDLE, StoreSession.INBOX, Set.of(), pushed);
            awaitLog(log, "the pushed message delivered", l -> delivered(out).size() == 2);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue("delivered " + ms + " ms after it arrived", ms < 10_000);
            assertEquals(List.of(waiting, pushed), delivered(out), "after IDLE");
            String text = Files.readString(log);
            int exists = text.indexOf("IMAP< * 2 EXISTS");
            assertTrue("told in IDLE, and ended it:\n" + text, exists > 0 && text.indexOf("IMAP> DONE", exists) > 0);
        } finally {
            daemon.destroy();
            if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        }
    }

    private interface LogCondition {
        boolean test(String log) throws IOException;
    }

    private static void awaitLog(Path log, String what, LogCondition condition) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!condition.test(Files.exists(log) ? Files.readString(log) : "")) {
            if (System.currentTimeMillis() > deadline) {
                fail("timed out waiting for " + what + "; fetchmail's log:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    // ------------------------------------------------------------------ mbsync

    @Test
    public void mbsyncPullsPushesAndSyncsFlagsAndExpunges() throws Exception {
        byte[] m1 = crlf("From: one@example.org\nTo: " + MBSYNC + "\nSubject: mbsync 1\nMessage-ID: <mb-1@x>\n\n"
                + "first\n.dot\n");
        byte[] m2 = crlf("From: two@example.org\nTo: " + MBSYNC + "\nSubject: mbsync 2\nMessage-ID: <mb-2@x>\n\n"
                + "second, already seen\n");
        byte[] list1 = crlf("From: list@example.org\nSubject: list mail\n\nin a folder\n");
        long uid1;
        long uid2;
        try (StoreSession s = session(MBSYNC)) {
            s.create("Lists", null);
            uid1 = s.append(StoreSession.INBOX, MessageSource.of(m1), Set.of(), null).uid();
            uid2 = s.append(StoreSession.INBOX, MessageSource.of(m2), Set.of("\\Seen"), null).uid();
            s.append("Lists", MessageSource.of(list1), Set.of("\\Flagged"), null);
        }
        Path dir = Files.createTempDirectory("mbsync");
        Path local = dir.resolve("mail");
        Files.createDirectories(local);
        Files.createDirectories(dir.resolve("state"));
        Path rc = dir.resolve("mbsyncrc");
        Files.writeString(rc, "IMAPAccount pillarbox\n"
                + "Host 127.0.0.1\nPort " + imapPort + "\nUser " + MBSYNC + "\nPass \"" + PASSWORD + "\"\n"
                + "SSLType STARTTLS\nCertificateFile " + certificate().getPath() + "\nAuthMechs PLAIN\n\n"
                + "IMAPStore remote\nAccount pillarbox\n\n"
                + "MaildirStore local\nPath " + local + "/\nInbox " + local.resolve("INBOX")
                + "\nSubFolders Verbatim\n\n"
                + "Channel pillarbox\nFar :remote:\nNear :local:\nPatterns *\nCreate Both\nExpunge Both\n"
                + "SyncState " + dir.resolve("state") + "/\n");

        // 1. pull: every message, with flags, byte for byte (mbsync stores LF line ends and adds its X-TUID)
        mbsync(dir, rc);
        Map<Long, Path> inbox = maildir(local.resolve("INBOX"));
        assertEquals(inbox.toString(), Set.of(uid1, uid2), inbox.keySet());
        assertEquals(pulled(m1), withoutTuid(Files.readAllBytes(inbox.get(uid1))));
        assertEquals(pulled(m2), withoutTuid(Files.readAllBytes(inbox.get(uid2))));
        assertEquals("", maildirFlags(inbox.get(uid1)));
        assertEquals("S", maildirFlags(inbox.get(uid2)));
        Map<Long, Path> lists = maildir(local.resolve("Lists"));
        assertEquals(1, lists.size());
        assertEquals(pulled(list1), withoutTuid(Files.readAllBytes(lists.values().iterator().next())));
        assertEquals("F", maildirFlags(lists.values().iterator().next()));
        try (StoreSession s = session(MBSYNC)) {
            for (var box : s.list()) {
                String path = box.name().equals(StoreSession.INBOX) ? "INBOX" : box.name();
                assertTrue("mailbox " + box.name() + " synced", Files.isDirectory(local.resolve(path).resolve("cur")));
            }
        }

        // 2. push: a message written into the local Maildir (LF line ends, as local MUAs write), and a new folder
        String pushedText = "From: " + MBSYNC + "\nTo: someone@example.org\nSubject: written locally\n"
                + "Message-ID: <mb-local@x>\n\npushed by mbsync\n.dot\n";
        Files.writeString(local.resolve("INBOX/new/1700000000.clientsit.local"), pushedText);
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(local.resolve("Projects").resolve(sub));
        }
        Files.writeString(local.resolve("Projects/cur/1700000001.clientsit.project:2,S"),
                "Subject: project note\n\nnote\n");
        mbsync(dir, rc);
        List<MessageInfo> server = messages(MBSYNC, StoreSession.INBOX);
        assertEquals(server.toString(), 3, server.size());
        long pushedUid = server.get(2).uid();
        assertArrayEquals(crlf(pushedText), withoutTuidCrlf(content(MBSYNC, StoreSession.INBOX, pushedUid)));
        inbox = maildir(local.resolve("INBOX"));
        assertEquals("the local file got the server's UID (APPENDUID)", Set.of(uid1, uid2, pushedUid), inbox.keySet());
        List<MessageInfo> projects = messages(MBSYNC, "Projects");
        assertEquals(1, projects.size());
        assertEquals(Set.of("\\Seen"), projects.get(0).flags());

        // 3. flags both ways: locally flagged and read; on the server answered and flagged
        Path local1 = inbox.get(uid1);
        Files.move(local1, local.resolve("INBOX/cur").resolve(baseName(local1) + ":2,FS"));
        try (StoreSession s = session(MBSYNC); Mailbox m = s.open(StoreSession.INBOX, false)) {
            m.updateFlags(List.of(uid2), FlagOp.ADD, Set.of("\\Answered", "\\Flagged"), -1);
        }
        mbsync(dir, rc);
        assertEquals(Set.of("\\Flagged", "\\Seen"), flags(MBSYNC, StoreSession.INBOX, uid1));
        assertEquals(Set.of("\\Answered", "\\Flagged", "\\Seen"), flags(MBSYNC, StoreSession.INBOX, uid2));
        inbox = maildir(local.resolve("INBOX"));
        assertEquals("FS", maildirFlags(inbox.get(uid1)));
        assertEquals("FRS", maildirFlags(inbox.get(uid2)));

        // 4. expunges both ways: trashed locally, deleted and expunged on the server
        Path trashed = inbox.get(uid1);
        Files.move(trashed, trashed.resolveSibling(trashed.getFileName() + "T"));
        try (StoreSession s = session(MBSYNC); Mailbox m = s.open(StoreSession.INBOX, false)) {
            m.updateFlags(List.of(uid2), FlagOp.ADD, Set.of("\\Deleted"), -1);
            assertEquals(List.of(uid2), m.expunge(List.of(uid2)));
        }
        mbsync(dir, rc);
        server = messages(MBSYNC, StoreSession.INBOX);
        assertEquals(server.toString(), 1, server.size());
        assertEquals(pushedUid, server.get(0).uid());
        assertEquals(Set.of(pushedUid), maildir(local.resolve("INBOX")).keySet());
        assertEquals("other folders untouched", 1, messages(MBSYNC, "Lists").size());

        // 5. one more sync changes nothing; this one logs in with SCRAM-SHA-256 (Cyrus SASL's, not PLAIN)
        assertTrue("mbsync's SCRAM comes from Cyrus SASL's plugin: install the Debian package 'libsasl2-modules'",
                cyrusScram());
        Files.writeString(rc, Files.readString(rc).replace("AuthMechs PLAIN", "AuthMechs SCRAM-SHA-256"));
        String scram = mbsync(dir, rc);
        assertTrue(scram, scram.contains("SASL mechanism SCRAM-SHA-256"));
        assertEquals(1, messages(MBSYNC, StoreSession.INBOX).size());
        assertEquals(Set.of(pushedUid), maildir(local.resolve("INBOX")).keySet());
    }

    // ------------------------------------------------------------------ mutt

    private static Path muttrc(Path dir, String more) throws IOException {
        Path rc = dir.resolve("muttrc");
        Files.writeString(rc, "set ssl_starttls=yes\nset ssl_force_tls=yes\n"
                + "set certificate_file=\"" + certificate() + "\"\n"
                + "set header_cache=\"\"\nset message_cachedir=\"\"\nset record=\"\"\n" + more);
        Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
        return rc;
    }

    @Test
    public void muttSendsOverSubmissionWithStartTlsAndScram() throws Exception {
        Path dir = Files.createTempDirectory("mutt-send");
        Path rc = muttrc(dir, "set smtp_url=\"smtp://" + MUTT.replace("@", "%40") + "@127.0.0.1:" + submissionPort
                + "/\"\nset smtp_pass=\"" + PASSWORD + "\"\nset from=\"" + MUTT + "\"\nset realname=\"Mutt User\"\n"
                + "set use_from=yes\nset hostname=\"localhost\"\n");
        Path body = Files.writeString(dir.resolve("body.txt"), "Hello from mutt.\n.a dot line\nbye\n");
        int before = Mailboxes.inbox(stores, authenticator, CURL_RCPT).size();
        // batch mode: standard input is the body, the message goes out at once
        ProcessBuilder pb = new ProcessBuilder(tool("mutt", "mutt"), "-n", "-F", rc.toString(), "-d", "5",
                "-s", "sent by mutt", "--", CURL_RCPT).directory(dir.toFile())
                .redirectInput(body.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mutt.out").toFile());
        pb.environment().put("HOME", dir.toString());
        Process p = pb.start();
        assertTrue("mutt did not finish", p.waitFor(60, TimeUnit.SECONDS));
        String debug = Files.exists(dir.resolve(".muttdebug0")) ? Files.readString(dir.resolve(".muttdebug0")) : "";
        assertEquals(Files.readString(dir.resolve("mutt.out")) + debug, 0, p.exitValue());
        assertTrue(debug, debug.contains("> STARTTLS") && debug.contains("> AUTH SCRAM-SHA-256")
                && debug.contains("< 235 2.7.0"));
        List<byte[]> inbox = Mailboxes.inbox(stores, authenticator, CURL_RCPT);
        assertEquals(before + 1, inbox.size());
        String stored = new String(inbox.get(inbox.size() - 1), StandardCharsets.UTF_8);
        assertTrue(stored, stored.startsWith("Return-Path: <" + MUTT + ">\r\nReceived: from localhost ([127.0.0.1])"));
        assertTrue(stored, stored.contains(" with ESMTPSA id ") && stored.contains("\r\nSubject: sent by mutt\r\n")
                && stored.contains("\r\nFrom: Mutt User <" + MUTT + ">\r\n"));
        assertTrue(stored, stored.endsWith("\r\n\r\nHello from mutt.\r\n.a dot line\r\nbye\r\n"));
    }

    @Test
    public void muttReadsAnImapFolderAndSavesAMessageToAnother() throws Exception {
        byte[] message = crlf("From: Sender <sender@example.org>\nTo: " + MUTT + "\nSubject: for mutt\n"
                + "Date: Fri, 27 Nov 2026 08:00:00 +0000\nMessage-ID: <mutt-1@example.org>\n\n"
                + "read me, then archive me\n");
        appendAll(MUTT, StoreSession.INBOX, Set.of(), message);
        Path dir = Files.createTempDirectory("mutt-imap");
        Path rc = muttrc(dir, "set folder=\"imap://" + MUTT.replace("@", "%40") + "@127.0.0.1:" + imapPort + "/\"\n"
                + "set imap_pass=\"" + PASSWORD + "\"\nset spoolfile=\"+INBOX\"\nset sort=mailbox-order\n"
                + "set pager_stop=yes\nset wait_key=no\nset confirmappend=no\nset delete=yes\nset move=no\n"
                + "set quit=yes\nset imap_condstore=yes\nset imap_qresync=yes\n");
        // mutt wants a terminal: script(1) gives it one; the keys are pushed, the screen is ignored
        String keys = "push <display-message><exit><save-message>=Archive<enter><sync-mailbox><quit>";
        ProcessBuilder pb = new ProcessBuilder(tool("script", "bsdutils"), "-qec",
                tool("mutt", "mutt") + " -n -F " + rc + " -d 5 -e '" + keys + "'", "/dev/null")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("screen").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(Map.of("HOME", dir.toString(), "TERM", "xterm"));
        Process p = pb.start();
        boolean finished = p.waitFor(30, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String debug = Files.exists(dir.resolve(".muttdebug0")) ? Files.readString(dir.resolve(".muttdebug0")) : "";
        assertTrue("mutt did not finish (waiting at a prompt?):\n" + debug, finished);
        assertTrue(debug, debug.contains("> a0000 STARTTLS") && debug.contains(" OK [READ-WRITE] SELECT completed"));
        assertEquals("INBOX is empty after the save and sync", 0, messages(MUTT, StoreSession.INBOX).size());
        List<MessageInfo> archive = messages(MUTT, "Archive");
        assertEquals(1, archive.size());
        assertArrayEquals(message, content(MUTT, "Archive", archive.get(0).uid()));
        assertTrue("read in mutt: " + archive.get(0).flags(), archive.get(0).flags().contains("\\Seen"));
    }

    // ------------------------------------------------------------------ helpers: programs

    /** What a program wrote and how it ended. */
    static final class Result {
        final int exit;
        final byte[] stdout;
        final String stderr;

        Result(int exit, byte[] stdout, String stderr) {
            this.exit = exit;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        String all() {
            return new String(stdout, StandardCharsets.UTF_8) + stderr;
        }
    }

    /** The absolute path of a program, or a failure naming the Debian package to install. */
    private static String tool(String program, String debianPackage) {
        for (String d : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            File f = new File(d, program);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        fail(program + " is not installed: install the Debian package '" + debianPackage + "'");
        return null;
    }

    private static Result run(String... cmd) throws Exception {
        return runIn(null, Map.of(), cmd);
    }

    /** Runs a program (stdin empty) with at most 60 s; stdout and stderr go to files, so nothing can block. */
    private static Result runIn(Path dir, Map<String, String> env, String... cmd) throws Exception {
        Path out = Files.createTempFile("client-out", ".bin");
        Path err = Files.createTempFile("client-err", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " did not finish within 60 s:\n" + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readAllBytes(out),
                    new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** curl as {@code user}, expecting success. */
    private static Result curl(String user, String url, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool("curl", "curl"), "-sS", "--max-time", "30",
                "--user", user + ":" + PASSWORD));
        cmd.addAll(List.of(more));
        cmd.add(url);
        Result r = run(cmd.toArray(new String[0]));
        assertEquals(String.join(" ", cmd) + "\n" + r.stderr, 0, r.exit);
        return r;
    }

    private static Path fetchmailrc(Path dir, String protocol, int port, String user, String more) throws IOException {
        Path mda = dir.resolve("mda.sh");
        // one file per message, numbered in delivery order, into the directory given as argument
        Files.writeString(mda, "#!/bin/sh\nmkdir -p \"$1\"\nn=$(ls \"$1\" | wc -l)\n"
                + "exec cat > \"$1/msg.$(printf %03d $((n + 1)))\"\n");
        Files.setPosixFilePermissions(mda, PosixFilePermissions.fromString("rwx------"));
        Path rc = dir.resolve("fetchmailrc");
        Files.writeString(rc, "set no syslog\nset no bouncemail\nset invisible\n"
                + "poll 127.0.0.1 service " + port + " protocol " + protocol + " " + more + " auth password\n"
                + "  user \"" + user + "\" there password \"" + PASSWORD + "\" is \"clients\" here\n"
                + "  keep no stripcr\n"
                + "  sslproto \"tls1.2+\" sslcertck sslcertfile \"" + certificate() + "\" sslcommonname localhost\n"
                + "  mda \"" + mda + " %OUT%\"\n");
        Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rwx------"));
        return rc;
    }

    /** One fetchmail poll delivering into {@code out}; fetchmail's state (.fetchids) stays in {@code dir}. */
    private static Result fetchmail(Path dir, Path rc, Path out) throws Exception {
        Path thisRun = dir.resolve("fetchmailrc.run");
        Files.writeString(thisRun, Files.readString(rc).replace("%OUT%", out.toString()));
        Files.setPosixFilePermissions(thisRun, PosixFilePermissions.fromString("rwx------"));
        return runIn(dir, Map.of("HOME", dir.toString(), "FETCHMAILHOME", dir.toString()),
                tool("fetchmail", "fetchmail"), "-f", thisRun.toString(), "-v", "--nosyslog", "--nodetach",
                // as root fetchmail's lock would be /var/run/fetchmail.pid, shared with every other run on the machine
                "--pidfile", dir.resolve("fetchmail.pid").toString());
    }

    /** The files an MDA run wrote, in delivery order. */
    private static List<byte[]> delivered(Path out) throws IOException {
        List<byte[]> all = new ArrayList<>();
        if (!Files.isDirectory(out)) {
            return all;
        }
        try (Stream<Path> files = Files.list(out)) {
            for (Path p : files.sorted().toList()) {
                all.add(Files.readAllBytes(p));
            }
        }
        return all;
    }

    private static void assertEquals(List<byte[]> expected, List<byte[]> actual, String what) {
        List<String> e = expected.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        List<String> a = actual.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        org.junit.Assert.assertEquals(what, e, a);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(what + ", message " + (i + 1), expected.get(i), actual.get(i));
        }
    }

    private static void assertEquals(String message, Object expected, Object actual) {
        org.junit.Assert.assertEquals(message, expected, actual);
    }

    private static void assertEquals(Object expected, Object actual) {
        org.junit.Assert.assertEquals(expected, actual);
    }

    private static void assertEquals(String message, long expected, long actual) {
        org.junit.Assert.assertEquals(message, expected, actual);
    }

    private static void assertEquals(long expected, long actual) {
        org.junit.Assert.assertEquals(expected, actual);
    }

    /** One mbsync run of the whole channel; it must succeed without errors or warnings. */
    private static String mbsync(Path dir, Path rc) throws Exception {
        Result r = runIn(dir, Map.of("HOME", dir.toString()), tool("mbsync", "isync"), "-c", rc.toString(), "-V",
                "pillarbox");
        String all = r.all();
        assertEquals("mbsync failed:\n" + all, 0, r.exit);
        for (String line : all.split("\n")) {
            String l = line.toLowerCase(java.util.Locale.ROOT);
            assertFalse("mbsync complained: " + line + "\n" + all, l.contains("error") || l.contains("warning"));
        }
        return all;
    }

    /** Whether Cyrus SASL's SCRAM plugin is installed (Debian package libsasl2-modules, any architecture). */
    private static boolean cyrusScram() throws IOException {
        Path lib = Path.of("/usr/lib");
        try (Stream<Path> dirs = Files.list(lib)) {
            return Stream.concat(Stream.of(lib), dirs).anyMatch(d -> Files.exists(d.resolve("sasl2/libscram.so.2")));
        }
    }

    private static final Pattern MAILDIR_NAME = Pattern.compile(",U=(\\d+)");

    /** The files of a local Maildir folder by their server UID (mbsync's {@code ,U=} in the name). */
    private static Map<Long, Path> maildir(Path folder) throws IOException {
        Map<Long, Path> byUid = new TreeMap<>();
        for (String sub : List.of("new", "cur")) {
            try (Stream<Path> files = Files.list(folder.resolve(sub))) {
                for (Path p : files.toList()) {
                    Matcher m = MAILDIR_NAME.matcher(p.getFileName().toString());
                    assertTrue("no UID in the name of " + p, m.find());
                    assertTrue("two files for UID " + m.group(1), byUid.put(Long.parseLong(m.group(1)), p) == null);
                }
            }
        }
        return byUid;
    }

    private static String maildirFlags(Path file) {
        String name = file.getFileName().toString();
        int info = name.indexOf(":2,");
        return info < 0 ? "" : name.substring(info + 3);
    }

    private static String baseName(Path file) {
        String name = file.getFileName().toString();
        int info = name.indexOf(":2,");
        return info < 0 ? name : name.substring(0, info);
    }

    /** What mbsync writes into the Maildir for a server message: LF line ends. */
    private static String pulled(byte[] server) {
        return new String(server, StandardCharsets.UTF_8).replace("\r\n", "\n");
    }

    private static final Pattern TUID = Pattern.compile("(?m)^X-TUID: [A-Za-z0-9+/]{12}\r?\n");

    /** A message without the one X-TUID header mbsync adds to the messages it propagates (in the header). */
    private static String withoutTuid(byte[] message) {
        String text = new String(message, StandardCharsets.UTF_8);
        String header = text.substring(0, Math.max(text.indexOf("\n\n"), 0) + 1);
        Matcher m = TUID.matcher(header);
        assertTrue("mbsync's X-TUID header in\n" + text, m.find());
        return text.substring(0, m.start()) + text.substring(m.end());
    }

    private static byte[] withoutTuidCrlf(byte[] message) {
        String text = new String(message, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        assertTrue(text, end > 0);
        Matcher m = TUID.matcher(text.substring(0, end + 2));
        assertTrue("mbsync's X-TUID header in\n" + text, m.find());
        return (text.substring(0, m.start()) + text.substring(m.end())).getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ helpers: the store

    private static File certificate() {
        return new File(System.getProperty("karaf.etc", "etc"), "pillarbox-tls.crt");
    }

    private static byte[] crlf(String lf) {
        return lf.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private MailPrincipal principal(String user) {
        return Mailboxes.principal(authenticator, user);
    }

    private void addUser(String user) throws Exception {
        if (!realm.users().contains(user)) {
            realm.addUser(user, PASSWORD.toCharArray());
        }
        await("user " + user, () -> principal(user) != null);
    }

    private StoreSession session(String user) throws Exception {
        MailPrincipal p = principal(user);
        assertTrue("unknown user " + user, p != null);
        return stores.open(p, () -> { });
    }

    private void appendAll(String user, String mailbox, Set<String> flags, byte[]... messages) throws Exception {
        try (StoreSession s = session(user)) {
            for (byte[] m : messages) {
                s.append(mailbox, MessageSource.of(m), flags, null);
            }
        }
    }

    private List<MessageInfo> messages(String user, String mailbox) throws Exception {
        try (StoreSession s = session(user); Mailbox m = s.open(mailbox, true)) {
            return m.messages();
        }
    }

    private Set<String> flags(String user, String mailbox, long uid) throws Exception {
        for (MessageInfo i : messages(user, mailbox)) {
            if (i.uid() == uid) {
                return i.flags();
            }
        }
        throw new AssertionError("no UID " + uid + " in " + mailbox + " of " + user);
    }

    private byte[] content(String user, String mailbox, long uid) throws Exception {
        try (StoreSession s = session(user); Mailbox m = s.open(mailbox, true);
             InputStream in = m.content(uid).open()) {
            return in.readAllBytes();
        }
    }
}
