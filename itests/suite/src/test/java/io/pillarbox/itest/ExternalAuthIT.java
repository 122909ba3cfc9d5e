package io.pillarbox.itest;

import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.auth.WritableRealm;
import io.pillarbox.api.server.ListenerRegistry;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;

import javax.inject.Inject;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Dictionary;
import java.util.List;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * SASL EXTERNAL end to end: the transport requests TLS client certificates (tls.clientAuth=optional, tls.trustedCAs),
 * the SASL service offers EXTERNAL (external.enabled), and an IMAP client presenting a certificate issued by the
 * trusted CA logs in as the user its CN names.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ExternalAuthIT extends PillarboxTestSupport {

    private static final String TRANSPORT_PID = "io.pillarbox.transport";
    private static final String SASL_PID = "io.pillarbox.sasl";
    private static final String USER = "certuser";

    @Inject
    BundleContext bc;

    @Inject
    ConfigurationAdmin cm;

    @Inject
    WritableRealm realm;

    @Configuration
    public Option[] config() {
        return distributionOptions().toArray(new Option[0]);
    }

    @Test
    public void aClientCertificateFromTheTrustedCaLogsInWithExternal() throws Exception {
        Issuer ca = new Issuer("CN=Pillarbox test client CA,O=Pillarbox tests");
        Issuer otherCa = new Issuer("CN=Some other CA,O=Elsewhere");
        Client good = ca.issue("O=Pillarbox tests,CN=" + USER);
        Client foreign = otherCa.issue("O=Elsewhere,CN=" + USER);
        Client unknown = ca.issue("O=Pillarbox tests,CN=nobody-here");

        File caFile = new File(System.getProperty("karaf.data"), "external-auth-ca.pem");
        Files.writeString(caFile.toPath(), pem(ca.cert), StandardCharsets.US_ASCII);

        org.osgi.service.cm.Configuration transport = cm.getConfiguration(TRANSPORT_PID, null);
        org.osgi.service.cm.Configuration sasl = cm.getConfiguration(SASL_PID, null);
        Dictionary<String, Object> transportBefore = transport.getProperties();
        Dictionary<String, Object> saslBefore = sasl.getProperties();
        org.osgi.service.cm.Configuration listener = null;
        org.osgi.service.cm.Configuration startTlsListener = null;
        try {
            change(transport, "tls.clientAuth", "optional", "tls.trustedCAs", caFile.getAbsolutePath());
            change(sasl, "external.enabled", true);
            await("transport with client certificates", () -> has(ListenerRegistry.class, "(tls.clientAuth=optional)"));
            await("SASL with EXTERNAL", () -> has(SaslService.class, "(external.enabled=true)"));

            if (!realm.users().contains(USER)) {
                realm.addUser(USER, "not used by EXTERNAL 1".toCharArray());
            }
            int port = freePort();
            listener = createListener(cm, "imaps-external", "imap", port, "implicit");
            int startTlsPort = freePort();
            startTlsListener = createListener(cm, "imap-external", "imap", startTlsPort, "starttls");
            await("IMAP listeners", () -> accepts(port) && accepts(startTlsPort));

            // a certificate from the trusted CA: EXTERNAL offered, logs in as the CN, the mailbox is usable
            try (ImapIT.Imap c = imaps(port, good)) {
                assertTrue(capability(c), capability(c).contains(" AUTH=EXTERNAL"));
                List<String> auth = c.cmd("a AUTHENTICATE EXTERNAL =");
                c.expectOk(auth);
                List<String> select = c.cmd("b SELECT INBOX");
                c.expectOk(select);
                c.expectOk(c.cmd("c LOGOUT"));
            }
            // an authorization identity other than the certificate's user is refused
            try (ImapIT.Imap c = imaps(port, good)) {
                String other = Base64.getEncoder().encodeToString("alice".getBytes(StandardCharsets.UTF_8));
                List<String> auth = c.cmd("a AUTHENTICATE EXTERNAL " + other);
                assertTrue(auth.toString(), auth.get(auth.size() - 1).startsWith("a NO"));
            }
            // a trusted certificate naming a user no realm knows: offered, but refused
            try (ImapIT.Imap c = imaps(port, unknown)) {
                List<String> auth = c.cmd("a AUTHENTICATE EXTERNAL =");
                assertTrue(auth.toString(), auth.get(auth.size() - 1).startsWith("a NO"));
            }
            // no client certificate: TLS works as before, EXTERNAL is not offered
            try (ImapIT.Imap c = imaps(port, null)) {
                String caps = capability(c);
                assertFalse(caps, caps.contains("AUTH=EXTERNAL"));
                List<String> auth = c.cmd("a AUTHENTICATE EXTERNAL =");
                assertTrue(auth.toString(), auth.get(auth.size() - 1).startsWith("a NO"));
            }
            // after STARTTLS: not offered in clear, offered once TLS carries the certificate
            try (ImapIT.Imap c = ImapIT.Imap.connect(startTlsPort)) {
                assertTrue(c.read().startsWith("* OK"));
                assertFalse(capability(c).contains("AUTH=EXTERNAL"));
                c.expectOk(c.cmd("s STARTTLS"));
                c.attach(handshake(c.socket, startTlsPort, good));
                assertTrue(capability(c).contains(" AUTH=EXTERNAL"));
                c.expectOk(c.cmd("a AUTHENTICATE EXTERNAL " + Base64.getEncoder().encodeToString(
                        USER.getBytes(StandardCharsets.UTF_8))));
                c.expectOk(c.cmd("b SELECT INBOX"));
            }
            // a certificate from another CA (presented whatever the server asks for): the handshake fails
            try (ImapIT.Imap c = imaps(port, foreign)) {
                String caps = capability(c);
                assertFalse("a certificate from an untrusted CA was accepted: " + caps, caps.contains("AUTH=EXTERNAL"));
            } catch (IOException expected) {
                // refused during the handshake (TLS 1.3 reports it on the first read)
            }
        } finally {
            if (listener != null) {
                listener.delete();
            }
            if (startTlsListener != null) {
                startTlsListener.delete();
            }
            restore(sasl, saslBefore);
            restore(transport, transportBefore);
            await("transport restored", () -> !has(ListenerRegistry.class, "(tls.clientAuth=optional)")
                    && has(ListenerRegistry.class, null));
            Files.deleteIfExists(caFile.toPath());
        }
    }

    // ------------------------------------------------------------------ helpers

    private boolean has(Class<?> type, String filter) {
        try {
            return !bc.getServiceReferences(type, filter).isEmpty();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String capability(ImapIT.Imap c) throws IOException {
        List<String> lines = c.cmd("cap CAPABILITY");
        c.expectOk(lines);
        return String.join("\n", lines);
    }

    /** An implicit-TLS IMAP connection presenting the client's certificate (none for {@code null}). */
    private static ImapIT.Imap imaps(int port, Client client) throws Exception {
        ImapIT.Imap c = ImapIT.Imap.connect(port);
        SSLSocket s = handshake(c.socket, port, client);
        try {
            c.attach(s);
            String greeting = c.read();
            if (!greeting.startsWith("* OK")) {
                throw new AssertionError("greeting: " + greeting);
            }
            return c;
        } catch (IOException | RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    /** TLS over an open socket, presenting the client's certificate (none for {@code null}). */
    private static SSLSocket handshake(Socket plain, int port, Client client) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(client == null ? null : new KeyManager[]{client.keyManager()}, new TrustManager[]{TRUST_ANY}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, HOST, port, true);
        s.setSoTimeout(10_000);
        try {
            s.startHandshake();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static String pem(X509Certificate cert) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static final X509TrustManager TRUST_ANY = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // the server's generated self-signed certificate; PlatformIT checks it
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** A test CA (BouncyCastle, which the distribution carries for the transport). */
    private static final class Issuer {
        final KeyPair key;
        final X500Name name;
        final X509Certificate cert;
        private long serial = System.nanoTime();

        Issuer(String dn) throws Exception {
            key = keyPair();
            name = new X500Name(dn);
            X509v3CertificateBuilder b = builder(name, key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            cert = sign(b);
        }

        Client issue(String dn) throws Exception {
            KeyPair kp = keyPair();
            X509v3CertificateBuilder b = builder(new X500Name(dn), kp);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            return new Client(kp.getPrivate(), new X509Certificate[]{sign(b), cert});
        }

        private X509v3CertificateBuilder builder(X500Name subject, KeyPair kp) {
            Instant now = Instant.now();
            return new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(serial++),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), subject,
                    kp.getPublic());
        }

        private X509Certificate sign(X509v3CertificateBuilder b) throws Exception {
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        }
    }

    /** A client key and chain, presented whatever issuers the server names. */
    private record Client(PrivateKey key, X509Certificate[] chain) {
        X509KeyManager keyManager() {
            return new X509KeyManager() {
                @Override
                public String[] getClientAliases(String keyType, Principal[] issuers) {
                    return new String[]{"client"};
                }

                @Override
                public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                    return "client";
                }

                @Override
                public String[] getServerAliases(String keyType, Principal[] issuers) {
                    return null;
                }

                @Override
                public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                    return null;
                }

                @Override
                public X509Certificate[] getCertificateChain(String alias) {
                    return chain.clone();
                }

                @Override
                public PrivateKey getPrivateKey(String alias) {
                    return key;
                }
            };
        }
    }
}
