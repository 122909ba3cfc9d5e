package io.pillarbox.api.store;

import io.pillarbox.api.auth.MailPrincipal;

import java.util.List;

/**
 * Routes a user to the store that serves them: the store the principal names, else the configured default store.
 * Protocols use this rather than picking {@link MailStore} services themselves. Blocking.
 */
public interface MailStores {

    /**
     * Opens the principal's store session.
     *
     * @param onUnavailable run (once, on any thread) if the store service goes away while the session is open; the
     *                      protocol then says goodbye ({@code * BYE [UNAVAILABLE]}, {@code -ERR}, {@code 421})
     * @throws StoreException with {@link StoreException.Reason#UNAVAILABLE} if no suitable store is registered
     */
    StoreSession open(MailPrincipal principal, Runnable onUnavailable) throws StoreException;

    /** Names of the stores registered now; the default first. */
    List<String> names();
}
