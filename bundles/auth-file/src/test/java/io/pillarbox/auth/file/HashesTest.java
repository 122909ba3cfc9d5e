package io.pillarbox.auth.file;

import io.pillarbox.api.auth.ScramCredential;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashesTest {

    private static boolean check(String field, String password) {
        return Hashes.verify(Hashes.parse(field), password.toCharArray());
    }

    private static String sha(String password, String setting) {
        return ShaCrypt.crypt(password.getBytes(StandardCharsets.UTF_8), setting);
    }

    @Test
    void shaCryptMatchesTheSpecificationAndGlibc() {
        // Vectors from Drepper's specification, checked against glibc's crypt(3).
        assertEquals("$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
                sha("Hello world!", "$6$saltstring"));
        assertEquals("$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
                sha("Hello world!", "$6$rounds=10000$saltstringsaltstring"));
        assertEquals("$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0",
                sha("This is just a test", "$6$rounds=5000$toolongsaltstring"));
        assertEquals("$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1",
                sha("a very much longer text to encrypt.  This one even stretches over morethan one line.",
                        "$6$rounds=1400$anotherlongsaltstring"));
        assertEquals("$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5", sha("Hello world!", "$5$saltstring"));
        assertEquals("$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA",
                sha("Hello world!", "$5$rounds=10000$saltstringsaltstring"));
        assertEquals("$6$abc$EkZr6oTFQY9X.LUBonEgrIepyYxVHEwocuXsIfy9djzrO5YuJz8Msw2.NP8z1btb.dWcsbXmbQwMa3qCPThLN/",
                sha("p\u00e4ssw\u00f6rd-\u00fcnic\u00f6de", "$6$abc"));
        assertEquals("$5$x$2Bj4hxpwCYDap2E9mUKBUy1vwLSpfX./wV5XElIIsm.", sha("a".repeat(100), "$5$x"));
        assertEquals(null, sha("x", "$1$abc"));
    }

    @Test
    void cryptSchemesVerify() {
        String h6 = "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";
        assertTrue(check("{SHA512-CRYPT}" + h6, "Hello world!"));
        assertFalse(check("{SHA512-CRYPT}" + h6, "Hello world"));
        assertTrue(check("{CRYPT}" + h6, "Hello world!"));
        assertTrue(check(h6, "Hello world!"), "a bare crypt value is recognised");
        assertTrue(check("{SHA256-CRYPT}$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA",
                "Hello world!"));
        assertFalse(check("{SHA256-CRYPT}$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcB",
                "Hello world!"));
    }

    @Test
    void argon2idReferenceVectorAndNewHashes() {
        // phc-winner-argon2 reference: password "password", salt "somesalt", t=2, m=65536, p=1
        String ref = "{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assertTrue(check(ref, "password"));
        assertFalse(check(ref, "passwore"));
        String mine = Hashes.argon2idHash("n3w-Pässword".toCharArray(), new Hashes.Argon2Cost(256, 2, 1));
        assertTrue(mine.matches("\\$argon2id\\$v=19\\$m=256,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), mine);
        assertTrue(check("{ARGON2ID}" + mine, "n3w-Pässword"));
        assertFalse(check("{ARGON2ID}" + mine, "n3w-Password"));
        assertFalse(check("{ARGON2ID}$argon2id$v=19$m=999999999,t=2,p=1$c29tZXNhbHQ$CTFh", "password"),
                "absurd costs are refused, not computed");
        assertFalse(check("{ARGON2ID}garbage", "password"));
    }

    @Test
    void bcryptVerifies() {
        // Openwall crypt_blowfish test vector
        assertTrue(check("{BLF-CRYPT}$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"));
        assertTrue(check("{BLF-CRYPT}$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"));
        assertTrue(check("{BLF-CRYPT}$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"));
        assertFalse(check("{BLF-CRYPT}$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*V"));
        assertFalse(check("{BLF-CRYPT}$2y$05$short", "U*U"));
    }

    @Test
    void saltedAndPlainDigests() {
        // base64(sha512("secret" + 01..08) + 01..08), computed with Python's hashlib
        String ssha = "{SSHA512}KO8EsMPQTwZrxxbOkDAOOXEeVCc2grMQg1pnZwZhC1bBQLby8zCmFn7qTZRvoTd+yQdROQQNYHWpTUST4zjTdQECAwQFBgcI";
        assertTrue(check(ssha, "secret"));
        assertFalse(check(ssha, "Secret"));
        assertEquals(ssha.substring(9), Hashes.ssha512("secret".toCharArray(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        assertTrue(check("{PLAIN}s3cret:x", "s3cret:x"));
        assertFalse(check("{PLAIN}s3cret", "s3cre"));
        assertTrue(check("{plain}abc", "abc"), "scheme names are case-insensitive");
        assertFalse(check("{MD5-CRYPT}$1$abc$def", "abc"), "unsupported schemes never match");
    }

    @Test
    void dovecotEncodingSuffixes() {
        String b64 = "KO8EsMPQTwZrxxbOkDAOOXEeVCc2grMQg1pnZwZhC1bBQLby8zCmFn7qTZRvoTd+yQdROQQNYHWpTUST4zjTdQECAwQFBgcI";
        String hex = HexFormat.of().formatHex(java.util.Base64.getDecoder().decode(b64));
        assertTrue(check("{SSHA512.HEX}" + hex, "secret"));
        assertTrue(check("{ssha512.hex}" + hex.toUpperCase(), "secret"));
        assertFalse(check("{SSHA512.HEX}" + hex, "Secret"));
        assertTrue(check("{SSHA512.B64}" + b64, "secret"));
        assertTrue(check("{PLAIN.B64}" + java.util.Base64.getEncoder().encodeToString("p\u00e4ss".getBytes(StandardCharsets.UTF_8)),
                "p\u00e4ss"));
        assertTrue(check("{PLAIN.HEX}70617373", "pass"));
        byte[] ctx = HexFormat.of().parseHex("9186d855e11eba527a7a52ca82b313e180d62234f0acc9051b527243d41e2740");
        assertTrue(check("{CRAM-MD5.B64}" + java.util.Base64.getEncoder().encodeToString(ctx), "password"));
        assertFalse(check("{SSHA512.HEX}zz", "secret"), "malformed encodings are refused");
        assertFalse(check("{SSHA512.ROT13}" + b64, "secret"));
    }

    @Test
    void cramMd5IsDovecotsContextFormat() throws Exception {
        // `doveadm pw -s CRAM-MD5` of "password"
        assertEquals("9186d855e11eba527a7a52ca82b313e180d62234f0acc9051b527243d41e2740",
                Hashes.cramMd5("password".toCharArray()));
        assertTrue(check("{CRAM-MD5}9186d855e11eba527a7a52ca82b313e180d62234f0acc9051b527243d41e2740", "password"));
        assertFalse(check("{CRAM-MD5}9186d855e11eba527a7a52ca82b313e180d62234f0acc9051b527243d41e2740", "passwort"));
        // HMAC-MD5 from the context equals the real HMAC-MD5 for short and long keys and any data length.
        for (String key : new String[] {"k", "tanstaaftanstaaf", "x".repeat(64), "y".repeat(65), "z".repeat(200)}) {
            byte[] ctx = CramMd5.context(key.getBytes(StandardCharsets.UTF_8));
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
            for (int len = 0; len < 140; len += 7) {
                byte[] data = "0123456789abcdef".repeat(10).substring(0, len).getBytes(StandardCharsets.US_ASCII);
                assertArrayEquals(mac.doFinal(data), CramMd5.hmac(ctx, data), key + " / " + len);
            }
        }
        // RFC 2195's example through the context
        byte[] ctx = CramMd5.context("tanstaaftanstaaf".getBytes(StandardCharsets.US_ASCII));
        assertEquals("b913a602c7eda7a495b4e6e7334d3890", HexFormat.of().formatHex(CramMd5.hmac(ctx,
                "<1896.697170952@postoffice.reston.mci.net>".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void scramSchemesRoundTrip() {
        ScramCredential c = Hashes.newScram("SHA-256", "pencil".toCharArray(), 4096);
        String stored = Hashes.formatScram(c);
        assertTrue(stored.startsWith("4096,"));
        assertTrue(check("{SCRAM-SHA-256}" + stored, "pencil"));
        assertFalse(check("{SCRAM-SHA-256}" + stored, "pencil!"));
        ScramCredential back = Hashes.parseScram("SHA-256", stored);
        assertArrayEquals(c.storedKey(), back.storedKey());
        assertArrayEquals(c.serverKey(), back.serverKey());
        assertEquals(null, Hashes.parseScram("SHA-256", "4096,only-two"));
    }

    @Test
    void storedValuesNeverShowInToString() {
        Hashes.Stored s = Hashes.parse("{PLAIN}Top-Secret-99");
        assertFalse(s.toString().contains("Top-Secret"));
    }
}
