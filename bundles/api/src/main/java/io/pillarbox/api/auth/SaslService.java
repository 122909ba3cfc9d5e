package io.pillarbox.api.auth;

import java.util.List;

/**
 * SASL mechanisms shared by IMAP, POP3 and SMTP. The protocol handles its own framing (base64 lines, {@code *} to
 * cancel); this service handles the mechanisms.
 */
public interface SaslService {

    /** The mechanisms to advertise for a connection, e.g. {@code PLAIN, LOGIN, SCRAM-SHA-256}, in preference order. */
    List<String> mechanisms(AuthContext context);

    /**
     * Whether the server-wide SASL policy lets clear-text passwords (SASL PLAIN and LOGIN, IMAP LOGIN, POP3 USER/PASS)
     * be used on this connection: always under TLS; without TLS as configured (by default yes, leaving the decision
     * to the listener's {@code Connection.plaintextAuthAllowed()}). Protocols allow clear-text passwords only when
     * both say yes; {@link #mechanisms} already honours this policy.
     */
    default boolean plaintextAllowed(AuthContext context) {
        return context.secure();
    }

    /**
     * Starts an exchange.
     *
     * @throws IllegalArgumentException if the mechanism is unknown or not offered for this context
     */
    SaslExchange start(String mechanism, AuthContext context);
}
