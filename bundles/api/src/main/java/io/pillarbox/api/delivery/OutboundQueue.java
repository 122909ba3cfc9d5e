package io.pillarbox.api.delivery;

import io.pillarbox.api.store.MessageSource;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The outbound queue: takes messages for recipients in domains that are not ours and delivers them to those
 * domains' mail exchangers (or a configured relay host), retrying temporary failures and sending the sender a
 * delivery status notification for recipients it gives up on. SMTP hands it mail from clients allowed to relay
 * (authenticated submission, trusted networks). {@code mail:queue-*} manage it.
 *
 * @since 1.1
 */
public interface OutboundQueue {

    /**
     * Takes responsibility for a message: when this returns, the message is on stable storage and will be
     * delivered to each recipient or bounced to the sender. Blocking: call on a worker thread.
     *
     * @param sender     the envelope sender, {@code ""} for the null reverse-path (no bounce is ever sent for it)
     * @param recipients remote envelope recipients (addresses without angle brackets)
     * @return the queue id
     * @throws IOException when the message could not be stored (the caller answers a temporary failure)
     */
    String enqueue(String sender, List<String> recipients, MessageSource message) throws IOException;

    /**
     * As {@link #enqueue(String, List, MessageSource)}, with the RFC 3461 parameters the message came with (passed on
     * to the next hop when it offers DSN, and honoured in failure reports). This default ignores them.
     *
     * @param dsn the parameters, {@link DsnRequest#NONE} (or {@code null}) for none
     * @since 1.1
     */
    default String enqueue(String sender, List<String> recipients, MessageSource message, DsnRequest dsn)
            throws IOException {
        return enqueue(sender, recipients, message);
    }

    /**
     * Tells the sender that a message was delivered to local mailboxes (an RFC 3464 report with
     * {@code Action: delivered}), for the recipients whose RFC 3461 {@code NOTIFY} asked for {@code SUCCESS}: the
     * final delivery agent owes that notice (RFC 3461 6.2.2). The report is handed to the sender's mailbox or queued
     * for a remote sender before this returns; nothing is sent to the null sender. Blocking: call on a worker
     * thread. This default sends nothing.
     *
     * @param sender     the envelope sender
     * @param recipients the recipients delivered, as the client named them
     * @param message    the message (its header goes into the report)
     * @param dsn        the message's parameters ({@code ENVID}; each recipient's {@code ORCPT})
     * @throws IOException when the report could not be made or handed on (the message itself stays delivered)
     * @since 1.2
     */
    default void reportDelivered(String sender, List<String> recipients, MessageSource message, DsnRequest dsn)
            throws IOException {
    }

    /** Every message in the queue, oldest first. */
    List<QueuedMessage> list();

    Optional<QueuedMessage> find(String id);

    /** Makes a deferred (not held) message due now; @return whether it exists. */
    boolean retry(String id);

    /** Holds a message (no delivery attempts until released) or releases it; @return whether it exists. */
    boolean hold(String id, boolean held);

    /** Removes a message without any notification to the sender; @return whether it existed. */
    boolean delete(String id);

    /**
     * One queued message.
     *
     * @param id          queue id
     * @param sender      envelope sender, {@code ""} for the null reverse-path
     * @param recipients  recipients still to deliver
     * @param size        size in octets
     * @param arrived     when it was queued
     * @param attempts    delivery attempts made so far
     * @param nextAttempt when the next attempt is due (meaningless while held)
     * @param held        whether an administrator holds it
     * @param lastError   the last temporary failure, or {@code null}
     */
    record QueuedMessage(String id, String sender, List<String> recipients, long size, Instant arrived, int attempts,
                         Instant nextAttempt, boolean held, String lastError) {

        public QueuedMessage {
            recipients = List.copyOf(recipients);
        }
    }
}
