package io.pillarbox.itest;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageContent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.StoreSession;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Looks at users and their mail through the services the distribution registers: the realms (Authenticator) and the
 * stores (MailStores). Kept apart from PillarboxTestSupport so that only the tests that read mail load it.
 */
final class Mailboxes {

    private Mailboxes() {
    }

    /** The user's principal as the realms know it, or {@code null} when no realm knows the user (yet). */
    static MailPrincipal principal(Authenticator authenticator, String user) {
        try {
            return authenticator.lookup(user).toCompletableFuture().get(10, TimeUnit.SECONDS).orElse(null);
        } catch (Exception e) {
            return null;
        }
    }

    /** The messages in a user's INBOX, oldest first, read through the store. */
    static List<byte[]> inbox(MailStores stores, Authenticator authenticator, String user) throws Exception {
        List<byte[]> out = new ArrayList<>();
        try (StoreSession s = stores.open(principal(authenticator, user), () -> { })) {
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
