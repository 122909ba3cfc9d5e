package io.pillarbox.sasl;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;

/** Builds the real {@link SaslServiceImpl} outside OSGi for the POP3 tests (default policy: loopback may send clear-text). */
public final class SaslServices {

    private SaslServices() {
    }

    public static SaslService create(Authenticator authenticator) {
        return new SaslServiceImpl(authenticator);
    }
}
