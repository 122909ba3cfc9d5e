package io.pillarbox.core.auth;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.AuthResult.Status;
import io.pillarbox.api.auth.Authenticator.CredentialKind;
import io.pillarbox.api.auth.Authenticator.RealmCheck;
import io.pillarbox.api.auth.MailPrincipal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthenticatorImplTest {

    private final AuthenticatorImpl auth = new AuthenticatorImpl();

    /** Settings with no delays and no lock-outs unless a test asks for them. */
    private static Settings quiet() {
        return Settings.defaults().withDelays(0, 0).withLockout(0, 0, 60_000, 0);
    }

    private static AuthContext from(String ip) {
        return new AuthContext("imap", new InetSocketAddress(ip, 40000), false, "LOGIN");
    }

    private AuthResult login(String user, String pw, String ip) {
        return auth.authenticate(user, pw.toCharArray(), from(ip)).toCompletableFuture().orTimeout(20, TimeUnit.SECONDS)
                .join();
    }

    @AfterEach
    void stop() {
        auth.deactivate();
    }

    @Test
    void asksRealmsInRankingOrderHighestFirst() {
        auth.start(quiet());
        TestRealm low = new TestRealm("low", "bob", "low-pw", "carol", "carol-pw");
        TestRealm high = new TestRealm("high", "bob", "high-pw");
        auth.addRealm(low, 1);
        auth.addRealm(high, 10);
        assertEquals(List.of("high", "low"), auth.realms());

        AuthResult r = login("bob", "high-pw", "10.0.0.1");
        assertEquals(Status.OK, r.status());
        assertEquals("high", r.principal().realm());
        assertEquals(0, low.calls.get(), "the lower realm is not asked once a higher one knows the user");

        // The higher realm knows bob: its verdict stands, the lower realm's password does not help.
        assertEquals(Status.BAD_CREDENTIALS, login("bob", "low-pw", "10.0.0.1").status());
        assertEquals(0, low.calls.get());

        // Unknown to the higher realm: asked further down.
        AuthResult c = login("carol", "carol-pw", "10.0.0.1");
        assertEquals(Status.OK, c.status());
        assertEquals("low", c.principal().realm());
    }

    @Test
    void realmsComingAndGoingChangeTheNextLoginOnly() {
        auth.start(quiet());
        assertEquals(List.of(), auth.realms());
        assertEquals(Status.BAD_CREDENTIALS, login("dave", "pw", "10.0.0.2").status());
        assertFalse(auth.supports(CredentialKind.PASSWORD));

        TestRealm r = new TestRealm("plugin", "dave", "pw");
        auth.addRealm(r, 0);
        assertTrue(auth.supports(CredentialKind.PASSWORD));
        assertEquals(Status.OK, login("dave", "pw", "10.0.0.2").status());

        auth.unbindRealm(r);
        assertEquals(List.of(), auth.realms());
        AuthResult after = login("dave", "pw", "10.0.0.2");
        assertEquals(Status.BAD_CREDENTIALS, after.status(), "unknown users are reported as bad credentials");
    }

    @Test
    void realmCallsNeverRunOnTheCallersThread() {
        auth.start(quiet());
        TestRealm r = new TestRealm("file", "eve", "pw");
        auth.addRealm(r, 0);
        login("eve", "pw", "10.0.0.3");
        auth.lookup("eve").toCompletableFuture().join();
        assertEquals(2, r.threads.size());
        for (String t : r.threads) {
            assertNotEquals(Thread.currentThread().getName(), t);
            assertTrue(t.startsWith("pillarbox-auth-"), t);
        }
    }

    @Test
    void callerMayWipeItsPasswordRightAfterTheCall() {
        auth.start(quiet());
        auth.addRealm(new TestRealm("file", "fay", "secret"), 0);
        char[] pw = "secret".toCharArray();
        CompletableFuture<AuthResult> f = auth.authenticate("fay", pw, from("10.0.0.4")).toCompletableFuture();
        java.util.Arrays.fill(pw, 'x');
        assertEquals(Status.OK, f.join().status());
    }

    @Test
    void failedLoginsAreDelayedGrowingAndCappedSuccessNever() {
        // Generous values: the machine may be busy, so only differences far above scheduling noise are asserted.
        auth.start(quiet().withDelays(600, 1200));
        auth.addRealm(new TestRealm("file", "gus", "right"), 0);
        long t0 = System.nanoTime();
        assertEquals(Status.BAD_CREDENTIALS, login("gus", "wrong", "10.0.0.5").status());
        long first = ms(t0);
        long t1 = System.nanoTime();
        assertEquals(Status.BAD_CREDENTIALS, login("gus", "wrong", "10.0.0.5").status());
        long second = ms(t1);
        long t2 = System.nanoTime();
        assertEquals(Status.BAD_CREDENTIALS, login("nobody", "wrong", "10.0.0.5").status());
        long third = ms(t2);
        assertTrue(first >= 590, "first failure delayed ~600 ms: " + first);
        assertTrue(second >= 1190, "second failure delayed ~1200 ms: " + second);
        assertTrue(third >= 1190 && third < 5000, "capped at ~1200 ms, unknown users delayed too: " + third);

        long t4 = System.nanoTime();
        assertEquals(Status.OK, login("gus", "right", "10.0.0.5").status());
        assertTrue(ms(t4) < 590, "success is never slowed: " + ms(t4));

        assertEquals(0, AuthenticatorImpl.delayFor(Settings.defaults(), 0));
        assertEquals(1000, AuthenticatorImpl.delayFor(Settings.defaults(), 1));
        assertEquals(8000, AuthenticatorImpl.delayFor(Settings.defaults(), 30));
    }

    @Test
    void clientAddressIsLockedOutPastItsThresholdWithoutAskingRealms() throws Exception {
        auth.start(quiet().withLockout(3, 0, 60_000, 600));
        TestRealm r = new TestRealm("file", "hal", "right", "ida", "right");
        auth.addRealm(r, 0);
        for (String u : List.of("hal", "ida", "nobody")) {
            assertEquals(Status.BAD_CREDENTIALS, login(u, "wrong", "192.0.2.9").status());
        }
        int callsBefore = r.calls.get();
        AuthResult locked = login("hal", "right", "192.0.2.9");
        assertEquals(Status.LOCKED_OUT, locked.status());
        assertEquals(callsBefore, r.calls.get(), "a locked-out attempt does not reach the realms");
        assertEquals(Status.OK, login("hal", "right", "192.0.2.10").status(), "other clients are not affected");

        Thread.sleep(700);
        assertEquals(Status.OK, login("hal", "right", "192.0.2.9").status(), "the lock-out ends");
    }

    @Test
    void trustedNetworksAreNotLockedOutPerAddress() {
        auth.start(quiet().withLockout(2, 5, 60_000, 60_000).withTrustedNetworks("127.0.0.0/8"));
        auth.addRealm(new TestRealm("file", "ann", "a", "bob", "b", "cid", "c"), 0);
        assertEquals(Status.BAD_CREDENTIALS, login("ann", "x", "127.0.0.1").status());
        assertEquals(Status.BAD_CREDENTIALS, login("bob", "x", "127.0.0.1").status());
        assertEquals(Status.BAD_CREDENTIALS, login("cid", "x", "127.0.0.1").status());
        assertEquals(Status.OK, login("ann", "a", "127.0.0.1").status(), "a webmail's users do not lock each other out");
        assertEquals(Status.BAD_CREDENTIALS, login("ann", "x", "192.0.2.1").status());
        assertEquals(Status.BAD_CREDENTIALS, login("bob", "x", "192.0.2.1").status());
        assertEquals(Status.LOCKED_OUT, login("cid", "c", "192.0.2.1").status(), "others still are");
    }

    @Test
    void userIsLockedOutPastItsThresholdFromAnyAddress() {
        auth.start(quiet().withLockout(0, 2, 60_000, 60_000));
        auth.addRealm(new TestRealm("file", "jan", "right", "kim", "right"), 0);
        assertEquals(Status.BAD_CREDENTIALS, login("jan", "wrong", "198.51.100.1").status());
        assertEquals(Status.BAD_CREDENTIALS, login("JAN", "wrong", "198.51.100.2").status());
        assertEquals(Status.LOCKED_OUT, login("jan", "right", "198.51.100.3").status());
        assertEquals(Status.OK, login("kim", "right", "198.51.100.3").status());
    }

    @Test
    void aUserLockedOutByFailuresElsewhereStillLogsInFromKnownAddresses() {
        auth.start(quiet().withLockout(0, 2, 60_000, 60_000));
        auth.addRealm(new TestRealm("file", "vic", "right"), 0);
        assertEquals(Status.OK, login("vic", "right", "203.0.113.9").status());
        assertEquals(Status.BAD_CREDENTIALS, login("vic", "guess1", "198.51.100.1").status());
        assertEquals(Status.BAD_CREDENTIALS, login("vic", "guess2", "198.51.100.2").status());
        assertEquals(Status.LOCKED_OUT, login("vic", "right", "198.51.100.3").status());
        assertEquals(Status.OK, login("vic", "right", "203.0.113.9").status(), "known address");
    }

    @Test
    void knownAddressesCanBeSwitchedOff() {
        auth.start(quiet().withLockout(0, 2, 60_000, 60_000).withKnownAddressMillis(0));
        auth.addRealm(new TestRealm("file", "wes", "right"), 0);
        assertEquals(Status.OK, login("wes", "right", "203.0.113.9").status());
        assertEquals(Status.BAD_CREDENTIALS, login("wes", "guess1", "198.51.100.1").status());
        assertEquals(Status.BAD_CREDENTIALS, login("wes", "guess2", "198.51.100.2").status());
        assertEquals(Status.LOCKED_OUT, login("wes", "right", "203.0.113.9").status());
    }

    @Test
    void administratorsSeeAndLiftLockOuts() {
        auth.start(quiet().withLockout(2, 3, 60_000, 60_000));
        auth.addRealm(new TestRealm("file", "zoe", "right"), 0);
        login("zoe", "bad1", "192.0.2.77");
        login("Zoe", "bad2", "192.0.2.77");
        assertEquals(Status.LOCKED_OUT, login("zoe", "right", "192.0.2.77").status());
        List<io.pillarbox.api.auth.LoginGuard.Entry> entries = auth.entries();
        assertEquals(2, entries.size(), entries.toString());
        io.pillarbox.api.auth.LoginGuard.Entry first = entries.get(0);
        assertEquals("address", first.kind());
        assertEquals("192.0.2.77", first.key());
        assertEquals(2, first.recentFailures());
        assertTrue(first.lockedUntil().isAfter(java.time.Instant.now().plusSeconds(50)));
        assertEquals("user", entries.get(1).kind());
        assertEquals("zoe", entries.get(1).key());
        assertEquals(null, entries.get(1).lockedUntil(), "2 of 3 failures: not locked");

        assertTrue(auth.clear("192.0.2.77"));
        assertFalse(auth.clear("192.0.2.77"));
        assertEquals(Status.OK, login("zoe", "right", "192.0.2.77").status());
        assertTrue(auth.entries().isEmpty(), "success cleared the user's failures: " + auth.entries());
        assertFalse(auth.clear("nobody"));
    }

    @Test
    void successForgetsTheUsersEarlierFailures() {
        auth.start(quiet().withLockout(0, 2, 60_000, 60_000));
        auth.addRealm(new TestRealm("file", "lea", "right"), 0);
        assertEquals(Status.BAD_CREDENTIALS, login("lea", "wrong", "198.51.100.1").status());
        assertEquals(Status.OK, login("lea", "right", "198.51.100.1").status());
        assertEquals(Status.BAD_CREDENTIALS, login("lea", "wrong", "198.51.100.1").status());
        assertEquals(Status.OK, login("lea", "right", "198.51.100.1").status());
    }

    @Test
    void ipv6ClientsCountPerSlash64() {
        assertEquals(AuthenticatorImpl.addressKey(new InetSocketAddress("2001:db8:1:2::1", 1)),
                AuthenticatorImpl.addressKey(new InetSocketAddress("2001:db8:1:2:ffff::9", 1)));
        assertNotEquals(AuthenticatorImpl.addressKey(new InetSocketAddress("2001:db8:1:2::1", 1)),
                AuthenticatorImpl.addressKey(new InetSocketAddress("2001:db8:1:3::1", 1)));
        assertEquals("203.0.113.5", AuthenticatorImpl.addressKey(new InetSocketAddress("203.0.113.5", 1)));
    }

    @Test
    void realmFailureIsATemporaryFailureAndIsNotCounted() {
        auth.start(quiet().withDelays(1500, 1500).withLockout(1, 1, 60_000, 60_000));
        TestRealm r = new TestRealm("ldap", "max", "right");
        auth.addRealm(r, 0);
        r.failWith = new IllegalStateException("directory down");
        long t0 = System.nanoTime();
        assertEquals(Status.TEMPORARY_FAILURE, login("max", "right", "10.1.1.1").status());
        assertTrue(ms(t0) < 1400, "no delay for temporary failures: " + ms(t0));
        r.failWith = null;
        assertEquals(Status.OK, login("max", "right", "10.1.1.1").status(), "not counted towards a lock-out");
    }

    @Test
    void disabledAccountIsReportedAndCounted() {
        auth.start(quiet().withLockout(0, 1, 60_000, 60_000));
        TestRealm r = new TestRealm("file", "ned", "right");
        r.disabled.add("ned");
        auth.addRealm(r, 0);
        assertEquals(Status.DISABLED, login("ned", "right", "10.2.2.2").status());
        assertEquals(Status.LOCKED_OUT, login("ned", "right", "10.2.2.2").status());
    }

    @Test
    void bareNamesGetTheDefaultDomainWhenConfigured() {
        auth.start(quiet().withDomain("Example.ORG", true, true));
        TestRealm r = new TestRealm("file", "olga@example.org", "pw");
        auth.addRealm(r, 0);
        AuthResult res = login("Olga", "pw", "10.3.3.3");
        assertEquals(Status.OK, res.status());
        assertEquals("olga@example.org", res.principal().user());
        assertEquals(List.of("olga@example.org"), r.namesAsked);
        Optional<MailPrincipal> p = auth.lookup("olga").toCompletableFuture().join();
        assertEquals("example.org", p.orElseThrow().domain());
    }

    @Test
    void invalidUserNamesAreRefused() {
        auth.start(quiet());
        TestRealm r = new TestRealm("file", "pat", "pw");
        auth.addRealm(r, 0);
        assertEquals(Status.BAD_CREDENTIALS, login("pat\r\nx", "pw", "10.4.4.4").status());
        assertEquals(Status.BAD_CREDENTIALS, login("", "pw", "10.4.4.4").status());
        assertEquals(Status.BAD_CREDENTIALS,
                auth.authenticate(null, (char[]) null, null).toCompletableFuture().join().status());
        assertEquals(0, r.calls.get());
    }

    @Test
    void lookupAndQueryWalkTheRealmsInOrder() {
        auth.start(quiet());
        auth.addRealm(new TestRealm("second", "quin", "pw", "ray", "pw"), 1);
        auth.addRealm(new TestRealm("first", "quin", "pw"), 5);
        assertEquals("first", auth.lookup("quin").toCompletableFuture().join().orElseThrow().realm());
        assertEquals("second", auth.lookup("ray").toCompletableFuture().join().orElseThrow().realm());
        assertTrue(auth.lookup("zed").toCompletableFuture().join().isEmpty());
        Optional<String> answer = auth.<String>query("ray", (realm, user) -> realm.lookup(user).map(p -> realm.name()))
                .toCompletableFuture().join();
        assertEquals(Optional.of("second"), answer);
    }

    @Test
    void supportsFollowsTheRealmsCredentialKinds() {
        auth.start(quiet());
        TestRealm scram = new TestRealm("scram", EnumSet.of(CredentialKind.PASSWORD, CredentialKind.SCRAM_SHA_256));
        auth.addRealm(new TestRealm("plain"), 0);
        assertFalse(auth.supports(CredentialKind.SCRAM_SHA_256));
        auth.addRealm(scram, 0);
        assertTrue(auth.supports(CredentialKind.SCRAM_SHA_256));
        assertFalse(auth.supports(CredentialKind.SHARED_SECRET));
        auth.unbindRealm(scram);
        assertFalse(auth.supports(CredentialKind.SCRAM_SHA_256));

        java.util.concurrent.atomic.AtomicBoolean withSecret = new java.util.concurrent.atomic.AtomicBoolean();
        TestRealm changing = new TestRealm("changing", EnumSet.of(CredentialKind.PASSWORD)) {
            @Override
            public java.util.Set<CredentialKind> credentialKinds() {
                return withSecret.get() ? EnumSet.of(CredentialKind.PASSWORD, CredentialKind.SHARED_SECRET)
                        : EnumSet.of(CredentialKind.PASSWORD);
            }
        };
        auth.addRealm(changing, 0);
        assertFalse(auth.supports(CredentialKind.SHARED_SECRET));
        withSecret.set(true);
        assertTrue(auth.supports(CredentialKind.SHARED_SECRET), "asked live, not remembered from binding");
    }

    @Test
    void mechanismChecksGetTheCanonicalUserName() {
        auth.start(quiet().withDomain("example.net", true, false));
        auth.addRealm(new TestRealm("file", "sue@example.net", "pw"), 0);
        AuthResult r = auth.authenticate("sue", RealmCheck.of((realm, user) -> realm.lookup(user)
                        .map(AuthResult::ok).orElse(AuthResult.failure(Status.UNKNOWN_USER, null))),
                from("10.5.5.5")).toCompletableFuture().join();
        assertEquals(Status.OK, r.status());
        assertEquals("sue@example.net", r.principal().user());
    }

    @Test
    void aFullQueueGivesATemporaryFailureNotABlockedCaller() throws Exception {
        auth.start(quiet().withPool(1, 1));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        TestRealm slow = new TestRealm("slow", "xa", "pw") {
            @Override
            public AuthResult authenticate(String user, char[] secret, AuthContext context) {
                entered.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.authenticate(user, secret, context);
            }
        };
        auth.addRealm(slow, 0);
        CompletableFuture<AuthResult> running = auth.authenticate("xa", "pw".toCharArray(), from("10.8.8.1"))
                .toCompletableFuture();
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the only worker is busy");
        CompletableFuture<AuthResult> queued = auth.authenticate("xa", "pw".toCharArray(), from("10.8.8.2"))
                .toCompletableFuture();
        long t0 = System.nanoTime();
        AuthResult refused = auth.authenticate("xa", "pw".toCharArray(), from("10.8.8.3")).toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertEquals(Status.TEMPORARY_FAILURE, refused.status());
        assertTrue(ms(t0) < 4000);
        release.countDown();
        assertEquals(Status.OK, running.get(20, TimeUnit.SECONDS).status());
        assertEquals(Status.OK, queued.get(20, TimeUnit.SECONDS).status());
    }

    @Test
    void manyConcurrentAttemptsAllComplete() throws Exception {
        auth.start(quiet());
        auth.addRealm(new TestRealm("file", "yan", "pw"), 0);
        List<CompletableFuture<AuthResult>> all = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<CompletableFuture<AuthResult>>> submitted = new java.util.ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                submitted.add(callers.submit(() -> auth.authenticate("yan", (n % 2 == 0 ? "pw" : "no").toCharArray(),
                        from("10.9." + (n % 200) / 100 + "." + n % 100)).toCompletableFuture()));
            }
            for (var f : submitted) {
                all.add(f.get(20, TimeUnit.SECONDS));
            }
        } finally {
            callers.shutdownNow();
        }
        int ok = 0;
        for (CompletableFuture<AuthResult> f : all) {
            AuthResult r = f.get(20, TimeUnit.SECONDS);
            if (r.isOk()) {
                ok++;
            } else {
                assertTrue(r.status() == Status.BAD_CREDENTIALS || r.status() == Status.TEMPORARY_FAILURE,
                        r.toString());
            }
        }
        assertTrue(ok >= 150, "most good attempts pass (some may meet a full queue): " + ok);
    }

    @Test
    void theCacheIsOffByDefault() {
        auth.start(quiet());
        TestRealm r = new TestRealm("file", "cal", "pw");
        auth.addRealm(r, 0);
        login("cal", "pw", "10.11.0.1");
        login("cal", "pw", "10.11.0.1");
        assertEquals(2, r.calls.get());
    }

    @Test
    void cachedLoginsSkipTheRealmsUntilTheyExpire() throws Exception {
        auth.start(quiet().withCacheMillis(1500).withLockout(1, 0, 60_000, 60_000));
        TestRealm r = new TestRealm("file", "dee", "pw", "eli", "pw2");
        auth.addRealm(r, 0);
        assertEquals(Status.OK, login("dee", "pw", "10.11.0.2").status());
        AuthResult cached = login("dee", "pw", "10.11.0.3");
        assertEquals(Status.OK, cached.status());
        assertEquals("cached", cached.detail());
        assertEquals("file", cached.principal().realm());
        assertEquals(1, r.calls.get(), "the realm was asked once");

        assertEquals(Status.BAD_CREDENTIALS, login("dee", "other", "10.11.0.4").status(), "another password");
        assertEquals(2, r.calls.get());
        assertEquals(Status.LOCKED_OUT, login("dee", "pw", "10.11.0.4").status(), "lock-outs apply first");

        Thread.sleep(1700);
        assertEquals(Status.OK, login("dee", "pw", "10.11.0.5").status());
        assertEquals(3, r.calls.get(), "expired: asked again");

        assertEquals(Status.OK, login("eli", "pw2", "10.11.0.6").status());
        auth.unbindRealm(r);
        assertEquals(Status.BAD_CREDENTIALS, login("eli", "pw2", "10.11.0.7").status(),
                "a realm that has gone takes its cached logins along");
    }

    @Test
    void stoppingCompletesWaitingAnswers() {
        auth.start(quiet().withDelays(30_000, 30_000));
        auth.addRealm(new TestRealm("file", "tom", "right"), 0);
        CompletableFuture<AuthResult> f = auth.authenticate("tom", "wrong".toCharArray(), from("10.6.6.6"))
                .toCompletableFuture();
        long deadline = System.currentTimeMillis() + 5000;
        while (!f.isDone() && System.currentTimeMillis() < deadline) {
            auth.deactivate();
            if (!f.isDone()) {
                Thread.onSpinWait();
            }
        }
        assertTrue(f.isDone());
        assertFalse(f.join().isOk());
    }

    @Test
    void passwordsNeverReachTheLog() throws IOException {
        auth.start(quiet().withDelays(1, 5).withLockout(2, 2, 60_000, 60_000));
        TestRealm r = new TestRealm("file", "uma", "Zebra-Horse-7781");
        auth.addRealm(r, 0);
        login("uma", "Zebra-Horse-7781", "10.7.7.7");
        login("uma", "Wrong-Guess-5512", "10.7.7.7");
        login("uma", "Wrong-Guess-5513", "10.7.7.7");
        login("uma", "Wrong-Guess-5514", "10.7.7.7");
        r.failWith = new IllegalStateException("boom");
        login("uma", "Zebra-Horse-7781", "10.7.7.8");
        String log = Files.readString(Path.of("target/core-test.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("auth result=OK user=uma remote=10.7.7.7 protocol=imap mechanism=LOGIN realm=file"),
                "one line per attempt with user, remote, protocol, mechanism, result and realm");
        assertTrue(log.contains("auth result=LOCKED_OUT user=uma"));
        for (String secret : List.of("Zebra-Horse", "Wrong-Guess")) {
            assertFalse(log.contains(secret), "a password reached the log");
        }
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
