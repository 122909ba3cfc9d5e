package io.pillarbox.core.auth;

import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.Authenticator;

/** Test access to the real core {@link AuthenticatorImpl} (its start and realm binding are package-private). */
public final class CoreAuth {

    private CoreAuth() {
    }

    /** A started authenticator without failure delays, with the given realms (ranking in order given). */
    public static AuthenticatorImpl start(AuthRealm... realms) {
        AuthenticatorImpl a = new AuthenticatorImpl();
        a.start(Settings.defaults().withDelays(0, 0).withLockout(0, 0, 60_000, 0));
        int rank = realms.length;
        for (AuthRealm r : realms) {
            a.addRealm(r, rank--);
        }
        return a;
    }

    public static void stop(Authenticator a) {
        ((AuthenticatorImpl) a).deactivate();
    }
}
