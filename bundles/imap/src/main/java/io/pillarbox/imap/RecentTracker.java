package io.pillarbox.imap;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * IMAP4rev1's \Recent: the first session to see a message (by UID) claims it. Kept in memory per user and mailbox;
 * after a restart, messages are recent once more for the first session that selects their mailbox.
 */
final class RecentTracker {

    private final ConcurrentHashMap<String, AtomicLong> claimed = new ConcurrentHashMap<>();

    /** Claims every UID up to {@code highestUid}; returns the highest UID that was claimed before (exclusive start). */
    long claim(String user, String mailbox, long highestUid) {
        AtomicLong a = claimed.computeIfAbsent(user + '\0' + mailbox, k -> new AtomicLong());
        while (true) {
            long prev = a.get();
            if (highestUid <= prev) {
                return highestUid;
            }
            if (a.compareAndSet(prev, highestUid)) {
                return prev;
            }
        }
    }

    /** The highest UID claimed so far. */
    long claimed(String user, String mailbox) {
        AtomicLong a = claimed.get(user + '\0' + mailbox);
        return a == null ? 0 : a.get();
    }

    void renamed(String user, String from, String to) {
        AtomicLong a = claimed.remove(user + '\0' + from);
        if (a != null) {
            claimed.put(user + '\0' + to, a);
        }
    }
}
