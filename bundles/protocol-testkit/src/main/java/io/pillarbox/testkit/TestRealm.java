package io.pillarbox.testkit;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator.CredentialKind;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.SharedSecret;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A small realm with clear-text passwords (so APOP can be checked); users can be disabled. */
public final class TestRealm implements AuthRealm {

    public final Map<String, String> passwords = new ConcurrentHashMap<>();
    public final Set<String> disabled = ConcurrentHashMap.newKeySet();
    public volatile boolean sharedSecrets = true;
    public volatile boolean scram;
    public static final byte[] SALT = "pop3-test-salt".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    public TestRealm user(String user, String password) {
        passwords.put(user, password);
        return this;
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
        if (disabled.contains(user)) {
            return AuthResult.failure(AuthResult.Status.DISABLED, "disabled");
        }
        return pw.equals(new String(secret)) ? AuthResult.ok(MailPrincipal.of(user, name()))
                : AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "wrong password");
    }

    @Override
    public Optional<MailPrincipal> lookup(String user) {
        return passwords.containsKey(user) ? Optional.of(MailPrincipal.of(user, name())) : Optional.empty();
    }

    @Override
    public Set<CredentialKind> credentialKinds() {
        EnumSet<CredentialKind> k = EnumSet.of(CredentialKind.PASSWORD);
        if (sharedSecrets) {
            k.add(CredentialKind.SHARED_SECRET);
        }
        if (scram) {
            k.add(CredentialKind.SCRAM_SHA_256);
        }
        return k;
    }

    @Override
    public Optional<io.pillarbox.api.auth.ScramCredential> scramCredential(String user, String algorithm) {
        String pw = passwords.get(user);
        if (pw == null || !scram || !algorithm.equals("SHA-256")) {
            return Optional.empty();
        }
        return Optional.of(io.pillarbox.api.auth.ScramCredential.derive(algorithm, pw.toCharArray(), SALT, 4096));
    }

    @Override
    public Optional<SharedSecret> sharedSecret(String user) {
        String pw = passwords.get(user);
        if (pw == null || !sharedSecrets) {
            return Optional.empty();
        }
        return Optional.of(new SharedSecret() {
            @Override
            public byte[] hmacMd5(byte[] challenge) {
                try {
                    javax.crypto.Mac m = javax.crypto.Mac.getInstance("HmacMD5");
                    m.init(new javax.crypto.spec.SecretKeySpec(pw.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            "HmacMD5"));
                    return m.doFinal(challenge);
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public Optional<char[]> cleartext() {
                return Optional.of(pw.toCharArray());
            }
        });
    }
}
