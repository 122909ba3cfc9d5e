package io.pillarbox.delivery;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Locale;

/**
 * The Sender Rewriting Scheme (the "guarded" scheme of libsrs2 and postsrsd): when a message from
 * {@code alice@example.com} is forwarded to another domain, its envelope sender becomes
 * {@code SRS0=HHHHH=TT=example.com=alice@our.domain}, so that the next server's SPF check is about our domain, and
 * a bounce to that address finds its way back to {@code alice@example.com}. A sender that already is an SRS0
 * address of another forwarder becomes {@code SRS1=HHHHH=their.domain==<their SRS0 tail>@our.domain}, which leads
 * back to the first forwarder.
 * <p>
 * {@code HHHHH} is a keyed hash (HMAC-SHA256 with a secret of ours, five base32 characters, case-insensitive like
 * the rest of the address) so that nobody can make us forward to an address of their choice; {@code TT} is the
 * day (mod 1024) the address was made, and it is accepted for {@code maxAgeDays}. Only this server reverses its own
 * addresses, so the exact hash need not match other implementations.
 */
final class Srs {

    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final int HASH_CHARS = 5;

    private final byte[] secret;
    private final String domain;
    private final int maxAgeDays;
    private final Clock clock;

    /**
     * @param secret     the key of the hashes (keep it: addresses made with another no longer reverse)
     * @param domain     our domain in the rewritten addresses (one whose mail comes here)
     * @param maxAgeDays how long a rewritten address is accepted back
     */
    Srs(byte[] secret, String domain, int maxAgeDays, Clock clock) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("SRS secret shorter than 16 bytes");
        }
        this.secret = secret.clone();
        this.domain = domain.toLowerCase(Locale.ROOT);
        this.maxAgeDays = Math.max(1, Math.min(maxAgeDays, 1000));
        this.clock = clock;
    }

    String domain() {
        return domain;
    }

    /**
     * The secret kept in {@code file} (base64, one line), made of 32 random bytes and written (owner-only, then
     * renamed into place) the first time.
     */
    static byte[] secretFile(java.nio.file.Path file) throws java.io.IOException {
        if (java.nio.file.Files.exists(file)) {
            return java.util.Base64.getDecoder().decode(java.nio.file.Files.readString(file,
                    StandardCharsets.US_ASCII).strip());
        }
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
        java.nio.file.Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        java.nio.file.Files.deleteIfExists(tmp);
        java.nio.file.Files.createFile(tmp);
        try {
            java.nio.file.Files.setPosixFilePermissions(tmp,
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its default permissions
        }
        java.nio.file.Files.writeString(tmp, java.util.Base64.getEncoder().encodeToString(key) + "\n",
                StandardCharsets.US_ASCII);
        try {
            java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            java.nio.file.Files.deleteIfExists(tmp);
            return secretFile(file); // another instance was first
        }
        return key;
    }

    /** Whether a local part looks like an SRS address (SRS0= or SRS1=, any case). */
    static boolean isSrs(String localPart) {
        return localPart.length() > 5 && localPart.regionMatches(true, 0, "SRS", 0, 3)
                && (localPart.charAt(3) == '0' || localPart.charAt(3) == '1') && localPart.charAt(4) == '=';
    }

    /** The envelope sender for a forwarded copy of mail from {@code sender} ({@code local@host}). */
    String forward(String sender) {
        int at = sender.lastIndexOf('@');
        if (at <= 0 || at == sender.length() - 1) {
            return sender;
        }
        String local = sender.substring(0, at);
        String host = sender.substring(at + 1);
        if (isSrs(local) && local.charAt(3) == '1') {
            // SRS1=HHHHH=first.forwarder==tail: keep the first forwarder and its tail, hash again
            String[] p = srs1(local);
            if (p != null) {
                return "SRS1=" + hash(p[0] + "=" + p[1]) + "=" + p[0] + "==" + p[1] + "@" + domain;
            }
        } else if (isSrs(local)) {
            // another forwarder's SRS0: lead back to that forwarder
            String tail = local.substring(5);
            return "SRS1=" + hash(host + "=" + tail) + "=" + host + "==" + tail + "@" + domain;
        }
        String tt = timestamp(today());
        return "SRS0=" + hash(tt + "=" + host + "=" + local) + "=" + tt + "=" + host + "=" + local + "@" + domain;
    }

    /**
     * The address an SRS local part of ours leads back to (an SRS0 address of another forwarder for SRS1), or null
     * when it is not one of ours, was tampered with or is older than {@code maxAgeDays}.
     */
    String reverse(String localPart) {
        if (!isSrs(localPart)) {
            return null;
        }
        if (localPart.charAt(3) == '1') {
            String[] p = srs1(localPart);
            if (p == null || !hash(p[0] + "=" + p[1]).equalsIgnoreCase(srs1Hash(localPart))) {
                return null;
            }
            return "SRS0=" + p[1] + "@" + p[0];
        }
        // SRS0=HHHHH=TT=host=local (the local part may itself hold '=')
        String[] p = localPart.substring(5).split("=", 4);
        if (p.length != 4 || p[1].length() != 2 || p[2].isEmpty() || p[3].isEmpty()) {
            return null;
        }
        if (!hash(p[1] + "=" + p[2] + "=" + p[3]).equalsIgnoreCase(p[0])) {
            return null;
        }
        int made = untimestamp(p[1]);
        if (made < 0) {
            return null;
        }
        int age = Math.floorMod(day(today()) - made, 1024);
        if (age > maxAgeDays) {
            return null;
        }
        return p[3] + "@" + p[2];
    }

    /** SRS1=HHHHH=host==tail: {host, tail}, or null. */
    private static String[] srs1(String local) {
        String rest = local.substring(5);
        int h = rest.indexOf('=');
        if (h <= 0) {
            return null;
        }
        int sep = rest.indexOf('=', h + 1);
        if (sep <= h + 1 || sep + 1 >= rest.length() || rest.charAt(sep + 1) != '=' || sep + 2 >= rest.length()) {
            return null;
        }
        return new String[] {rest.substring(h + 1, sep), rest.substring(sep + 2)};
    }

    private static String srs1Hash(String local) {
        String rest = local.substring(5);
        return rest.substring(0, rest.indexOf('='));
    }

    private LocalDate today() {
        return LocalDate.now(clock);
    }

    private static int day(LocalDate d) {
        return (int) Math.floorMod(d.toEpochDay(), 1024L);
    }

    static String timestamp(LocalDate d) {
        int t = day(d);
        return "" + BASE32.charAt(t >> 5 & 31) + BASE32.charAt(t & 31);
    }

    private static int untimestamp(String tt) {
        int hi = BASE32.indexOf(Character.toUpperCase(tt.charAt(0)));
        int lo = BASE32.indexOf(Character.toUpperCase(tt.charAt(1)));
        return hi < 0 || lo < 0 ? -1 : hi << 5 | lo;
    }

    /** Five base32 characters of HMAC-SHA256(secret, the lower-cased data). */
    String hash(String data) {
        byte[] mac;
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac = m.doFinal(data.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
        long bits = 0;
        for (int i = 0; i < 4; i++) {
            bits = bits << 8 | (mac[i] & 0xff);
        }
        StringBuilder b = new StringBuilder(HASH_CHARS);
        for (int i = 0; i < HASH_CHARS; i++) {
            b.append(BASE32.charAt((int) (bits >>> (27 - 5 * i) & 31)));
        }
        return b.toString();
    }
}
