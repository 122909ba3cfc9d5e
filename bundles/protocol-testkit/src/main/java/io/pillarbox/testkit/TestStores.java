package io.pillarbox.testkit;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.MailStore;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Routes every user to one real store and remembers the unavailability callbacks, so a test can fire them. */
public final class TestStores implements MailStores {

    public final MailStore store;
    public final List<Runnable> unavailable = new CopyOnWriteArrayList<>();
    public volatile boolean down;

    public TestStores(MailStore store) {
        this.store = store;
    }

    @Override
    public StoreSession open(MailPrincipal principal, Runnable onUnavailable) throws StoreException {
        if (down) {
            throw new StoreException(StoreException.Reason.UNAVAILABLE, "store down");
        }
        unavailable.add(onUnavailable);
        return store.open(principal);
    }

    @Override
    public List<String> names() {
        return List.of(store.name());
    }
}
