package io.pillarbox.sasl;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.AuthResult.Status;
import io.pillarbox.api.auth.Authenticator.CredentialKind;
import io.pillarbox.api.auth.SaslExchange;
import io.pillarbox.api.auth.SaslExchange.SaslStep;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SaslServiceImplTest {

    private static final AuthContext TLS = new AuthContext("imap", new InetSocketAddress("192.0.2.1", 993), true, null);
    private static final AuthContext CLEAR = new AuthContext("imap", new InetSocketAddress("192.0.2.1", 143), false,
            null);
    private static final AuthContext LOOPBACK = new AuthContext("smtp", new InetSocketAddress("127.0.0.1", 25), false,
            null);

    private final CleartextRealm realm = new CleartextRealm("file")
            .user("user", "pencil", "W22ZaJ0SNY7soEsUEjb6gQ==")
            .user("tim", "tanstaaftanstaaf", "QSXCR+Q6sek8bf92")
            .user("alice", "wonder land", "QSXCR+Q6sek8bf92");
    private final SimpleAuthenticator authenticator = new SimpleAuthenticator(realm);
    private final SaslServiceImpl sasl = new SaslServiceImpl(authenticator);

    private static SaslStep eval(SaslExchange x, String response) {
        return eval(x, response == null ? null : response.getBytes(StandardCharsets.UTF_8));
    }

    private static SaslStep eval(SaslExchange x, byte[] response) {
        SaslStep step = x.evaluate(response).toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
        assertNotNull(step);
        return step;
    }

    private static String text(SaslStep step) {
        return new String(step.challenge(), StandardCharsets.UTF_8);
    }

    @Test
    void scramSha256ExampleOfRfc7677() {
        sasl.serverNonce = () -> "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        SaslExchange x = sasl.start("SCRAM-SHA-256", TLS);
        SaslStep first = eval(x, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        assertFalse(first.isDone());
        assertEquals("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                text(first));
        SaslStep last = eval(x, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        assertTrue(last.isDone());
        assertEquals(Status.OK, last.result().status());
        assertEquals("user", last.result().principal().user());
        assertEquals("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", text(last));
        assertEquals(List.of("SCRAM-SHA-256 user OK"), authenticator.attempts);
    }

    @Test
    void scramSha1ExampleOfRfc5802WithoutInitialResponse() {
        realm.user("user", "pencil", "QSXCR+Q6sek8bf92");
        sasl.serverNonce = () -> "3rfcNHYJY1ZVvWVs7j";
        SaslExchange x = sasl.start("scram-sha-1", TLS);
        SaslStep empty = eval(x, (byte[]) null);
        assertFalse(empty.isDone());
        assertEquals(0, empty.challenge().length);
        assertEquals("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
                text(eval(x, "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")));
        SaslStep last = eval(x, "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
        assertEquals(Status.OK, last.result().status());
        assertEquals("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", text(last));
    }

    @Test
    void scramWithAWrongProofFails() {
        sasl.serverNonce = () -> "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        realm.passwords.put("user", "pencil2");
        SaslExchange x = sasl.start("SCRAM-SHA-256", TLS);
        eval(x, "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        SaslStep last = eval(x, "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        assertEquals(Status.BAD_CREDENTIALS, last.result().status());
        assertNull(last.challenge(), "no server signature on failure");
        assertEquals(List.of("SCRAM-SHA-256 user BAD_CREDENTIALS"), authenticator.attempts);
    }

    @Test
    void scramForUnknownUsersLooksLikeAnyOtherAndFails() {
        SaslExchange a = sasl.start("SCRAM-SHA-256", TLS);
        String s1 = text(eval(a, "n,,n=nobody,r=abc"));
        SaslExchange b = sasl.start("SCRAM-SHA-256", TLS);
        String s2 = text(eval(b, "n,,n=nobody,r=abc"));
        assertTrue(s1.matches("r=abc[^,]+,s=[A-Za-z0-9+/=]{24},i=4096"), s1);
        assertEquals(s1.substring(s1.indexOf(",s=")), s2.substring(s2.indexOf(",s=")), "a stable made-up salt");
        String nonce = s1.substring(2, s1.indexOf(','));
        SaslStep last = eval(a, "c=biws,r=" + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        assertEquals(Status.BAD_CREDENTIALS, last.result().status());
        assertEquals(List.of("SCRAM-SHA-256 nobody UNKNOWN_USER"), authenticator.attempts, "counted as an attempt");
    }

    @Test
    void scramRefusesMalformedAndUnsupportedInput() {
        for (String first : List.of("", "n", "n,,", "p=tls-unique,,n=user,r=abc", "x,,n=user,r=abc",
                "n,,r=abc,n=user", "n,,n=us=er,r=abc", "n,,n=user,r=", "n,a=other,n=user,r=abc",
                "n,,n=user,r=abc,m=ext", "n,,n=,r=abc")) {
            SaslStep step = eval(sasl.start("SCRAM-SHA-256", TLS), first);
            assertTrue(step.isDone(), first);
            assertFalse(step.result().isOk(), first);
        }
        SaslStep authzOk = eval(sasl.start("SCRAM-SHA-256", TLS), "n,a=user,n=user,r=abc");
        assertFalse(authzOk.isDone(), "authzid equal to the user is fine");

        sasl.serverNonce = () -> "srv";
        for (String fin : List.of("c=biws,r=abcsrv", "c=biws,r=abcsrv,p=!!!", "c=eSws,r=abcsrv,p=AAAA",
                "c=biws,r=abcother,p=AAAA", "r=abcsrv,c=biws,p=AAAA", "garbage")) {
            SaslExchange x = sasl.start("SCRAM-SHA-256", TLS);
            eval(x, "n,,n=user,r=abc");
            SaslStep step = eval(x, fin);
            assertTrue(step.isDone(), fin);
            assertFalse(step.result().isOk(), fin);
            SaslStep again = eval(x, "c=biws,r=abcsrv,p=AAAA");
            assertFalse(again.result().isOk(), "nothing more after the end");
        }
    }

    @Test
    void cramMd5ExampleOfRfc2195() {
        sasl.cramChallenge = () -> "<1896.697170952@postoffice.reston.mci.net>";
        SaslExchange x = sasl.start("CRAM-MD5", CLEAR);
        SaslStep challenge = eval(x, (byte[]) null);
        assertEquals("<1896.697170952@postoffice.reston.mci.net>", text(challenge));
        SaslStep done = eval(x, "tim b913a602c7eda7a495b4e6e7334d3890");
        assertEquals(Status.OK, done.result().status());
        assertEquals("tim", done.result().principal().user());

        SaslExchange y = sasl.start("CRAM-MD5", CLEAR);
        eval(y, (byte[]) null);
        assertEquals(Status.BAD_CREDENTIALS, eval(y, "tim b913a602c7eda7a495b4e6e7334d3891").result().status());
        for (String bad : List.of("tim", "tim b913a602", "tim zz13a602c7eda7a495b4e6e7334d3890", " ",
                "b913a602c7eda7a495b4e6e7334d3890")) {
            SaslExchange z = sasl.start("CRAM-MD5", CLEAR);
            eval(z, (byte[]) null);
            assertFalse(eval(z, bad).result().isOk(), bad);
        }
        SaslStep initial = eval(sasl.start("CRAM-MD5", CLEAR), "tim b913a602c7eda7a495b4e6e7334d3890");
        assertFalse(initial.result().isOk(), "CRAM-MD5 has no initial response");
    }

    @Test
    void plainAcceptsGoodCredentialsAndAMatchingAuthzid() {
        SaslStep ok = eval(sasl.start("PLAIN", TLS), "\0alice\0wonder land");
        assertEquals(Status.OK, ok.result().status());
        assertEquals(Status.OK, eval(sasl.start("PLAIN", TLS), "alice\0alice\0wonder land").result().status());
        SaslExchange x = sasl.start("PLAIN", TLS);
        SaslStep empty = eval(x, (byte[]) null);
        assertArrayEquals(new byte[0], empty.challenge());
        assertEquals(Status.OK, eval(x, "\0alice\0wonder land").result().status());
        assertFalse(eval(x, "\0alice\0wonder land").result().isOk(), "one exchange, one answer");
    }

    @Test
    void plainRefusesEdgeCases() {
        for (String bad : List.of("bob\0alice\0wonder land", "alice\0wonder land", "\0alice\0wonder land\0",
                "\0\0wonder land", "\0alice\0", "", "\0alice\0wrong")) {
            SaslStep step = eval(sasl.start("PLAIN", TLS), bad);
            assertTrue(step.isDone(), bad);
            assertFalse(step.result().isOk(), bad);
        }
        byte[] notUtf8 = {0, 'a', 'l', 'i', 'c', 'e', 0, (byte) 0xff, (byte) 0xfe};
        assertFalse(eval(sasl.start("PLAIN", TLS), notUtf8).result().isOk());
        // Only the well-formed attempt with a real password check reaches the authenticator.
        assertEquals(List.of("PLAIN alice BAD_CREDENTIALS"), authenticator.attempts);
    }

    @Test
    void loginWithAndWithoutInitialResponse() {
        SaslExchange x = sasl.start("LOGIN", TLS);
        assertEquals("Username:", text(eval(x, (byte[]) null)));
        assertEquals("Password:", text(eval(x, "alice")));
        assertEquals(Status.OK, eval(x, "wonder land").result().status());

        SaslExchange y = sasl.start("LOGIN", TLS);
        assertEquals("Password:", text(eval(y, "alice")));
        assertEquals(Status.BAD_CREDENTIALS, eval(y, "nope").result().status());

        SaslExchange z = sasl.start("LOGIN", TLS);
        eval(z, (byte[]) null);
        assertFalse(eval(z, "").result().isOk());
    }

    @Test
    void mechanismsFollowTheRealmsAndThePlaintextPolicy() {
        // By default the listener decides (protocols intersect with Connection.plaintextAuthAllowed()).
        assertEquals(List.of("SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"), sasl.mechanisms(TLS));
        assertEquals(List.of("SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"), sasl.mechanisms(CLEAR));
        assertTrue(sasl.plaintextAllowed(CLEAR));

        // Server-wide: no clear-text passwords without TLS, except from loopback.
        sasl.plaintextPolicy(false, true);
        assertEquals(List.of("SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"), sasl.mechanisms(TLS));
        assertEquals(List.of("SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5"), sasl.mechanisms(CLEAR));
        assertEquals(List.of("SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"), sasl.mechanisms(LOOPBACK));
        assertTrue(sasl.plaintextAllowed(TLS));
        assertFalse(sasl.plaintextAllowed(CLEAR));
        assertThrows(IllegalArgumentException.class, () -> sasl.start("PLAIN", CLEAR));
        assertThrows(IllegalArgumentException.class, () -> sasl.start("GSSAPI", TLS));
        assertThrows(IllegalArgumentException.class, () -> sasl.start(null, TLS));
        sasl.plaintextPolicy(false, false);
        assertFalse(sasl.plaintextAllowed(LOOPBACK));
        assertTrue(sasl.plaintextAllowed(TLS));

        SimpleAuthenticator hashedOnly = new SimpleAuthenticator(
                new CleartextRealm("ldap", EnumSet.of(CredentialKind.PASSWORD)));
        SaslServiceImpl other = new SaslServiceImpl(hashedOnly);
        assertEquals(List.of("PLAIN", "LOGIN"), other.mechanisms(TLS));
        other.plaintextPolicy(false, false);
        assertEquals(List.of(), other.mechanisms(CLEAR));
        assertEquals(List.of(), new SaslServiceImpl(new SimpleAuthenticator()).mechanisms(TLS));
    }

    @Test
    void randomInputNeverThrows() {
        Random rnd = new Random(42);
        for (String mech : List.of("PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "SCRAM-SHA-1")) {
            for (int i = 0; i < 200; i++) {
                SaslExchange x = sasl.start(mech, TLS);
                for (int step = 0; step < 3; step++) {
                    byte[] b = new byte[rnd.nextInt(40)];
                    rnd.nextBytes(b);
                    if (rnd.nextBoolean()) {
                        for (int k = 0; k < b.length; k++) {
                            String alphabet = "n,=ac2CD3r0p\0 ";
                            b[k] = (byte) alphabet.charAt(Math.abs(b[k]) % alphabet.length());
                        }
                    }
                    SaslStep s = eval(x, b);
                    if (s.isDone()) {
                        AuthResult r = s.result();
                        assertNotNull(r.status());
                        break;
                    }
                }
            }
        }
    }
}
