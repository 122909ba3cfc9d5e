package io.pillarbox.auth.file;

import io.pillarbox.api.auth.ScramCredential;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/** Password schemes of Dovecot's passwd-file: parsing, verification and generation. Never logs. */
final class Hashes {

    static final SecureRandom RANDOM = new SecureRandom();

    /** A password field split into its scheme (upper case, no braces) and the value after it. */
    record Stored(String scheme, String value) {
        @Override
        public String toString() {
            return "{" + scheme + "}...";
        }
    }

    /** Argon2 cost parameters for new hashes. */
    record Argon2Cost(int memoryKiB, int iterations, int parallelism) {
    }

    private Hashes() {
    }

    /** Splits {@code {SCHEME}value}; without a prefix the scheme is recognised from crypt-style values. */
    static Stored parse(String field) {
        if (field.startsWith("{")) {
            int end = field.indexOf('}');
            if (end > 1) {
                return withEncoding(field.substring(1, end).toUpperCase(Locale.ROOT), field.substring(end + 1));
            }
        }
        return new Stored(detect(field), field);
    }

    /**
     * Dovecot's encoding suffixes ({@code {SSHA512.HEX}}, {@code {PLAIN.B64}}, ...): turned into the scheme's default
     * encoding (base64 for the SHA family, hex for CRAM-MD5, text for PLAIN). Unknown or malformed: left as is (and
     * so refused).
     */
    private static Stored withEncoding(String scheme, String value) {
        int dot = scheme.lastIndexOf('.');
        if (dot <= 0) {
            return new Stored(scheme, value);
        }
        String base = scheme.substring(0, dot);
        String enc = scheme.substring(dot + 1);
        try {
            byte[] raw = switch (enc) {
                case "HEX" -> HexFormat.of().parseHex(value.trim());
                case "B64", "BASE64" -> Base64.getDecoder().decode(value.trim());
                default -> null;
            };
            if (raw == null) {
                return new Stored(scheme, value);
            }
            return switch (base) {
                case "SSHA512", "SSHA256", "SSHA", "SHA512", "SHA256", "SHA", "SHA1" ->
                        new Stored(base, Base64.getEncoder().encodeToString(raw));
                case "PLAIN", "CLEARTEXT" -> new Stored(base, new String(raw, StandardCharsets.UTF_8));
                case "CRAM-MD5", "HMAC-MD5" -> new Stored(base, HexFormat.of().formatHex(raw));
                default -> new Stored(scheme, value);
            };
        } catch (IllegalArgumentException e) {
            return new Stored(scheme, value);
        }
    }

    private static String detect(String v) {
        if (v.startsWith("$argon2id$")) {
            return "ARGON2ID";
        }
        if (v.startsWith("$argon2i$")) {
            return "ARGON2I";
        }
        if (v.startsWith("$2a$") || v.startsWith("$2b$") || v.startsWith("$2y$")) {
            return "BLF-CRYPT";
        }
        if (v.startsWith("$6$")) {
            return "SHA512-CRYPT";
        }
        if (v.startsWith("$5$")) {
            return "SHA256-CRYPT";
        }
        return "CRYPT";
    }

    /** Whether this implementation can check the scheme. */
    static boolean supported(String scheme) {
        return switch (scheme) {
            case "ARGON2ID", "ARGON2I", "BLF-CRYPT", "SHA512-CRYPT", "SHA256-CRYPT", "SSHA512", "SSHA256", "SSHA",
                 "SHA512", "SHA256", "SHA", "SHA1", "CRAM-MD5", "HMAC-MD5", "PLAIN", "CLEARTEXT", "SCRAM-SHA-256",
                 "SCRAM-SHA-1" -> true;
            case "CRYPT" -> false; // recognised from the value where possible, see verify
            default -> false;
        };
    }

