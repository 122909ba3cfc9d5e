package io.pillarbox.api.auth;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

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

    /**
     * Asks the realms, in order, a question about a user that is not a login attempt (no brute-force accounting, no
     * log line), e.g. fetching a SCRAM salt before the proof arrives. The function receives each realm and the user
     * name as the realms see it (after default-domain handling); the first non-empty answer wins. Runs off the
     * caller's thread like every realm call.
     *
     * Added for SASL (SCRAM needs the salt before the proof).
     */
    default <T> CompletionStage<Optional<T>> query(String user, BiFunction<AuthRealm, String, Optional<T>> question) {
        return CompletableFuture.completedFuture(Optional.empty());
    }

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

        /**
         * The form the authenticator calls: also passes the user name as the realms see it (after default-domain
         * handling). Override this one when the check needs the name.
         */
        default AuthResult check(AuthRealm realm, String user) {
            return check(realm);
        }

        /** A check that needs the user name as the realms see it: {@code RealmCheck.of((realm, user) -> ...)}. */
        static RealmCheck of(BiFunction<AuthRealm, String, AuthResult> check) {
            return new RealmCheck() {
                @Override
                public AuthResult check(AuthRealm realm) {
                    throw new UnsupportedOperationException("call check(realm, user)");
                }

                @Override
                public AuthResult check(AuthRealm realm, String user) {
                    return check.apply(realm, user);
                }
            };
        }
    }
}
