package io.pillarbox.store.memory;

import io.pillarbox.api.store.CopyResult;
import io.pillarbox.api.store.FlagOp;
import io.pillarbox.api.store.FlagUpdate;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxEvent;
import io.pillarbox.api.store.MailboxListener;
import io.pillarbox.api.store.MessageContent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.store.memory.MemoryData.Box;
import io.pillarbox.store.memory.MemoryData.Listener;
import io.pillarbox.store.memory.MemoryData.Message;
import io.pillarbox.store.memory.MemoryData.User;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/** One session's open mailbox on the memory store. */
final class MemoryMailbox implements Mailbox {

    private final MemorySession session;
    private final User user;
    private final Box box;
    private final boolean readOnly;
    private final List<Listener> mine = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    MemoryMailbox(MemorySession session, Box box, boolean readOnly) {
        this.session = session;
        this.user = session.user;
        this.box = box;
        this.readOnly = readOnly;
    }

    @Override
    public String name() {
        return box.name;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public long uidValidity() {
        return box.uidValidity;
    }

    @Override
    public long uidNext() {
        user.lock.lock();
        try {
            return box.uidNext;
        } finally {
            user.lock.unlock();
        }
    }

    @Override
    public long highestModSeq() {
        user.lock.lock();
        try {
            return box.highestModSeq;
        } finally {
            user.lock.unlock();
        }
    }

    @Override
    public Set<String> keywords() {
        user.lock.lock();
        try {
            return MemorySession.keywords(box);
        } finally {
            user.lock.unlock();
        }
    }

    private void check() throws StoreException {
        if (box.removed) {
            throw new StoreException(StoreException.Reason.NONEXISTENT, "mailbox " + box.name + " no longer exists");
        }
    }

    private void checkWritable() throws StoreException {
        check();
        if (readOnly) {
            throw new StoreException(StoreException.Reason.NOT_ALLOWED, "mailbox " + box.name + " is read-only");
        }
    }

    @Override
    public List<MessageInfo> messages() throws StoreException {
        user.lock.lock();
        try {
            check();
            return List.copyOf(box.infos());
        } finally {
            user.lock.unlock();
        }
    }

    private Message message(long uid) throws StoreException {
        user.lock.lock();
        try {
            check();
            Message m = box.messages.get(uid);
            if (m == null) {
                throw new StoreException(StoreException.Reason.NONEXISTENT, "no message with UID " + uid);
            }
            return m;
        } finally {
            user.lock.unlock();
        }
    }

    @Override
    public MessageContent content(long uid) throws StoreException {
        byte[] b = message(uid).content;
        return new MessageContent() {
            @Override
            public long size() {
                return b.length;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(b);
            }

            @Override
            public InputStream open(long offset, long length) {
                if (offset < 0 || length < 0) {
                    throw new IllegalArgumentException("negative offset or length");
                }
                int from = (int) Math.min(offset, b.length);
                int n = (int) Math.min(length, b.length - from);
                return new ByteArrayInputStream(b, from, n);
            }
        };
    }

    @Override
    public MessageStructure structure(long uid) throws StoreException {
        return message(uid).structure;
    }

    @Override
    public FlagUpdate updateFlags(Collection<Long> uids, FlagOp op, Set<String> flags, long unchangedSince)
            throws StoreException {
        user.lock.lock();
        try {
            checkWritable();
            Set<String> given = box.canonicalFlags(flags);
            List<MessageInfo> updated = new ArrayList<>();
            List<MessageInfo> changed = new ArrayList<>();
            List<Long> failed = new ArrayList<>();
            for (long uid : new TreeSet<>(uids)) {
                Message m = box.messages.get(uid);
                if (m == null) {
                    continue;
                }
                MessageInfo i = m.info;
                if (unchangedSince >= 0 && i.modSeq() > unchangedSince) {
                    failed.add(uid);
                    continue;
                }
                Set<String> next = new HashSet<>(op == FlagOp.REPLACE ? Set.of() : i.flags());
                switch (op) {
                    case ADD, REPLACE -> next.addAll(given);
                    case REMOVE -> next.removeAll(given);
                }
                if (next.equals(i.flags())) {
                    updated.add(i);
                    continue;
                }
                MessageInfo n = new MessageInfo(uid, next, i.internalDate(), i.size(), ++box.highestModSeq);
                m.info = n;
                updated.add(n);
                changed.add(n);
            }
            if (!changed.isEmpty()) {
                box.fire(new MailboxEvent.FlagsChanged(box.name, this, List.copyOf(changed)));
            }
            return new FlagUpdate(updated, failed);
        } finally {
            user.lock.unlock();
        }
    }

    @Override
    public CopyResult copy(Collection<Long> uids, String targetMailbox) throws StoreException {
        String t = MailboxNames.canonical(targetMailbox);
        user.lock.lock();
        try {
            check();
            return copyLocked(uids, t);
        } finally {
            user.lock.unlock();
        }
    }

    private CopyResult copyLocked(Collection<Long> uids, String t) throws StoreException {
        Box target = session.box(t);
        List<Long> from = new ArrayList<>();
        List<Long> to = new ArrayList<>();
        List<MessageInfo> added = new ArrayList<>();
        for (long uid : new TreeSet<>(uids)) {
            Message m = box.messages.get(uid);
            if (m == null) {
                continue;
            }
            MessageInfo n = target.add(m.info.flags(), m.info.internalDate(), m.content, m.structure);
            from.add(uid);
            to.add(n.uid());
            added.add(n);
        }
        if (!added.isEmpty()) {
            target.fire(new MailboxEvent.MessagesAdded(target.name, target == box ? this : null, added));
        }
        return new CopyResult(target.uidValidity, from, to);
    }

    @Override
    public CopyResult move(Collection<Long> uids, String targetMailbox) throws StoreException {
        String t = MailboxNames.canonical(targetMailbox);
        user.lock.lock();
        try {
            checkWritable();
            CopyResult r = copyLocked(uids, t);
            remove(r.sourceUids());
            return r;
        } finally {
            user.lock.unlock();
        }
    }

    @Override
    public List<Long> expunge(Collection<Long> uids) throws StoreException {
        user.lock.lock();
        try {
            checkWritable();
            List<Long> gone = new ArrayList<>();
            Collection<Long> candidates = uids == null ? box.messages.keySet() : new TreeSet<>(uids);
            for (long uid : candidates) {
                Message m = box.messages.get(uid);
                if (m != null && m.info.flags().contains(Flags.DELETED)) {
                    gone.add(uid);
                }
            }
            remove(gone);
            return List.copyOf(gone);
        } finally {
            user.lock.unlock();
        }
    }

    /** Removes messages under the lock and tells the listeners. */
    private void remove(List<Long> uids) {
        if (uids.isEmpty()) {
            return;
        }
        long modSeq = ++box.highestModSeq;
        for (long uid : uids) {
            box.messages.remove(uid);
            box.expunged(uid, modSeq);
        }
        box.fire(new MailboxEvent.MessagesExpunged(box.name, this, List.copyOf(uids), modSeq));
    }

    @Override
    public List<Long> expungedSince(long modSeq) throws StoreException {
        user.lock.lock();
        try {
            check();
            return box.expungedSince(modSeq);
        } finally {
            user.lock.unlock();
        }
    }

    @Override
    public Registration addListener(MailboxListener listener) {
        Listener l = new Listener(this, listener);
        user.lock.lock();
        try {
            if (!closed && !box.removed) {
                box.listeners.add(l);
                mine.add(l);
            }
        } finally {
            user.lock.unlock();
        }
        return () -> {
            box.listeners.remove(l);
            mine.remove(l);
        };
    }

    @Override
    public void sync() {
        // nothing changes behind the store's back
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Listener l : mine) {
            box.listeners.remove(l);
        }
        mine.clear();
        session.closed(this);
    }
}
