package io.pillarbox.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManagerFactory;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The server's TLS context: from PEM files or a PKCS#12 keystore named in the transport configuration, or else a
 * self-signed certificate generated once and kept in Karaf's {@code etc/} so that it survives restarts.
 * Only TLS 1.2 and 1.3 are offered.
 */
final class TlsMaterial {

    private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);
    static final String SELF_SIGNED_CERT = "pillarbox-tls.crt";
    static final String SELF_SIGNED_KEY = "pillarbox-tls.key";

    private static final Set<String> ALLOWED = Set.of("TLSv1.3", "TLSv1.2");

    private final TransportConfig config;
    private SslContext context;

    TlsMaterial(TransportConfig config) {
        this.config = config;
    }

    synchronized SslContext context() {
        if (context == null) {
            try {
                context = build();
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        return context;
    }

    private SslContext build() throws IOException, GeneralSecurityException {
        SslContextBuilder builder;
        if (!config.tls_keystore().isBlank()) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            char[] password = config._tls_keystorePassword().toCharArray();
            try (InputStream in = Files.newInputStream(Paths.get(config.tls_keystore()))) {
                ks.load(in, password);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            builder = SslContextBuilder.forServer(kmf);
            LOG.info("TLS: using keystore {}", config.tls_keystore());
        } else if (!config.tls_certificate().isBlank()) {
            if (config.tls_key().isBlank()) {
                throw new GeneralSecurityException("configuration " + Transport.PID
                        + ": key 'tls.key' must name the private key for 'tls.certificate'");
            }
            builder = SslContextBuilder.forServer(Paths.get(config.tls_certificate()).toFile(),
                    Paths.get(config.tls_key()).toFile());
            LOG.info("TLS: using certificate {}", config.tls_certificate());
        } else {
            Path etc = Paths.get(System.getProperty("karaf.etc", "etc"));
            Path cert = etc.resolve(SELF_SIGNED_CERT);
            Path key = etc.resolve(SELF_SIGNED_KEY);
            if (!Files.exists(cert) || !Files.exists(key)) {
                String host = config.tls_selfSignedHostname().isBlank() ? SelfSignedCertificate.localHostName()
                        : config.tls_selfSignedHostname();
                SelfSignedCertificate.generate(host, cert, key);
                LOG.warn("TLS: no certificate configured; generated a self-signed one for {} in {} "
                        + "(set tls.certificate and tls.key in etc/{}.cfg for a real one)", host, cert, Transport.PID);
            } else {
                LOG.info("TLS: using self-signed certificate {}", cert);
            }
            builder = SslContextBuilder.forServer(cert.toFile(), key.toFile());
        }
        ClientAuth clientAuth = clientAuth(config.tls_clientAuth());
        if (clientAuth != ClientAuth.NONE) {
            File cas = trustedCAs(config.tls_trustedCAs());
            builder.trustManager(cas);
            LOG.info("TLS: client certificates requested ({}), trusted CAs from {}",
                    clientAuth.name().toLowerCase(Locale.ROOT), cas);
        }
        SslContext ctx = builder.sslProvider(SslProvider.JDK)
                .protocols(protocols(config.tls_protocols()))
                .clientAuth(clientAuth)
                .build();
        ctx.newEngine(ByteBufAllocator.DEFAULT).closeOutbound(); // fail now, not on the first connection
        return ctx;
    }

    /** The value of {@code tls.clientAuth}: {@code none} (default) or {@code optional}. */
    static ClientAuth clientAuth(String configured) throws GeneralSecurityException {
        String v = configured == null ? "" : configured.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "", "none" -> ClientAuth.NONE;
            case "optional" -> ClientAuth.OPTIONAL;
            default -> throw new GeneralSecurityException("configuration " + Transport.PID + ": key 'tls.clientAuth' "
                    + "must be none or optional, not '" + configured.trim() + "'");
        };
    }

    /** The file named by {@code tls.trustedCAs}, which must exist when client certificates are requested. */
    static File trustedCAs(String configured) throws GeneralSecurityException {
        if (configured == null || configured.isBlank()) {
            throw new GeneralSecurityException("configuration " + Transport.PID + ": key 'tls.trustedCAs' must name "
                    + "a PEM file of CA certificates when 'tls.clientAuth' is not none");
        }
        File f = Paths.get(configured.trim()).toFile();
        if (!f.isFile()) {
            throw new GeneralSecurityException("configuration " + Transport.PID + ": key 'tls.trustedCAs' names "
                    + f + ", which is not a readable file");
        }
        return f;
    }

    /**
     * The configured TLS versions, accepting an array or a comma-separated string (as a .cfg file gives it); only
     * TLS 1.2 and 1.3 are allowed.
     */
    static String[] protocols(String[] configured) throws GeneralSecurityException {
        Set<String> out = new LinkedHashSet<>();
        for (String entry : configured) {
            for (String p : entry.split("[,\\s]+")) {
                if (p.isEmpty()) {
                    continue;
                }
                if (!ALLOWED.contains(p)) {
                    throw new GeneralSecurityException("configuration " + Transport.PID + ": key 'tls.protocols' may "
                            + "name only " + ALLOWED + ", not '" + p + "'");
                }
                out.add(p);
            }
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("configuration " + Transport.PID + ": key 'tls.protocols' is empty");
        }
        return out.toArray(new String[0]);
    }
}
