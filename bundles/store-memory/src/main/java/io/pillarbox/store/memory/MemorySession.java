package io.pillarbox.store.memory;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.AppendResult;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxEvent;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MailboxStatus;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.mime.MessageParser;
import io.pillarbox.store.memory.MemoryData.Box;
import io.pillarbox.store.memory.MemoryData.Message;
import io.pillarbox.store.memory.MemoryData.User;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** One user's session on the memory store. */
final class MemorySession implements StoreSession {

    /** The largest IMAP UID and UIDVALIDITY (an unsigned 32-bit number). */
    private static final long MAX_UID = 0xFFFFFFFFL;

    private final MemoryMailStore store;
    private final MailPrincipal principal;
    final User user;
    private final Set<MemoryMailbox> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    MemorySession(MemoryMailStore store, MailPrincipal principal, User user) {
        this.store = store;
        this.principal = principal;
        this.user = user;
    }

    @Override
    public MailPrincipal principal() {
        return principal;
    }

    private void checkOpen() throws StoreException {
        if (closed) {
            throw new StoreException(StoreException.Reason.UNAVAILABLE, "session closed");
        }
    }

    @Override
    public List<MailboxInfo> list() throws StoreException {
        checkOpen();
        user.lock.lock();
        try {
            TreeMap<String, MailboxInfo> out = new TreeMap<>();
            for (Box b : user.boxes.values()) {
                out.put(b.name, new MailboxInfo(b.name, b.specialUse, true));
                for (String p = MailboxNames.parent(b.name); p != null; p = MailboxNames.parent(p)) {
                    if (!user.boxes.containsKey(p)) {
                        out.putIfAbsent(p, new MailboxInfo(p, null, false));
                    }
                }
            }
            return List.copyOf(out.values());
        } finally {
            user.lock.unlock();
        }
    }

    @Override
    public MailboxInfo create(String name, SpecialUse specialUse) throws StoreException {
        return createWith(name, specialUse, 0);
    }

    /** The memory store keeps given UIDVALIDITYs and UIDs. */
    @Override
    public boolean canKeepUids() {
        return true;
    }

    @Override
    public MailboxInfo create(String name, SpecialUse specialUse, long uidValidity) throws StoreException {
        if (uidValidity < 1 || uidValidity > MAX_UID) {
            throw new StoreException(StoreException.Reason.NOT_ALLOWED, "UIDVALIDITY out of range: " + uidValidity);
        }
        return createWith(name, specialUse, uidValidity);
    }

    /** {@code uidValidity} 0: a new one. */
    private MailboxInfo createWith(String name, SpecialUse specialUse, long uidValidity) throws StoreException {
        checkOpen();
        String n = MailboxNames.canonical(name);
        user.lock.lock();
        try {
            Box existing = user.boxes.get(n);
            if (existing != null) {
                if (uidValidity == 0 || existing.uidNext != 1 || !existing.messages.isEmpty()) {
                    throw new StoreException(StoreException.Reason.ALREADY_EXISTS, "mailbox exists: " + n);
                }
                // adopt a mailbox that never held a message: it gets the given UIDVALIDITY; sessions that have
                // it open are told it was removed (as for delete) and must select it again
                user.usedUidValidity(uidValidity);
                SpecialUse use = specialUse != null ? specialUse : existing.specialUse;
                Box b = new Box(n, use, uidValidity);
                b.keywords.addAll(existing.keywords);
                user.boxes.put(n, b);
                existing.removed = true;
                existing.fire(new MailboxEvent.MailboxRemoved(n, null));
                existing.listeners.clear();
                return new MailboxInfo(n, use, true);
            }
            createParents(n);
            long validity = uidValidity;
            if (validity == 0) {
                validity = user.nextUidValidity();
            } else {
                user.usedUidValidity(validity);
            }
            Box b = new Box(n, specialUse, validity);
            user.boxes.put(n, b);
            return new MailboxInfo(n, specialUse, true);
        } finally {
            user.lock.unlock();
        }
    }

    private void createParents(String n) {
        for (String p = MailboxNames.parent(n); p != null; p = MailboxNames.parent(p)) {
            user.boxes.computeIfAbsent(p, k -> new Box(k, null, user.nextUidValidity()));
        }
    }

