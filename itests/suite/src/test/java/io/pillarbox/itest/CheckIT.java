package io.pillarbox.itest;

import io.pillarbox.api.auth.WritableRealm;
import io.pillarbox.api.delivery.DeliveryResult;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreMaintenance;
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
import org.osgi.service.cm.ConfigurationAdmin;

import javax.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.pillarbox.itest.ShellRunner.contains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/**
 * {@code mail:check USER [--repair]} in the real distribution, on the default Maildir store: mail delivered through
 * {@link LocalDelivery}, flags set over IMAP, then the index garbled and a message file deleted on disk; the check
 * reports and fails, the repair fixes, a new check is clean, and IMAP sees the remaining messages with their flags.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CheckIT extends PillarboxTestSupport {

    static final String PASSWORD = "check it twice";

    @Inject
    BundleContext bc;

    @Inject
    SessionFactory sessionFactory;

    @Inject
    ConfigurationAdmin cm;

    @Inject
    WritableRealm realm;

    @Inject
    LocalDelivery delivery;

    @Inject
    MailStores stores;

    static int imapPort;

    @Configuration
    public Option[] config() {
        return distributionOptions().toArray(new Option[0]);
    }

    @Before
    public void listenerAndCommands() throws Exception {
        if (imapPort == 0) {
            imapPort = freePort();
            createListener(cm, "imap-check", "imap", imapPort, "none");
            await("IMAP listener", () -> accepts(imapPort));
        }
        await("mail:check", () -> sessionFactory.getRegistry().getCommand("mail", "check") != null);
    }

    /** Runs a command line: what it printed, and the error's message or null. */
    String[] run(String command) throws Exception {
        return ShellRunner.shellAllowingFailure(sessionFactory, command, "");
    }


    void newUser(String user) throws Exception {
        if (!realm.users().contains(user)) {
            realm.addUser(user, PASSWORD.toCharArray());
        }
    }

    long deliver(String user, String subject) {
        String m = "From: Carol <carol@example.org>\r\nTo: " + user + "@localhost\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.replace(' ', '-') + "@example.org>\r\n\r\nBody of " + subject + "\r\n";
        DeliveryResult r = delivery.deliver(user, "INBOX", MessageSource.of(m.getBytes(StandardCharsets.UTF_8)));
        assertTrue(String.valueOf(r), r.delivered());
        return r.uid();
    }

    static Path maildir(String user) {
        return Path.of(System.getProperty("karaf.data"), "mail", user, "Maildir");
    }

    /** The file of a UID, from dovecot-uidlist. */
    static Path messageFile(Path dir, long uid) throws Exception {
        String base = null;
        for (String line : Files.readAllLines(dir.resolve("dovecot-uidlist"))) {
            if (line.startsWith(uid + " ")) {
                base = line.substring(line.indexOf(':') + 1);
            }
        }
        assertNotNull("UID " + uid + " in dovecot-uidlist", base);
        String b = base;
        try (Stream<Path> s = Files.list(dir.resolve("cur"))) {
            return s.filter(p -> p.getFileName().toString().startsWith(b + ":")).findFirst().orElseThrow();
        }
    }

    /** UID FETCH 1:* FLAGS over IMAP: "uid flags" per message. */
    static List<String> imapFlags(String user) throws Exception {
        try (LineClient c = LineClient.connect(imapPort)) {
            assertTrue(c.read().startsWith("* OK"));
            String ok = c.call("a LOGIN " + user + " \"" + PASSWORD + "\"");
            assertTrue(ok, ok.startsWith("a OK"));
            c.send("b SELECT INBOX");
            for (String l = c.read(); !l.startsWith("b "); l = c.read()) {
                // untagged SELECT data
            }
            c.send("c UID FETCH 1:* (FLAGS)");
            List<String> out = new ArrayList<>();
            for (String l = c.read(); ; l = c.read()) {
                if (l.startsWith("c ")) {
                    assertTrue(l, l.startsWith("c OK"));
                    break;
                }
                java.util.regex.Matcher m = java.util.regex.Pattern
                        .compile("\\* \\d+ FETCH \\((?:UID (\\d+) FLAGS \\(([^)]*)\\)|FLAGS \\(([^)]*)\\) UID (\\d+))")
                        .matcher(l);
                assertTrue(l, m.find());
                String uid = m.group(1) != null ? m.group(1) : m.group(4);
                String flags = m.group(2) != null ? m.group(2) : m.group(3);
                List<String> sorted = new ArrayList<>(List.of(flags.split(" ")));
                sorted.removeIf(String::isEmpty);
                sorted.remove("\\Recent");
                java.util.Collections.sort(sorted);
                out.add(uid + " " + String.join(" ", sorted));
            }
            c.call("d LOGOUT");
            return out;
        }
    }

    /** Sends a command; returns the lines up to and including its tagged completion. */
    static List<String> untilTagged(LineClient c, String command) throws Exception {
        String tag = command.substring(0, command.indexOf(' '));
        c.send(command);
        List<String> lines = new ArrayList<>();
        for (String l = c.read(); ; l = c.read()) {
            assertNotNull("connection closed after " + lines, l);
            lines.add(l);
            if (l.startsWith(tag + " ")) {
                return lines;
            }
        }
    }

    static void imapStore(String user, String... stores) throws Exception {
        try (LineClient c = LineClient.connect(imapPort)) {
            c.read();
            assertTrue(c.call("a LOGIN " + user + " \"" + PASSWORD + "\"").startsWith("a OK"));
            c.send("b SELECT INBOX");
            for (String l = c.read(); !l.startsWith("b "); l = c.read()) {
                // untagged SELECT data
            }
            int n = 0;
            for (String s : stores) {
                String tag = "s" + n++;
                c.send(tag + " UID STORE " + s);
                for (String l = c.read(); ; l = c.read()) {
                    if (l.startsWith(tag + " ")) {
                        assertTrue(l, l.startsWith(tag + " OK"));
                        break;
                    }
                }
            }
            c.call("z LOGOUT");
        }
    }

    @Test
    public void maildirIsTheDefaultStoreAndOffersMaintenance() throws Exception {
        assertEquals("maildir", stores.names().get(0));
        assertFalse(bc.getServiceReferences(StoreMaintenance.class, "(pillarbox.store=maildir)").isEmpty());
        newUser("chkdefault");
        deliver("chkdefault", "where am i");
        assertTrue(Files.isRegularFile(maildir("chkdefault").resolve("dovecot-uidlist")));
        assertTrue(Files.isRegularFile(maildir("chkdefault").resolve("pillarbox.index")));
    }

    @Test
    public void cleanUserHasNoFindings() throws Exception {
        newUser("chkclean");
        deliver("chkclean", "clean one");
        deliver("chkclean", "clean two");
        imapStore("chkclean", "1 +FLAGS (\\Seen $Important)", "2 +FLAGS (\\Deleted)");
        String[] r = run("mail:check chkclean");
        assertNull(r[0] + r[1], r[1]);
        contains(r[0], "Store maildir: 0 finding(s)", "INBOX");
        r = run("mail:check --repair chkclean");
        assertNull(r[0] + r[1], r[1]);
        contains(r[0], "Store maildir: 0 finding(s), 0 repaired");
    }

    @Test
    public void damagedIndexAndDeletedFileAreReportedThenRepaired() throws Exception {
        String user = "chkdamage";
        newUser(user);
        long u1 = deliver(user, "first message");
        long u2 = deliver(user, "second message");
        long u3 = deliver(user, "third message");
        long u4 = deliver(user, "fourth message");
        imapStore(user, u1 + " +FLAGS (\\Seen)", u3 + " +FLAGS (\\Flagged $Work)", u4 + " +FLAGS (\\Answered \\Seen)");
        List<String> before = imapFlags(user);
        assertEquals(List.of(u1 + " \\Seen", u2 + " ", u3 + " $Work \\Flagged", u4 + " \\Answered \\Seen"),
                before);

        // a session that has INBOX selected across the damage and the repair
        LineClient open = LineClient.connect(imapPort);
        assertTrue(open.read().startsWith("* OK"));
        assertTrue(open.call("o1 LOGIN " + user + " \"" + PASSWORD + "\"").startsWith("o1 OK"));
        untilTagged(open, "o2 SELECT INBOX");

        Path dir = maildir(user);
        Path index = dir.resolve("pillarbox.index");
        byte[] b = Files.readAllBytes(index);
        for (int i = b.length / 2; i < b.length / 2 + 16 && i < b.length; i++) {
            b[i] ^= 0x33;
        }
        Files.write(index, b);
        Files.delete(messageFile(dir, u2));

        String[] check = run("mail:check " + user);
        assertNotNull("mail:check fails while problems remain:\n" + check[0], check[1]);
        contains(check[1], "problem(s) in the store of " + user);
        contains(check[0], "INBOX: pillarbox.index", "UID " + u2);
        assertFalse(check[0], check[0].contains("(repaired)"));

        String[] repair = run("mail:check --repair " + user);
        assertNull(repair[0] + repair[1], repair[1]);
        List<String> findings = repair[0].lines().filter(l -> l.startsWith("INBOX: ")).toList();
        assertFalse(repair[0], findings.isEmpty());
        for (String f : findings) {
            assertTrue(repair[0], f.endsWith("(repaired)"));
        }
        contains(repair[0], "INBOX: pillarbox.index", "finding(s), " + findings.size() + " repaired");

        String[] again = run("mail:check " + user);
        assertNull(again[0] + again[1], again[1]);
        contains(again[0], "Store maildir: 0 finding(s)");
        assertFalse(Files.readString(dir.resolve("dovecot-uidlist")).contains("\n" + u2 + " "));

        // the open session goes on: the deleted message is expunged, the others read from the rebuilt index
        String noop = String.join("\n", untilTagged(open, "o3 NOOP"));
        contains(noop, "* 2 EXPUNGE", "o3 OK");
        String fetch = String.join("\n", untilTagged(open, "o4 UID FETCH 1:* (FLAGS ENVELOPE)"));
        contains(fetch, "\"first message\"", "\"third message\"", "\"fourth message\"", "o4 OK");
        assertFalse(fetch, fetch.contains("second message"));
        untilTagged(open, "o5 LOGOUT");
        open.close();

        List<String> after = imapFlags(user);
        List<String> expected = new ArrayList<>(before);
        expected.remove(u2 + " ");
        assertEquals(expected, after);
    }
}
