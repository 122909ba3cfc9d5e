package io.pillarbox.testkit;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.MailStore;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageContent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Routes every user to one real store and remembers the unavailability callbacks, so a test can fire them; reads a
 * user's INBOX back for assertions.
 */
public final class TestStores implements MailStores {

    public final MailStore store;
    public final List<Runnable> unavailable = new CopyOnWriteArrayList<>();
    public volatile boolean down;
    /** When set, every {@link #open} throws it. */
    public volatile StoreException failWith;

    public TestStores(MailStore store) {
        this.store = store;
    }

    @Override
    public StoreSession open(MailPrincipal principal, Runnable onUnavailable) throws StoreException {
        StoreException fail = failWith;
        if (fail != null) {
            throw fail;
        }
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

    /** The messages in a user's INBOX, oldest first (read straight from the store). */
    public List<byte[]> inbox(String user) throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (StoreSession s = store.open(MailPrincipal.of(user, "test"))) {
            Mailbox m = s.open(StoreSession.INBOX, true);
            try {
                for (MessageInfo i : m.messages()) {
                    MessageContent c = m.content(i.uid());
                    try (InputStream in = c.open()) {
                        out.add(in.readAllBytes());
                    }
                }
            } finally {
                m.close();
            }
        }
        return out;
    }
}
