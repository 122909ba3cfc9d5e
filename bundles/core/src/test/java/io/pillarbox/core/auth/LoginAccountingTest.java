package io.pillarbox.core.auth;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.AuthResult.Status;
import io.pillarbox.api.metrics.MailMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The authenticator counts logins per protocol into MailMetrics and reports successful ones to the history. */
class LoginAccountingTest {

    /** A plain counting MailMetrics. */
    static final class Counting implements MailMetrics {
        final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

        @Override
        public void add(String protocol, String counter, long delta) {
            counts.computeIfAbsent(protocol + "/" + counter, k -> new AtomicLong()).addAndGet(delta);
        }

        @Override
        public void command(String protocol, String command, long nanos) {
        }

        @Override
        public Snapshot snapshot() {
            return new Snapshot(Instant.EPOCH, Map.of(), Map.of());
        }

        long get(String protocol, String counter) {
            AtomicLong a = counts.get(protocol + "/" + counter);
            return a == null ? 0 : a.get();
        }
    }

    record Recorded(String user, Instant time, String protocol, String remote) {
    }

    private final AuthenticatorImpl auth = new AuthenticatorImpl();
    private final Counting metrics = new Counting();
    private final List<Recorded> recorded = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        auth.deactivate();
    }

    private AuthResult login(String user, String pw, String protocol, String ip) {
        AuthContext ctx = new AuthContext(protocol, ip == null ? null : new InetSocketAddress(ip, 40000), false,
                "LOGIN");
        return auth.authenticate(user, pw.toCharArray(), ctx).toCompletableFuture().orTimeout(20, TimeUnit.SECONDS)
                .join();
    }

    @Test
    void loginsAreCountedPerProtocolAndSuccessesRecorded() {
        auth.start(Settings.defaults().withDelays(0, 0).withLockout(0, 2, 60_000, 60_000));
        auth.addRealm(new TestRealm("file", "amy", "pw"), 0);
        auth.bindMetrics(metrics);
        LoginRecorder recorder = (u, t, p, r) -> recorded.add(new Recorded(u, t, p, r));
        auth.bindRecorder(recorder);

        Instant before = Instant.now();
        assertEquals(Status.OK, login("amy", "pw", "imap", "10.1.1.1").status());
        assertEquals(Status.BAD_CREDENTIALS, login("amy", "nope", "imap", "10.1.1.1").status());
        assertEquals(Status.BAD_CREDENTIALS, login("nobody", "x", "pop3", null).status());
        assertEquals(Status.BAD_CREDENTIALS, login("bad\u0001name", "x", "smtp", null).status());
        assertEquals(Status.OK, login("amy", "pw", "pop3", null).status());

        assertEquals(1, metrics.get("imap", MailMetrics.LOGINS_OK));
        assertEquals(1, metrics.get("imap", MailMetrics.LOGINS_FAILED));
        assertEquals(1, metrics.get("pop3", MailMetrics.LOGINS_OK));
        assertEquals(1, metrics.get("pop3", MailMetrics.LOGINS_FAILED));
        assertEquals(1, metrics.get("smtp", MailMetrics.LOGINS_FAILED));

        assertEquals(2, recorded.size(), recorded.toString());
        Recorded first = recorded.get(0);
        assertEquals("amy", first.user());
        assertEquals("imap", first.protocol());
        assertEquals("10.1.1.1", first.remote());
        assertTrue(!first.time().isBefore(before.minusSeconds(1)));
        assertEquals(new Recorded("amy", recorded.get(1).time(), "pop3", null), recorded.get(1));

        // locked out (two failures per user): counted as failed, not recorded
        login("amy", "nope", "imap", "10.1.1.2");
        login("amy", "nope", "imap", "10.1.1.2");
        assertEquals(Status.LOCKED_OUT, login("amy", "pw", "imap", "10.1.1.3").status());
        assertEquals(4, metrics.get("imap", MailMetrics.LOGINS_FAILED));
        assertEquals(2, recorded.size());

        // gone: nothing counted any more, nothing breaks
        auth.unbindMetrics(metrics);
        auth.unbindRecorder(recorder);
        assertEquals(Status.OK, login("amy", "pw", "imap", "10.1.1.1").status());
        assertEquals(1, metrics.get("imap", MailMetrics.LOGINS_OK));
        assertEquals(2, recorded.size());
    }

    @Test
    void temporaryFailuresAreNeitherOkNorFailed() {
        auth.start(Settings.defaults().withDelays(0, 0).withLockout(0, 0, 60_000, 0));
        auth.addRealm(new TestRealm("file", "amy", "pw") {
            @Override
            public AuthResult authenticate(String user, char[] secret, AuthContext context) {
                throw new IllegalStateException("directory down");
            }
        }, 0);
        auth.bindMetrics(metrics);
        assertEquals(Status.TEMPORARY_FAILURE, login("amy", "pw", "imap", "10.1.1.1").status());
        assertEquals(0, metrics.get("imap", MailMetrics.LOGINS_OK));
        assertEquals(0, metrics.get("imap", MailMetrics.LOGINS_FAILED));
    }
}
