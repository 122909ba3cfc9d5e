package io.pillarbox.store.maildir;

import io.pillarbox.api.store.CopyResult;
import io.pillarbox.api.store.FlagOp;
import io.pillarbox.api.store.FlagUpdate;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxEvent;
import io.pillarbox.api.store.MailboxListener;
import io.pillarbox.api.store.MessageContent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreException.Reason;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** One session's open Maildir folder. */
final class MaildirMailbox implements Mailbox {

    private final MaildirSession session;
    final MailboxState state;
    private final boolean readOnly;
    private final List<MailboxListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    MaildirMailbox(MaildirSession session, MailboxState state, boolean readOnly) {
        this.session = session;
        this.state = state;
        this.readOnly = readOnly;
    }

    @Override
    public String name() {
        return state.name;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public long uidValidity() {
        return read(state::uidValidity);
    }

    @Override
    public long uidNext() {
        return read(state::uidNext);
    }

    @Override
    public long highestModSeq() {
        return read(state::highestModSeq);
    }

    @Override
    public Set<String> keywords() {
        return read(state::keywords);
    }

    private <T> T read(java.util.function.Supplier<T> s) {
        state.lock.lock();
        try {
            return s.get();
        } finally {
            state.lock.unlock();
        }
    }

    private void checkOpen() throws StoreException {
        if (closed.get()) {
            throw new StoreException(Reason.NOT_ALLOWED, "mailbox is closed");
        }
    }

    private void checkWritable() throws StoreException {
        checkOpen();
        if (readOnly) {
            throw new StoreException(Reason.NOT_ALLOWED, "mailbox is open read-only: " + name());
        }
    }

    @Override
    public List<MessageInfo> messages() throws StoreException {
        checkOpen();
        return state.locked(false, state::messages);
    }

    @Override
    public MessageContent content(long uid) throws StoreException {
        checkOpen();
        return state.locked(false, () -> {
            Entry e = state.entry(uid);
            if (e == null) {
                throw new StoreException(Reason.NONEXISTENT, "no message with UID " + uid);
            }
            return new FileContent(state.path(e), e.size, e.lf, () -> locate(uid));
        });
    }

    /** The current file of a message, after a rescan if it was renamed; null if it is gone. */
    private Path locate(long uid) throws IOException {
        try {
            return state.locked(false, () -> {
                Entry e = state.entry(uid);
                if (e == null) {
                    return null;
                }
                Path p = state.path(e);
                return Files.exists(p) ? p : state.relocate(e);
            });
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public MessageStructure structure(long uid) throws StoreException {
        checkOpen();
        byte[] bytes = state.locked(false, () -> {
            Entry e = state.entry(uid);
            if (e == null) {
                throw new StoreException(Reason.NONEXISTENT, "no message with UID " + uid);
            }
            return state.structureBytes(e);
        });
        if (bytes == null) {
            throw new StoreException(Reason.CORRUPTION, "message " + uid + " cannot be parsed");
        }
        try {
            return Structures.decode(bytes);
        } catch (IOException e) {
            throw new StoreException(Reason.CORRUPTION, "damaged structure of message " + uid, e);
        }
    }

    @Override
    public FlagUpdate updateFlags(Collection<Long> uids, FlagOp op, Set<String> flags, long unchangedSince)
            throws StoreException {
        checkWritable();
        MailboxState.FlagResult r = state.locked(false,
                () -> state.updateFlags(uids, op, MaildirSession.cleanFlags(flags), unchangedSince, this));
        return new FlagUpdate(r.updated(), r.failed());
    }

    @Override
    public CopyResult copy(Collection<Long> uids, String targetMailbox) throws StoreException {
        checkOpen();
        return session.copy(this, uids, targetMailbox);
    }

    @Override
    public CopyResult move(Collection<Long> uids, String targetMailbox) throws StoreException {
        checkWritable();
        CopyResult r = session.copy(this, uids, targetMailbox);
        state.locked(false, () -> state.expunge(r.sourceUids(), false, this));
        return r;
    }

    @Override
    public List<Long> expunge(Collection<Long> uids) throws StoreException {
        checkWritable();
        return state.locked(false, () -> state.expunge(uids, true, this));
    }

    @Override
    public List<Long> expungedSince(long modSeq) throws StoreException {
        checkOpen();
        return state.locked(false, () -> state.expungedSince(modSeq));
    }

    @Override
    public java.util.Map<Long, String> pop3Uidls() throws StoreException {
        checkOpen();
        return state.locked(false, state::pop3Uidls);
    }

    @Override
    public Registration addListener(MailboxListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void fire(MailboxEvent e) {
        for (MailboxListener l : listeners) {
            MailboxState.notifyListener(l, e);
        }
    }

    @Override
    public void sync() throws StoreException {
        checkOpen();
        state.locked(true, () -> null);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            listeners.clear();
            state.removeOpen(this);
            session.closed(this);
        }
    }
}
