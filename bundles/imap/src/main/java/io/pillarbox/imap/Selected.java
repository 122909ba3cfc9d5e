package io.pillarbox.imap;

import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxEvent;
import io.pillarbox.api.store.MessageInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One session's view of its selected mailbox: the UIDs in message-sequence order as this client knows them, and the
 * changes (from anyone) not yet told to it. Changes are applied to the view only when they are reported, so
 * sequence numbers stay what the client believes until then.
 */
final class Selected {

    final Mailbox mailbox;
    final String name;
    final boolean readOnly;
    private final ConcurrentLinkedQueue<MailboxEvent> events = new ConcurrentLinkedQueue<>();
    private long[] uids = new long[16];
    private int count;
    private final Set<Long> recent = new HashSet<>();
    private final Set<String> keywords = new java.util.TreeSet<>();
    private Mailbox.Registration registration;
    private volatile Runnable onEvent;
    private volatile boolean removed;

    Selected(Mailbox mailbox, String name, boolean readOnly) {
        this.mailbox = mailbox;
        this.name = name;
        this.readOnly = readOnly;
    }

    /** Registers for events and loads the current messages. Call once, on the worker. */
    synchronized List<MessageInfo> open() throws io.pillarbox.api.store.StoreException {
        registration = mailbox.addListener(e -> {
            events.add(e);
            Runnable r = onEvent;
            if (r != null) {
                try {
                    r.run();
                } catch (RuntimeException ex) {
                    // the channel's event loop is gone: the session is ending; never fail the store's caller
                }
            }
        });
        List<MessageInfo> msgs = mailbox.messages();
        for (MessageInfo m : msgs) {
            append(m.uid());
        }
        return msgs;
    }

    /** Set while IDLE: called (on any thread) after an event is queued. */
    void onEvent(Runnable r) {
        this.onEvent = r;
    }

    boolean hasEvents() {
        return !events.isEmpty();
    }

    boolean removed() {
        return removed;
    }

    void close() {
        onEvent = null;
        if (registration != null) {
            registration.close();
        }
        mailbox.close();
    }

    private void append(long uid) {
        if (count == uids.length) {
            uids = Arrays.copyOf(uids, count * 2);
        }
        uids[count++] = uid;
    }

    synchronized int count() {
        return count;
    }

    synchronized long lastUid() {
        return count == 0 ? 0 : uids[count - 1];
    }

    /** The sequence number of a UID, or -1. */
    synchronized int seq(long uid) {
        int i = Arrays.binarySearch(uids, 0, count, uid);
        return i < 0 ? -1 : i + 1;
    }

    synchronized long[] uids() {
        return Arrays.copyOf(uids, count);
    }

    /** Keywords the client was told of (FLAGS); returns true when {@code flags} brings new ones. */
    synchronized boolean learnKeywords(Set<String> flags) {
        boolean added = false;
        for (String f : flags) {
            if (!f.startsWith("\\")) {
                added |= keywords.add(f);
            }
        }
        return added;
    }

    synchronized Set<String> keywords() {
        return new java.util.TreeSet<>(keywords);
    }

    synchronized void markRecent(long uid) {
        recent.add(uid);
    }

    synchronized boolean isRecent(long uid) {
        return recent.contains(uid);
    }

    synchronized int recentCount() {
        return recent.size();
    }

    /** What {@link #apply} found to tell the client. */
    interface Sink {
        void exists(int count, List<Long> newUids);

        void expunged(int seq, long uid);

        /** Several UIDs gone at once (QRESYNC clients get VANISHED). */
        default void vanished(List<Long> uids) {
        }

        void flags(int seq, MessageInfo info);

        void removed();

        /** New keywords appeared (with new messages): FLAGS and PERMANENTFLAGS again. */
        default void keywords() {
        }
    }

    /**
     * Applies queued changes to the view, telling the sink. Stops before the first expunge when
     * {@code allowExpunge} is false (RFC 9051 section 7.5.1). Flag changes made through this session's own
     * {@link Mailbox} are skipped: the command that made them reported them.
     *
     * @param vanished report expunges as one VANISHED per event instead of EXPUNGE per message
     */
    synchronized void apply(Sink sink, boolean allowExpunge, boolean vanished) {
        boolean grown = false;
        List<Long> added = new ArrayList<>();
        MailboxEvent e;
        while ((e = events.peek()) != null) {
            if (e instanceof MailboxEvent.MessagesAdded a) {
                for (MessageInfo m : a.messages()) {
                    if (m.uid() > lastUid() && learnKeywords(m.flags())) {
                        sink.keywords();
                    }
                    if (m.uid() > lastUid()) {
                        append(m.uid());
                        added.add(m.uid());
                        grown = true;
                    }
                }
            } else if (e instanceof MailboxEvent.FlagsChanged f) {
                if (grown) {
                    // the client must know of a message before it hears of its flags
                    sink.exists(count, added);
                    added = new ArrayList<>();
                    grown = false;
                }
                if (f.origin() != mailbox) {
                    for (MessageInfo m : f.messages()) {
                        int s = seq(m.uid());
                        if (s > 0) {
                            sink.flags(s, m);
                        }
                    }
                }
            } else if (e instanceof MailboxEvent.MessagesExpunged x) {
                if (!allowExpunge) {
                    break;
                }
                if (grown) {
                    sink.exists(count, added);
                    added = new ArrayList<>();
                    grown = false;
                }
                List<Long> gone = new ArrayList<>();
                for (long uid : x.uids()) {
                    int s = seq(uid);
                    if (s > 0) {
                        System.arraycopy(uids, s, uids, s - 1, count - s);
                        count--;
                        recent.remove(uid);
                        gone.add(uid);
                        if (!vanished) {
                            sink.expunged(s, uid);
                        }
                    }
                }
                if (vanished && !gone.isEmpty()) {
                    sink.vanished(gone);
                }
            } else if (e instanceof MailboxEvent.MailboxRemoved) {
                removed = true;
                events.poll();
                sink.removed();
                return;
            }
            events.poll();
        }
        if (grown) {
            sink.exists(count, added);
        }
    }
}
