package io.pillarbox.auth.pam;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.AuthResult.Status;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.auth.contract.AuthRealmContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The realm contract against real Linux PAM: the set-up (which needs root, as in CI) creates two system users and
 * a PAM service file {@code /etc/pam.d/pillarbox-test} using pam_unix, and removes them afterwards.
 */
class PamRealmTest extends AuthRealmContract {

    static final String SERVICE = "pillarbox-test";
    static final Path PAM_FILE = Path.of("/etc/pam.d/" + SERVICE);
    static final String USER = "pbtest-user";
    static final String LOCKED = "pbtest-locked";

    static void run(String input, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (input != null) {
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + rc + "): " + out);
        }
    }

    static void removeUser(String user) throws Exception {
        Process p = new ProcessBuilder("userdel", user).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
    }

    @BeforeAll
    static void createUsersAndService() throws Exception {
        Files.writeString(PAM_FILE, "# Pillarbox PAM realm test, removed after the test\n"
                + "auth    required pam_unix.so nodelay\n"
                + "account required pam_unix.so\n", StandardCharsets.UTF_8);
        for (String u : List.of(USER, LOCKED)) {
            removeUser(u);
            run(null, "useradd", "-M", "-d", "/var/mail/" + u, "-s", "/usr/sbin/nologin", u);
        }
        run(USER + ":Contract-Pass-4711\n" + LOCKED + ":Blocked-Pass-0815\n", "chpasswd");
        run(null, "usermod", "-e", "1", LOCKED); // the account expired on 2 January 1970
    }

    @AfterAll
    static void removeUsersAndService() throws Exception {
        removeUser(USER);
        removeUser(LOCKED);
        Files.deleteIfExists(PAM_FILE);
    }

    @Override
    protected AuthRealm createRealm() {
        return new PamRealm(SERVICE, 1000);
    }

    @Override
    protected String knownUser() {
        return USER;
    }

    @Override
    protected String knownPassword() {
        return "Contract-Pass-4711";
    }

    @Override
    protected String disabledUser() {
        return LOCKED;
    }

    @Override
    protected String disabledPassword() {
        return "Blocked-Pass-0815";
    }

    @Override
    protected String capturedLog() throws Exception {
        Path log = Path.of("target/auth-pam-test.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    @Test
    void systemAccountsAreNotMailUsers() {
        AuthContext ctx = new AuthContext("imap", new InetSocketAddress("127.0.0.1", 1), true, "PLAIN");
        assertEquals(Status.UNKNOWN_USER, realm.authenticate("root", "anything".toCharArray(), ctx).status());
        assertTrue(realm.lookup("root").isEmpty());
        assertEquals(Status.UNKNOWN_USER, realm.authenticate("bad\0name", "x".toCharArray(), ctx).status());
    }

    @Test
    void principalsCarryTheHomeDirectoryAndIds() {
        AuthContext ctx = new AuthContext("pop3", new InetSocketAddress("192.0.2.44", 1), true, "USER");
        AuthResult r = realm.authenticate(USER, "Contract-Pass-4711".toCharArray(), ctx);
        assertEquals(Status.OK, r.status());
        MailPrincipal p = r.principal();
        assertEquals("/var/mail/" + USER, p.mailLocation());
        assertTrue(Integer.parseInt(p.attributes().get("uid")) >= 1000);
        assertEquals(p, realm.lookup(USER).orElseThrow());
        // mail outside the homes: no mail location of the realm's, so the store's template applies
        MailPrincipal q = new PamRealm(SERVICE, 1000).homeIsMailLocation(false).lookup(USER).orElseThrow();
        assertEquals(null, q.mailLocation());
        assertEquals("/var/mail/" + USER, q.attributes().get("home"));
    }
}
