package io.pillarbox.api.store;

import io.pillarbox.api.auth.MailPrincipal;

/**
 * A storage backend (Maildir, memory, ...), registered as an OSGi service with the property {@link #PROPERTY_NAME}.
 * A principal names the store that serves it; otherwise the configured default store is used.
 */
public interface MailStore {

    /** Service property with the store's name, e.g. {@code maildir}. */
    String PROPERTY_NAME = "pillarbox.store";

    String name();

    /**
     * Opens a session on one user's mail. Blocking; thread-safe. The user's INBOX exists afterwards.
     *
     * @throws StoreException if the user's storage cannot be reached
     */
    StoreSession open(MailPrincipal principal) throws StoreException;
}
