package io.pillarbox.core.auth;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Recent failed logins per key (a client address or a user name) and the lock-outs they caused. Memory is bounded:
 * at most {@code maxTracked} keys and a few dozen timestamps per key.
 */
final class FailureTracker {

    private static final int MAX_REMEMBERED = 64;

    private static final class Entry {
        final ArrayDeque<Long> failures = new ArrayDeque<>();
        long lockedUntil;
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final int threshold;
    private final long windowMillis;
    private final long lockoutMillis;
    private final int maxTracked;

    FailureTracker(int threshold, long windowMillis, long lockoutMillis, int maxTracked) {
        this.threshold = threshold;
        this.windowMillis = windowMillis;
        this.lockoutMillis = lockoutMillis;
        this.maxTracked = maxTracked;
    }

    /** Whether the key is locked out now. */
    boolean isLocked(String key, long now) {
        if (key == null) {
            return false;
        }
        Entry e = entries.get(key);
        if (e == null) {
            return false;
        }
        synchronized (e) {
            return e.lockedUntil > now;
        }
    }

    /** Failures of the key within the window. */
    int recentFailures(String key, long now) {
        if (key == null) {
            return 0;
        }
        Entry e = entries.get(key);
        if (e == null) {
            return 0;
        }
        synchronized (e) {
            prune(e, now);
            return e.failures.size();
        }
    }

    /**
     * Records one failure.
     *
     * @return the number of failures within the window, this one included
     */
    int recordFailure(String key, long now) {
        if (key == null) {
            return 0;
        }
        Entry e = entries.get(key);
        if (e == null) {
            if (entries.size() >= maxTracked) {
                cleanup(now);
                if (entries.size() >= maxTracked) {
                    return 1; // full: do not grow without bound; the other tracker still applies
                }
            }
            e = entries.computeIfAbsent(key, k -> new Entry());
        }
        synchronized (e) {
            prune(e, now);
            e.failures.addLast(now);
            while (e.failures.size() > MAX_REMEMBERED) {
                e.failures.removeFirst();
            }
            int n = e.failures.size();
            if (threshold > 0 && n >= threshold && lockoutMillis > 0) {
                e.lockedUntil = Math.max(e.lockedUntil, now + lockoutMillis);
            }
            return n;
        }
    }

    /** Forgets the key's failures (after a successful login); an active lock-out stays. */
    void clear(String key) {
        if (key == null) {
            return;
        }
        Entry e = entries.get(key);
        if (e != null) {
            synchronized (e) {
                e.failures.clear();
            }
        }
    }

    /** Drops keys with no recent failure and no active lock-out. */
    void cleanup(long now) {
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Entry e = it.next().getValue();
            synchronized (e) {
                prune(e, now);
                if (e.failures.isEmpty() && e.lockedUntil <= now) {
                    it.remove();
                }
            }
        }
    }

    int size() {
        return entries.size();
    }

    /** A key's state: recent failures and the lock-out end (0: none). */
    record State(String key, int failures, long lockedUntil) {
    }

    java.util.List<State> states(long now) {
        java.util.List<State> out = new java.util.ArrayList<>();
        for (Map.Entry<String, Entry> me : entries.entrySet()) {
            Entry e = me.getValue();
            synchronized (e) {
                prune(e, now);
                if (!e.failures.isEmpty() || e.lockedUntil > now) {
                    out.add(new State(me.getKey(), e.failures.size(), e.lockedUntil > now ? e.lockedUntil : 0));
                }
            }
        }
        return out;
    }

    /** Forgets a key entirely, lock-out included. */
    boolean forget(String key) {
        return key != null && entries.remove(key) != null;
    }

    private void prune(Entry e, long now) {
        while (!e.failures.isEmpty() && e.failures.peekFirst() <= now - windowMillis) {
            e.failures.removeFirst();
        }
    }
}
