package io.pillarbox.auth.ldap;

import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.auth.contract.AuthRealmContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The shared realm contract against UnboundID's in-memory directory server, over StartTLS. */
class LdapRealmContractTest extends AuthRealmContract {

    static Directory directory;
    private LdapRealm ldap;

    @BeforeAll
    static void startDirectory() throws Exception {
        directory = new Directory();
    }

    @AfterAll
    static void stopDirectory() {
        directory.close();
    }

    @AfterEach
    void closeRealm() {
        ldap.deactivate();
    }

    @Override
    protected AuthRealm createRealm() {
        ldap = new LdapRealm(Directory.settings(List.of(directory.url()), true,
                "(&(objectClass=inetOrgPerson)(|(uid=%u)(mail=%u)))"));
        return ldap;
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
        Path log = Path.of("target/auth-ldap-test.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
