package io.pillarbox.api.protocol;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.pillarbox.api.auth.AuthContext;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/** What the transport tells a protocol about one connection, and the services it offers it. */
public interface Connection {

    /** The session id shown by {@code mail:sessions}. */
    String id();

    /** The listener's name (its configuration's {@code name}). */
    String listener();

    String protocol();

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    TlsMode tlsMode();

    /** Whether the connection is protected by TLS now (implicit, or after STARTTLS). */
    boolean isSecure();

    /** Whether STARTTLS may be offered: the listener's mode is {@code starttls} and TLS is not yet active. */
    boolean canStartTls();

    /**
     * Upgrades the connection to TLS. Call on the event loop, <em>before</em> writing the protocol's "go ahead"
     * response: that one write still goes out in clear, everything after it is encrypted. The protocol must discard
     * any input that was pipelined after the STARTTLS command (RFC 3207 section 4.2 / CVE-2011-0411).
     *
     * @return completes when the handshake is done (or failed, in which case the channel is closed)
     */
    Future<Channel> startTls();

    /**
     * Whether a password may be sent in clear on this connection: TLS is active, the client is on loopback, or the
     * listener's configuration allows it.
     */
    boolean plaintextAuthAllowed();

    /** The bounded pool for blocking work (store, realm). Tasks must not assume ordering between connections. */
    Executor worker();

    /** The listener's full configuration, for protocol-specific settings (e.g. {@code smtp.role}). */
    Map<String, Object> properties();

    /**
     * The client's TLS certificate, once the handshake is done and only when the transport is configured to request
     * one ({@code tls.clientAuth}) and it chains to a trusted CA ({@code tls.trustedCAs}); empty otherwise.
     * Added in 1.1.0.
     */
    default Optional<X509Certificate> peerCertificate() {
        return Optional.empty();
    }

    /** An {@link AuthContext} for this connection and the given mechanism (with the verified client certificate). */
    default AuthContext authContext(String mechanism) {
        return new AuthContext(protocol(), remoteAddress(), isSecure(), mechanism, peerCertificate().orElse(null));
    }

    /** Records the authenticated user for {@code mail:sessions}, logs and {@code mail:kick}. */
    void setUser(String user);

    /** Records the protocol state shown by {@code mail:sessions} (e.g. {@code selected INBOX}, {@code idle}). */
    void setState(String state);
}
