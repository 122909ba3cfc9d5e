package io.pillarbox.api.auth;

/**
 * What a SCRAM mechanism (RFC 5802, RFC 7677) needs from a realm to authenticate a user without seeing the password.
 *
 * @param algorithm  {@code SHA-256} or {@code SHA-1}
 * @param salt       the salt
 * @param iterations the iteration count
 * @param storedKey  H(ClientKey)
 * @param serverKey  HMAC(SaltedPassword, "Server Key")
 */
public record ScramCredential(String algorithm, byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
}
