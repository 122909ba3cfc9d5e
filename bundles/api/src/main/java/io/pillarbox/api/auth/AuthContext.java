package io.pillarbox.api.auth;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Where a login attempt comes from. Realms may use it (PAM's rhost, LDAP audit); the authenticator uses it for
 * brute-force defence.
 *
 * @param protocol          {@code imap}, {@code pop3}, {@code smtp}, ...
 * @param remote            the client's address, or {@code null} when not on a network (shell, tests)
 * @param secure            whether the connection is protected by TLS
 * @param mechanism         the SASL mechanism or {@code LOGIN}/{@code USER} for plain password commands
 * @param clientCertificate the TLS client certificate the transport verified against its trusted CAs (for SASL
 *                          EXTERNAL), or {@code null} when the client presented none or TLS client authentication
 *                          is not configured. Added in 1.1.0.
 */
public record AuthContext(String protocol, InetSocketAddress remote, boolean secure, String mechanism,
                          X509Certificate clientCertificate) {

    /** A context without a client certificate (the form of version 1.0.0). */
    public AuthContext(String protocol, InetSocketAddress remote, boolean secure, String mechanism) {
        this(protocol, remote, secure, mechanism, null);
    }

    public AuthContext withMechanism(String mech) {
        return new AuthContext(protocol, remote, secure, mech, clientCertificate);
    }

    /** The verified TLS client certificate, if any. */
    public Optional<X509Certificate> peerCertificate() {
        return Optional.ofNullable(clientCertificate);
    }
}
