package io.pillarbox.api.store;

/** Told of every change to a mailbox; must return quickly and never block. */
@FunctionalInterface
public interface MailboxListener {
    void changed(MailboxEvent event);
}
