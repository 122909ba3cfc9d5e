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
     * Whether clear-text passwords (SASL PLAIN and LOGIN, IMAP LOGIN, POP3 USER/PASS) may be used on this connection:
     * always under TLS, otherwise as configured (by default only from loopback addresses). Protocols use it for
     * {@code LOGINDISABLED} and friends so that one policy applies everywhere; {@link #mechanisms} already honours it.
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
