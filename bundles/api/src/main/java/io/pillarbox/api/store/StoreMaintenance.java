package io.pillarbox.api.store;

import io.pillarbox.api.auth.MailPrincipal;

import java.util.List;

/**
 * Optional: a store may register this service beside its {@link MailStore}, with the same {@link MailStore#PROPERTY_NAME}
 * property, so that an administrator can verify a user's storage below the API (index against message files, UID
 * order, unreadable or truncated messages, leftovers of a crash) and repair what can be repaired: the shell's
 * {@code mail:check USER [--repair]}, the counterpart of UW IMAP's {@code mboxtest} and {@code doveadm force-resync}.
 * <p>
 * Blocking; may take long for big mailboxes. Must be safe to run while the user's sessions are open (or refuse with
 * {@link StoreException.Reason#UNAVAILABLE}).
 *
 * @since 1.2
 */
public interface StoreMaintenance {

    /**
     * Checks a user's storage, and with {@code repair} fixes what it can.
     *
     * @return what was found, in the order found; empty when all is well
     */
    List<Finding> check(MailPrincipal principal, boolean repair) throws StoreException;

    /**
     * One problem.
     *
     * @param mailbox  the mailbox concerned, or {@code null} for the user's storage as a whole
     * @param problem  what is wrong, for an administrator
     * @param repaired whether it was fixed (never when not asked to repair)
     */
    record Finding(String mailbox, String problem, boolean repaired) {
    }
}
