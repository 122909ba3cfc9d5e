package io.pillarbox.pop3;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RFC 1939's exclusive-access lock on a maildrop, inside this JVM: one POP3 session per user at a time. A second
 * login gets {@code -ERR [IN-USE]}. IMAP sessions do not take it; they see POP3's deletions as expunges.
 */
final class MaildropLocks {

    private final Set<String> held = ConcurrentHashMap.newKeySet();

    /** A held lock; {@link #release} is idempotent. */
    final class Lock {
        private final String key;
        private boolean released;

        private Lock(String key) {
            this.key = key;
        }

        synchronized void release() {
            if (!released) {
                released = true;
                held.remove(key);
            }
        }
    }

    /** @return the lock, or {@code null} if another session holds it */
    Lock tryLock(String user) {
        String key = user.toLowerCase(Locale.ROOT);
        return held.add(key) ? new Lock(key) : null;
    }

    boolean isLocked(String user) {
        return held.contains(user.toLowerCase(Locale.ROOT));
    }
}
