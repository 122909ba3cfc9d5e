package io.pillarbox.auth.file;

import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.auth.contract.AuthRealmContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The shared realm contract, over a users file with one Argon2id user and one disabled user. */
class FileRealmContractTest extends AuthRealmContract {

    @TempDir
    Path dir;

    static FileRealm.Settings settings(Path file) {
        return new FileRealm.Settings(file, "file", "", true, new Hashes.Argon2Cost(256, 1, 1), true, 4096, true);
    }

    @Override
    protected AuthRealm createRealm() throws Exception {
        Path file = dir.resolve("pillarbox.users");
        FileRealm realm = new FileRealm(settings(file));
        realm.addUser("contract-user", knownPassword().toCharArray());
        realm.addUser("blocked", disabledPassword().toCharArray());
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .map(l -> l.startsWith("blocked:") ? l + " nologin" : l).toList();
        Files.write(file, lines, StandardCharsets.UTF_8);
        return realm;
    }

    @Override
    protected String knownUser() {
        return "contract-user";
    }

    @Override
    protected String knownPassword() {
        return "Contract-Pass-4711";
    }

    @Override
    protected String disabledUser() {
        return "blocked";
    }

    @Override
    protected String disabledPassword() {
        return "Blocked-Pass-0815";
    }

    @Override
    protected String capturedLog() throws Exception {
        Path log = Path.of("target/auth-file-test.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
