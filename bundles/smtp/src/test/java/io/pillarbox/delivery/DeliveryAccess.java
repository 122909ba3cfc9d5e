package io.pillarbox.delivery;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.store.MailStores;

import java.nio.file.Path;
import java.util.List;

/** Test access to the real {@link LocalDeliveryImpl}. */
public final class DeliveryAccess {

    private DeliveryAccess() {
    }

    public static LocalDelivery create(Authenticator auth, MailStores stores, List<String> domains, Path aliases,
                                       String postmaster) {
        return new LocalDeliveryImpl(auth, stores, new LocalDeliveryImpl.Settings(domains, true, true, aliases,
                postmaster, "INBOX", 10_000));
    }

    /** With the Sender Rewriting Scheme in {@code srsDomain}, under a fixed secret. */
    public static LocalDelivery createWithSrs(Authenticator auth, MailStores stores, List<String> domains,
                                              Path aliases, String postmaster, String srsDomain) {
        Srs srs = new Srs("sixteen bytes or more of test secret".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                srsDomain, 21, java.time.Clock.systemUTC());
        return new LocalDeliveryImpl(auth, stores, new LocalDeliveryImpl.Settings(domains, true, true, aliases,
                postmaster, "INBOX", 10_000, srs));
    }
}