    /** Checks a password; {@code false} for a wrong password, a malformed value or an unsupported scheme. */
    static boolean verify(Stored stored, char[] password) {
        byte[] pw = utf8(password);
        try {
            String v = stored.value();
            return switch (stored.scheme()) {
                case "ARGON2ID", "ARGON2I" -> argon2Verify(v, pw);
                case "BLF-CRYPT" -> bcryptVerify(v, password);
                case "SHA512-CRYPT", "SHA256-CRYPT" -> {
                    String computed = ShaCrypt.crypt(pw, v);
                    yield computed != null && constantEquals(computed, v);
                }
                case "CRYPT" -> {
                    String scheme = detect(v);
                    yield !scheme.equals("CRYPT") && verify(new Stored(scheme, v), password);
                }
                case "SSHA512" -> saltedVerify("SHA-512", v, pw);
                case "SSHA256" -> saltedVerify("SHA-256", v, pw);
                case "SSHA" -> saltedVerify("SHA-1", v, pw);
                case "SHA512" -> plainDigestVerify("SHA-512", v, pw);
                case "SHA256" -> plainDigestVerify("SHA-256", v, pw);
                case "SHA", "SHA1" -> plainDigestVerify("SHA-1", v, pw);
                case "CRAM-MD5", "HMAC-MD5" -> {
                    byte[] ctx = cramContext(v);
                    yield ctx != null && MessageDigest.isEqual(ctx, CramMd5.context(pw));
                }
                case "PLAIN", "CLEARTEXT" -> MessageDigest.isEqual(v.getBytes(StandardCharsets.UTF_8), pw);
                case "SCRAM-SHA-256" -> scramVerify("SHA-256", v, password);
                case "SCRAM-SHA-1" -> scramVerify("SHA-1", v, password);
                default -> false;
            };
        } catch (RuntimeException e) {
            return false; // malformed stored value
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    // ---- Argon2 ---------------------------------------------------------------------------------------------------

    /** A new Argon2id hash in the PHC/libsodium encoding Dovecot uses. */
    static String argon2idHash(char[] password, Argon2Cost cost) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] pw = utf8(password);
        try {
            byte[] hash = argon2(Argon2Parameters.ARGON2_id, Argon2Parameters.ARGON2_VERSION_13, cost.memoryKiB(),
                    cost.iterations(), cost.parallelism(), salt, pw, 32);
            Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
            return "$argon2id$v=19$m=" + cost.memoryKiB() + ",t=" + cost.iterations() + ",p=" + cost.parallelism()
                    + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    private static boolean argon2Verify(String v, byte[] pw) {
        // $argon2id$v=19$m=65536,t=3,p=1$salt$hash  (v= may be missing in old hashes: version 0x10)
        String[] parts = v.split("\\$", -1);
        if (parts.length < 5 || !parts[0].isEmpty()) {
            return false;
        }
        int type = switch (parts[1]) {
            case "argon2id" -> Argon2Parameters.ARGON2_id;
            case "argon2i" -> Argon2Parameters.ARGON2_i;
            case "argon2d" -> Argon2Parameters.ARGON2_d;
            default -> -1;
        };
        if (type < 0) {
            return false;
        }
        int i = 2;
        int version = Argon2Parameters.ARGON2_VERSION_10;
        if (parts[i].startsWith("v=")) {
            version = Integer.parseInt(parts[i].substring(2));
            i++;
        }
        if (parts.length != i + 3) {
            return false;
        }
        int m = -1;
        int t = -1;
        int p = -1;
        for (String kv : parts[i].split(",")) {
            int eq = kv.indexOf('=');
            int val = Integer.parseInt(kv.substring(eq + 1));
            switch (kv.substring(0, eq)) {
                case "m" -> m = val;
                case "t" -> t = val;
                case "p" -> p = val;
                default -> { }
            }
        }
        if (m < 8 || t < 1 || p < 1 || m > 1024 * 1024 || t > 1000 || p > 64) {
            return false; // refuse absurd costs that would let a file entry stall the server
        }
        byte[] salt = Base64.getDecoder().decode(pad(parts[i + 1]));
        byte[] expected = Base64.getDecoder().decode(pad(parts[i + 2]));
        if (expected.length < 4 || expected.length > 1024) {
            return false;
        }
        byte[] actual = argon2(type, version, m, t, p, salt, pw, expected.length);
        return MessageDigest.isEqual(actual, expected);
    }

    private static byte[] argon2(int type, int version, int m, int t, int p, byte[] salt, byte[] pw, int len) {
        Argon2Parameters params = new Argon2Parameters.Builder(type).withVersion(version).withMemoryAsKB(m)
                .withIterations(t).withParallelism(p).withSalt(salt).build();
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(params);
        byte[] out = new byte[len];
        gen.generateBytes(pw, out);
        return out;
    }

    private static String pad(String b64) {
        int r = b64.length() % 4;
        return r == 0 ? b64 : b64 + "==".substring(0, 4 - r);
    }

    // ---- others ---------------------------------------------------------------------------------------------------

    private static boolean bcryptVerify(String v, char[] password) {
        String h = v;
        if (h.startsWith("$2b$")) {
            h = "$2y$" + h.substring(4); // same algorithm; accepted under either name
        }
        return OpenBSDBCrypt.checkPassword(h, password);
    }

    private static boolean saltedVerify(String alg, String v, byte[] pw) {
        byte[] raw = Base64.getDecoder().decode(v.trim());
        MessageDigest md = digest(alg);
        int n = md.getDigestLength();
        if (raw.length <= n) {
            return false;
        }
        md.update(pw);
        md.update(raw, n, raw.length - n);
        return MessageDigest.isEqual(md.digest(), Arrays.copyOf(raw, n));
    }

    private static boolean plainDigestVerify(String alg, String v, byte[] pw) {
        byte[] raw = Base64.getDecoder().decode(v.trim());
        return MessageDigest.isEqual(digest(alg).digest(pw), raw);
    }

    /** {@code {SSHA512}} value for a password (tests, tools). */
    static String ssha512(char[] password, byte[] salt) {
        byte[] pw = utf8(password);
        MessageDigest md = digest("SHA-512");
        md.update(pw);
        md.update(salt);
        byte[] h = md.digest();
        byte[] all = Arrays.copyOf(h, h.length + salt.length);
        System.arraycopy(salt, 0, all, h.length, salt.length);
        Arrays.fill(pw, (byte) 0);
        return Base64.getEncoder().encodeToString(all);
    }

    /** The 32-byte CRAM-MD5 context from a {@code {CRAM-MD5}} value, or null if malformed. */
    static byte[] cramContext(String hex) {
        String h = hex.trim();
        if (h.length() != 64) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(h);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String cramMd5(char[] password) {
        byte[] pw = utf8(password);
        try {
            return HexFormat.of().formatHex(CramMd5.context(pw));
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    // ---- SCRAM: Dovecot's encoding "iterations,salt,storedKey,serverKey" (base64) ----------------------------------

    static ScramCredential parseScram(String algorithm, String v) {
        String[] p = v.trim().split(",");
        if (p.length != 4) {
            return null;
        }
        Base64.Decoder d = Base64.getDecoder();
        try {
            int iterations = Integer.parseInt(p[0]);
            if (iterations < 1) {
                return null;
            }
            return new ScramCredential(algorithm, d.decode(p[1]), iterations, d.decode(p[2]), d.decode(p[3]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String formatScram(ScramCredential c) {
        Base64.Encoder e = Base64.getEncoder();
        return c.iterations() + "," + e.encodeToString(c.salt()) + "," + e.encodeToString(c.storedKey()) + ","
                + e.encodeToString(c.serverKey());
    }

    static ScramCredential newScram(String algorithm, char[] password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return ScramCredential.derive(algorithm, password, salt, iterations);
    }

    private static boolean scramVerify(String algorithm, String v, char[] password) {
        ScramCredential stored = parseScram(algorithm, v);
        if (stored == null || password.length == 0) {
            return false;
        }
        ScramCredential mine = ScramCredential.derive(algorithm, password, stored.salt(), stored.iterations());
        return MessageDigest.isEqual(mine.storedKey(), stored.storedKey());
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    static byte[] utf8(char[] password) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        if (bb.hasArray()) {
            Arrays.fill(bb.array(), (byte) 0);
        }
        return out;
    }

    static boolean constantEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest digest(String alg) {
        try {
            return MessageDigest.getInstance(alg);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
