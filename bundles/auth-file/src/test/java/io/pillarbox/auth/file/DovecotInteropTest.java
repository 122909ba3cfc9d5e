package io.pillarbox.auth.file;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult.Status;
import io.pillarbox.api.auth.ScramCredential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interoperation with the real Dovecot ({@code doveadm pw}, installed by CI as for store-maildir's test): hashes
 * Dovecot makes log in here, and the hashes and SCRAM credentials Pillarbox writes verify in Dovecot.
 */
class DovecotInteropTest {

    private static final String PASSWORD = "P\u00e4ss word 1";
    private static final AuthContext CTX = new AuthContext("imap", new InetSocketAddress("127.0.0.1", 1), true, "PLAIN");

    @TempDir
    Path dir;

    record Result(int exit, String output) {
    }

    static Result doveadm(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("doveadm"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "doveadm finished");
        return new Result(p.exitValue(), out);
    }

    @Test
    void everyDovecotSchemeLogsIn() throws Exception {
        List<String> lines = new ArrayList<>();
        List<String> schemes = List.of("ARGON2ID", "ARGON2I", "BLF-CRYPT", "SHA512-CRYPT", "SHA256-CRYPT", "SSHA512",
                "SSHA256", "SSHA", "SHA512", "SHA256", "SHA1", "CRAM-MD5", "PLAIN", "CLEARTEXT", "SCRAM-SHA-256",
                "SCRAM-SHA-1", "SSHA512.HEX", "PLAIN.B64");
        for (String scheme : schemes) {
            Result r = doveadm("pw", "-s", scheme, "-p", PASSWORD);
            assertEquals(0, r.exit(), scheme + ": " + r.output());
            lines.add("u-" + scheme.toLowerCase() + ":" + r.output() + ":1000:1000::/home/x");
        }
        Files.write(dir.resolve("users"), lines, StandardCharsets.UTF_8);
        FileRealm realm = new FileRealm(FileRealmContractTest.settings(dir.resolve("users")));
        for (String scheme : schemes) {
            String user = "u-" + scheme.toLowerCase();
            assertEquals(Status.OK, realm.authenticate(user, PASSWORD.toCharArray(), CTX).status(), scheme);
            assertEquals(Status.BAD_CREDENTIALS, realm.authenticate(user, "P\u00e4ss word 2".toCharArray(), CTX)
                    .status(), scheme);
        }
        // Dovecot's CRAM-MD5 hash is unsalted: ours must be the very same string.
        Result cram = doveadm("pw", "-s", "CRAM-MD5", "-p", PASSWORD);
        assertEquals(cram.output(), "{CRAM-MD5}" + Hashes.cramMd5(PASSWORD.toCharArray()));
    }

    @Test
    void dovecotVerifiesWhatPillarboxWrites() throws Exception {
        Path users = dir.resolve("users");
        FileRealm realm = new FileRealm(new FileRealm.Settings(users, "file", "", true,
                new Hashes.Argon2Cost(4096, 2, 1), true, 4096, true));
        realm.addUser("alice@example.org", PASSWORD.toCharArray());
        String line = Files.readAllLines(users, StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("alice@example.org:")).findFirst().orElseThrow();
        String hash = line.split(":")[1];
        Result ok = doveadm("pw", "-t", hash, "-p", PASSWORD);
        assertEquals(0, ok.exit(), ok.output());
        assertTrue(ok.output().endsWith("(verified)"), ok.output());
        assertTrue(doveadm("pw", "-t", hash, "-p", "wrong").exit() != 0);

        String scram = line.substring(line.indexOf("pillarbox_scram_sha256=") + "pillarbox_scram_sha256=".length());
        Result scramOk = doveadm("pw", "-t", "{SCRAM-SHA-256}" + scram, "-p", PASSWORD);
        assertEquals(0, scramOk.exit(), scramOk.output());
        ScramCredential c = realm.scramCredential("alice@example.org", "SHA-256").orElseThrow();
        assertEquals(4096, c.iterations());
    }
}
