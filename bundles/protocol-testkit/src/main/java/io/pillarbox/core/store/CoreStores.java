package io.pillarbox.core.store;

import io.pillarbox.api.store.MailStore;
import io.pillarbox.api.store.MailStores;

/** Test access to core's real store routing, e.g. to give a protocol test users with a quota. */
public final class CoreStores {

    private CoreStores() {
    }

    /** Core's store routing over one store, with quota rules in Dovecot's syntax ({@code *:storage=1G}). */
    public static MailStores withQuota(MailStore store, String... quotaRules) {
        MailStoresImpl s = new MailStoresImpl();
        s.addStore(store, "test", 0);
        s.setDefaultStore("test");
        s.setQuotaRules(quotaRules);
        return s;
    }
}
