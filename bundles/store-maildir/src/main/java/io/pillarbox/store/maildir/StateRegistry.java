package io.pillarbox.store.maildir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link MailboxState} per folder path in this JVM, shared by every session of every store instance, so that a
 * change made through one session reaches the mailboxes other sessions have open. States nobody holds are kept in a
 * small LRU so that a busy mailbox (deliveries, STATUS) does not reload its index each time.
 */
final class StateRegistry {

    private static final int IDLE_KEPT = 64;
    private static final Map<Path, MailboxState> STATES = new LinkedHashMap<>();
    private static final LinkedHashMap<Path, MailboxState> IDLE = new LinkedHashMap<>(16, 0.75f, true);

    private StateRegistry() {
    }

    static synchronized MailboxState acquire(Path dir, Path root, String name, boolean fsync) {
        Path key = dir.toAbsolutePath().normalize();
        MailboxState s = STATES.get(key);
        if (s == null || s.removed || s.fsync != fsync) {
            if (s != null && !s.removed && s.refs == 0) {
                s.closeQuietly();
            }
            s = new MailboxState(key, root, name, fsync);
            STATES.put(key, s);
        }
        s.name = name;
        s.refs++;
        IDLE.remove(key);
        return s;
    }

    static synchronized void release(MailboxState s) {
        s.refs--;
        if (s.refs <= 0) {
            s.refs = 0;
            if (s.removed) {
                STATES.remove(s.dir, s);
                return;
            }
            IDLE.put(s.dir, s);
            while (IDLE.size() > IDLE_KEPT) {
                Map.Entry<Path, MailboxState> eldest = IDLE.entrySet().iterator().next();
                IDLE.remove(eldest.getKey());
                MailboxState old = eldest.getValue();
                if (STATES.get(old.dir) == old) {
                    STATES.remove(old.dir);
                }
                old.closeQuietly();
            }
        }
    }

    /** Marks the states of these folders removed (deleted or renamed); their open mailboxes are told. */
    static void removed(List<Path> dirs, MaildirMailbox origin) {
        List<MailboxState> gone = new ArrayList<>();
        synchronized (StateRegistry.class) {
            for (Path d : dirs) {
                Path key = d.toAbsolutePath().normalize();
                MailboxState s = STATES.remove(key);
                IDLE.remove(key);
                if (s != null) {
                    gone.add(s);
                }
            }
        }
        for (MailboxState s : gone) {
            s.markRemoved(origin);
        }
    }

    /** Drops every idle state (used when a store instance is deactivated). */
    static synchronized void dropIdle() {
        for (MailboxState s : IDLE.values()) {
            if (STATES.get(s.dir) == s) {
                STATES.remove(s.dir);
            }
            s.closeQuietly();
        }
        IDLE.clear();
    }
}
