package io.pillarbox.sasl;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator.CredentialKind;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.ScramCredential;
import io.pillarbox.api.auth.SharedSecret;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** A realm with clear-text passwords, so it can serve every mechanism; the SCRAM salt per user is fixed. */
class CleartextRealm implements AuthRealm {

    final String name;
    final Map<String, String> passwords = new HashMap<>();
    final Map<String, byte[]> salts = new HashMap<>();
    final Set<CredentialKind> kinds;

    CleartextRealm(String name, Set<CredentialKind> kinds) {
        this.name = name;
        this.kinds = kinds;
    }

    CleartextRealm(String name) {
        this(name, EnumSet.allOf(CredentialKind.class));
    }

    CleartextRealm user(String user, String password, String base64Salt) {
        passwords.put(user, password);
        salts.put(user, Base64.getDecoder().decode(base64Salt));
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public AuthResult authenticate(String user, char[] secret, AuthContext context) {
        String pw = passwords.get(user);
        if (pw == null) {
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
        }
        return pw.equals(new String(secret)) ? AuthResult.ok(MailPrincipal.of(user, name))
                : AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "wrong password");
    }

    @Override
    public Optional<MailPrincipal> lookup(String user) {
        return passwords.containsKey(user) ? Optional.of(MailPrincipal.of(user, name)) : Optional.empty();
    }

    @Override
    public Optional<ScramCredential> scramCredential(String user, String algorithm) {
        String pw = passwords.get(user);
        if (pw == null || !kinds.contains(algorithm.equals("SHA-1") ? CredentialKind.SCRAM_SHA_1
                : CredentialKind.SCRAM_SHA_256)) {
            return Optional.empty();
        }
        return Optional.of(ScramCredential.derive(algorithm, pw.toCharArray(), salts.get(user), 4096));
    }

    @Override
    public Optional<SharedSecret> sharedSecret(String user) {
        String pw = passwords.get(user);
        if (pw == null || !kinds.contains(CredentialKind.SHARED_SECRET)) {
            return Optional.empty();
        }
        return Optional.of(challenge -> {
            try {
                Mac m = Mac.getInstance("HmacMD5");
                m.init(new SecretKeySpec(pw.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
                return m.doFinal(challenge);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Override
    public Set<CredentialKind> credentialKinds() {
        return kinds;
    }
}
