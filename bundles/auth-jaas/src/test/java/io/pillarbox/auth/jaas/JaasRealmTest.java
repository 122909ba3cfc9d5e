package io.pillarbox.auth.jaas;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult.Status;
import io.pillarbox.auth.contract.AuthRealmContract;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The realm contract over a JAAS configuration with a Karaf-like login module, plus JAAS specifics. */
class JaasRealmTest extends AuthRealmContract {

    static final Configuration CONFIG = new Configuration() {
        @Override
        public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
            return name.equals("pbtest") ? new AppConfigurationEntry[] {new AppConfigurationEntry(
                    TestLoginModule.class.getName(), AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of())}
                    : null;
        }
    };
    private static final AuthContext CTX = new AuthContext("imap", new InetSocketAddress("127.0.0.1", 1), true, "PLAIN");

    @Override
    protected AuthRealm createRealm() {
        return new JaasRealm(CONFIG, "pbtest", "", true);
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
    protected boolean supportsLookup() {
        return false;
    }

    @Override
    protected String capturedLog() throws Exception {
        java.nio.file.Path log = java.nio.file.Path.of("target/auth-jaas-test.log");
        return java.nio.file.Files.exists(log) ? java.nio.file.Files.readString(log) : "";
    }

    @Test
    void aRequiredRoleKeepsOtherAccountsOut() {
        JaasRealm r = new JaasRealm(CONFIG, "pbtest", "mail", true);
        assertEquals(Status.OK, r.authenticate("mailer", "Mailer-Pass-1".toCharArray(), CTX).status());
        assertEquals(Status.DISABLED, r.authenticate("admin", "Admin-Pass-1".toCharArray(), CTX).status());
        assertEquals(Status.BAD_CREDENTIALS, r.authenticate("admin", "wrong".toCharArray(), CTX).status());
    }

    @Test
    void aMissingJaasRealmIsATemporaryFailure() {
        JaasRealm r = new JaasRealm(CONFIG, "no-such-realm", "", true);
        assertEquals(Status.TEMPORARY_FAILURE, r.authenticate("admin", "Admin-Pass-1".toCharArray(), CTX).status());
    }

    @Test
    void genericFailuresAreUnknownUsersUnlessConfiguredOtherwise() {
        assertEquals(Status.UNKNOWN_USER, new JaasRealm(CONFIG, "pbtest", "", true)
                .authenticate("generic", "nope".toCharArray(), CTX).status());
        assertEquals(Status.BAD_CREDENTIALS, new JaasRealm(CONFIG, "pbtest", "", false)
                .authenticate("generic", "nope".toCharArray(), CTX).status());
        assertEquals(Status.OK, new JaasRealm(CONFIG, "pbtest", "", true)
                .authenticate("generic", "Generic-Pass-1".toCharArray(), CTX).status());
    }

    @Test
    void otherLoginExceptionsCountAsWrongPasswords() {
        JaasRealm r = new JaasRealm(CONFIG, "pbtest", "", true);
        assertEquals(Status.BAD_CREDENTIALS, r.authenticate("odd", "nope".toCharArray(), CTX).status());
        assertEquals(Status.OK, r.authenticate("odd", "Odd-Pass-1".toCharArray(), CTX).status());
    }
}
