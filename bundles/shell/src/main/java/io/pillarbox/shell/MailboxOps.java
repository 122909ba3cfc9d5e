package io.pillarbox.shell;

import io.pillarbox.api.store.FlagOp;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MailboxStatus;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The store work behind the mailbox commands, on a {@link StoreSession} (unit-tested with the memory store). */
final class MailboxOps {

    private MailboxOps() {
    }

    /** One line of {@code mail:mailbox-list}; {@code status} is null for a level that cannot be selected. */
    record Row(MailboxInfo info, MailboxStatus status, boolean subscribed) {
    }

    static List<Row> list(StoreSession s) throws StoreException {
        Set<String> subscribed = s.subscriptions();
        List<Row> rows = new ArrayList<>();
        for (MailboxInfo i : s.list()) {
            rows.add(new Row(i, i.selectable() ? s.status(i.name()) : null, subscribed.contains(i.name())));
        }
        return rows;
    }

    /**
     * Removes messages for good. Without {@code before}: the messages flagged {@code \Deleted} (IMAP EXPUNGE). With
     * {@code before}: every message whose internal date is older, whatever its flags.
     *
     * @return the UIDs removed
     */
    static List<Long> expunge(StoreSession s, String mailbox, Instant before) throws StoreException {
        try (Mailbox m = s.open(mailbox, false)) {
            if (before == null) {
                return m.expunge(null);
            }
            List<Long> old = new ArrayList<>();
            for (MessageInfo i : m.messages()) {
                if (i.internalDate() != null && i.internalDate().isBefore(before)) {
                    old.add(i.uid());
                }
            }
            if (old.isEmpty()) {
                return List.of();
            }
            m.updateFlags(old, FlagOp.ADD, Set.of(Flags.DELETED), -1);
            return m.expunge(old);
        }
    }

    /** Human-readable size: {@code 512 B}, {@code 1.5 KiB}, {@code 20.0 MiB}. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
