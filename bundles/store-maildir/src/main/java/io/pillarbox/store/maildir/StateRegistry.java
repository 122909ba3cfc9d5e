package io.pillarbox.store.maildir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link MailboxState} per folder path in this JVM, shared by every session of every store instance, so that a
 * change made through one session reaches the mailboxes other sessions have open. States nobody holds are kept in a
 * small LRU (bounded in number and in messages held) so that a busy mailbox (deliveries, STATUS) does not reload its
 * index each time. States are closed outside the registry's lock: closing may list a folder.
 */
final class StateRegistry {

    private static final int IDLE_KEPT = 64;
    /** Messages whose index entries idle states may keep in memory together (a few hundred bytes each). */
    private static final long IDLE_MESSAGES_KEPT = 300_000;
    private static final Object LOCK = new Object();
    private static final Map<Path, MailboxState> STATES = new LinkedHashMap<>();
    private static final LinkedHashMap<Path, MailboxState> IDLE = new LinkedHashMap<>(16, 0.75f, true);

    private StateRegistry() {
    }

    static MailboxState acquire(Path dir, Path root, String name, boolean fsync) {
        Path key = dir.toAbsolutePath().normalize();
        MailboxState stale = null;
        MailboxState s;
        synchronized (LOCK) {
            s = STATES.get(key);
            if (s != null && !s.removed && s.fsync != fsync && s.refs == 0) {
                // the store was reconfigured: an idle state is replaced; one in use is shared (one state per
                // folder, so every session hears every change) until it goes idle
                stale = s;
                IDLE.remove(key);
                STATES.remove(key);
                s = null;
            }
            if (s == null || s.removed) {
                s = new MailboxState(key, root, name, fsync);
                STATES.put(key, s);
            }
            s.name = name;
            s.refs++;
            IDLE.remove(key);
        }
        if (stale != null) {
            stale.closeQuietly();
        }
        return s;
    }

    static void release(MailboxState s) {
        List<MailboxState> evicted = new ArrayList<>();
        synchronized (LOCK) {
            s.refs--;
            if (s.refs > 0) {
                return;
            }
            s.refs = 0;
            if (s.removed) {
                STATES.remove(s.dir, s);
                return;
            }
            if (STATES.get(s.dir) != s) {
                evicted.add(s); // replaced meanwhile
            } else {
                IDLE.put(s.dir, s);
            }
            long total = 0;
            for (MailboxState i : IDLE.values()) {
                total += i.size();
            }
            while (IDLE.size() > IDLE_KEPT || (total > IDLE_MESSAGES_KEPT && IDLE.size() > 1)) {
                Map.Entry<Path, MailboxState> eldest = IDLE.entrySet().iterator().next();
                IDLE.remove(eldest.getKey());
                MailboxState old = eldest.getValue();
                total -= old.size();
                STATES.remove(old.dir, old);
                evicted.add(old);
            }
        }
        for (MailboxState old : evicted) {
            old.closeQuietly();
        }
    }

    /** Marks the states of these folders removed (deleted or renamed); their open mailboxes are told. */
    static void removed(List<Path> dirs, MaildirMailbox origin) {
        List<MailboxState> gone = new ArrayList<>();
        synchronized (LOCK) {
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

    /** Drops every idle state (a store instance is deactivated, or a tool wants a cold start). */
    static void dropIdle() {
        List<MailboxState> idle;
        synchronized (LOCK) {
            idle = new ArrayList<>(IDLE.values());
            for (MailboxState s : idle) {
                STATES.remove(s.dir, s);
            }
            IDLE.clear();
        }
        for (MailboxState s : idle) {
            s.closeQuietly();
        }
    }
}
