package io.pillarbox.sasl;

import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.SaslExchange.SaslStep;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Small helpers shared by the mechanisms. */
final class Sasl {

    private Sasl() {
    }

    static CompletionStage<SaslStep> fail(String detail) {
        return CompletableFuture.completedFuture(
                SaslStep.done(AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, detail)));
    }

    static CompletionStage<SaslStep> challenge(byte[] challenge) {
        return CompletableFuture.completedFuture(SaslStep.challenge(challenge));
    }

    /** Maps an authenticator failure (exception) to a temporary failure instead of passing it to the protocol. */
    static SaslStep orTemporaryFailure(SaslStep step, Throwable error) {
        if (error != null || step == null) {
            return SaslStep.done(AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "authentication failed"));
        }
        return step;
    }

    /** Strict UTF-8 decoding. */
    static String utf8(byte[] bytes, int from, int to) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, from, to - from))
                .toString();
    }

    /** Strict UTF-8 decoding into a char array the caller wipes. */
    static char[] utf8Chars(byte[] bytes, int from, int to) throws CharacterCodingException {
        CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, from, to - from));
        char[] out = new char[cb.remaining()];
        cb.get(out);
        if (cb.hasArray()) {
            Arrays.fill(cb.array(), '\0');
        }
        return out;
    }

    /** The principal of a user a realm accepted through a mechanism check. */
    static MailPrincipal principal(AuthRealm realm, String user) {
        return realm.lookup(user).orElseGet(() -> MailPrincipal.of(user, realm.name()));
    }

    static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
