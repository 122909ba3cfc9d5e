package io.pillarbox.api.auth;

import java.time.Instant;
import java.util.List;

/**
 * The state of brute-force defence, for administrators (shell commands): which client addresses and user names are
 * locked out, and a way to lift a lock-out. Registered by the same component as the {@link Authenticator}.
 */
public interface LoginGuard {

    /**
     * One client address (IPv6: its /64) or user name with recent failures.
     *
     * @param kind           {@code address} or {@code user}
     * @param key            the address or the (lower-cased) user name
     * @param recentFailures failures within the configured window
     * @param lockedUntil    when the lock-out ends, or {@code null} if not locked out
     */
    record Entry(String kind, String key, int recentFailures, Instant lockedUntil) {
    }

    /** Addresses and users with recent failures or a lock-out, locked-out ones first. */
    List<Entry> entries();

    /**
     * Forgets the failures and lifts the lock-out of a client address or user name.
     *
     * @return whether there was anything to forget
     */
    boolean clear(String addressOrUser);
}
