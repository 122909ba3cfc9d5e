package io.pillarbox.api.store;

/** A store operation that failed, with a reason protocols map to their response codes. */
public class StoreException extends Exception {

    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** The mailbox does not exist (IMAP [NONEXISTENT]). */
        NONEXISTENT,
        /** The mailbox already exists ([ALREADYEXISTS]). */
        ALREADY_EXISTS,
        /** The name is not allowed ([CANNOT]). */
        INVALID_NAME,
        /** Not allowed in this state: deleting INBOX, writing a read-only mailbox ([CANNOT]). */
        NOT_ALLOWED,
        /** Message or mailbox over a limit ([TOOBIG], [OVERQUOTA]). */
        TOO_BIG,
        OVER_QUOTA,
        /** The store is not available now ([UNAVAILABLE]); worth trying later. */
        UNAVAILABLE,
        /** A message or mailbox is damaged ([CORRUPTION]). */
        CORRUPTION,
        /** Any other I/O failure ([SERVERBUG]). */
        IO
    }

    private final Reason reason;

    public StoreException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public StoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
