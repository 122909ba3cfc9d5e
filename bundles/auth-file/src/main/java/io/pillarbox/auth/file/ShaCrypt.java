package io.pillarbox.auth.file;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * SHA-256-crypt and SHA-512-crypt ({@code $5$} / {@code $6$}), exactly as Ulrich Drepper's specification
 * ("Unix crypt using SHA-256 and SHA-512") and glibc implement them, including {@code rounds=}.
 */
final class ShaCrypt {

    private static final String B64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    static final int ROUNDS_DEFAULT = 5000;
    private static final int ROUNDS_MIN = 1000;
    private static final int ROUNDS_MAX = 999_999_999;

    private ShaCrypt() {
    }

    /**
     * Computes the crypt string for a password and a setting ({@code $6$[rounds=N$]salt[$...]}).
     *
     * @return the full crypt string, or {@code null} if the setting is malformed
     */
    static String crypt(byte[] password, String setting) {
        boolean sha512;
        if (setting.startsWith("$6$")) {
            sha512 = true;
        } else if (setting.startsWith("$5$")) {
            sha512 = false;
        } else {
            return null;
        }
        String rest = setting.substring(3);
        int rounds = ROUNDS_DEFAULT;
        boolean customRounds = false;
        if (rest.startsWith("rounds=")) {
            int end = rest.indexOf('$');
            if (end < 0) {
                return null;
            }
            long r;
            try {
                r = Long.parseLong(rest.substring(7, end));
            } catch (NumberFormatException e) {
                return null;
            }
            rounds = (int) Math.max(ROUNDS_MIN, Math.min(ROUNDS_MAX, r));
            customRounds = true;
            rest = rest.substring(end + 1);
        }
        int end = rest.indexOf('$');
        String saltText = end < 0 ? rest : rest.substring(0, end);
        if (saltText.length() > 16) {
            saltText = saltText.substring(0, 16);
        }
        byte[] salt = saltText.getBytes(StandardCharsets.UTF_8);
        byte[] hash = digest(password, salt, rounds, sha512 ? "SHA-512" : "SHA-256");
        StringBuilder out = new StringBuilder(sha512 ? "$6$" : "$5$");
        if (customRounds) {
            out.append("rounds=").append(rounds).append('$');
        }
        out.append(saltText).append('$');
        if (sha512) {
            for (int i = 0; i < 21; i++) {
                int a = i;
                int b = i + 21;
                int c = i + 42;
                switch (i % 3) {
                    case 0 -> b64(out, hash[a], hash[b], hash[c], 4);
                    case 1 -> b64(out, hash[b], hash[c], hash[a], 4);
                    default -> b64(out, hash[c], hash[a], hash[b], 4);
                }
            }
            b64(out, (byte) 0, (byte) 0, hash[63], 2);
        } else {
            for (int i = 0; i < 10; i++) {
                int a = i;
                int b = i + 10;
                int c = i + 20;
                switch (i % 3) {
                    case 0 -> b64(out, hash[a], hash[b], hash[c], 4);
                    case 1 -> b64(out, hash[c], hash[a], hash[b], 4);
                    default -> b64(out, hash[b], hash[c], hash[a], 4);
                }
            }
            b64(out, (byte) 0, hash[31], hash[30], 3);
        }
        Arrays.fill(hash, (byte) 0);
        return out.toString();
    }

    private static void b64(StringBuilder out, byte b2, byte b1, byte b0, int n) {
        int w = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
        for (int i = 0; i < n; i++) {
            out.append(B64.charAt(w & 0x3f));
            w >>>= 6;
        }
    }

    private static byte[] digest(byte[] p, byte[] s, int rounds, String alg) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(alg);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        int len = md.getDigestLength();
        // Digest B = H(P S P)
        md.update(p);
        md.update(s);
        md.update(p);
        byte[] b = md.digest();
        // Digest A = H(P S B... bits...)
        md.update(p);
        md.update(s);
        int cnt;
        for (cnt = p.length; cnt > len; cnt -= len) {
            md.update(b, 0, len);
        }
        md.update(b, 0, cnt);
        for (cnt = p.length; cnt > 0; cnt >>= 1) {
            if ((cnt & 1) != 0) {
                md.update(b, 0, len);
            } else {
                md.update(p);
            }
        }
        byte[] a = md.digest();
        // DP = H(P repeated |P| times); P' = DP stretched to |P|
        for (int i = 0; i < p.length; i++) {
            md.update(p);
        }
        byte[] dp = md.digest();
        byte[] pBytes = stretch(dp, p.length);
        // DS = H(S repeated 16 + A[0] times); S' = DS stretched to |S|
        for (int i = 0; i < 16 + (a[0] & 0xff); i++) {
            md.update(s);
        }
        byte[] ds = md.digest();
        byte[] sBytes = stretch(ds, s.length);
        byte[] c = a;
        for (int i = 0; i < rounds; i++) {
            if ((i & 1) != 0) {
                md.update(pBytes);
            } else {
                md.update(c, 0, len);
            }
            if (i % 3 != 0) {
                md.update(sBytes);
            }
            if (i % 7 != 0) {
                md.update(pBytes);
            }
            if ((i & 1) != 0) {
                md.update(c, 0, len);
            } else {
                md.update(pBytes);
            }
            c = md.digest();
        }
        Arrays.fill(pBytes, (byte) 0);
        Arrays.fill(dp, (byte) 0);
        Arrays.fill(b, (byte) 0);
        return c;
    }

    private static byte[] stretch(byte[] d, int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i += d.length) {
            System.arraycopy(d, 0, out, i, Math.min(d.length, n - i));
        }
        return out;
    }
}
