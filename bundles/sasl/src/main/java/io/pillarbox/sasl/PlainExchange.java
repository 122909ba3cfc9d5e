package io.pillarbox.sasl;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslExchange;

import java.nio.charset.CharacterCodingException;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;

/** SASL PLAIN (RFC 4616): {@code [authzid] NUL authcid NUL passwd}; authzid must be empty or equal authcid. */
final class PlainExchange implements SaslExchange {

    private final Authenticator authenticator;
    private final AuthContext context;
    private int step;

    PlainExchange(Authenticator authenticator, AuthContext context) {
        this.authenticator = authenticator;
        this.context = context;
    }

    @Override
    public CompletionStage<SaslStep> evaluate(byte[] response) {
        try {
            int s = step++;
            if (s == 0 && response == null) {
                return Sasl.challenge(new byte[0]);
            }
            if (s > 1 || response == null) {
                return Sasl.fail("unexpected response");
            }
            return check(response);
        } catch (RuntimeException e) {
            return Sasl.fail("malformed response");
        }
    }

    private CompletionStage<SaslStep> check(byte[] msg) {
        int first = indexOf(msg, 0);
        int second = first < 0 ? -1 : indexOf(msg, first + 1);
        if (first < 0 || second < 0 || indexOf(msg, second + 1) >= 0) {
            return Sasl.fail("malformed PLAIN message");
        }
        String authzid;
        String authcid;
        char[] password;
        try {
            authzid = Sasl.utf8(msg, 0, first);
            authcid = Sasl.utf8(msg, first + 1, second);
            password = Sasl.utf8Chars(msg, second + 1, msg.length);
        } catch (CharacterCodingException e) {
            return Sasl.fail("PLAIN message is not UTF-8");
        }
        try {
            if (authcid.isEmpty() || password.length == 0) {
                return Sasl.fail("empty user name or password");
            }
            if (!authzid.isEmpty() && !authzid.equals(authcid)) {
                return Sasl.fail("authorization identity not allowed");
            }
            return authenticator.authenticate(authcid, password, context).thenApply(SaslStep::done)
                    .handle(Sasl::orTemporaryFailure);
        } finally {
            Arrays.fill(password, '\0');
            Arrays.fill(msg, (byte) 0);
        }
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
