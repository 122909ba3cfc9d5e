package io.pillarbox.api.auth;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The one service protocols use to log users in. It walks all registered {@link AuthRealm}s in ranking order, applies
 * brute-force defence (delays and temporary lock-outs per client address and per user) and logs one line per
 * attempt. Answers come asynchronously: realms and delays never hold a network thread.
 */
public interface Authenticator {

    /** Checks a user name and password against the realms. */
    CompletionStage<AuthResult> authenticate(String user, char[] secret, AuthContext context);

    /** Finds a user without a password (first realm that knows them wins). */
    CompletionStage<Optional<MailPrincipal>> lookup(String user);

    /**
     * Runs a mechanism-specific check (SCRAM, CRAM-MD5, EXTERNAL) with the same realm order, brute-force defence
     * and logging as a password check.
     */
    CompletionStage<AuthResult> authenticate(String user, RealmCheck check, AuthContext context);

    /** Names of the realms currently registered, in the order they are asked. */
    List<String> realms();

    /** Whether at least one realm can serve the given kind of credential. */
    boolean supports(CredentialKind kind);

    /** What a realm can provide beyond a password check. */
    enum CredentialKind { PASSWORD, SCRAM_SHA_256, SCRAM_SHA_1, SHARED_SECRET }

    /** One mechanism's verification step, run against one realm at a time. */
    @FunctionalInterface
    interface RealmCheck {
        /** @return the outcome with this realm; {@code UNKNOWN_USER} moves on to the next realm */
        AuthResult check(AuthRealm realm);
    }
}
