package io.pillarbox.sasl;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult.Status;
import io.pillarbox.api.auth.SaslExchange;
import io.pillarbox.api.auth.SaslExchange.SaslStep;
import org.junit.jupiter.api.Test;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SASL EXTERNAL with TLS client certificates (RFC 4422 appendix A). */
class ExternalMechanismTest {

    private static final InetSocketAddress REMOTE = new InetSocketAddress("192.0.2.7", 40000);
    private static final X509Certificate ALICE = TestCertificates.issue(
            "CN=alice,OU=People,O=Example,E=alice@mail.example.org", "alice@example.org");

    private final CleartextRealm realm = new CleartextRealm("file")
            .user("alice", "secret", "QSXCR+Q6sek8bf92")
            .user("tim", "secret", "QSXCR+Q6sek8bf92");
    private final SimpleAuthenticator authenticator = new SimpleAuthenticator(realm);
    private final SaslServiceImpl sasl = new SaslServiceImpl(authenticator);

    private static AuthContext tls(X509Certificate cert) {
        return new AuthContext("imap", REMOTE, true, null, cert);
    }

    private static SaslStep eval(SaslExchange x, String response) {
        SaslStep step = x.evaluate(response == null ? null : response.getBytes(StandardCharsets.UTF_8))
                .toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
        assertNotNull(step);
        return step;
    }

