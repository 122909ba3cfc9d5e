package io.pillarbox.auth.file;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.AuthResult.Status;
import io.pillarbox.api.auth.Authenticator.CredentialKind;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.ScramCredential;
import io.pillarbox.api.auth.SharedSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileRealmTest {

    private static final AuthContext CTX = new AuthContext("pop3", new InetSocketAddress("192.0.2.5", 1), true, "USER");

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("pillarbox.users");
    }

    private FileRealm realm(String... lines) throws Exception {
        Files.write(file(), List.of(lines), StandardCharsets.UTF_8);
        return new FileRealm(FileRealmContractTest.settings(file()));
    }

    private static Status check(FileRealm r, String user, String pw) {
        return r.authenticate(user, pw.toCharArray(), CTX).status();
    }

    @Test
    void readsADovecotFileWithEverySchemeAndKeepsItsFields() throws Exception {
        FileRealm r = realm(
                "# imported from Dovecot",
                "",
                "argon@example.org:{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc:1000:1000::/home/argon::userdb_mail=maildir:~/Mail:LAYOUT=fs userdb_quota_rule=*:storage=1G",
                "blf:{BLF-CRYPT}$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW:1001:1001:Blow Fish:/home/blf",
                "sha512:{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
                "sha256:{SHA256-CRYPT}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5::",
                "ssha:{SSHA512}KO8EsMPQTwZrxxbOkDAOOXEeVCc2grMQg1pnZwZhC1bBQLby8zCmFn7qTZRvoTd+yQdROQQNYHWpTUST4zjTdQECAwQFBgcI",
                "cram:{CRAM-MD5}9186d855e11eba527a7a52ca82b313e180d62234f0acc9051b527243d41e2740",
                "plain:{PLAIN}clear text",
                "md5:{MD5-CRYPT}$1$abc$def");
        assertEquals(Status.OK, check(r, "argon@example.org", "password"));
        assertEquals(Status.OK, check(r, "blf", "U*U"));
        assertEquals(Status.OK, check(r, "sha512", "Hello world!"));
        assertEquals(Status.OK, check(r, "sha256", "Hello world!"));
        assertEquals(Status.OK, check(r, "ssha", "secret"));
        assertEquals(Status.OK, check(r, "cram", "password"));
        assertEquals(Status.OK, check(r, "plain", "clear text"));
        assertEquals(Status.BAD_CREDENTIALS, check(r, "md5", "abc"));
        assertEquals(Status.BAD_CREDENTIALS, check(r, "sha512", "hello world!"));
        assertEquals(Status.OK, check(r, "SHA512", "Hello world!"), "names match regardless of case");

        MailPrincipal p = r.authenticate("argon@example.org", "password".toCharArray(), CTX).principal();
        assertEquals("argon", p.localPart());
        assertEquals("example.org", p.domain());
        assertEquals("file", p.realm());
        assertEquals("/home/argon/Mail", p.mailLocation(), "userdb_mail with ~ wins over home");
        assertEquals("1000", p.attributes().get("uid"));
        assertEquals("*:storage=1G", p.attributes().get("quota_rule"));
        MailPrincipal blf = r.lookup("blf").orElseThrow();
        assertEquals("/home/blf", blf.mailLocation(), "home becomes the mail location");
        assertEquals("Blow Fish", blf.attributes().get("gecos"));
        assertEquals(List.of("argon@example.org", "blf", "cram", "md5", "plain", "sha256", "sha512", "ssha"),
                r.users());
    }

    @Test
    void rereadsTheFileWhenItChanges() throws Exception {
        FileRealm r = realm("ann:{PLAIN}one");
        assertEquals(Status.OK, check(r, "ann", "one"));
        Files.write(file(), List.of("ann:{PLAIN}two", "ben:{PLAIN}three"), StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file(), FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(Status.OK, check(r, "ann", "two"));
        assertEquals(Status.OK, check(r, "ben", "three"));
        Files.delete(file());
        assertEquals(Status.UNKNOWN_USER, check(r, "ann", "two"), "a missing file means no users");
    }

    @Test
    void writesAreAtomicAndKeepCommentsAndUnknownLines() throws Exception {
        FileRealm r = realm("# keep me", "old:{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1:5000:5000:Old:/home/old::userdb_x=1",
                "", "   # indented comment", "zed:{PLAIN}z");
        Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r-----"));
        r.addUser("new@example.org", "Fresh-Pass-1".toCharArray());
        r.setPassword("old", "Changed-Pass-2".toCharArray());
        assertTrue(r.removeUser("zed"));
        assertFalse(r.removeUser("zed"));

        List<String> lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
        assertEquals("# keep me", lines.get(0));
        assertTrue(lines.get(1).startsWith("old:{ARGON2ID}$argon2id$v=19$m=256,t=1,p=1$"), lines.get(1));
        assertTrue(lines.get(1).contains(":5000:5000:Old:/home/old::userdb_x=1 pillarbox_scram_sha256=4096,"),
                "other fields kept: " + lines.get(1));
        assertEquals("", lines.get(2));
        assertEquals("   # indented comment", lines.get(3));
        assertTrue(lines.get(4).startsWith("new@example.org:{ARGON2ID}$argon2id$"));
        assertTrue(lines.get(4).contains("::::::pillarbox_scram_sha256="), lines.get(4));
        assertEquals(5, lines.size());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file())),
                "permissions kept");
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file()), files.toList(), "no temporary file left");
        }
        assertEquals(Status.OK, check(r, "old", "Changed-Pass-2"));
        assertEquals(Status.BAD_CREDENTIALS, check(r, "old", "Hello world!"));
        assertEquals(Status.OK, check(r, "new@example.org", "Fresh-Pass-1"));
        assertEquals(Status.UNKNOWN_USER, check(r, "zed", "z"));

        assertThrows(IllegalArgumentException.class, () -> r.addUser("old", "x".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> r.addUser("a:b", "x".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> r.addUser("a b", "x".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> r.addUser("ok", new char[0]));
        assertThrows(IllegalArgumentException.class, () -> r.setPassword("nobody", "x".toCharArray()));
        assertThrows(IllegalArgumentException.class, () -> r.setPassword("old", "a\nb".toCharArray()));
    }

    @Test
    void newFilesAreCreatedPrivate() throws Exception {
        Path f = dir.resolve("sub/users");
        FileRealm r = new FileRealm(FileRealmContractTest.settings(f));
        assertTrue(Files.exists(f));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(List.of(), r.users());
        assertEquals(Set.of(CredentialKind.PASSWORD), r.credentialKinds());
    }

    @Test
    void scramAndCramCredentialsWhereTheFileAllows() throws Exception {
        FileRealm r = realm("plain:{PLAIN}pencil", "cram:{CRAM-MD5}9186d855e11eba527a7a52ca82b313e180d62234f0acc9051b527243d41e2740");
        assertEquals(Set.of(CredentialKind.PASSWORD, CredentialKind.SHARED_SECRET), r.credentialKinds(),
                "SCRAM is not declared while one user (cram) cannot serve it");
        ScramCredential c1 = r.scramCredential("plain", "SHA-256").orElseThrow();
        ScramCredential c2 = r.scramCredential("plain", "SHA-256").orElseThrow();
        assertArrayEquals(c1.salt(), c2.salt(), "stable salt for derived credentials");
        assertArrayEquals(ScramCredential.derive("SHA-256", "pencil".toCharArray(), c1.salt(), c1.iterations())
                .storedKey(), c1.storedKey());
        assertTrue(r.scramCredential("cram", "SHA-256").isEmpty());

        byte[] challenge = "<1896.697170952@postoffice.reston.mci.net>".getBytes(StandardCharsets.US_ASCII);
        SharedSecret s = r.sharedSecret("plain").orElseThrow();
        assertEquals("pencil", new String(s.cleartext().orElseThrow()));
        SharedSecret cram = r.sharedSecret("cram").orElseThrow();
        assertTrue(cram.cleartext().isEmpty());
        assertEquals(HexFormat.of().formatHex(CramMd5.hmac(CramMd5.context("password".getBytes()), challenge)),
                HexFormat.of().formatHex(cram.hmacMd5(challenge)));
        assertFalse(cram.toString().contains("9186"));

        // Once every user has a SCRAM credential (new passwords store one), SCRAM-SHA-256 is declared.
        r.setPassword("cram", "Now-Argon-3".toCharArray());
        assertEquals(Set.of(CredentialKind.PASSWORD, CredentialKind.SCRAM_SHA_256), r.credentialKinds());
        ScramCredential stored = r.scramCredential("cram", "SHA-256").orElseThrow();
        assertArrayEquals(ScramCredential.derive("SHA-256", "Now-Argon-3".toCharArray(), stored.salt(), 4096)
                .storedKey(), stored.storedKey());
        assertTrue(r.scramCredential("cram", "SHA-1").isEmpty());
    }

    @Test
    void defaultDomainMatchesBareAndQualifiedNames() throws Exception {
        Files.write(file(), List.of("bare:{PLAIN}b", "full@example.org:{PLAIN}f"), StandardCharsets.UTF_8);
        FileRealm r = new FileRealm(new FileRealm.Settings(file(), "file", "example.org", true,
                new Hashes.Argon2Cost(256, 1, 1), true, 4096, true));
        AuthResult bare = r.authenticate("bare@example.org", "b".toCharArray(), CTX);
        assertEquals(Status.OK, bare.status());
        assertEquals("example.org", bare.principal().domain());
        assertEquals(Status.OK, check(r, "full", "f"));
        assertEquals(Status.UNKNOWN_USER, check(r, "bare@other.org", "b"));
    }

    @Test
    void disabledAccountsByExtraField() throws Exception {
        FileRealm r = realm("a:{PLAIN}x::::::nologin", "b:{PLAIN}x::::::deny=yes", "c:{PLAIN}x::::::disabled=yes",
                "d:{PLAIN}x::::::deny=no", "e::::::");
        assertEquals(Status.DISABLED, check(r, "a", "x"));
        assertEquals(Status.DISABLED, check(r, "b", "x"));
        assertEquals(Status.DISABLED, check(r, "c", "x"));
        assertEquals(Status.OK, check(r, "d", "x"));
        assertEquals(Status.BAD_CREDENTIALS, check(r, "a", "y"), "a wrong password says nothing about the account");
        assertEquals(Status.BAD_CREDENTIALS, check(r, "e", "anything"), "an empty password field never logs in");
        assertTrue(r.lookup("a").isEmpty());
    }

    @Test
    void unknownUsersTakeAboutAsLongAsKnownOnes() throws Exception {
        Path f = file();
        FileRealm r = new FileRealm(new FileRealm.Settings(f, "file", "", true, new Hashes.Argon2Cost(8192, 2, 1),
                false, 4096, true));
        r.addUser("timed", "Timing-Pass-1".toCharArray());
        List<Long> known = new ArrayList<>();
        List<Long> unknown = new ArrayList<>();
        check(r, "nobody", "warm-up"); // the dummy hash is made on first use
        for (int i = 0; i < 7; i++) {
            long t0 = System.nanoTime();
            check(r, "timed", "Wrong-Pass-" + i);
            known.add(System.nanoTime() - t0);
            long t1 = System.nanoTime();
            check(r, "nobody-" + i, "Wrong-Pass-" + i);
            unknown.add(System.nanoTime() - t1);
        }
        Collections.sort(known);
        Collections.sort(unknown);
        long k = known.get(3);
        long u = unknown.get(3);
        // Without the dummy hash an unknown user costs microseconds against milliseconds: far outside these bounds,
        // which leave room for a busy machine.
        assertTrue(u > k / 5 && u < k * 5, "median known " + k / 1000 + " us, unknown " + u / 1000 + " us");
    }

    @Test
    void legacyHashesAreUpgradedOnLoginWhenConfigured() throws Exception {
        Files.write(file(), List.of("# imported", "old:{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1:1:2::/home/old",
                "plain:{PLAIN}pw"), StandardCharsets.UTF_8);
        FileRealm off = new FileRealm(FileRealmContractTest.settings(file()));
        assertEquals(Status.OK, check(off, "old", "Hello world!"));
        assertTrue(Files.readAllLines(file()).get(1).startsWith("old:{SHA512-CRYPT}"), "off by default");

        FileRealm on = new FileRealm(new FileRealm.Settings(file(), "file", "", true, new Hashes.Argon2Cost(256, 1, 1),
                true, 4096, true, true));
        assertEquals(Status.BAD_CREDENTIALS, check(on, "old", "wrong"));
        assertTrue(Files.readAllLines(file()).get(1).startsWith("old:{SHA512-CRYPT}"), "not on failures");
        assertEquals(Status.OK, check(on, "old", "Hello world!"));
        List<String> lines = Files.readAllLines(file());
        assertEquals("# imported", lines.get(0));
        assertTrue(lines.get(1).startsWith("old:{ARGON2ID}$argon2id$"), lines.get(1));
        assertTrue(lines.get(1).contains(":1:2::/home/old::pillarbox_scram_sha256=4096,"), lines.get(1));
        assertEquals(Status.OK, check(on, "old", "Hello world!"));
        assertTrue(on.scramCredential("old", "SHA-256").isPresent());
        String again = Files.readAllLines(file()).get(1);
        assertEquals(Status.OK, check(on, "old", "Hello world!"));
        assertEquals(again, Files.readAllLines(file()).get(1), "an up-to-date entry is left alone");
    }

    @Test
    void karafEtcIsResolved() {
        System.setProperty("pillarbox.test.etc", "/opt/k/etc");
        assertEquals("/opt/k/etc/pillarbox.users", FileRealm.resolve("${pillarbox.test.etc}/pillarbox.users"));
        assertEquals("/x/${no.such.prop}/u", FileRealm.resolve("/x/${no.such.prop}/u"));
    }

    @Test
    void parsingKeepsLinesVerbatim() {
        List<String> text = List.of("# c", "u:{PLAIN}p:1:2:g:/h:/bin/sh:a=1 flag b=2", "broken line without colon",
                ":nouser", "v:{PLAIN}q");
        PasswdFile f = PasswdFile.parse(text);
        assertEquals(text, f.text());
        assertEquals(List.of("u", "v"), f.entries().stream().map(PasswdFile.Entry::user)
                .toList());
        PasswdFile.Entry u = f.get("u", false);
        assertEquals("u:{PLAIN}p:1:2:g:/h:/bin/sh:a=1 flag b=2", u.format());
        assertEquals("v:{PLAIN}q", f.get("v", false).format());
        assertFalse(u.toString().contains("{PLAIN}"));
    }
}
