package io.pillarbox.sasl;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.Authenticator.CredentialKind;
import io.pillarbox.api.auth.SaslExchange;
import io.pillarbox.api.auth.SaslService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The shared SASL mechanisms. A mechanism is advertised only when some realm can serve it
 * ({@link Authenticator#supports}): SCRAM-SHA-256 / SCRAM-SHA-1 need {@code SCRAM_*} credentials, CRAM-MD5 a
 * {@code SHARED_SECRET}, PLAIN and LOGIN a {@code PASSWORD} realm <em>and</em> {@link #plaintextAllowed}. Whether a
 * connection may carry clear-text passwords is the listener's decision ({@code Connection.plaintextAuthAllowed()}:
 * TLS, loopback, or the listener's {@code allowPlaintextAuth}); protocols offer only the mechanisms both this service
 * and their connection permit. This service's own policy is server-wide: by default it leaves the decision to the
 * listeners; with {@code allowPlaintextWithoutTls=false} it forbids clear-text passwords without TLS everywhere
 * (except from loopback while {@code allowPlaintextFromLoopback}).
 * <p>
 * EXTERNAL (RFC 4422 appendix A) is offered only with {@code external.enabled=true} and on a connection whose client
 * presented a TLS certificate the transport verified ({@link AuthContext#clientCertificate()}) and that names a user
 * ({@code external.userFrom}: {@code cn}, {@code email} or {@code dn}); that user must be known to a realm.
 */
@Component(service = SaslService.class, configurationPid = "io.pillarbox.sasl")
@Designate(ocd = SaslConfig.class)
public class SaslServiceImpl implements SaslService {

    static final String PLAIN = "PLAIN";
    static final String LOGIN = "LOGIN";
    static final String CRAM_MD5 = "CRAM-MD5";
    static final String SCRAM_SHA_256 = "SCRAM-SHA-256";
    static final String SCRAM_SHA_1 = "SCRAM-SHA-1";
    static final String EXTERNAL = "EXTERNAL";
    private static final Set<String> KNOWN = Set.of(PLAIN, LOGIN, CRAM_MD5, SCRAM_SHA_256, SCRAM_SHA_1, EXTERNAL);

    private final SecureRandom random = new SecureRandom();
    private final byte[] fakeSaltKey = new byte[32];

    @Reference
    volatile Authenticator authenticator;

    private volatile List<String> preference = List.of(SCRAM_SHA_256, SCRAM_SHA_1, CRAM_MD5, PLAIN, LOGIN);
    private volatile boolean plaintextWithoutTls = true;
    private volatile boolean plaintextFromLoopback = true;
    private volatile String challengeHost = "localhost";
    private volatile boolean externalEnabled;
    private volatile CertificateUser externalUser = CertificateUser.CN;
    volatile Supplier<String> serverNonce = this::randomNonce;
    volatile Supplier<String> cramChallenge = this::randomChallenge;

    public SaslServiceImpl() {
        random.nextBytes(fakeSaltKey);
    }

    /** For tests and embedding without OSGi. */
    SaslServiceImpl(Authenticator authenticator) {
        this();
        this.authenticator = authenticator;
    }

    @Activate
    @Modified
    void configure(SaslConfig config) {
        Set<String> list = new LinkedHashSet<>();
        for (String m : config.mechanisms()) {
            String u = m.trim().toUpperCase(Locale.ROOT);
            if (KNOWN.contains(u)) {
                list.add(u);
            }
        }
        CertificateUser from = CertificateUser.parse(config.external_userFrom());
        if (config.external_enabled() && !list.contains(EXTERNAL)) {
            // the strongest proof a client can give: first unless the mechanisms list places it
            Set<String> withExternal = new LinkedHashSet<>();
            withExternal.add(EXTERNAL);
            withExternal.addAll(list);
            list = withExternal;
        }
        preference = List.copyOf(list);
        externalEnabled = config.external_enabled();
        externalUser = from;
        plaintextWithoutTls = config.allowPlaintextWithoutTls();
        plaintextFromLoopback = config.allowPlaintextFromLoopback();
        String host = config.challengeHost() == null ? "" : config.challengeHost().trim();
        if (host.isEmpty()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException | RuntimeException e) {
                host = "localhost";
            }
        }
        challengeHost = host;
    }

    void plaintextPolicy(boolean withoutTls, boolean fromLoopback) {
        plaintextWithoutTls = withoutTls;
        plaintextFromLoopback = fromLoopback;
    }

    @Override
    public boolean plaintextAllowed(AuthContext context) {
        if (context.secure() || plaintextWithoutTls) {
            return true;
        }
        return plaintextFromLoopback && context.remote() != null && context.remote().getAddress() != null
                && context.remote().getAddress().isLoopbackAddress();
    }

    @Override
    public List<String> mechanisms(AuthContext context) {
        Authenticator a = authenticator;
        List<String> out = new ArrayList<>();
        for (String m : preference) {
            boolean ok = switch (m) {
                case SCRAM_SHA_256 -> a.supports(CredentialKind.SCRAM_SHA_256);
                case SCRAM_SHA_1 -> a.supports(CredentialKind.SCRAM_SHA_1);
                case CRAM_MD5 -> a.supports(CredentialKind.SHARED_SECRET);
                case PLAIN, LOGIN -> a.supports(CredentialKind.PASSWORD) && plaintextAllowed(context);
                case EXTERNAL -> externalEnabled && context.secure() && context.clientCertificate() != null
                        && externalUser.user(context.clientCertificate()) != null;
                default -> false;
            };
            if (ok) {
                out.add(m);
            }
        }
        return List.copyOf(out);
    }

    @Override
    public SaslExchange start(String mechanism, AuthContext context) {
        String m = mechanism == null ? "" : mechanism.toUpperCase(Locale.ROOT);
        if (!mechanisms(context).contains(m)) {
            throw new IllegalArgumentException("mechanism not offered: " + mechanism);
        }
        AuthContext ctx = context.withMechanism(m);
        return switch (m) {
            case PLAIN -> new PlainExchange(authenticator, ctx);
            case LOGIN -> new LoginExchange(authenticator, ctx);
            case CRAM_MD5 -> new CramMd5Exchange(authenticator, ctx, cramChallenge.get());
            case SCRAM_SHA_256 -> new ScramExchange(authenticator, ctx, "SHA-256", serverNonce, fakeSaltKey);
            case SCRAM_SHA_1 -> new ScramExchange(authenticator, ctx, "SHA-1", serverNonce, fakeSaltKey);
            case EXTERNAL -> new ExternalExchange(authenticator, ctx, externalUser.user(ctx.clientCertificate()));
            default -> throw new IllegalArgumentException("mechanism not offered: " + mechanism);
        };
    }

    private String randomNonce() {
        byte[] b = new byte[18];
        random.nextBytes(b);
        return Base64.getEncoder().encodeToString(b); // no ',' in base64
    }

    private String randomChallenge() {
        return "<" + Long.toUnsignedString(random.nextLong()) + "." + System.currentTimeMillis() + "@"
                + challengeHost + ">";
    }
}
