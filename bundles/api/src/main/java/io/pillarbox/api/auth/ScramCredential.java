package io.pillarbox.api.auth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

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

    /**
     * Derives the credential from a password (RFC 5802 section 3): SaltedPassword = Hi(password, salt, i),
     * StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"). The password
     * is used as UTF-8 without SASLprep (identical for ASCII passwords).
     *
     * @param algorithm {@code SHA-256} or {@code SHA-1}
     */
    public static ScramCredential derive(String algorithm, char[] password, byte[] salt, int iterations) {
        String mac = macName(algorithm);
        ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] pw = new byte[bb.remaining()];
        bb.get(pw);
        Arrays.fill(bb.array(), (byte) 0);
        try {
            byte[] salted = hi(mac, pw, salt, iterations);
            byte[] clientKey = hmac(mac, salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
            byte[] storedKey = MessageDigest.getInstance(algorithm).digest(clientKey);
            byte[] serverKey = hmac(mac, salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
            Arrays.fill(salted, (byte) 0);
            Arrays.fill(clientKey, (byte) 0);
            return new ScramCredential(algorithm, salt.clone(), iterations, storedKey, serverKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unsupported SCRAM algorithm " + algorithm, e);
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    /** The JCA name of the HMAC for a SCRAM hash name ({@code SHA-256} gives {@code HmacSHA256}). */
    public static String macName(String algorithm) {
        return switch (algorithm) {
            case "SHA-256" -> "HmacSHA256";
            case "SHA-1" -> "HmacSHA1";
            case "SHA-512" -> "HmacSHA512";
            default -> throw new IllegalArgumentException("unsupported SCRAM algorithm " + algorithm);
        };
    }

    private static byte[] hi(String mac, byte[] password, byte[] salt, int iterations)
            throws GeneralSecurityException {
        if (password.length == 0) {
            throw new IllegalArgumentException("empty password");
        }
        Mac m = Mac.getInstance(mac);
        m.init(new SecretKeySpec(password, mac));
        m.update(salt);
        byte[] u = m.doFinal(new byte[] {0, 0, 0, 1});
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = m.doFinal(u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        return result;
    }

    private static byte[] hmac(String mac, byte[] key, byte[] data) throws GeneralSecurityException {
        Mac m = Mac.getInstance(mac);
        m.init(new SecretKeySpec(key, mac));
        return m.doFinal(data);
    }

    /** Never shows keys or salt. */
    @Override
    public String toString() {
        return "ScramCredential[" + algorithm + ", i=" + iterations + "]";
    }
}
