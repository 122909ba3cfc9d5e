package io.pillarbox.smtp;

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

/** Routes every user to one real store; reads INBOX back for assertions. */
final class TestStores implements MailStores {

    final MailStore store;
    volatile StoreException failWith;

    TestStores(MailStore store) {
        this.store = store;
    }

    @Override
    public StoreSession open(MailPrincipal principal, Runnable onUnavailable) throws StoreException {
        if (failWith != null) {
            throw failWith;
        }
        return store.open(principal);
    }

    @Override
    public List<String> names() {
        return List.of(store.name());
    }

    /** The messages in a user's INBOX, oldest first. */
    List<byte[]> inbox(String user) throws Exception {
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
