package io.pillarbox.api.store;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * An open mailbox: the messages it holds now and the operations on them. Each protocol session opens its own
 * instance and keeps its own message-sequence view, updated by {@link MailboxEvent}s. Blocking; thread-safe.
 */
public interface Mailbox extends AutoCloseable {

    /** The mailbox name ({@link StoreSession} naming rules). */
    String name();

    boolean readOnly();

    long uidValidity();

    long uidNext();

    /** The highest MODSEQ of any change in this mailbox (CONDSTORE); at least 1. */
    long highestModSeq();

    /** Keywords defined in the mailbox (for IMAP FLAGS / PERMANENTFLAGS). */
    Set<String> keywords();

    /** The messages now in the mailbox, in ascending UID order. */
    List<MessageInfo> messages() throws StoreException;

    /** The raw bytes of a message, streamed (never loaded whole by the store). */
    MessageContent content(long uid) throws StoreException;

    /** The parsed MIME structure and envelope, computed once when the message arrived and kept in the index. */
    MessageStructure structure(long uid) throws StoreException;

    /**
     * Changes flags of messages that still exist (unknown UIDs are skipped).
     *
     * @param unchangedSince CONDSTORE's UNCHANGEDSINCE, or {@code -1}: messages modified later are not changed and
     *                       are reported in {@link FlagUpdate#failed()}
     */
    FlagUpdate updateFlags(Collection<Long> uids, FlagOp op, Set<String> flags, long unchangedSince)
            throws StoreException;

    /** Copies messages (with their flags and internal dates) to another mailbox of the same user. */
    CopyResult copy(Collection<Long> uids, String targetMailbox) throws StoreException;

    /** Moves messages atomically as far as the store can: copy, then expunge here (RFC 6851). */
    CopyResult move(Collection<Long> uids, String targetMailbox) throws StoreException;

    /**
     * Removes messages for good.
     *
     * @param uids the UIDs to expunge, only those flagged {@code \Deleted}; {@code null} for every {@code \Deleted}
     *             message
     * @return the UIDs removed, ascending
     */
    List<Long> expunge(Collection<Long> uids) throws StoreException;

    /** UIDs expunged with a MODSEQ above {@code modSeq}, as far as the store remembers (QRESYNC VANISHED). */
    List<Long> expungedSince(long modSeq) throws StoreException;

    /**
     * POP3 unique-ids (UIDL) the store keeps for some messages, by UID, where a client already knows them under
     * another form than the default POP3 derives from UIDVALIDITY and UID: e.g. Dovecot's {@code dovecot-uidlist}
     * {@code P} field of a mailbox migrated from another POP3 server. Each value is 1 to 70 characters in the range
     * 0x21..0x7E (RFC 1939). Empty when the store keeps none (the default).
     *
     * Added for POP3 (UIDL stable across a migration).
     */
    default java.util.Map<Long, String> pop3Uidls() throws StoreException {
        return java.util.Map.of();
    }

    /**
     * Registers for changes to this mailbox made by anyone: other sessions, deliveries, and this instance itself
     * (events say their {@link MailboxEvent#origin()}). Listeners are called on the thread that made the change and
     * must not block.
     */
    Registration addListener(MailboxListener listener);

    /** Picks up changes made outside Pillarbox (another program writing the same files) and fires their events. */
    void sync() throws StoreException;

    @Override
    void close();

    /** Handle to remove a listener. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
