package io.pillarbox.itest;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.WritableRealm;
import io.pillarbox.api.protocol.ProtocolHandlerFactory;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxEvent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.features.FeaturesService;
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
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * POP3 (and POP2) against the real distribution over real sockets: Angus Mail's POP3 provider and protocol scripts.
 * Users go in through the file realm ({@link WritableRealm}), messages through {@link MailStores}; deletions are
 * checked against a {@link Mailbox} listener and, where the IMAP bundle is in the distribution, an IMAP session.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class Pop3IT extends PillarboxTestSupport {

    static final String PASSWORD = "pop3 secret words";

    @Inject
    BundleContext bc;

    @Inject
    ConfigurationAdmin cm;

    @Inject
    WritableRealm realm;

    @Inject
    MailStores stores;

    @Inject
    FeaturesService features;

    static int pop3Port;
    static int pop3sPort;

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(distributionOptions());
        options.addAll(MailClients.mailClientOptions());
        return options.toArray(new Option[0]);
    }

    @Before
    public void listeners() throws Exception {
        if (pop3Port == 0) {
            pop3Port = freePort();
            pop3sPort = freePort();
            createListener(cm, "pop3-test", "pop3", pop3Port, "starttls");
            createListener(cm, "pop3s-test", "pop3", pop3sPort, "implicit");
            await("POP3 listeners", () -> accepts(pop3Port) && accepts(pop3sPort));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A fresh user with an empty INBOX and these messages in it. */
    MailPrincipal user(String name, String... messages) throws Exception {
        if (!realm.users().contains(name)) {
            realm.addUser(name, PASSWORD.toCharArray());
        }
        MailPrincipal p = realm.lookup(name).orElse(MailPrincipal.of(name, realm.name()));
        try (StoreSession s = stores.open(p, () -> { })) {
            for (String m : messages) {
                s.append(StoreSession.INBOX, MessageSource.of(m.getBytes(StandardCharsets.UTF_8)), Set.of(), null);
            }
        }
        return p;
    }

    List<MessageInfo> inbox(MailPrincipal p) throws Exception {
        try (StoreSession s = stores.open(p, () -> { }); Mailbox b = s.open(StoreSession.INBOX, true)) {
            return b.messages();
        }
    }

    long uidValidity(MailPrincipal p) throws Exception {
        try (StoreSession s = stores.open(p, () -> { }); Mailbox b = s.open(StoreSession.INBOX, true)) {
            return b.uidValidity();
        }
    }

    static String message(String subject, String... bodyLines) {
        StringBuilder sb = new StringBuilder("From: Sender <sender@example.org>\r\nTo: someone@example.org\r\n")
                .append("Subject: ").append(subject).append("\r\nMessage-ID: <").append(subject.replace(' ', '-'))
                .append("@example.org>\r\n\r\n");
        for (String l : bodyLines) {
            sb.append(l).append("\r\n");
        }
        return sb.toString();
    }

    /** A POP3 protocol script client. */
    static final class Pop3 implements AutoCloseable {
        final LineClient c;
        final String greeting;

        Pop3(LineClient c) throws IOException {
            this.c = c;
            this.greeting = c.read();
        }

        static Pop3 connect(int port) throws IOException {
            return new Pop3(LineClient.connect(port));
        }

        String call(String line) throws IOException {
            return c.call(line);
        }

        void ok(String line) throws IOException {
            String r = c.call(line);
            assertTrue(line + " -> " + r, r != null && r.startsWith("+OK"));
        }

        /** Sends a command expecting a multi-line answer; returns the lines without the status and the end. */
        List<String> multi(String line) throws IOException {
            String first = c.call(line);
            assertTrue(line + " -> " + first, first != null && first.startsWith("+OK"));
            List<String> lines = new ArrayList<>();
            String l;
            while (!".".equals(l = c.read())) {
                assertNotNull("connection ended in a multi-line response", l);
                lines.add(l);
            }
            return lines;
        }

        void login(String user) throws IOException {
            ok("USER " + user);
            ok("PASS " + PASSWORD);
        }

        @Override
        public void close() throws IOException {
            c.close();
        }
    }

    /** The octets a multi-line response stands for: dot-stuffing undone, CRLF after every line. */
    static String unstuff(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l.startsWith(".") ? l.substring(1) : l).append("\r\n");
        }
        return sb.toString();
    }

    static SSLContext trustAll() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return ctx;
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ protocol scripts

    @Test
    public void defaultListenersAreShippedForPop3AndPop3s() throws Exception {
        org.osgi.service.cm.Configuration[] all = cm.listConfigurations("(service.factoryPid=io.pillarbox.listener)");
        assertNotNull(all);
        boolean pop3 = false;
        boolean pop3s = false;
        for (org.osgi.service.cm.Configuration c : all) {
            if (!"pop3".equals(c.getProperties().get("protocol"))) {
                continue;
            }
            String port = String.valueOf(c.getProperties().get("port"));
            String tls = String.valueOf(c.getProperties().get("tls"));
            pop3 |= port.equals("110") && tls.equals("starttls");
            pop3s |= port.equals("995") && tls.equals("implicit");
        }
        assertTrue("etc/io.pillarbox.listener-pop3.cfg (110, starttls)", pop3);
        assertTrue("etc/io.pillarbox.listener-pop3s.cfg (995, implicit)", pop3s);
    }

    @Test
    public void everyCommandByScript() throws Exception {
        String m1 = message("script one", "Hello");
        String m2 = message("script two", ".starts with a dot", "..two dots", "end");
        MailPrincipal p = user("p3script", m1, m2);
        long v = uidValidity(p);
        List<MessageInfo> infos = inbox(p);
        try (Pop3 c = Pop3.connect(pop3Port)) {
            assertTrue(c.greeting, c.greeting.startsWith("+OK Pillarbox POP3 ready"));
            List<String> caps = c.multi("CAPA");
            for (String cap : List.of("TOP", "UIDL", "USER", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS",
                    "IMPLEMENTATION Pillarbox")) {
                assertTrue(cap + " in " + caps, caps.contains(cap));
            }
            assertTrue(caps.toString(), caps.stream().anyMatch(l -> l.startsWith("SASL ") && l.contains(" PLAIN")));
            assertTrue(c.call("STAT").startsWith("-ERR"));
            assertTrue(c.call("FROB").startsWith("-ERR"));
            c.ok("USER p3script");
            assertEquals("-ERR [AUTH] Authentication failed", c.call("PASS wrong"));
            c.login("p3script");
            assertEquals("+OK 2 " + (m1.length() + m2.length()), c.call("STAT"));
            assertEquals(List.of("1 " + m1.length(), "2 " + m2.length()), c.multi("LIST"));
            assertEquals("+OK 2 " + m2.length(), c.call("LIST 2"));
            String u1 = String.format("%08X%08X", infos.get(0).uid(), v);
            String u2 = String.format("%08X%08X", infos.get(1).uid(), v);
            assertEquals(List.of("1 " + u1, "2 " + u2), c.multi("UIDL"));
            assertEquals("+OK 2 " + u2, c.call("UIDL 2"));
            List<String> top = c.multi("TOP 2 1");
            assertEquals("..starts with a dot", top.get(top.size() - 1));
            assertEquals("", top.get(top.size() - 2));
            List<String> retr = c.multi("RETR 2");
            assertTrue(retr.toString(), retr.contains("..starts with a dot") && retr.contains("...two dots"));
            assertEquals(m2, unstuff(retr));
            c.ok("NOOP");
            assertEquals("+OK Message 1 deleted", c.call("DELE 1"));
            assertTrue(c.call("RETR 1").startsWith("-ERR"));
            c.ok("RSET");
            assertEquals("+OK 2 " + (m1.length() + m2.length()), c.call("STAT"));
            assertTrue(c.call("RETR 9").startsWith("-ERR"));
            assertTrue(c.call("FROB").startsWith("-ERR"));
            assertEquals("+OK Pillarbox POP3 server signing off (0 messages deleted)", c.call("QUIT"));
            assertNull(c.c.read());
        }
        assertEquals(2, inbox(p).size());
    }

    @Test
    public void pipelinedCommandsAnswerInOrder() throws Exception {
        user("p3pipe", message("pipe one", "x"));
        try (Pop3 c = Pop3.connect(pop3Port)) {
            c.c.out.write(("USER p3pipe\r\nPASS " + PASSWORD + "\r\nSTAT\r\nUIDL 1\r\nNOOP\r\nQUIT\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            c.c.out.flush();
            assertEquals("+OK", c.c.read());
            assertTrue(c.c.read().startsWith("+OK Logged in"));
            assertTrue(c.c.read().startsWith("+OK 1 "));
            assertTrue(c.c.read().matches("\\+OK 1 [0-9A-F]{16}"));
            assertEquals("+OK", c.c.read());
            assertTrue(c.c.read().startsWith("+OK Pillarbox POP3 server signing off"));
        }
    }

    @Test
    public void multiMegabyteMessageIsByteExactOverScriptAndAngus() throws Exception {
        StringBuilder body = new StringBuilder();
        List<String> lines = new ArrayList<>();
        for (int i = 0; body.length() < 3_000_000; i++) {
            String l = (i % 5 == 0 ? "." : "") + "line " + i + " of a multi-megabyte message, padded out a little";
            lines.add(l);
            body.append(l);
        }
        String big = message("big one", lines.toArray(new String[0]));
        MailPrincipal p = user("p3big", big);
        try (Pop3 c = Pop3.connect(pop3Port)) {
            c.login("p3big");
            assertEquals("+OK 1 " + big.length(), c.call("LIST 1"));
            assertEquals(big, unstuff(c.multi("RETR 1")));
            c.ok("QUIT");
        }
        byte[] fetched = MailClients.withMailClient(() -> {
            jakarta.mail.Store store = MailClients.mailSession(new Properties()).getStore("pop3");
            store.connect(HOST, pop3Port, "p3big", PASSWORD);
            try {
                jakarta.mail.Folder f = store.getFolder("INBOX");
                f.open(jakarta.mail.Folder.READ_ONLY);
                jakarta.mail.Message m = f.getMessage(1);
                // Jakarta Mail's size is the content's: LIST's octets less the header
                assertEquals(big.length() - (big.indexOf("\r\n\r\n") + 4), m.getSize());
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                m.writeTo(out);
                f.close(false);
                return out.toByteArray();
            } finally {
                store.close();
            }
        });
        assertArrayEquals(big.getBytes(StandardCharsets.UTF_8), fetched);
        assertEquals(1, inbox(p).size());
    }

    @Test
    public void uidlIsStableAcrossSessionsWithAngus() throws Exception {
        MailPrincipal p = user("p3uidl", message("uidl one", "a"), message("uidl two", "b"),
                message("uidl three", "c"));
        long v = uidValidity(p);
        List<String> expected = new ArrayList<>();
        for (MessageInfo m : inbox(p)) {
            expected.add(String.format("%08X%08X", m.uid(), v));
        }
        List<String> first = angusUids("p3uidl", 1);
        assertEquals(expected, first);
        // message 1 deleted with Angus; the others keep their identifiers in the next session
        List<String> second = angusUids("p3uidl", 0);
        assertEquals(expected.subList(1, 3), second);
    }

    /** Lists the UIDs with Angus Mail, deleting the first {@code delete} messages on close. */
    List<String> angusUids(String user, int delete) throws Exception {
        return MailClients.withMailClient(() -> {
            jakarta.mail.Store store = MailClients.mailSession(new Properties()).getStore("pop3");
            store.connect(HOST, pop3Port, user, PASSWORD);
            try {
                org.eclipse.angus.mail.pop3.POP3Folder f =
                        (org.eclipse.angus.mail.pop3.POP3Folder) store.getFolder("INBOX");
                f.open(jakarta.mail.Folder.READ_WRITE);
                List<String> uids = new ArrayList<>();
                for (jakarta.mail.Message m : f.getMessages()) {
                    uids.add(f.getUID(m));
                }
                for (int i = 1; i <= delete; i++) {
                    f.getMessage(i).setFlag(jakarta.mail.Flags.Flag.DELETED, true);
                }
                f.close(true);
                return uids;
            } finally {
                store.close();
            }
        });
    }

    @Test
    public void secondLoginToAMaildropInUseGetsInUse() throws Exception {
        user("p3inuse", message("in use", "x"));
        try (Pop3 first = Pop3.connect(pop3Port); Pop3 second = Pop3.connect(pop3Port)) {
            first.login("p3inuse");
            second.ok("USER p3inuse");
            String r = second.call("PASS " + PASSWORD);
            assertTrue(r, r.startsWith("-ERR [IN-USE]"));
            // Angus Mail is refused too
            try {
                MailClients.withMailClient(() -> {
                    jakarta.mail.Store store = MailClients.mailSession(new Properties()).getStore("pop3");
                    store.connect(HOST, pop3Port, "p3inuse", PASSWORD);
                    try {
                        jakarta.mail.Folder f = store.getFolder("INBOX");
                        f.open(jakarta.mail.Folder.READ_ONLY);
                        f.close(false);
                    } finally {
                        store.close();
                    }
                    return null;
                });
                fail("a second session got the maildrop");
            } catch (jakarta.mail.MessagingException e) {
                assertTrue(String.valueOf(e), String.valueOf(e).contains("IN-USE"));
            }
            first.ok("QUIT");
            // once released, the waiting session can log in
            second.login("p3inuse");
            assertTrue(second.call("STAT").startsWith("+OK 1 "));
        }
    }

    @Test
    public void deleQuitExpungesForOtherSessionsAndDeleRsetKeeps() throws Exception {
        String keep = message("dele keep", "k");
        String gone = message("dele gone", "g");
        MailPrincipal p = user("p3dele", gone, keep);
        List<MessageInfo> before = inbox(p);
        boolean imap = !bc.getServiceReferences(ProtocolHandlerFactory.class, "(pillarbox.protocol=imap)").isEmpty();
        LineClient imapClient = null;
        org.osgi.service.cm.Configuration imapListener = null;
        List<MailboxEvent> events = new CopyOnWriteArrayList<>();
        try (StoreSession s = stores.open(p, () -> { });
             Mailbox watcher = s.open(StoreSession.INBOX, true);
             Mailbox.Registration reg = watcher.addListener(events::add)) {
            if (imap) {
                // an IMAP session with the INBOX selected, as a mail client on another device would have
                int imapPort = freePort();
                imapListener = createListener(cm, "imap-for-pop3", "imap", imapPort, "none");
                await("IMAP listener", () -> accepts(imapPort));
                imapClient = LineClient.connect(imapPort);
                assertTrue(imapClient.read().startsWith("* OK"));
                assertTrue(imapUntilTagged(imapClient, "a1 LOGIN p3dele \"" + PASSWORD + "\"").startsWith("a1 OK"));
                assertTrue(imapUntilTagged(imapClient, "a2 SELECT INBOX").startsWith("a2 OK"));
            }
            // DELE + RSET keeps the message
            try (Pop3 c = Pop3.connect(pop3Port)) {
                c.login("p3dele");
                c.ok("DELE 1");
                c.ok("RSET");
                assertEquals("+OK Pillarbox POP3 server signing off (0 messages deleted)", c.call("QUIT"));
            }
            // DELE and a dropped connection keeps it too
            try (Pop3 c = Pop3.connect(pop3Port)) {
                c.login("p3dele");
                c.ok("DELE 1");
            }
            await("the dropped session to release the maildrop", () -> {
                try (Pop3 c = Pop3.connect(pop3Port)) {
                    c.ok("USER p3dele");
                    boolean ok = c.call("PASS " + PASSWORD).startsWith("+OK");
                    c.call("QUIT");
                    return ok;
                } catch (IOException e) {
                    return false;
                }
            });
            assertEquals(2, inbox(p).size());
            assertTrue(events.toString(), events.stream().noneMatch(e -> e instanceof MailboxEvent.MessagesExpunged));
            // DELE + QUIT removes it, and other sessions are told
            try (Pop3 c = Pop3.connect(pop3Port)) {
                c.login("p3dele");
                assertEquals("+OK Message 1 deleted", c.call("DELE 1"));
                assertEquals("+OK Pillarbox POP3 server signing off (1 messages deleted)", c.call("QUIT"));
            }
            await("expunge event", () -> events.stream().anyMatch(e -> e instanceof MailboxEvent.MessagesExpunged x
                    && x.uids().equals(List.of(before.get(0).uid()))));
            List<MessageInfo> after = inbox(p);
            assertEquals(1, after.size());
            assertEquals(before.get(1).uid(), after.get(0).uid());
            if (imapClient != null) {
                List<String> noop = new ArrayList<>();
                String l;
                imapClient.send("a3 NOOP");
                while (!(l = imapClient.read()).startsWith("a3 ")) {
                    noop.add(l);
                }
                assertTrue(l, l.startsWith("a3 OK"));
                assertTrue("IMAP session told of the POP3 deletion: " + noop, noop.contains("* 1 EXPUNGE"));
            }
        } finally {
            if (imapClient != null) {
                imapClient.close();
            }
            if (imapListener != null) {
                imapListener.delete();
            }
        }
    }

    static String imapUntilTagged(LineClient c, String command) throws IOException {
        String tag = command.substring(0, command.indexOf(' ') + 1);
        c.send(command);
        String l;
        while ((l = c.read()) != null && !l.startsWith(tag)) {
            // untagged data
        }
        assertNotNull("IMAP connection ended", l);
        return l;
    }

    @Test
    public void stlsByScriptAndWithAngus() throws Exception {
        user("p3tls", message("tls one", "secret stuff"));
        try (Pop3 c = Pop3.connect(pop3Port)) {
            assertEquals("+OK Begin TLS negotiation", c.call("STLS"));
            SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket(c.c.socket, HOST, pop3Port, true);
            s.setSoTimeout(10_000);
            s.startHandshake();
            c.c.attach(s);
            List<String> caps = c.multi("CAPA");
            assertTrue(caps.toString(), !caps.contains("STLS") && caps.contains("USER"));
            assertTrue(c.call("STLS").startsWith("-ERR"));
            c.login("p3tls");
            assertTrue(c.call("STAT").startsWith("+OK 1 "));
            c.ok("QUIT");
        }
        Properties props = new Properties();
        props.put("mail.pop3.starttls.enable", "true");
        props.put("mail.pop3.starttls.required", "true");
        int n = MailClients.withMailClient(() -> {
            jakarta.mail.Store store = MailClients.mailSession(props).getStore("pop3");
            store.connect(HOST, pop3Port, "p3tls", PASSWORD);
            try {
                jakarta.mail.Folder f = store.getFolder("INBOX");
                f.open(jakarta.mail.Folder.READ_ONLY);
                int count = f.getMessageCount();
                assertEquals("tls one", f.getMessage(1).getSubject());
                f.close(false);
                return count;
            } finally {
                store.close();
            }
        });
        assertEquals(1, n);
    }

    @Test
    public void pop3sWithAngus() throws Exception {
        user("p3s", message("implicit tls", "hello"));
        String subject = MailClients.withMailClient(() -> {
            jakarta.mail.Store store = MailClients.mailSession(new Properties()).getStore("pop3s");
            store.connect(HOST, pop3sPort, "p3s", PASSWORD);
            try {
                jakarta.mail.Folder f = store.getFolder("INBOX");
                f.open(jakarta.mail.Folder.READ_ONLY);
                String s = f.getMessage(1).getSubject();
                f.close(false);
                return s;
            } finally {
                store.close();
            }
        });
        assertEquals("implicit tls", subject);
    }

    @Test
    public void authPlainByScriptAndWithAngus() throws Exception {
        user("p3plain", message("plain one", "p"));
        String ir = b64("\0p3plain\0" + PASSWORD);
        try (Pop3 c = Pop3.connect(pop3Port)) {
            assertEquals("-ERR [AUTH] Authentication failed", c.call("AUTH PLAIN " + b64("\0p3plain\0wrong")));
            assertEquals("+ ", c.call("AUTH PLAIN"));
            assertEquals("-ERR Authentication cancelled", c.call("*"));
            assertEquals("+ ", c.call("AUTH PLAIN"));
            assertTrue(c.call(ir).startsWith("+OK Logged in"));
            c.ok("QUIT");
        }
        try (Pop3 c = Pop3.connect(pop3Port)) {
            assertTrue(c.call("AUTH PLAIN " + ir).startsWith("+OK Logged in"));
            c.ok("QUIT");
        }
        Properties props = new Properties();
        props.put("mail.pop3.auth.mechanisms", "PLAIN");
        ByteArrayOutputStream debug = new ByteArrayOutputStream();
        int n = MailClients.withMailClient(() -> {
            jakarta.mail.Session session = MailClients.mailSession(props);
            session.setDebugOut(new PrintStream(debug, true, StandardCharsets.UTF_8));
            session.setDebug(true);
            jakarta.mail.Store store = session.getStore("pop3");
            store.connect(HOST, pop3Port, "p3plain", PASSWORD);
            try {
                jakarta.mail.Folder f = store.getFolder("INBOX");
                f.open(jakarta.mail.Folder.READ_ONLY);
                int count = f.getMessageCount();
                f.close(false);
                return count;
            } finally {
                store.close();
            }
        });
        assertEquals(1, n);
        String log = debug.toString(StandardCharsets.UTF_8);
        assertTrue("Angus Mail logged in with AUTH PLAIN:\n" + log, log.contains("AUTH PLAIN"));
    }

    // ------------------------------------------------------------------ POP2

    @Test
    public void pop2SessionFetchesAndDeletesAMessage() throws Exception {
        features.installFeature("pillarbox-pop2", EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles));
        int port = freePort();
        org.osgi.service.cm.Configuration listener = createListener(cm, "pop2-test", "pop2", port, "none");
        try {
            await("POP2 listener", () -> accepts(port));
            String m1 = message("pop2 one", "first", ".dot");
            String m2 = message("pop2 two", "second");
            MailPrincipal p = user("p2user", m1, m2);
            try (LineClient c = LineClient.connect(port)) {
                String greeting = c.read();
                assertTrue(greeting, greeting.startsWith("+ POP2 "));
                assertTrue(c.call("HELO p2user wrong").startsWith("-"));
                assertEquals("#2", c.call("HELO p2user " + PASSWORD));
                assertEquals("=" + m1.length(), c.call("READ"));
                c.send("RETR");
                assertEquals(m1, readChars(c, m1.length()));
                assertEquals("=" + m2.length(), c.call("ACKD"));
                c.send("RETR");
                assertEquals(m2, readChars(c, m2.length()));
                assertEquals("=0", c.call("ACKS"));
                assertEquals("+ OK Pillarbox POP2 server signing off (1 messages deleted)", c.call("QUIT"));
            }
            List<MessageInfo> left = inbox(p);
            assertEquals(1, left.size());
            assertEquals(m2.length(), left.get(0).size());
        } finally {
            listener.delete();
        }
    }

    static String readChars(LineClient c, int n) throws IOException {
        char[] buf = new char[n];
        int off = 0;
        while (off < n) {
            int r = c.in.read(buf, off, n - off);
            if (r < 0) {
                throw new IOException("connection ended after " + off + " of " + n + " characters");
            }
            off += r;
        }
        return new String(buf);
    }

    // ------------------------------------------------------------------ metrics

    static long timed(io.pillarbox.api.metrics.MailMetrics.Snapshot s, String protocol, String command) {
        java.util.Map<String, io.pillarbox.api.metrics.MailMetrics.Latency> m = s.latencies().get(protocol);
        io.pillarbox.api.metrics.MailMetrics.Latency l = m == null ? null : m.get(command);
        return l == null ? 0 : l.count();
    }

    @Test
    public void retrAndCommandsReachTheMetricsService() throws Exception {
        await("the distribution's MailMetrics service",
                () -> service(bc, io.pillarbox.api.metrics.MailMetrics.class) != null);
        io.pillarbox.api.metrics.MailMetrics metrics = service(bc, io.pillarbox.api.metrics.MailMetrics.class);
        user("p3metrics", message("metrics one", "a"), message("metrics two", "b"));
        io.pillarbox.api.metrics.MailMetrics.Snapshot before = metrics.snapshot();
        try (Pop3 c = Pop3.connect(pop3Port)) {
            c.login("p3metrics");
            c.multi("RETR 1");
            c.multi("RETR 2");
            c.multi("TOP 1 0");
            assertTrue(c.call("XYZZY client words").startsWith("-ERR"));
            c.ok("QUIT");
        }
        await("the commands in MailMetrics", () -> {
            io.pillarbox.api.metrics.MailMetrics.Snapshot now = metrics.snapshot();
            return now.counter("pop3", "messages.retrieved") >= before.counter("pop3", "messages.retrieved") + 2
                    && timed(now, "pop3", "RETR") >= timed(before, "pop3", "RETR") + 2
                    && timed(now, "pop3", "TOP") >= timed(before, "pop3", "TOP") + 1
                    && timed(now, "pop3", "PASS") >= timed(before, "pop3", "PASS") + 1
                    && timed(now, "pop3", "UNKNOWN") >= timed(before, "pop3", "UNKNOWN") + 1
                    && timed(now, "pop3", "QUIT") >= timed(before, "pop3", "QUIT") + 1;
        });
        assertTrue(metrics.snapshot().latencies().get("pop3").keySet().stream().noneMatch(k -> k.contains("XYZZY")));
    }

    // ------------------------------------------------------------------ trace

    /** The container's log file: ${karaf.log}/karaf.log (karaf.log defaults to ${karaf.data}/log). */
    static java.nio.file.Path karafLog() {
        String dir = System.getProperty("karaf.log");
        return dir != null ? java.nio.file.Path.of(dir, "karaf.log")
                : java.nio.file.Path.of(System.getProperty("karaf.data"), "log", "karaf.log");
    }

    static String karafLogText() {
        try {
            return java.nio.file.Files.readString(karafLog(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    public void traceUsersSetThroughConfigAdminLogsTheConversationWithSecretsMasked() throws Exception {
        String user = "p3trace";
        String password = "tr4ce-only-pw";
        String marker = "TRACE-BODY-MARKER-4711";
        if (!realm.users().contains(user)) {
            realm.addUser(user, password.toCharArray());
        }
        MailPrincipal p = realm.lookup(user).orElse(MailPrincipal.of(user, realm.name()));
        try (StoreSession s = stores.open(p, () -> { })) {
            s.append(StoreSession.INBOX, MessageSource.of(message("traced", marker).getBytes(StandardCharsets.UTF_8)),
                    Set.of(), null);
        }
        String ir = b64("\0" + user + "\0" + password);
        org.osgi.service.cm.Configuration pop3 = cm.getConfiguration("io.pillarbox.pop3", null);
        java.util.Dictionary<String, Object> before = change(pop3, "traceUsers", new String[] {user});
        try {
            // the configuration reaches the running service asynchronously: sessions until one is traced
            int[] attempt = {0};
            await("a traced POP3 session in karaf.log", () -> {
                String tag = "TRACE-" + (++attempt[0]);
                try (Pop3 c = Pop3.connect(pop3Port)) {
                    c.ok("USER " + user);
                    c.ok("PASS " + password);
                    assertEquals("-ERR Unknown command", c.call("X" + tag));
                    c.multi("LIST");
                    List<String> body = c.multi("RETR 1");
                    assertTrue(String.join("\n", body).contains(marker));
                    c.ok("QUIT");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                try (Pop3 c = Pop3.connect(pop3Port)) {
                    assertTrue(c.call("AUTH PLAIN " + ir).startsWith("+OK Logged in"));
                    c.ok("NOOP");
                    c.ok("QUIT");
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                // the change may land in the middle of a session (then only its end is traced): wait for an
                // attempt whose USER session was traced from its first command on (the AUTH PLAIN session names
                // its user only once logged in, so its trace starts there)
                String log = karafLogText();
                java.util.regex.Matcher tagged = java.util.regex.Pattern.compile(
                        " (\\S+) " + user + " C: X" + tag + "\\b").matcher(log);
                if (!tagged.find() || !log.contains(" " + tagged.group(1) + " " + user + " C: USER " + user)) {
                    return false;
                }
                int after = tagged.end();
                java.util.regex.Matcher noop = java.util.regex.Pattern.compile(" (\\S+) " + user + " C: NOOP")
                        .matcher(log);
                return noop.find(after);
            });
            String log = karafLogText();
            List<String> traced = new ArrayList<>();
            for (String l : log.split("\n")) {
                // Karaf's layout shows the logger's last name ("trace") and the bundle's name
                if (l.matches(".*\\| trace +\\| \\d+ - io\\.pillarbox\\.pop3 - .*")) {
                    traced.add(l);
                }
            }
            assertTrue("trace lines of io.pillarbox.pop3.trace in " + karafLog(), !traced.isEmpty());
            String t = String.join("\n", traced);
            assertTrue(t, t.contains(user + " C: USER " + user));
            assertTrue(t, t.contains(user + " C: PASS ***"));
            assertTrue(t, t.contains(user + " S: +OK Logged in"));
            assertTrue(t, t.contains(user + " C: LIST"));
            assertTrue(t, t.contains(" lines>"));
            assertTrue(t, t.contains(user + " C: RETR 1"));
            assertTrue(t, t.contains(user + " S: <message content, not logged>"));
            assertTrue(t, t.contains(user + " C: QUIT"));
            assertTrue(t, t.contains(user + " S: +OK Pillarbox POP3 server signing off"));
            assertTrue("the whole log is free of the password", !log.contains(password));
            assertTrue("the whole log is free of the SASL initial response", !log.contains(ir));
            assertTrue("message bodies are not traced", !t.contains(marker));
            assertTrue("other users are not traced", t.lines().allMatch(l -> l.contains(" " + user + " ")));
        } finally {
            restore(pop3, before);
        }
        // switched off without restarting anything: a new session is not traced any more
        await("the trace switched off", () -> {
            String tag = "UNTRACED-" + System.nanoTime();
            try (Pop3 c = Pop3.connect(pop3Port)) {
                c.ok("USER " + user);
                c.ok("PASS " + password);
                c.call("X" + tag);
                c.ok("QUIT");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return !karafLogText().contains(tag);
        });
    }
}