    private void configure(Object... kv) {
        Map<String, Object> props = new java.util.HashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            props.put((String) kv[i], kv[i + 1]);
        }
        sasl.configure(config(props));
    }

    @Test
    void offeredOnlyWhenEnabledAndAVerifiedCertificateNamesAUser() {
        configure();
        assertFalse(sasl.mechanisms(tls(ALICE)).contains("EXTERNAL"), "disabled by default");
        assertThrows(IllegalArgumentException.class, () -> sasl.start("EXTERNAL", tls(ALICE)));

        configure("external.enabled", true);
        assertEquals("EXTERNAL", sasl.mechanisms(tls(ALICE)).get(0), "first when enabled");
        assertFalse(sasl.mechanisms(tls(null)).contains("EXTERNAL"), "no client certificate");
        assertFalse(sasl.mechanisms(new AuthContext("imap", REMOTE, true, null)).contains("EXTERNAL"));
        assertFalse(sasl.mechanisms(new AuthContext("imap", REMOTE, false, null, ALICE)).contains("EXTERNAL"),
                "not without TLS");
        X509Certificate noCn = TestCertificates.issue("O=Example,OU=Machines", null);
        assertFalse(sasl.mechanisms(tls(noCn)).contains("EXTERNAL"), "certificate names no user");
        assertThrows(IllegalArgumentException.class, () -> sasl.start("EXTERNAL", tls(noCn)));

        configure("external.enabled", true, "mechanisms", new String[]{"PLAIN", "EXTERNAL"});
        assertEquals(List.of("PLAIN", "EXTERNAL"), sasl.mechanisms(tls(ALICE)), "placed by the mechanisms list");
    }

    @Test
    void emptyInitialResponseLogsInTheCertificatesUser() {
        configure("external.enabled", true);
        SaslStep done = eval(sasl.start("external", tls(ALICE)), "");
        assertTrue(done.isDone());
        assertEquals(Status.OK, done.result().status());
        assertEquals("alice", done.result().principal().user());
        assertEquals(List.of("EXTERNAL alice OK"), authenticator.attempts);
    }

    @Test
    void withoutInitialResponseAnEmptyChallengeComesFirst() {
        configure("external.enabled", true);
        SaslExchange x = sasl.start("EXTERNAL", tls(ALICE));
        SaslStep challenge = eval(x, null);
        assertFalse(challenge.isDone());
        assertEquals(0, challenge.challenge().length);
        SaslStep done = eval(x, "alice");
        assertEquals(Status.OK, done.result().status());
        assertEquals("alice", done.result().principal().user());
        SaslStep again = eval(x, "");
        assertEquals(Status.BAD_CREDENTIALS, again.result().status(), "the exchange is over");
    }

    @Test
    void anotherAuthorizationIdentityIsRefusedThroughTheAuthenticator() {
        configure("external.enabled", true);
        SaslStep done = eval(sasl.start("EXTERNAL", tls(ALICE)), "tim");
        assertEquals(Status.BAD_CREDENTIALS, done.result().status());
        assertNull(done.result().principal());
        assertEquals("authorization identity not allowed", done.result().detail());
        assertEquals(List.of("EXTERNAL alice BAD_CREDENTIALS"), authenticator.attempts);
    }

    @Test
    void aUserNoRealmKnowsIsRefused() {
        configure("external.enabled", true);
        X509Certificate mallory = TestCertificates.issue("CN=mallory,O=Example", null);
        SaslStep done = eval(sasl.start("EXTERNAL", tls(mallory)), "");
        assertFalse(done.result().isOk());
        assertEquals(List.of("EXTERNAL mallory UNKNOWN_USER"), authenticator.attempts);
    }

    @Test
    void userFromEmailPrefersTheSubjectAlternativeNameThenTheSubjectsEmailAddress() {
        realm.user("alice@example.org", "x", "QSXCR+Q6sek8bf92").user("bob@mail.example.org", "x", "QSXCR+Q6sek8bf92");
        configure("external.enabled", true, "external.userFrom", "email");
        SaslStep san = eval(sasl.start("EXTERNAL", tls(ALICE)), "");
        assertEquals("alice@example.org", san.result().principal().user());

        X509Certificate bob = TestCertificates.issue("CN=Bob,O=Example,E=bob@mail.example.org", null);
        SaslStep subject = eval(sasl.start("EXTERNAL", tls(bob)), "=");
        assertFalse(subject.result().isOk(), "'=' is an authorization identity, not an empty one");
        SaslStep ok = eval(sasl.start("EXTERNAL", tls(bob)), "");
        assertEquals("bob@mail.example.org", ok.result().principal().user());

        X509Certificate noEmail = TestCertificates.issue("CN=carol,O=Example", null);
        assertFalse(sasl.mechanisms(tls(noEmail)).contains("EXTERNAL"));
    }

    @Test
    void userFromDnUsesTheWholeSubject() {
        // BouncyCastle takes RDNs in encoding order; RFC 2253 writes the most specific first
        X509Certificate cert = TestCertificates.issue("C=GB,O=Example,CN=dave", null);
        realm.user("CN=dave,O=Example,C=GB", "x", "QSXCR+Q6sek8bf92");
        configure("external.enabled", true, "external.userFrom", "DN");
        SaslStep done = eval(sasl.start("EXTERNAL", tls(cert)), "");
        assertEquals("CN=dave,O=Example,C=GB", done.result().principal().user());
    }

    @Test
    void cnIsTheMostSpecificCommonName() {
        assertEquals("alice", CertificateUser.CN.user(ALICE));
        assertEquals("bob", CertificateUser.CN.user(TestCertificates.issue("CN=Example CA,O=Example,CN=bob", null)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> configure("external.enabled", true, "external.userFrom", "uid"));
        assertTrue(e.getMessage().contains("external.userFrom") && e.getMessage().contains("uid"), e.getMessage());
    }

    /** A SaslConfig with the annotation's defaults, overridden by the given properties. */
    static SaslConfig config(Map<String, Object> props) {
        return (SaslConfig) Proxy.newProxyInstance(SaslConfig.class.getClassLoader(),
                new Class<?>[]{SaslConfig.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class || method.getDeclaringClass() == Annotation.class) {
                        return method.getName().equals("annotationType") ? SaslConfig.class
                                : method.getName().equals("toString") ? "config" : null;
                    }
                    Object v = props.get(method.getName().replace('_', '.'));
                    return v != null ? v : method.getDefaultValue();
                });
    }
}
