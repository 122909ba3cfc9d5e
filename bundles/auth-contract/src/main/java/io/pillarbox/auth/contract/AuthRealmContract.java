package io.pillarbox.auth.contract;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.AuthResult.Status;
import io.pillarbox.api.auth.MailPrincipal;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link AuthRealm} must show. A realm's test class extends this, sets up a backend with one known
 * user (and a disabled one where the backend has such a thing) and answers the abstract methods.
 * <p>
 * Use it with test scope: {@code io.pillarbox:pillarbox-auth-contract}.
 */
public abstract class AuthRealmContract {

    /** The realm under test, set up before each test. */
    protected AuthRealm realm;

    /** Creates the realm over a backend that knows {@link #knownUser()} with {@link #knownPassword()}. */
    protected abstract AuthRealm createRealm() throws Exception;

    /** A user the backend knows. */
    protected abstract String knownUser();

    /** That user's password; it must be at least 6 characters long and unique (it is searched for in logs). */
    protected abstract String knownPassword();

    /** A user whose account is disabled, or {@code null} if the backend has no such thing. */
    protected String disabledUser() {
        return null;
    }

    /** The disabled user's (correct) password. */
    protected String disabledPassword() {
        return null;
    }

    /** Whether the realm can look users up without a password ({@link AuthRealm#lookup}). */
    protected boolean supportsLookup() {
        return true;
    }

    /** What the realm logged so far, or {@code null} if the test cannot capture it. */
    protected String capturedLog() throws Exception {
        return null;
    }

    protected AuthContext context() {
        return new AuthContext("imap", new InetSocketAddress("192.0.2.33", 50000), true, "PLAIN");
    }

    @BeforeEach
    void setUpRealm() throws Exception {
        realm = createRealm();
        assertNotNull(realm, "createRealm() returned null");
    }

    private AuthResult check(String user, String password) {
        AuthResult r = realm.authenticate(user, password.toCharArray(), context());
        assertNotNull(r, "authenticate must not return null");
        return r;
    }

    @Test
    public void hasAName() {
        assertNotNull(realm.name());
        assertFalse(realm.name().isBlank());
    }

    @Test
    public void goodPasswordIsAccepted() {
        AuthResult r = check(knownUser(), knownPassword());
        assertEquals(Status.OK, r.status(), () -> "detail: " + r.detail());
        MailPrincipal p = r.principal();
        assertEquals(realm.name(), p.realm(), "the principal says which realm accepted it");
        assertTrue(p.user().equalsIgnoreCase(knownUser()) || p.user().startsWith(knownUser() + "@"),
                "principal " + p.user() + " for " + knownUser());
    }

    @Test
    public void badPasswordIsRefused() {
        assertEquals(Status.BAD_CREDENTIALS, check(knownUser(), knownPassword() + "x").status());
        assertEquals(Status.BAD_CREDENTIALS, check(knownUser(), knownPassword().substring(1)).status());
        assertEquals(Status.BAD_CREDENTIALS,
                check(knownUser(), knownPassword().substring(0, knownPassword().length() - 1)).status());
        assertEquals(Status.BAD_CREDENTIALS, check(knownUser(), "completely-different-1").status());
    }

    @Test
    public void emptyPasswordIsRefused() {
        Status s = check(knownUser(), "").status();
        assertNotEquals(Status.OK, s);
        assertNotEquals(Status.UNKNOWN_USER, s, "the user is known");
    }

    @Test
    public void unknownUserIsReportedAsUnknownSoTheNextRealmIsAsked() {
        assertEquals(Status.UNKNOWN_USER, check("no-such-user-3141", knownPassword()).status());
        assertEquals(Status.UNKNOWN_USER, check("no-such-user-3141", "whatever-it-is").status());
    }

    @Test
    public void disabledAccountIsRefused() {
        if (disabledUser() == null) {
            // The backend has no disabled accounts: then an enabled user must never be reported as one.
            assertNotEquals(Status.DISABLED, check(knownUser(), knownPassword()).status());
            return;
        }
        assertEquals(Status.DISABLED, check(disabledUser(), disabledPassword()).status());
        assertNotEquals(Status.OK, check(disabledUser(), disabledPassword() + "x").status());
    }

    @Test
    public void lookupFindsKnownUsersOnly() {
        if (!supportsLookup()) {
            // A realm that cannot look users up says so with an empty answer, never with a made-up principal.
            assertTrue(realm.lookup(knownUser()).isEmpty());
            assertTrue(realm.lookup("no-such-user-3141").isEmpty());
            return;
        }
        Optional<MailPrincipal> p = realm.lookup(knownUser());
        assertTrue(p.isPresent(), "lookup of the known user");
        assertEquals(realm.name(), p.get().realm());
        assertTrue(realm.lookup("no-such-user-3141").isEmpty());
    }

    @Test
    public void concurrentLoginsWork() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<AuthResult>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                boolean good = i % 2 == 0;
                results.add(pool.submit(() -> check(knownUser(), good ? knownPassword() : knownPassword() + "!")));
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals(i % 2 == 0 ? Status.OK : Status.BAD_CREDENTIALS, results.get(i).get().status());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void noSecretInToStringOrLogs() throws Exception {
        AuthResult ok = check(knownUser(), knownPassword());
        AuthResult bad = check(knownUser(), knownPassword() + "-typo");
        List<String> texts = new ArrayList<>(List.of(String.valueOf(realm), String.valueOf(ok),
                String.valueOf(bad), String.valueOf(ok.principal())));
        realm.lookup(knownUser()).ifPresent(p -> texts.add(p.toString()));
        realm.sharedSecret(knownUser()).ifPresent(s -> texts.add(s.toString()));
        realm.scramCredential(knownUser(), "SHA-256").ifPresent(s -> texts.add(s.toString()));
        String log = capturedLog();
        if (log != null) {
            texts.add(log);
        }
        for (String t : texts) {
            assertFalse(t.contains(knownPassword()), "a password appears in: " + t.replace(knownPassword(), "***"));
        }
    }
}
