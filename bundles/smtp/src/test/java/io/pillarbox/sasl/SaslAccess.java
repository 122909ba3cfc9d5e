package io.pillarbox.sasl;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;

/** Test access to the real {@link SaslServiceImpl}. */
public final class SaslAccess {

    private SaslAccess() {
    }

    /** PLAIN/LOGIN allowed under TLS and from loopback, as the default configuration says. */
    public static SaslService create(Authenticator authenticator) {
        SaslServiceImpl s = new SaslServiceImpl(authenticator);
        s.plaintextPolicy(false, true);
        return s;
    }
}
