package io.pillarbox.sasl;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.Authenticator.RealmCheck;
import io.pillarbox.api.auth.SaslExchange;
import io.pillarbox.api.auth.SharedSecret;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** SASL CRAM-MD5 (RFC 2195): the server sends a unique challenge, the client answers {@code user SP hex-hmac}. */
final class CramMd5Exchange implements SaslExchange {

    private final Authenticator authenticator;
    private final AuthContext context;
    private final byte[] challenge;
    private int step;

    CramMd5Exchange(Authenticator authenticator, AuthContext context, String challenge) {
        this.authenticator = authenticator;
        this.context = context;
        this.challenge = challenge.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public CompletionStage<SaslStep> evaluate(byte[] response) {
        try {
            int s = step++;
            if (s == 0) {
                if (response != null && response.length > 0) {
                    step = 2;
                    return Sasl.fail("CRAM-MD5 takes no initial response");
                }
                return Sasl.challenge(challenge.clone());
            }
            if (s != 1 || response == null) {
                return Sasl.fail("unexpected response");
            }
            return check(response);
        } catch (RuntimeException | CharacterCodingException e) {
            return Sasl.fail("malformed response");
        }
    }

    private CompletionStage<SaslStep> check(byte[] response) throws CharacterCodingException {
        String text = Sasl.utf8(response, 0, response.length);
        int sp = text.lastIndexOf(' ');
        if (sp <= 0 || text.length() - sp - 1 != 32) {
            return Sasl.fail("malformed CRAM-MD5 response");
        }
        String user = text.substring(0, sp);
        byte[] digest = hex(text.substring(sp + 1));
        if (digest == null || Sasl.hasControl(user)) {
            return Sasl.fail("malformed CRAM-MD5 response");
        }
        byte[] chal = challenge;
        return authenticator.authenticate(user, RealmCheck.of((realm, name) -> {
            Optional<SharedSecret> secret = realm.sharedSecret(name);
            if (secret.isEmpty()) {
                return realm.lookup(name).isPresent()
                        ? AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "no CRAM-MD5 secret for the user")
                        : AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
            }
            byte[] expected = secret.get().hmacMd5(chal);
            return expected != null && MessageDigest.isEqual(expected, digest)
                    ? AuthResult.ok(Sasl.principal(realm, name))
                    : AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "wrong CRAM-MD5 digest");
        }), context).thenApply(SaslStep::done).handle(Sasl::orTemporaryFailure);
    }

    static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16);
            int lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }
}
