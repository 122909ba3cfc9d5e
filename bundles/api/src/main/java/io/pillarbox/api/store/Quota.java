package io.pillarbox.api.store;

/**
 * A user's quota: what their mailboxes hold and the limits (RFC 9208 resources STORAGE and MESSAGE).
 *
 * @param storage       octets in all the user's mailboxes (sum of message sizes)
 * @param storageLimit  the most octets allowed, or {@link #UNLIMITED}
 * @param messages      messages in all the user's mailboxes
 * @param messageLimit  the most messages allowed, or {@link #UNLIMITED}
 * @since 1.4
 */
public record Quota(long storage, long storageLimit, long messages, long messageLimit) {

    /** No limit on a resource. */
    public static final long UNLIMITED = -1;

    /** Whether any resource is limited. */
    public boolean limited() {
        return storageLimit != UNLIMITED || messageLimit != UNLIMITED;
    }

    /** Whether {@code moreMessages} more messages of {@code moreOctets} octets in all stay within the limits. */
    public boolean allows(long moreMessages, long moreOctets) {
        return (storageLimit == UNLIMITED || storage + moreOctets <= storageLimit)
                && (messageLimit == UNLIMITED || messages + moreMessages <= messageLimit);
    }
}
