package io.pillarbox.api.auth;

import java.util.Optional;

/**
 * A user's secret in a form that lets challenge-response mechanisms (CRAM-MD5, APOP) be checked. Realms that keep
 * only one-way hashes do not offer it, and those mechanisms are then not advertised.
 */
public interface SharedSecret {

    /** HMAC-MD5 of {@code challenge} keyed with the secret (RFC 2195); possible with a {@code {CRAM-MD5}} hash. */
    byte[] hmacMd5(byte[] challenge);

    /** The clear-text secret, only where the realm keeps one (APOP needs it). */
    default Optional<char[]> cleartext() {
        return Optional.empty();
    }
}
