package io.pillarbox.smtp;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.MailPrincipal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A realm of users and passwords held in memory. */
final class TestRealm implements AuthRealm {

    final Map<String, String> passwords = new ConcurrentHashMap<>();

    TestRealm(String... userPasswordPairs) {
        for (int i = 0; i + 1 < userPasswordPairs.length; i += 2) {
            passwords.put(userPasswordPairs[i], userPasswordPairs[i + 1]);
        }
    }

    @Override
    public String name() {
        return "test";
    }

    @Override
    public AuthResult authenticate(String user, char[] secret, AuthContext context) {
        String pw = passwords.get(user);
        if (pw == null) {
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
        }
        return pw.equals(new String(secret)) ? AuthResult.ok(MailPrincipal.of(user, "test"))
                : AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "wrong password");
    }

    @Override
    public Optional<MailPrincipal> lookup(String user) {
        return passwords.containsKey(user) ? Optional.of(MailPrincipal.of(user, "test")) : Optional.empty();
    }
}
