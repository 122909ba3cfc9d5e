package io.pillarbox.core.store;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.AppendResult;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MailboxStatus;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.Quota;
import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/** A store session that tells its {@link MailStoresImpl} when it is closed and runs its callback at most once. */
final class TrackedSession implements StoreSession {

    private static final Logger LOG = LoggerFactory.getLogger(TrackedSession.class);

    private final StoreSession delegate;
    private final MailStoresImpl.StoreRef ref;
    private final Runnable onUnavailable;
    private final QuotaRules.Limits limits;
    private final AtomicBoolean told = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    TrackedSession(StoreSession delegate, MailStoresImpl.StoreRef ref, Runnable onUnavailable) {
        this(delegate, ref, onUnavailable, QuotaRules.Limits.NONE);
    }

    TrackedSession(StoreSession delegate, MailStoresImpl.StoreRef ref, Runnable onUnavailable,
                   QuotaRules.Limits limits) {
        this.delegate = delegate;
        this.ref = ref;
        this.onUnavailable = onUnavailable;
        this.limits = limits;
    }

    /**
     * The usage over every mailbox of the user (each mailbox's STATUS; no cache, so two deliveries at the same
     * moment may both pass the check and end slightly over the limit) and the user's limits.
     */
    @Override
    public Quota quota() throws StoreException {
        long octets = 0;
        long messages = 0;
        for (MailboxInfo m : delegate.list()) {
            MailboxStatus st;
            try {
                st = delegate.status(m.name());
            } catch (StoreException e) {
                if (e.reason() == StoreException.Reason.NONEXISTENT) {
                    continue; // deleted meanwhile
                }
                throw e;
            }
            octets += st.size();
            messages += st.messages();
        }
        return new Quota(octets, limits.storage(), messages, limits.messages());
    }

    /** Fails with OVER_QUOTA when {@code count} more messages of {@code octets} would go over a limit. */
    void check(long count, long octets) throws StoreException {
        if (!limits.limited()) {
            return;
        }
        Quota q = quota();
        if (!q.allows(count, octets)) {
            throw new StoreException(StoreException.Reason.OVER_QUOTA, "Quota exceeded (mailbox for user is full)");
        }
    }

    void unavailable() {
        if (closed.get() || !told.compareAndSet(false, true) || onUnavailable == null) {
            return;
        }
        try {
            onUnavailable.run();
        } catch (RuntimeException e) {
            LOG.warn("onUnavailable callback of a {} session failed", ref.name, e);
        }
    }

    StoreSession delegate() {
        return delegate;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            MailStoresImpl.forget(ref, this);
            delegate.close();
        }
    }

    @Override
    public MailPrincipal principal() {
        return delegate.principal();
    }

    @Override
    public List<MailboxInfo> list() throws StoreException {
        return delegate.list();
    }

    @Override
    public MailboxInfo create(String name, SpecialUse specialUse) throws StoreException {
        return delegate.create(name, specialUse);
    }

    @Override
    public void delete(String name) throws StoreException {
        delegate.delete(name);
    }

    @Override
    public void rename(String from, String to) throws StoreException {
        delegate.rename(from, to);
    }

    @Override
    public Set<String> subscriptions() throws StoreException {
        return delegate.subscriptions();
    }

    @Override
    public void subscribe(String name) throws StoreException {
        delegate.subscribe(name);
    }

    @Override
    public void unsubscribe(String name) throws StoreException {
        delegate.unsubscribe(name);
    }

    @Override
    public MailboxStatus status(String name) throws StoreException {
        return delegate.status(name);
    }

    @Override
    public Mailbox open(String name, boolean readOnly) throws StoreException {
        Mailbox m = delegate.open(name, readOnly);
        return limits.limited() && !readOnly ? new QuotaMailbox(m, this) : m;
    }

    @Override
    public AppendResult append(String mailbox, MessageSource message, Set<String> flags, Instant internalDate)
            throws StoreException {
        check(1, message.size());
        return delegate.append(mailbox, message, flags, internalDate);
    }

    @Override
    public boolean canKeepUids() {
        return delegate.canKeepUids();
    }

    @Override
    public MailboxInfo create(String name, SpecialUse specialUse, long uidValidity) throws StoreException {
        return delegate.create(name, specialUse, uidValidity);
    }

    @Override
    public AppendResult append(String mailbox, MessageSource message, Set<String> flags, Instant internalDate,
                               long uid) throws StoreException {
        check(1, message.size());
        return delegate.append(mailbox, message, flags, internalDate, uid);
    }
}
