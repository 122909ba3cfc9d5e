package io.pillarbox.core.auth;

import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.Authenticator;

/**
 * Builds core's real {@link AuthenticatorImpl} outside OSGi for the POP3 tests (this class sits in core's package
 * only to reach its package-private test entry points).
 */
public final class CoreAuthenticators {

    private CoreAuthenticators() {
    }

    /** An authenticator over the realm without failure delays, locking out after {@code lockAfter} failures per user. */
    public static Authenticator create(AuthRealm realm, int lockAfter) {
        AuthenticatorImpl a = new AuthenticatorImpl();
        a.start(Settings.defaults().withDelays(0, 0).withLockout(1000, lockAfter, 60_000, 60_000));
        a.addRealm(realm, 0);
        return a;
    }

    public static void stop(Authenticator a) {
        ((AuthenticatorImpl) a).deactivate();
    }
}