    @Override
    public void delete(String name) throws StoreException {
        checkOpen();
        String n = MailboxNames.canonical(name);
        if (MailboxNames.isInbox(n)) {
            throw new StoreException(StoreException.Reason.NOT_ALLOWED, "INBOX cannot be deleted");
        }
        user.lock.lock();
        try {
            Box b = user.boxes.remove(n);
            if (b == null) {
                throw new StoreException(StoreException.Reason.NONEXISTENT, "no mailbox " + n);
            }
            b.removed = true;
            b.fire(new MailboxEvent.MailboxRemoved(n, null));
            b.listeners.clear();
        } finally {
            user.lock.unlock();
        }
    }

    @Override
    public void rename(String from, String to) throws StoreException {
        checkOpen();
        String f = MailboxNames.canonical(from);
        String t = MailboxNames.canonical(to);
        user.lock.lock();
        try {
            Box src = user.boxes.get(f);
            if (src == null) {
                throw new StoreException(StoreException.Reason.NONEXISTENT, "no mailbox " + f);
            }
            if (user.boxes.containsKey(t)) {
                throw new StoreException(StoreException.Reason.ALREADY_EXISTS, "mailbox exists: " + t);
            }
            if (MailboxNames.isInbox(f)) {
                renameInbox(src, t);
                return;
            }
            if (t.startsWith(f + DELIMITER)) {
                throw new StoreException(StoreException.Reason.NOT_ALLOWED, "cannot rename a mailbox into itself");
            }
            List<String> moving = new ArrayList<>();
            moving.add(f);
            for (String k : user.boxes.tailMap(f + DELIMITER, true).keySet()) {
                if (!k.startsWith(f + DELIMITER)) {
                    break;
                }
                moving.add(k);
            }
            for (String k : moving) {
                String target = t + k.substring(f.length());
                if (user.boxes.containsKey(target)) {
                    throw new StoreException(StoreException.Reason.ALREADY_EXISTS, "mailbox exists: " + target);
                }
            }
            for (String k : moving) {
                Box old = user.boxes.remove(k);
                String target = t + k.substring(f.length());
                user.boxes.put(target, old.renamed(target));
                old.fire(new MailboxEvent.MailboxRemoved(k, null));
                old.listeners.clear();
            }
            createParents(t);
        } finally {
            user.lock.unlock();
        }
    }

    /** RFC 3501 6.3.5: INBOX's messages move to a new mailbox; INBOX stays, empty. */
    private void renameInbox(Box inbox, String t) {
        createParents(t);
        Box target = new Box(t, null, user.nextUidValidity());
        List<Long> uids = new ArrayList<>(inbox.messages.keySet());
        for (Message m : inbox.messages.values()) {
            target.add(m.info.flags(), m.info.internalDate(), m.content, m.structure);
        }
        user.boxes.put(t, target);
        if (!uids.isEmpty()) {
            long modSeq = ++inbox.highestModSeq;
            for (Long u : uids) {
                inbox.messages.remove(u);
                inbox.expunged(u, modSeq);
            }
            inbox.fire(new MailboxEvent.MessagesExpunged(inbox.name, null, uids, modSeq));
        }
    }

    @Override
    public Set<String> subscriptions() throws StoreException {
        checkOpen();
        user.lock.lock();
        try {
            return Set.copyOf(user.subscriptions);
        } finally {
            user.lock.unlock();
        }
    }

    @Override
    public void subscribe(String name) throws StoreException {
        checkOpen();
        String n = MailboxNames.canonical(name);
        user.lock.lock();
        try {
            user.subscriptions.add(n);
        } finally {
            user.lock.unlock();
        }
    }

    @Override
    public void unsubscribe(String name) throws StoreException {
        checkOpen();
        String n = MailboxNames.canonical(name);
        user.lock.lock();
        try {
            user.subscriptions.remove(n);
        } finally {
            user.lock.unlock();
        }
    }

    Box box(String canonical) throws StoreException {
        Box b = user.boxes.get(canonical);
        if (b == null) {
            throw new StoreException(StoreException.Reason.NONEXISTENT, "no mailbox " + canonical);
        }
        return b;
    }

