package io.pillarbox.api.auth;

import java.net.InetSocketAddress;

/**
 * Where a login attempt comes from. Realms may use it (PAM's rhost, LDAP audit); the authenticator uses it for
 * brute-force defence.
 *
 * @param protocol  {@code imap}, {@code pop3}, {@code smtp}, ...
 * @param remote    the client's address, or {@code null} when not on a network (shell, tests)
 * @param secure    whether the connection is protected by TLS
 * @param mechanism the SASL mechanism or {@code LOGIN}/{@code USER} for plain password commands
 */
public record AuthContext(String protocol, InetSocketAddress remote, boolean secure, String mechanism) {

    public AuthContext withMechanism(String mech) {
        return new AuthContext(protocol, remote, secure, mech);
    }
}
