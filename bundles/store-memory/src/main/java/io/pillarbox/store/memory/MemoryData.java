package io.pillarbox.store.memory;

import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.MailboxEvent;
import io.pillarbox.api.store.MailboxListener;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.api.store.StoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything a memory store holds: all users' mailboxes. Outlives a {@link MemoryMailStore} instance when handed to
 * the next one (a "restart" in tests). Each user has one lock; every change and its events happen under it, so
 * listeners see changes in the order they were made.
 */
public final class MemoryData {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryData.class);

    private final Map<String, User> users = new ConcurrentHashMap<>();

    User user(String name) {
        return users.computeIfAbsent(name, User::new);
    }

    /** Number of users with data (for tests and the shell). */
    public int users() {
        return users.size();
    }

    /** One stored message: immutable but for its info, replaced on flag changes. */
    static final class Message {
        volatile MessageInfo info;
        final byte[] content;
        final MessageStructure structure;

        Message(MessageInfo info, byte[] content, MessageStructure structure) {
            this.info = info;
            this.content = content;
            this.structure = structure;
        }
    }

    static final class User {
        final String name;
        final ReentrantLock lock = new ReentrantLock();
        /** Existing (selectable) mailboxes by canonical name. */
        final TreeMap<String, Box> boxes = new TreeMap<>();
        final Set<String> subscriptions = new TreeSet<>();
        private long lastUidValidity;

        User(String name) {
            this.name = name;
            boxes.put(StoreSession.INBOX, new Box(StoreSession.INBOX, null, nextUidValidity()));
        }

        /** Records a UIDVALIDITY given by a caller, so later generated ones stay above it. */
        void usedUidValidity(long uidValidity) {
            lastUidValidity = Math.max(lastUidValidity, uidValidity);
        }

        /** Strictly increasing, so a mailbox recreated under the same name never repeats one. */
        long nextUidValidity() {
            long now = System.currentTimeMillis() / 1000;
            lastUidValidity = Math.max(now & 0xFFFFFFFFL, lastUidValidity + 1);
            return lastUidValidity;
        }
    }

    /** A listener registered through one open mailbox instance. */
    record Listener(MemoryMailbox owner, MailboxListener listener) {
    }

    static final class Box {
        /** Expunges remembered for QRESYNC; older ones are forgotten (clients then resynchronise fully). */
        static final int MAX_EXPUNGED = 100_000;
        final String name;
        final SpecialUse specialUse;
        final long uidValidity;
        long uidNext = 1;
        long highestModSeq = 1;
        final TreeMap<Long, Message> messages = new TreeMap<>();
        /** Expunged UIDs with the MODSEQ of their expunge, oldest first, at most {@link #MAX_EXPUNGED}. */
        final java.util.ArrayDeque<long[]> expunged = new java.util.ArrayDeque<>();
        final Set<String> keywords = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        final List<Listener> listeners = new CopyOnWriteArrayList<>();
        volatile boolean removed;

        Box(String name, SpecialUse specialUse, long uidValidity) {
            this.name = name;
            this.specialUse = specialUse;
            this.uidValidity = uidValidity;
        }

        /** The box under a new name, with all its state; this one is marked removed. */
        Box renamed(String newName) {
            Box b = new Box(newName, specialUse, uidValidity);
            b.uidNext = uidNext;
            b.highestModSeq = highestModSeq;
            b.messages.putAll(messages);
            b.expunged.addAll(expunged);
            b.keywords.addAll(keywords);
            removed = true;
            return b;
        }

        /** Adds a message under the user's lock; the caller fires the event. */
        MessageInfo add(Set<String> flags, java.time.Instant date, byte[] content, MessageStructure structure) {
            return add(uidNext, flags, date, content, structure);
        }

        /** Adds a message with UID {@code uid} (at least {@link #uidNext}, checked by the caller). */
        MessageInfo add(long uid, Set<String> flags, java.time.Instant date, byte[] content,
                        MessageStructure structure) {
            uidNext = uid + 1;
            long modSeq = ++highestModSeq;
            Set<String> f = canonicalFlags(flags);
            MessageInfo info = new MessageInfo(uid, f, date, content.length, modSeq);
            messages.put(uid, new Message(info, content, structure));
            return info;
        }

        /** System flags canonical, {@code \Recent} dropped, keywords in the spelling the mailbox knows. */
        Set<String> canonicalFlags(Collection<String> flags) {
            Set<String> out = new TreeSet<>();
            for (String f : flags) {
                if (f == null || f.isEmpty() || f.equalsIgnoreCase("\\Recent")) {
                    continue;
                }
                String c = Flags.canonical(f);
                if (!c.startsWith("\\")) {
                    if (!keywords.contains(c)) {
                        keywords.add(c);
                    }
                    c = ((TreeSet<String>) keywords).ceiling(c);
                }
                out.add(c);
            }
            return out;
        }

        void fire(MailboxEvent e) {
            for (Listener l : listeners) {
                try {
                    l.listener().changed(e);
                } catch (RuntimeException ex) {
                    LOG.warn("mailbox listener failed on {}", e.getClass().getSimpleName(), ex);
                }
            }
        }

        void expunged(long uid, long modSeq) {
            expunged.addLast(new long[] {uid, modSeq});
            while (expunged.size() > MAX_EXPUNGED) {
                expunged.removeFirst();
            }
        }

        /** UIDs expunged with a MODSEQ above {@code modSeq}, ascending. */
        List<Long> expungedSince(long modSeq) {
            List<Long> l = new ArrayList<>();
            for (java.util.Iterator<long[]> it = expunged.descendingIterator(); it.hasNext(); ) {
                long[] e = it.next();
                if (e[1] <= modSeq) {
                    break;
                }
                l.add(e[0]);
            }
            java.util.Collections.sort(l);
            return l;
        }

        List<MessageInfo> infos() {
            List<MessageInfo> l = new ArrayList<>(messages.size());
            for (Message m : messages.values()) {
                l.add(m.info);
            }
            return l;
        }

        static String lower(String s) {
            return s.toLowerCase(Locale.ROOT);
        }
    }
}
