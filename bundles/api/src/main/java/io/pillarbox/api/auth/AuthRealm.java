package io.pillarbox.api.auth;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A source of users and their secrets: a passwd-file, JAAS, LDAP, PAM, or one written by a third party.
 * <p>
 * Register an implementation as an OSGi service; the authenticator tracks every realm dynamically and asks them in
 * order of {@code service.ranking} (highest first) until one knows the user. A realm may come or go at any time.
 * <p>
 * All methods may block (disk, network, deliberately slow hashes): they are never called on a network event loop.
 * Implementations must be thread-safe and must never log a secret.
 */
public interface AuthRealm {

    /** Service property naming the realm (also returned by {@link #name()}). */
    String PROPERTY_NAME = "pillarbox.realm";

    /** A short unique name: {@code file}, {@code jaas}, {@code ldap}, {@code pam}, ... */
    String name();

    /**
     * Checks a user's password.
     *
     * @return {@link AuthResult.Status#UNKNOWN_USER} if this realm does not know the user, so the next realm is asked
     */
    AuthResult authenticate(String user, char[] secret, AuthContext context);

    /**
     * Looks a user up without a password (for mail delivery and for SASL mechanisms that do not pass a password).
     * Realms that cannot enumerate users return empty.
     */
    default Optional<MailPrincipal> lookup(String user) {
        return Optional.empty();
    }

    /** The SCRAM credential of a user, for SCRAM-SHA-256 / SCRAM-SHA-1, where the realm keeps one. */
    default Optional<ScramCredential> scramCredential(String user, String algorithm) {
        return Optional.empty();
    }

    /**
     * What this realm can serve: {@code PASSWORD} for {@link #authenticate}, and the kinds for which
     * {@link #scramCredential} / {@link #sharedSecret} can return something for at least some users. The
     * authenticator's {@link Authenticator#supports} (and so which SASL mechanisms are advertised) is built from it,
     * asked each time, possibly on a network thread: answer from memory, never block.
     */
    default Set<Authenticator.CredentialKind> credentialKinds() {
        return EnumSet.of(Authenticator.CredentialKind.PASSWORD);
    }

    /** A secret usable for CRAM-MD5 / APOP, where the realm keeps one. */
    default Optional<SharedSecret> sharedSecret(String user) {
        return Optional.empty();
    }
}
