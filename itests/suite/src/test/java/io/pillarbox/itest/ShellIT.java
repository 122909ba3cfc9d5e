package io.pillarbox.itest;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.delivery.Resolution;
import io.pillarbox.api.server.SessionRegistry;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.karaf.options.KarafDistributionConfigurationConsoleOption;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

import javax.inject.Inject;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.pillarbox.itest.ShellRunner.contains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;

/**
 * The {@code mail:*} commands run through Karaf's own shell, as an admin types them: their output, and their effect
 * on the running server (logins, sessions, stores).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ShellIT extends PillarboxTestSupport {

    @Inject
    BundleContext bc;

    @Inject
    SessionFactory sessionFactory;

    @Inject
    ConfigurationAdmin cm;

    @Inject
    Authenticator authenticator;

    @Inject
    MailStores stores;

    @Inject
    SessionRegistry sessions;

    @Inject
    LocalDelivery delivery;

    @Configuration
    public Option[] config() {
        // the admin shell over ssh too (bin/client), on the free port the base options chose
        List<Option> options = new java.util.ArrayList<>(distributionOptions());
        options.removeIf(o -> o instanceof KarafDistributionConfigurationConsoleOption);
        options.add(configureConsole().ignoreLocalConsole().startRemoteShell());
        return options.toArray(new Option[0]);
    }

    /** A UW IMAP mbox: the folder-internal-data pseudo-message, then three messages with Status/X-Status/X-Keywords. */
    static final String UW_MBOX = String.join("\n",
            "From MAILER-DAEMON Fri Jan  5 10:00:00 2024",
            "Date: 05 Jan 2024 10:00:00 +0000",
            "From: Mail System Internal Data <MAILER-DAEMON@mail.example.org>",
            "Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA",
            "X-IMAP: 1704448800 0000000003 work urgent",
            "Status: RO",
            "",
            "This text is part of the internal format of your mail folder, and is not",
            "a real message.  It is created automatically by the mail system software.",
            "",
            "From alice@example.org Fri Jan  5 10:01:00 2024",
            "From: Alice <alice@example.org>",
            "Subject: seen and answered",
            "Status: RO",
            "X-Status: A",
            "X-Keywords: work",
            "X-UID: 1",
            "",
            "first",
            "",
            "From carol@example.org Sat Jan  6 11:00:00 2024",
            "From: Carol <carol@example.org>",
            "Subject: flagged, not seen",
            "Status: O",
            "X-Status: F",
            "X-Keywords: urgent work",
            "X-UID: 2",
            "",
            "second",
            "",
            "From dave@example.org Sun Jan  7 12:00:00 2024",
            "From: Dave <dave@example.org>",
            "Subject: deleted draft",
            "Status: RO",
            "X-Status: DT",
            "X-UID: 3",
            "",
            "third",
            "") ;

    // ------------------------------------------------------------------ helpers

    /** Karaf registers a bundle's commands asynchronously once the bundle is active. */
    @Before
    public void commandsRegistered() throws Exception {
        await("mail:* commands", () -> sessionFactory.getRegistry().getCommand("mail", "sessions") != null
                && sessionFactory.getRegistry().getCommand("mail", "alias-list") != null);
    }

    /** Runs one command line in a fresh shell session with the given keyboard input; returns what it printed. */
    String run(String command, String keyboard) throws Exception {
        return ShellRunner.shell(sessionFactory, command, keyboard);
    }

    /** Runs a command that may fail: its output, and the error's message or null. */
    String[] runAllowingFailure(String command) throws Exception {
        return ShellRunner.shellAllowingFailure(sessionFactory, command, "");
    }

    String run(String command) throws Exception {
        return run(command, "");
    }

    /** Runs a command that must fail; returns the error's message. */
    String fails(String command) throws Exception {
        try {
            String out = run(command);
            fail(command + " succeeded: " + out);
            return null;
        } catch (Exception e) {
            return String.valueOf(e.getMessage());
        }
    }

    AuthResult login(String user, String password) throws Exception {
        return authenticator.authenticate(user, password.toCharArray(), new AuthContext("test", null, true, "PLAIN"))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    StoreSession store(String user) throws Exception {
        Optional<MailPrincipal> p = authenticator.lookup(user).toCompletableFuture().get(30, TimeUnit.SECONDS);
        return stores.open(p.orElseThrow(), () -> {
        });
    }


    // ------------------------------------------------------------------ tests

    @Test
    public void everyCommandHasHelp() throws Exception {
        for (String c : List.of("sessions", "kick", "listeners", "realms", "stores", "user-add", "user-passwd",
                "user-del", "user-list", "user-show", "mailbox-list", "mailbox-create", "mailbox-delete",
                "mailbox-rename", "expunge", "import", "export", "domain-add", "domain-del", "domain-list", "alias-add",
                "alias-del", "alias-list", "messages", "message-show", "stats", "check", "trace", "health")) {
            String help = run("mail:" + c + " --help");
            contains(help, "mail:" + c, "DESCRIPTION");
        }
        contains(run("mail:user-add --help"), "--realm", "password");
        contains(run("mail:expunge --help"), "--before", "30d");
        contains(run("mail:sessions --help"), "--no-format");
    }

    @Test
    public void realmsAndStoresAreListed() throws Exception {
        String realms = run("mail:realms --no-format");
        contains(realms, "file", "io.pillarbox.auth.file");
        assertTrue(realms, realms.lines().anyMatch(l -> l.contains("\tfile\t") && l.contains("\tyes\t")));
        String st = run("mail:stores --no-format");
        assertTrue(st, st.lines().anyMatch(l -> l.startsWith("maildir\tyes\t")));
    }

    @Test
    public void usersAreAddedChangedShownListedAndRemoved() throws Exception {
        contains(run("mail:user-add bob@example.org s3cret"), "User bob@example.org added to realm file");
        assertTrue(login("bob@example.org", "s3cret").isOk());
        contains(fails("mail:user-add bob@example.org other"), "already exists");
        contains(fails("mail:user-add 'bad name' x"), "space");
        contains(fails("mail:user-add --realm nosuch carl x"), "no realm named nosuch");

        String list = run("mail:user-list --no-format");
        assertTrue(list, list.lines().anyMatch(l -> l.equals("bob@example.org\tfile")));

        String show = run("mail:user-show bob@example.org");
        contains(show, "realm", "file", "domain", "example.org", "maildir (default)", "mailboxes", "1");

        contains(run("mail:user-passwd bob@example.org n3w-pass"), "Password of bob@example.org changed in realm file");
        assertTrue(login("bob@example.org", "n3w-pass").isOk());
        assertEquals(AuthResult.Status.BAD_CREDENTIALS, login("bob@example.org", "s3cret").status());

        contains(run("mail:user-del bob@example.org"), "removed from realm file", "mail is kept");
        assertFalse(login("bob@example.org", "n3w-pass").isOk());
        assertTrue("no realm knows bob any more", authenticator.lookup("bob@example.org").toCompletableFuture()
                .get(30, TimeUnit.SECONDS).isEmpty());
        contains(fails("mail:user-del bob@example.org"), "no user bob@example.org");
    }

    @Test
    public void passwordIsAskedForWhenLeftOut() throws Exception {
        String out = run("mail:user-add erin", "typed-secret\ntyped-secret\n");
        contains(out, "Password: ", "User erin added");
        assertFalse("the password is not echoed: " + out, out.contains("typed-secret"));
        assertTrue(login("erin", "typed-secret").isOk());
        contains(failsWithKeyboard("mail:user-passwd erin", "one\ntwo\n"), "do not match");
        assertTrue(login("erin", "typed-secret").isOk());
        run("mail:user-del erin");
    }

    String failsWithKeyboard(String command, String keyboard) throws Exception {
        try {
            fail(command + " succeeded: " + run(command, keyboard));
            return null;
        } catch (Exception e) {
            return String.valueOf(e.getMessage());
        }
    }

    @Test
    public void sessionsAreListedAndKicked() throws Exception {
        Bundle echo = installSampleProtocol();
        int port = freePort();
        org.osgi.service.cm.Configuration cfg = createListener(cm, "echo-shell", "echo", port, "none");
        try {
            await("listener", () -> accepts(port));
            String listeners = run("mail:listeners --no-format");
            assertTrue(listeners, listeners.lines().anyMatch(l -> l.startsWith("echo-shell\techo\t127.0.0.1:" + port
                    + "\tnone\tyes\t")));
            try (LineClient a = LineClient.connect(port); LineClient b = LineClient.connect(port)) {
                assertEquals("+ECHO ready", a.read());
                assertEquals("+ECHO ready", b.read());
                assertEquals("hi", a.call("hi"));
                String mine = ":" + a.socket.getLocalPort();
                await("session listed", () -> {
                    try {
                        return run("mail:sessions --no-format").contains(mine);
                    } catch (Exception e) {
                        return false;
                    }
                });
                String line = run("mail:sessions --no-format -p echo").lines().filter(l -> l.contains(mine))
                        .findFirst().orElseThrow();
                String[] cols = line.split("\t");
                assertEquals("echo", cols[1]);
                assertEquals("echo-shell", cols[2]);
                assertEquals("-", cols[3]);
                assertEquals("echoing", cols[6]);
                assertEquals("no", cols[7]);
                assertTrue(line, Long.parseLong(cols[8]) >= 4);
                String id = cols[0];
                String stats = run("mail:stats --no-format");
                assertTrue(stats, stats.lines().anyMatch(l -> l.startsWith("echo\t1\t1\t2\t0\t0\t")));

                contains(run("mail:kick " + id), "Session " + id + " kicked");
                assertEquals("-BYE Kicked by administrator", a.read());
                assertNull(a.read());
                assertEquals("b lives on", b.call("b lives on"));
                await("session gone", () -> sessions.find(id).isEmpty());
                contains(fails("mail:kick " + id), "no session");
                contains(fails("mail:kick nobody-at-all"), "no session");
            }
        } finally {
            cfg.delete();
            echo.uninstall();
        }
    }

    @Test
    public void mailboxesAreManagedAndMboxImportedAndExported() throws Exception {
        run("mail:user-add dave secret");
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("karaf.data")), "shellit");
        Path mbox = dir.resolve("inbox.mbox");
        Files.writeString(mbox, UW_MBOX);

        String imported = run("mail:import --no-format dave " + mbox);
        // mailbox, messages, seen, answered, flagged, deleted, draft, with keywords, skipped
        contains(imported, "INBOX\t3\t2\t1\t1\t1\t1\t2\t1");
        try (StoreSession s = store("dave"); Mailbox m = s.open("INBOX", true)) {
            List<MessageInfo> list = m.messages();
            assertEquals(3, list.size());
            assertEquals(Set.of(Flags.SEEN, Flags.ANSWERED, "work"), list.get(0).flags());
            assertEquals(Set.of(Flags.FLAGGED, "urgent", "work"), list.get(1).flags());
            assertEquals(Set.of(Flags.SEEN, Flags.DELETED, Flags.DRAFT), list.get(2).flags());
        }

        String msgs = run("mail:messages --no-format dave");
        List<String> rows = msgs.lines().toList();
        assertEquals(msgs, 3, rows.size());
        String[] first = rows.get(0).split("\t");
        assertEquals("\\Answered \\Seen work", first[1]);
        assertEquals("2024-01-05T10:01:00Z", first[2]);
        assertEquals("alice@example.org", first[4]);
        assertEquals("seen and answered", first[5]);
        String shown = run("mail:message-show dave INBOX " + first[0]);
        contains(shown, "Subject: seen and answered\r\n", "\r\n\r\nfirst\r\n");
        assertFalse(shown, shown.contains("X-Status"));
        contains(run("mail:message-show --header dave INBOX " + first[0]), "Subject: seen and answered");
        assertFalse(run("mail:message-show --header dave INBOX " + first[0]).contains("first"));
        contains(fails("mail:message-show dave INBOX 999"), "999");

        String boxes = run("mail:mailbox-list --no-format dave");
        assertTrue(boxes, boxes.lines().anyMatch(l -> l.startsWith("INBOX\t3\t1\t1\t")));

        contains(run("mail:mailbox-create --special-use archive dave Archive/2024"), "Mailbox Archive/2024 created");
        contains(run("mail:mailbox-rename dave Archive/2024 Archive/old"), "renamed to Archive/old");
        boxes = run("mail:mailbox-list --no-format dave");
        assertTrue(boxes, boxes.lines().anyMatch(l -> l.startsWith("Archive/old\t0\t0\t0\t0\t\\Archive\tyes\t")));
        contains(fails("mail:mailbox-create dave Archive/old"), "xists");
        contains(run("mail:mailbox-delete dave Archive/old"), "deleted");
        assertFalse(run("mail:mailbox-list dave").contains("Archive/old"));
        contains(fails("mail:mailbox-delete dave INBOX"), "INBOX");

        Path out = dir.resolve("export");
        String exported = run("mail:export --no-format dave " + out);
        contains(exported, "INBOX\t3\t" + out.resolve("INBOX"));
        String text = Files.readString(out.resolve("INBOX"));
        contains(text, "From alice@example.org ", "X-Keywords: urgent work", "X-Status: DT", "X-IMAPbase: ");

        contains(run("mail:expunge dave INBOX"), "1 message(s) expunged");
        contains(run("mail:expunge --before 2024-01-06T00:00:00Z dave INBOX"), "1 message(s) expunged");
        try (StoreSession s = store("dave"); Mailbox m = s.open("INBOX", true)) {
            assertEquals(List.of(Set.of(Flags.FLAGGED, "urgent", "work")),
                    m.messages().stream().map(MessageInfo::flags).toList());
        }

        // the export goes back in (into another mailbox) with the flags it had
        run("mail:import --mailbox Restored dave " + out.resolve("INBOX"));
        boxes = run("mail:mailbox-list --no-format dave");
        assertTrue(boxes, boxes.lines().anyMatch(l -> l.startsWith("Restored\t3\t1\t1\t")));
        // mail:check reads every message; a message file cut short on disk is reported
        String check = run("mail:check --no-format dave");
        assertTrue(check, check.lines().anyMatch(l -> l.startsWith("Restored\t3\t") && l.endsWith("\tok")));
        Path inboxDir = Path.of(System.getProperty("karaf.data"), "mail", "dave", "Maildir");
        Path victim;
        try (java.util.stream.Stream<Path> w = java.util.stream.Stream.concat(Files.list(inboxDir.resolve("cur")),
                Files.list(inboxDir.resolve("new")))) {
            victim = w.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        byte[] whole = Files.readAllBytes(victim);
        Files.write(victim, java.util.Arrays.copyOf(whole, whole.length / 2));
        String damaged = fails("mail:check dave");
        // the API check finds the short read; the Maildir store's own check (where it offers one) adds the file cut
        // short (left as it is) and its index entry that no longer matches (rebuilt by --repair)
        boolean maintenance = !bc.getServiceReferences(io.pillarbox.api.store.StoreMaintenance.class,
                "(pillarbox.store=maildir)").isEmpty();
        contains(damaged, (maintenance ? 3 : 1) + " problem(s) in the store of dave");
        Files.write(victim, whole);
        contains(run("mail:check dave"), "INBOX", "ok");
        // --repair goes to the store's own maintenance service, where the store offers one
        String[] repaired = runAllowingFailure("mail:check --repair dave");
        if (bc.getServiceReferences(io.pillarbox.api.store.StoreMaintenance.class, "(pillarbox.store=maildir)")
                .isEmpty()) {
            contains(String.valueOf(repaired[1]), "store maildir offers no maintenance service");
        } else {
            assertNull(repaired[1], repaired[1]);
            contains(repaired[0], "Store maildir: ");
        }

        contains(fails("mail:import nobody " + mbox), "unknown user nobody");
        contains(fails("mail:export dave " + out), "exists");
        run("mail:user-del dave");
    }

    @Test
    public void domainsAndAliasesChangeWhatDeliveryAccepts() throws Exception {
        String list = run("mail:domain-list --no-format");
        assertTrue(list, list.lines().anyMatch(l -> l.startsWith("localhost\tyes\t")));
        assertEquals(Resolution.Kind.REMOTE, delivery.resolve("gina@example.org").kind());

        contains(run("mail:domain-add Example.ORG"), "Domain example.org added", "localhost, example.org");
        await("example.org local", () -> delivery.resolve("nobody@example.org").kind() == Resolution.Kind.UNKNOWN_USER);
        contains(run("mail:domain-add example.org"), "already local");
        File cfg = new File(System.getProperty("karaf.etc"), "io.pillarbox.delivery.cfg");
        await("the .cfg file to say so", () -> {
            try {
                return Files.readString(cfg.toPath()).contains("example.org");
            } catch (java.io.IOException e) {
                return false;
            }
        });
        contains(fails("mail:domain-add exa_mple.org"), "not a domain name");

        run("mail:user-add gina@example.org pw-gina");
        run("mail:user-add hank@example.org pw-hank");
        await("gina deliverable", () -> delivery.resolve("gina@example.org").kind() == Resolution.Kind.LOCAL);
        list = run("mail:domain-list --no-format");
        assertTrue(list, list.lines().anyMatch(l -> l.startsWith("example.org\t\t2\t0")));

        contains(run("mail:alias-add team@example.org gina@example.org hank@example.org"),
                "Alias team@example.org: gina@example.org, hank@example.org");
        await("alias resolved", () -> delivery.resolve("Team@example.org").users()
                .equals(List.of("gina@example.org", "hank@example.org")));
        contains(run("mail:alias-add @example.org gina@example.org"), "Alias @example.org: gina@example.org");
        await("catch-all", () -> delivery.resolve("whoever@example.org").users().equals(List.of("gina@example.org")));
        contains(fails("mail:alias-add team@elsewhere.org gina@example.org"), "not local");
        String aliases = run("mail:alias-list --no-format example.org");
        assertTrue(aliases, aliases.lines().anyMatch(l -> l.equals("team@example.org\tgina@example.org, hank@example.org")));
        assertTrue(aliases, aliases.lines().anyMatch(l -> l.equals("@example.org\tgina@example.org")));

        contains(run("mail:alias-del team@example.org hank@example.org"), "Alias team@example.org: gina@example.org");
        await("alias shrunk", () -> delivery.resolve("team@example.org").users().equals(List.of("gina@example.org")));
        contains(run("mail:alias-del @example.org"), "removed");
        await("catch-all gone", () -> delivery.resolve("whoever@example.org").kind() == Resolution.Kind.UNKNOWN_USER);
        contains(fails("mail:alias-del @example.org"), "no alias");
        run("mail:alias-del team@example.org");

        contains(run("mail:domain-del example.org"), "Domain example.org removed");
        await("example.org remote again", () -> delivery.resolve("gina@example.org").kind() == Resolution.Kind.REMOTE);
        contains(fails("mail:domain-del example.org"), "not local");
        run("mail:user-del gina@example.org");
        run("mail:user-del hank@example.org");
    }

    @Test
    public void aUserAddedInTheShellLogsInOverImapAndIsKickedWithBye() throws Exception {
        int port = freePort();
        org.osgi.service.cm.Configuration cfg = createListener(cm, "imap-shell", "imap", port, "none");
        try {
            await("IMAP listener", () -> accepts(port));
            run("mail:user-add kim@example.org imap-pw");
            try (LineClient c = LineClient.connect(port)) {
                assertTrue(c.read().startsWith("* OK"));
                String line = c.call("a1 LOGIN kim@example.org imap-pw");
                while (line.startsWith("* ")) {
                    line = c.read();
                }
                assertTrue(line, line.startsWith("a1 OK"));
                await("session of kim listed", () -> {
                    try {
                        return run("mail:sessions --no-format -u kim@example.org").contains("\timap\timap-shell\t");
                    } catch (Exception e) {
                        return false;
                    }
                });
                contains(run("mail:kick -r 'Maintenance' kim@example.org"), "1 session(s) of kim@example.org kicked");
                String bye = c.read();
                assertTrue(bye, bye.startsWith("* BYE") && bye.contains("Maintenance"));
            }
            run("mail:user-del kim@example.org");
        } finally {
            cfg.delete();
        }
    }

    @Test
    public void aDovecotMaildirIsImportedWithItsFlags() throws Exception {
        run("mail:user-add ivan pw-ivan");
        Path root = Files.createTempDirectory(Path.of(System.getProperty("karaf.data")), "maildir");
        Files.createDirectories(root.resolve("new"));
        Files.createDirectories(root.resolve(".Sent/cur"));
        Files.createDirectories(root.resolve("cur"));
        Files.writeString(root.resolve("cur/1700000001.M1P1.host:2,RSa"), "Subject: one\n\nfirst\n");
        Files.writeString(root.resolve("new/1700000002.M2P1.host"), "Subject: two\n\nsecond\n");
        Files.writeString(root.resolve(".Sent/cur/1700000003.M3P1.host:2,S"), "Subject: sent\n\nthird\n");
        Files.writeString(root.resolve("dovecot-keywords"), "0 $Label1\n");
        String out = run("mail:import --no-format ivan " + root);
        contains(out, "INBOX\t2\t1\t1\t0\t0\t0\t1\t0", "Sent\t1\t1\t0\t0\t0\t0\t0\t0");
        try (StoreSession s = store("ivan"); Mailbox m = s.open("INBOX", true)) {
            assertEquals(List.of(Set.of(Flags.ANSWERED, Flags.SEEN, "$Label1"), Set.of()),
                    m.messages().stream().map(MessageInfo::flags).toList());
        }
        // and back out as a Maildir Dovecot reads, with the flags in the file names
        Path back = root.resolveSibling(root.getFileName() + "-export");
        contains(run("mail:export --format maildir --no-format ivan " + back), "INBOX\t2\t" + back,
                "Sent\t1\t" + back.resolve(".Sent"));
        try (java.util.stream.Stream<Path> l = Files.list(back.resolve("cur"))) {
            assertTrue(l.anyMatch(f -> f.getFileName().toString().endsWith(":2,RSa")));
        }
        contains(Files.readString(back.resolve("dovecot-keywords")), "0 $Label1");
        contains(fails("mail:export --format maildir ivan " + back), "not empty");
        run("mail:user-del ivan");
    }

    @Test
    public void healthChecksTaggedPillarbox() throws Exception {
        org.apache.felix.hc.api.execution.HealthCheckExecutor hc = await(bc,
                org.apache.felix.hc.api.execution.HealthCheckExecutor.class);
        java.util.Map<String, org.apache.felix.hc.api.Result> results = health(hc);
        assertEquals(results.toString(), Set.of("Pillarbox listeners", "Pillarbox mail store", "Pillarbox realms",
                "Pillarbox outbound queue"),
                results.keySet());
        assertEquals(String.valueOf(results.get("Pillarbox mail store")), org.apache.felix.hc.api.Result.Status.OK,
                results.get("Pillarbox mail store").getStatus());
        assertEquals(String.valueOf(results.get("Pillarbox realms")), org.apache.felix.hc.api.Result.Status.OK,
                results.get("Pillarbox realms").getStatus());

        // a listener whose port is taken makes the listeners check critical, naming it
        Bundle echo = installSampleProtocol();
        try (java.net.ServerSocket squatter = new java.net.ServerSocket()) {
            squatter.bind(new java.net.InetSocketAddress(HOST, 0));
            org.osgi.service.cm.Configuration cfg = createListener(cm, "echo-squatted", "echo",
                    squatter.getLocalPort(), "none");
            try {
                await("listener to fail", () -> health(hc).get("Pillarbox listeners").toString()
                        .contains("echo-squatted"));
                org.apache.felix.hc.api.Result r = health(hc).get("Pillarbox listeners");
                assertEquals(r.toString(), org.apache.felix.hc.api.Result.Status.CRITICAL, r.getStatus());
                // mail:health prints every finding that is not OK and fails, for monitoring scripts
                String[] out = runAllowingFailure("mail:health --no-format");
                contains(out[0], "Pillarbox listeners\tCRITICAL\n", "Pillarbox realms\tOK\n",
                        "Pillarbox mail store\tOK\n", "echo-squatted");
                contains(String.valueOf(out[1]), "Pillarbox health check(s) not OK");
            } finally {
                cfg.delete();
            }
            await("listener gone from the check", () -> !health(hc).get("Pillarbox listeners").toString()
                    .contains("echo-squatted"));
        } finally {
            echo.uninstall();
        }
    }

    static java.util.Map<String, org.apache.felix.hc.api.Result> health(
            org.apache.felix.hc.api.execution.HealthCheckExecutor hc) {
        java.util.Map<String, org.apache.felix.hc.api.Result> out = new java.util.TreeMap<>();
        for (org.apache.felix.hc.api.execution.HealthCheckExecutionResult r : hc.execute(
                org.apache.felix.hc.api.execution.HealthCheckSelector.tags("pillarbox"))) {
            out.put(r.getHealthCheckMetadata().getName(), r.getHealthCheckResult());
        }
        return out;
    }

    static <T> T await(BundleContext bc, Class<T> type) throws InterruptedException {
        PillarboxTestSupport.await(type.getSimpleName(), () -> bc.getServiceReference(type) != null);
        return bc.getService(bc.getServiceReference(type));
    }

    @Test
    public void traceIsSwitchedPerUser() throws Exception {
        contains(run("mail:trace alice@example.org on"), "imap: trace of alice@example.org on");
        contains(run("mail:trace alice@example.org"), "alice@example.org is traced");
        org.osgi.service.cm.Configuration c = cm.getConfiguration("io.pillarbox.imap", "?");
        assertTrue(String.valueOf(c.getProperties()), List.of((String[]) c.getProperties().get("traceUsers"))
                .contains("alice@example.org"));
        for (String pid : List.of("io.pillarbox.pop3", "io.pillarbox.pop2", "io.pillarbox.smtp")) {
            org.osgi.service.cm.Configuration pc = cm.getConfiguration(pid, "?");
            assertTrue(pid + ": " + pc.getProperties(), pc.getProperties() != null
                    && List.of((String[]) pc.getProperties().get("traceUsers")).contains("alice@example.org"));
        }
        String off = run("mail:trace alice@example.org off");
        for (String p : List.of("imap", "pop3", "pop2", "smtp")) {
            contains(off, p + ": trace of alice@example.org off");
        }
        String nobody = run("mail:trace");
        for (String p : List.of("imap", "pop3", "pop2", "smtp")) {
            contains(nobody, p + ": nobody");
        }
        contains(fails("mail:trace alice@example.org maybe"), "on or off");
    }

    @Test
    public void commandsWorkThroughBinClientWithoutATerminal() throws Exception {
        File home = new File(System.getProperty("karaf.home"));
        ProcessBuilder pb = new ProcessBuilder("sh", "bin/client", "-b").directory(home).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        p.getOutputStream().write("mail:listeners --no-format\nmail:realms\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertTrue("bin/client ended", p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(out, 0, p.exitValue());
        contains(out, "Ranking", "file");
        // a command given on bin/client's command line (SSH exec; the client wants a terminal for that, which
        // script(1) of Debian's essential bsdutils provides) takes -h for help, even though user-show's user argument
        // is required
        ProcessBuilder help = new ProcessBuilder("script", "-qec", "sh bin/client 'mail:user-show -h'", "/dev/null")
                .directory(home).redirectErrorStream(true);
        help.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process h = help.start();
        // stdin stays open while the command runs: script ends the session at its end of input
        assertTrue("bin/client ended", h.waitFor(60, TimeUnit.SECONDS));
        h.getOutputStream().close();
        String helpOut = new String(h.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(helpOut, 0, h.exitValue());
        contains(helpOut, "mail:", "user-show", "ARGUMENTS");
    }

    @Test
    public void theInteractiveConsoleRunsEveryCommandOfALineAndTakesDashH() throws Exception {
        // an interactive bin/client session (script(1) gives it a terminal): Karaf's console hands a command's own
        // parser only the command under the cursor, and HelpShortcut must give back the whole line, or the first
        // command of "a ; mail:x" would silently not run
        File home = new File(System.getProperty("karaf.home"));
        String domain = "console-it-" + System.nanoTime() + ".example";
        String typed = "mail:domain-add " + domain + " ; mail:user-show -h\n"
                + "mail:health -h ; mail:domain-list --no-format\n"
                + "mail:domain-list -h ; mail:domain-del " + domain + "\n"
                + "logout\n";
        ProcessBuilder pb = new ProcessBuilder("script", "-qec", "sh bin/client", "/dev/null").directory(home)
                .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        p.getOutputStream().write(typed.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        assertTrue("bin/client ended", p.waitFor(60, TimeUnit.SECONDS));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .replaceAll("\u001B\\[[0-9;?=]*[A-Za-z]", "").replace("\r", "");
        System.out.println("ShellIT: the interactive session:\n" + out);
        contains(out, "Domain " + domain + " added", "Domain " + domain + " removed");
        // -h answered with the usage of each command, also when other commands share its line
        contains(out, "mail:user-show", "mail:health", "mail:domain-list", "ARGUMENTS", "Display this help message");
        assertEquals(out, 3, out.split("DESCRIPTION", -1).length - 1);
        // the domain list after the add, in the same session
        assertTrue(out, out.contains(domain + "\t"));
        assertFalse(run("mail:domain-list --no-format").contains(domain));
    }

    @Test
    public void dashHIsHelpForEveryMailCommand() throws Exception {
        for (String command : List.of("mail:user-add", "mail:check", "mail:queue-list", "mail:stats", "mail:trace",
                "mail:health")) {
            String out = run(command + " -h");
            contains(out, "DESCRIPTION", "SYNTAX");
            assertEquals(command, out, run(command + " --help"));
        }
        // a -h inside quotes is an argument, not help
        contains(fails("mail:user-show '-h'"), "-h");
    }

    private Bundle installSampleProtocol() throws Exception {
        String path = System.getProperty("pillarbox.sample.protocol");
        assertTrue("sample protocol bundle built: " + path, path != null && new File(path).isFile());
        Bundle b = bc.installBundle("file:" + path);
        // Karaf's features resolver hook refuses resolution while a feature deployment is still settling
        // (the health feature's bundles at boot): try again for a while
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                b.start();
                return b;
            } catch (org.osgi.framework.BundleException e) {
                if (System.currentTimeMillis() > deadline) {
                    b.uninstall();
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
