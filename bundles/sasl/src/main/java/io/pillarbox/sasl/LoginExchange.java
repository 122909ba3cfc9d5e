package io.pillarbox.sasl;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslExchange;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;

/**
 * SASL LOGIN (draft-murchison-sasl-login): challenges {@code Username:} and {@code Password:}; an initial response
 * carries the user name.
 */
final class LoginExchange implements SaslExchange {

    static final byte[] USERNAME = "Username:".getBytes(StandardCharsets.US_ASCII);
    static final byte[] PASSWORD = "Password:".getBytes(StandardCharsets.US_ASCII);

    private final Authenticator authenticator;
    private final AuthContext context;
    private int step;
    private String user;

    LoginExchange(Authenticator authenticator, AuthContext context) {
        this.authenticator = authenticator;
        this.context = context;
    }

    @Override
    public CompletionStage<SaslStep> evaluate(byte[] response) {
        try {
            switch (step++) {
                case 0:
                    if (response == null || response.length == 0) {
                        return Sasl.challenge(USERNAME);
                    }
                    step = 2;
                    return user(response);
                case 1:
                    step = 2;
                    return user(response);
                case 2:
                    step = 3;
                    return password(response);
                default:
                    return Sasl.fail("unexpected response");
            }
        } catch (RuntimeException | CharacterCodingException e) {
            step = 3;
            return Sasl.fail("malformed response");
        }
    }

    private CompletionStage<SaslStep> user(byte[] response) throws CharacterCodingException {
        if (response == null || response.length == 0) {
            step = 3;
            return Sasl.fail("empty user name");
        }
        user = Sasl.utf8(response, 0, response.length);
        return Sasl.challenge(PASSWORD);
    }

    private CompletionStage<SaslStep> password(byte[] response) throws CharacterCodingException {
        if (response == null || response.length == 0) {
            return Sasl.fail("empty password");
        }
        char[] pw = Sasl.utf8Chars(response, 0, response.length);
        try {
            return authenticator.authenticate(user, pw, context).thenApply(SaslStep::done)
                    .handle(Sasl::orTemporaryFailure);
        } finally {
            Arrays.fill(pw, '\0');
            Arrays.fill(response, (byte) 0);
        }
    }
}
