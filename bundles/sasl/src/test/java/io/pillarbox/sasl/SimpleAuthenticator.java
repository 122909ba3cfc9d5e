package io.pillarbox.sasl;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/** A plain authenticator for tests: walks its realms in list order on the common pool, no delays. */
class SimpleAuthenticator implements Authenticator {

    final List<AuthRealm> realms = new CopyOnWriteArrayList<>();
    final List<String> attempts = new CopyOnWriteArrayList<>();

    SimpleAuthenticator(AuthRealm... realms) {
        this.realms.addAll(List.of(realms));
    }

    @Override
    public CompletionStage<AuthResult> authenticate(String user, char[] secret, AuthContext context) {
        char[] copy = secret.clone();
        return authenticate(user, RealmCheck.of((r, u) -> r.authenticate(u, copy.clone(), context)), context);
    }

    @Override
    public CompletionStage<AuthResult> authenticate(String user, RealmCheck check, AuthContext context) {
        return CompletableFuture.supplyAsync(() -> {
            for (AuthRealm r : realms) {
                AuthResult res = check.check(r, user);
                if (res.status() != AuthResult.Status.UNKNOWN_USER) {
                    attempts.add(context.mechanism() + " " + user + " " + res.status());
                    return res;
                }
            }
            attempts.add(context.mechanism() + " " + user + " UNKNOWN_USER");
            return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "unknown user");
        });
    }

    @Override
    public CompletionStage<Optional<MailPrincipal>> lookup(String user) {
        return query(user, (r, u) -> r.lookup(u));
    }

    @Override
    public <T> CompletionStage<Optional<T>> query(String user, BiFunction<AuthRealm, String, Optional<T>> q) {
        return CompletableFuture.supplyAsync(() -> {
            for (AuthRealm r : realms) {
                Optional<T> o = q.apply(r, user);
                if (o.isPresent()) {
                    return o;
                }
            }
            return Optional.empty();
        });
    }

    @Override
    public List<String> realms() {
        return realms.stream().map(AuthRealm::name).toList();
    }

    @Override
    public boolean supports(CredentialKind kind) {
        return realms.stream().anyMatch(r -> r.credentialKinds().contains(kind));
    }
}