    @Override
    public MailboxStatus status(String name) throws StoreException {
        checkOpen();
        String n = MailboxNames.canonical(name);
        user.lock.lock();
        try {
            Box b = box(n);
            long unseen = 0;
            long deleted = 0;
            long size = 0;
            for (Message m : b.messages.values()) {
                MessageInfo i = m.info;
                if (!i.flags().contains(Flags.SEEN)) {
                    unseen++;
                }
                if (i.flags().contains(Flags.DELETED)) {
                    deleted++;
                }
                size += i.size();
            }
            return new MailboxStatus(n, b.messages.size(), unseen, deleted, b.uidNext, b.uidValidity,
                    b.highestModSeq, size);
        } finally {
            user.lock.unlock();
        }
    }

    @Override
    public Mailbox open(String name, boolean readOnly) throws StoreException {
        checkOpen();
        String n = MailboxNames.canonical(name);
        user.lock.lock();
        try {
            MemoryMailbox mb = new MemoryMailbox(this, box(n), readOnly);
            open.add(mb);
            return mb;
        } finally {
            user.lock.unlock();
        }
    }

    void closed(MemoryMailbox mb) {
        open.remove(mb);
    }

    @Override
    public AppendResult append(String mailbox, MessageSource message, Set<String> flags, Instant internalDate)
            throws StoreException {
        return appendWith(mailbox, message, flags, internalDate, 0);
    }

    @Override
    public AppendResult append(String mailbox, MessageSource message, Set<String> flags, Instant internalDate,
                               long uid) throws StoreException {
        if (uid < 1 || uid > MAX_UID) {
            throw new StoreException(StoreException.Reason.NOT_ALLOWED, "UID out of range: " + uid);
        }
        return appendWith(mailbox, message, flags, internalDate, uid);
    }

    /** {@code uid} 0: the mailbox's next UID. */
    private AppendResult appendWith(String mailbox, MessageSource message, Set<String> flags, Instant internalDate,
                                    long uid) throws StoreException {
        checkOpen();
        String n = MailboxNames.canonical(mailbox);
        long max = store.maxMessageSize();
        if (max > 0 && message.size() > max) {
            throw new StoreException(StoreException.Reason.TOO_BIG, "message larger than " + max + " octets");
        }
        user.lock.lock();
        try {
            Box early = box(n); // fail early, before reading the message
            checkUid(early, uid);
        } finally {
            user.lock.unlock();
        }
        byte[] content;
        try (InputStream in = message.open()) {
            content = max > 0 ? in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1)) : in.readAllBytes();
        } catch (IOException e) {
            throw new StoreException(StoreException.Reason.IO, "cannot read the message: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new StoreException(StoreException.Reason.TOO_BIG, "message too large for memory");
        }
        if (max > 0 && content.length > max) {
            throw new StoreException(StoreException.Reason.TOO_BIG, "message larger than " + max + " octets");
        }
        MessageStructure structure = parse(content);
        Instant date = internalDate != null ? internalDate : Instant.now();
        user.lock.lock();
        try {
            Box b = box(n);
            checkUid(b, uid);
            MessageInfo info = b.add(uid == 0 ? b.uidNext : uid, flags == null ? Set.of() : flags, date, content,
                    structure);
            b.fire(new MailboxEvent.MessagesAdded(b.name, null, List.of(info)));
            return new AppendResult(b.name, b.uidValidity, info.uid());
        } finally {
            user.lock.unlock();
        }
    }

    private static void checkUid(Box b, long uid) throws StoreException {
        if (uid != 0 && uid < b.uidNext) {
            throw new StoreException(StoreException.Reason.NOT_ALLOWED,
                    "UID " + uid + " is below UIDNEXT " + b.uidNext + " of " + b.name);
        }
    }

    static MessageStructure parse(byte[] content) throws StoreException {
        try {
            return MessageParser.parse(new ByteArrayInputStream(content));
        } catch (IOException e) {
            throw new StoreException(StoreException.Reason.IO, "cannot parse the message", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (MemoryMailbox mb : Set.copyOf(open)) {
            mb.close();
        }
        store.closed(this);
    }

    /** Keywords of a box as an immutable set (under the lock). */
    static Set<String> keywords(Box b) {
        return Set.copyOf(new TreeSet<>(b.keywords));
    }

    static Map<Long, Message> snapshot(Box b) {
        return new TreeMap<>(b.messages);
    }
}
