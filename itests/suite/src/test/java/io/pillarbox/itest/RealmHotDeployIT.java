package io.pillarbox.itest;

import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.WritableRealm;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

import javax.inject.Inject;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * The design card's promise for auth: a realm bundle written by a third party only against the API
 * ({@code examples/sample-realm}) is hot-deployed into the running server while a client sits in IDLE; its users can
 * log in over IMAP, POP3 and SMTP AUTH at once; when it is removed they are refused, and sessions that were already
 * open keep working.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RealmHotDeployIT extends PillarboxTestSupport {

    static final String SAMPLE_USER = "sample@example.org";
    static final String SAMPLE_PASSWORD = "sample-secret";

    @Inject
    BundleContext bc;

    @Inject
    ConfigurationAdmin cm;

    @Inject
    WritableRealm fileRealm;

    @Configuration
    public Option[] config() {
        return distributionOptions().toArray(new Option[0]);
    }

    @Test
    public void thirdPartyRealmComesAndGoesWhileSessionsLiveOn() throws Exception {
        int imap = freePort();
        int pop3 = freePort();
        int smtp = freePort();
        createListener(cm, "imap-realm", "imap", imap, "starttls");
        createListener(cm, "pop3-realm", "pop3", pop3, "starttls");
        createListener(cm, "smtp-realm", "smtp", smtp, "starttls", "smtp.role", "submission");
        await("listeners", () -> accepts(imap) && accepts(pop3) && accepts(smtp));
        if (!fileRealm.users().contains("holder")) {
            fileRealm.addUser("holder", ImapIT.PASSWORD.toCharArray());
        }
        assertTrue("the sample realm is not part of the distribution", sampleRealms().isEmpty());

        try (ImapIT.Imap idler = ImapIT.Imap.loggedIn(imap, "holder")) {
            idler.expectOk(idler.cmd("h1 SELECT INBOX"));
            idler.send("h2 IDLE");
            assertTrue(idler.read().startsWith("+ "));

            // not known yet
            try (ImapIT.Imap c = ImapIT.Imap.connect(imap)) {
                c.read();
                assertTrue(last(c.cmd("n1 LOGIN " + SAMPLE_USER + " " + SAMPLE_PASSWORD)).startsWith("n1 NO"));
            }

            Bundle realm = bc.installBundle(new File(samplePath()).toURI().toString());
            long start = System.nanoTime();
            realm.start();
            await("sample realm service", () -> !sampleRealms().isEmpty());
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue("realm serving within a second of deployment, took " + ms + " ms", ms < 1000);

            ImapIT.Imap sampleSession = ImapIT.Imap.connect(imap);
            try {
                sampleSession.read();
                sampleSession.expectOk(sampleSession.cmd("s1 LOGIN " + SAMPLE_USER + " " + SAMPLE_PASSWORD));
                sampleSession.expectOk(sampleSession.cmd("s2 SELECT INBOX"));
                assertTrue(pop3Login(pop3, SAMPLE_USER, SAMPLE_PASSWORD));
                assertEquals("235", smtpAuth(smtp, SAMPLE_USER, SAMPLE_PASSWORD).substring(0, 3));

                realm.uninstall();
                await("sample realm gone", () -> sampleRealms().isEmpty());

                // refused everywhere now
                try (ImapIT.Imap c = ImapIT.Imap.connect(imap)) {
                    c.read();
                    assertTrue(last(c.cmd("r1 LOGIN " + SAMPLE_USER + " " + SAMPLE_PASSWORD)).startsWith("r1 NO"));
                }
                assertFalse(pop3Login(pop3, SAMPLE_USER, SAMPLE_PASSWORD));
                assertTrue(smtpAuth(smtp, SAMPLE_USER, SAMPLE_PASSWORD).startsWith("535"));

                // the session that logged in through the removed realm holds a principal, not the realm
                sampleSession.expectOk(sampleSession.cmd("s3 NOOP"));
                sampleSession.expectOk(sampleSession.cmd("s4 STATUS INBOX (MESSAGES)"));
            } finally {
                sampleSession.close();
            }

            // and the session that sat in IDLE all along still answers
            idler.send("DONE");
            idler.expectOk(idler.readTagged("h2"));
            idler.expectOk(idler.cmd("h3 NOOP"));
        }
    }

    private Collection<ServiceReference<AuthRealm>> sampleRealms() {
        try {
            return bc.getServiceReferences(AuthRealm.class, "(" + AuthRealm.PROPERTY_NAME + "=sample)");
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String samplePath() {
        String path = System.getProperty("pillarbox.sample.realm");
        assertTrue("sample realm bundle built: " + path, path != null && new File(path).isFile());
        return path;
    }

    /** POP3 USER/PASS (allowed in clear on loopback); true when the maildrop opened. */
    private static boolean pop3Login(int port, String user, String password) throws Exception {
        try (LineClient c = LineClient.connect(port)) {
            assertTrue(c.read().startsWith("+OK"));
            assertTrue(c.call("USER " + user).startsWith("+OK"));
            String pass = c.call("PASS " + password);
            c.call("QUIT");
            return pass.startsWith("+OK");
        }
    }

    /** SMTP AUTH PLAIN with an initial response on the submission listener; returns the reply to AUTH. */
    private static String smtpAuth(int port, String user, String password) throws Exception {
        try (LineClient c = LineClient.connect(port)) {
            assertTrue(c.read().startsWith("220"));
            c.send("EHLO client.example.org");
            String l;
            do {
                l = c.read();
            } while (l.startsWith("250-"));
            assertTrue(l, l.startsWith("250 "));
            String ir = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password)
                    .getBytes(StandardCharsets.UTF_8));
            String reply = c.call("AUTH PLAIN " + ir);
            c.call("QUIT");
            return reply;
        }
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }
}
