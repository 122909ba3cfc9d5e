package io.pillarbox.api.delivery;

import io.pillarbox.api.store.MessageSource;

/**
 * Puts a message into a local user's mailbox, whichever store serves them. Used by SMTP and LMTP so that they never
 * know which store they write to. Blocking: call on a worker thread.
 */
public interface LocalDelivery {

    /**
     * Where an address leads: a local user, an unknown local user, or a domain that is not ours.
     * Domains compare case-insensitively; aliases and catch-alls are resolved here. An alias forwarding to addresses
     * in other domains resolves {@link Resolution.Kind#LOCAL} with those addresses in
     * {@link Resolution#remoteTargets()} (since 1.1): the caller hands them to the {@link OutboundQueue}.
     */
    Resolution resolve(String address);

    /**
     * Delivers one message to one resolved local recipient, durably: when this returns {@link DeliveryResult.Status#DELIVERED},
     * the message is on stable storage.
     *
     * @param recipient an address that {@link #resolve} called local (only its local users get the message; its
     *                  remote targets, if any, are the caller's to queue)
     * @param mailbox   the target mailbox, normally {@code INBOX}
     */
    DeliveryResult deliver(String recipient, String mailbox, MessageSource message);

    /**
     * The envelope sender for a copy of a message from {@code sender} that an alias forwards to a remote address.
     * With the Sender Rewriting Scheme, a sender in another domain becomes an address of ours that {@link #resolve}
     * leads back to it, so that the next server's SPF check is about our domain and bounces still reach the
     * sender. The null sender ({@code ""}) stays as it is. This default keeps every sender.
     *
     * @since 1.2
     */
    default String forwardingSender(String sender) {
        return sender;
    }
}
