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

    @Override
    void close();
}
