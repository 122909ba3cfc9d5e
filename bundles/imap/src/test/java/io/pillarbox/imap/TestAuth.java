package io.pillarbox.imap;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.SaslExchange;
import io.pillarbox.api.auth.SaslService;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A small password table as {@link Authenticator} and a {@link SaslService} with PLAIN and a two-step test mechanism
 * (X-TWOSTEP: challenge "user?", then "pass?", success with additional data "welcome").
 */
final class TestAuth implements Authenticator, SaslService {

    private final Map<String, String> users;

    TestAuth(Map<String, String> users) {
        this.users = users;
    }

    @Override
    public CompletionStage<AuthResult> authenticate(String user, char[] secret, AuthContext context) {
        String pw = users.get(user);
        if (pw == null) {
            return CompletableFuture.completedFuture(AuthResult.failure(AuthResult.Status.UNKNOWN_USER, "unknown"));
        }
        if (!pw.equals(new String(secret))) {
            return CompletableFuture.completedFuture(AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "bad"));
        }
        return CompletableFuture.completedFuture(AuthResult.ok(MailPrincipal.of(user, "test")));
    }

    @Override
    public CompletionStage<Optional<MailPrincipal>> lookup(String user) {
        return CompletableFuture.completedFuture(users.containsKey(user) ? Optional.of(MailPrincipal.of(user, "test"))
                : Optional.empty());
    }

    @Override
    public CompletionStage<AuthResult> authenticate(String user, RealmCheck check, AuthContext context) {
        return CompletableFuture.completedFuture(AuthResult.failure(AuthResult.Status.UNKNOWN_USER, "n/a"));
    }

    @Override
    public List<String> realms() {
        return List.of("test");
    }

    @Override
    public boolean supports(CredentialKind kind) {
        return kind == CredentialKind.PASSWORD;
    }

    @Override
    public List<String> mechanisms(AuthContext context) {
        List<String> m = new ArrayList<>();
        m.add("PLAIN");
        m.add("X-TWOSTEP");
        return m;
    }

    @Override
    public SaslExchange start(String mechanism, AuthContext context) {
        switch (mechanism) {
            case "PLAIN":
                return response -> {
                    if (response == null) {
                        return CompletableFuture.completedFuture(SaslExchange.SaslStep.challenge(new byte[0]));
                    }
                    String[] p = new String(response, StandardCharsets.UTF_8).split("\0", -1);
                    if (p.length != 3) {
                        return CompletableFuture.completedFuture(SaslExchange.SaslStep.done(
                                AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "syntax")));
                    }
                    return authenticate(p[1], p[2].toCharArray(), context)
                            .thenApply(SaslExchange.SaslStep::done);
                };
            case "X-TWOSTEP":
                return new SaslExchange() {
                    int step;
                    String user;

                    @Override
                    public CompletionStage<SaslStep> evaluate(byte[] response) {
                        step++;
                        if (step == 1) {
                            return CompletableFuture.completedFuture(SaslStep.challenge("user?".getBytes()));
                        }
                        if (step == 2) {
                            user = new String(response, StandardCharsets.UTF_8);
                            return CompletableFuture.completedFuture(SaslStep.challenge("pass?".getBytes()));
                        }
                        return authenticate(user, new String(response, StandardCharsets.UTF_8).toCharArray(),
                                context).thenApply(r -> r.isOk() ? SaslStep.done(r, "welcome".getBytes())
                                : SaslStep.done(r));
                    }
                };
            default:
                throw new IllegalArgumentException(mechanism);
        }
    }
}
