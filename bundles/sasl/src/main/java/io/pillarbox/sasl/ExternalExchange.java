package io.pillarbox.sasl;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.Authenticator.RealmCheck;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.SaslExchange;

import java.nio.charset.CharacterCodingException;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * SASL EXTERNAL (RFC 4422 appendix A) for TLS client certificates: the user is the one the transport's verified
 * certificate names ({@link CertificateUser}); the client's message is an authorization identity, which must be
 * empty or that same user. The user must be known to a realm; the authenticator does the brute-force accounting and
 * the log line as for every mechanism.
 */
final class ExternalExchange implements SaslExchange {

    private final Authenticator authenticator;
    private final AuthContext context;
    private final String user;
    private int step;

    /** @param user the name derived from the client certificate, or {@code null} if it names none */
    ExternalExchange(Authenticator authenticator, AuthContext context, String user) {
        this.authenticator = authenticator;
        this.context = context;
        this.user = user;
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
            return check(Sasl.utf8(response, 0, response.length));
        } catch (CharacterCodingException | RuntimeException e) {
            return Sasl.fail("malformed response");
        }
    }

    private CompletionStage<SaslStep> check(String authzid) {
        if (user == null || user.isEmpty()) {
            return Sasl.fail("the client certificate names no user");
        }
        if (Sasl.hasControl(authzid)) {
            return Sasl.fail("malformed authorization identity");
        }
        return authenticator.authenticate(user, RealmCheck.of((realm, name) -> {
            Optional<MailPrincipal> p = realm.lookup(name);
            if (p.isEmpty()) {
                return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
            }
            if (!authzid.isEmpty() && !authzid.equals(user) && !authzid.equals(name)
                    && !authzid.equals(p.get().user())) {
                return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "authorization identity not allowed");
            }
            return AuthResult.ok(p.get());
        }), context).thenApply(SaslStep::done).handle(Sasl::orTemporaryFailure);
    }
}
