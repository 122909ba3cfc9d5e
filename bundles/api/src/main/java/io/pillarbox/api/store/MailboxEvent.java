package io.pillarbox.api.store;

import java.util.List;

/** A change to one mailbox. {@link #origin()} is the {@link Mailbox} instance that made it, or {@code null}. */
public sealed interface MailboxEvent {

    String mailbox();

    Mailbox origin();

    /** New messages, ascending UIDs. */
    record MessagesAdded(String mailbox, Mailbox origin, List<MessageInfo> messages) implements MailboxEvent {
    }

    /** Flags of these messages changed; the infos carry the new flags and MODSEQ. */
    record FlagsChanged(String mailbox, Mailbox origin, List<MessageInfo> messages) implements MailboxEvent {
    }

    /** These UIDs are gone, ascending; {@code modSeq} is the mailbox's MODSEQ after the change. */
    record MessagesExpunged(String mailbox, Mailbox origin, List<Long> uids, long modSeq) implements MailboxEvent {
    }

    /** The mailbox was deleted or renamed away; sessions that have it open must leave it. */
    record MailboxRemoved(String mailbox, Mailbox origin) implements MailboxEvent {
    }
}
