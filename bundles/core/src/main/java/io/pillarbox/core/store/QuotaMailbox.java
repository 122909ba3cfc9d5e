package io.pillarbox.core.store;

import io.pillarbox.api.store.CopyResult;
import io.pillarbox.api.store.FlagOp;
import io.pillarbox.api.store.FlagUpdate;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxListener;
import io.pillarbox.api.store.MessageContent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.StoreException;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A mailbox of a user with a limited quota: a copy that would go over it fails with OVER_QUOTA. */
final class QuotaMailbox implements Mailbox {

    private final Mailbox delegate;
    private final TrackedSession session;

    QuotaMailbox(Mailbox delegate, TrackedSession session) {
        this.delegate = delegate;
        this.session = session;
    }

    @Override
    public CopyResult copy(Collection<Long> uids, String targetMailbox) throws StoreException {
        Set<Long> wanted = new HashSet<>(uids);
        long count = 0;
        long octets = 0;
        for (MessageInfo m : delegate.messages()) {
            if (wanted.contains(m.uid())) {
                count++;
                octets += m.size();
            }
        }
        session.check(count, octets);
        return delegate.copy(uids, targetMailbox);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public boolean readOnly() {
        return delegate.readOnly();
    }

    @Override
    public long uidValidity() {
        return delegate.uidValidity();
    }

    @Override
    public long uidNext() {
        return delegate.uidNext();
    }

    @Override
    public long highestModSeq() {
        return delegate.highestModSeq();
    }

    @Override
    public Set<String> keywords() {
        return delegate.keywords();
    }

    @Override
    public List<MessageInfo> messages() throws StoreException {
        return delegate.messages();
    }

    @Override
    public MessageContent content(long uid) throws StoreException {
        return delegate.content(uid);
    }

    @Override
    public MessageStructure structure(long uid) throws StoreException {
        return delegate.structure(uid);
    }

    @Override
    public FlagUpdate updateFlags(Collection<Long> uids, FlagOp op, Set<String> flags, long unchangedSince)
            throws StoreException {
        return delegate.updateFlags(uids, op, flags, unchangedSince);
    }

    @Override
    public CopyResult move(Collection<Long> uids, String targetMailbox) throws StoreException {
        return delegate.move(uids, targetMailbox);
    }

    @Override
    public List<Long> expunge(Collection<Long> uids) throws StoreException {
        return delegate.expunge(uids);
    }

    @Override
    public List<Long> expungedSince(long modSeq) throws StoreException {
        return delegate.expungedSince(modSeq);
    }

    @Override
    public Map<Long, String> pop3Uidls() throws StoreException {
        return delegate.pop3Uidls();
    }

    @Override
    public Registration addListener(MailboxListener listener) {
        return delegate.addListener(listener);
    }

    @Override
    public void sync() throws StoreException {
        delegate.sync();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
