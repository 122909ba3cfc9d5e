package io.pillarbox.api.store;

import io.pillarbox.api.auth.MailPrincipal;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One user's view of a store: the mailbox hierarchy and appends. Obtained from {@link MailStore#open}; close it when
 * the protocol session ends.
 * <p>
 * <b>Names.</b> Mailbox names are Unicode strings with {@code '/'} ({@link #DELIMITER}) between hierarchy levels; the
 * store maps them to its own layout. {@code INBOX} is case-insensitive and canonicalised to {@code "INBOX"}. Names that
 * are empty, have empty levels, start or end with the delimiter, contain NUL, control characters, or a level of
 * {@code "."} or {@code ".."} are refused with {@link StoreException.Reason#INVALID_NAME}: no name reaches outside
 * the user's storage.
 * <p>
 * All methods block (disk I/O): callers run them on a worker pool, never on a network event loop.
 */
public interface StoreSession extends AutoCloseable {

    char DELIMITER = '/';

    String INBOX = "INBOX";

    MailPrincipal principal();

    /** Every mailbox of the user, INBOX included, sorted by name. */
    List<MailboxInfo> list() throws StoreException;

    /** Creates a mailbox (and missing parents). */
    MailboxInfo create(String name, SpecialUse specialUse) throws StoreException;

    /** Deletes a mailbox and its messages; INBOX cannot be deleted. Children keep existing. */
    void delete(String name) throws StoreException;

    /**
     * Renames a mailbox and its children. Renaming INBOX moves its messages to the new mailbox and leaves INBOX
     * empty (RFC 3501 6.3.5).
     */
    void rename(String from, String to) throws StoreException;

    Set<String> subscriptions() throws StoreException;

    void subscribe(String name) throws StoreException;

    void unsubscribe(String name) throws StoreException;

    /** Counts without opening the mailbox for a session (IMAP STATUS). */
    MailboxStatus status(String name) throws StoreException;

    /** Opens a mailbox for reading and (unless {@code readOnly}) changing: IMAP SELECT/EXAMINE, POP3's maildrop. */
    Mailbox open(String name, boolean readOnly) throws StoreException;

    /**
     * Appends one message durably: when this returns, the message is on stable storage. Other sessions with the
     * mailbox open are told through their listeners.
     *
     * @param flags        flags and keywords to set ({@link Flags}); {@code \Recent} is ignored
     * @param internalDate the internal date, or {@code null} for now
     */
    AppendResult append(String mailbox, MessageSource message, Set<String> flags, Instant internalDate)
            throws StoreException;

    /**
     * Whether this store can create a mailbox with a given UIDVALIDITY and append messages with given UIDs
     * ({@link #create(String, SpecialUse, long)} and {@link #append(String, MessageSource, Set, Instant, long)}), as
     * migrations need to keep the UIDs of another server or of an mbox file so clients do not download everything
     * again. If false, those two methods throw {@link StoreException.Reason#NOT_ALLOWED}.
     *
     * @since 1.3
     */
    default boolean canKeepUids() {
        return false;
    }

    /**
     * Creates a mailbox (and missing parents, which get UIDVALIDITYs of their own) like
     * {@link #create(String, SpecialUse)}, but with the UIDVALIDITY {@code uidValidity}, which it keeps across
     * restarts. Its UIDNEXT starts at 1.
     * <p>
     * If the mailbox exists but has never held a message (UIDNEXT 1, no messages; INBOX of a new user, or a folder
     * just created), it is <em>adopted</em> instead: it gets the UIDVALIDITY {@code uidValidity} (persisted like a
     * new one) and its {@link MailboxInfo} is returned. Mailboxes that sessions have open at that moment are told
     * {@link MailboxEvent.MailboxRemoved} and must be opened again. Since 1.3 (unchanged signature; adopting was
     * added as a widening of the contract, without a new method): a migration into INBOX keeps the source's UIDs.
     *
     * @param uidValidity the UIDVALIDITY, 1 to 4294967295 (an unsigned 32-bit IMAP number)
     * @throws StoreException {@link StoreException.Reason#NOT_ALLOWED} if the store cannot keep UIDs
     *                        ({@link #canKeepUids()} is false; the default) or {@code uidValidity} is out of range;
     *                        {@link StoreException.Reason#ALREADY_EXISTS} if the mailbox exists and has or had messages
     *                        (UIDNEXT above 1);
     *                        {@link StoreException.Reason#INVALID_NAME} as for {@link #create(String, SpecialUse)}
     * @since 1.3
     */
    default MailboxInfo create(String name, SpecialUse specialUse, long uidValidity) throws StoreException {
        throw new StoreException(StoreException.Reason.NOT_ALLOWED, "this store cannot set a UIDVALIDITY");
    }

    /**
     * Appends one message like {@link #append(String, MessageSource, Set, Instant)}, but with the UID {@code uid}.
     * {@code uid} must be at least the mailbox's UIDNEXT (so UIDs stay strictly ascending and none is ever reused);
     * afterwards UIDNEXT is {@code uid + 1}, and later normal appends continue from there. UIDs between the old
     * UIDNEXT and {@code uid} are never given out.
     *
     * @param uid the UID, 1 to 4294967295
     * @throws StoreException {@link StoreException.Reason#NOT_ALLOWED} if the store cannot keep UIDs
     *                        ({@link #canKeepUids()} is false; the default) or {@code uid} is below the mailbox's
     *                        UIDNEXT or above 4294967295 (nothing is appended then); otherwise as
     *                        {@link #append(String, MessageSource, Set, Instant)}
     * @since 1.3
     */
    default AppendResult append(String mailbox, MessageSource message, Set<String> flags, Instant internalDate,
                                long uid) throws StoreException {
        throw new StoreException(StoreException.Reason.NOT_ALLOWED, "this store cannot append with a given UID");
    }

    /**
     * The user's quota: usage over all their mailboxes and the limits that apply, or {@code null} when nothing keeps
     * a quota for this session (the default; Pillarbox's store routing, which hands out the sessions protocols use,
     * always answers). A limited quota is enforced by {@link #append} and {@link Mailbox#copy}, which fail with
     * {@link StoreException.Reason#OVER_QUOTA} rather than go over it; removing, moving and flagging always work.
     *
     * @since 1.4
     */
    default Quota quota() throws StoreException {
        return null;
    }

    @Override
    void close();
}
