package io.pillarbox.core.store;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.Quota;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.store.memory.MemoryMailStore;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuotaTest {

    private static MessageSource message(int octets) {
        byte[] b = new byte[octets];
        byte[] head = "Subject: q\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        java.util.Arrays.fill(b, (byte) 'x');
        System.arraycopy(head, 0, b, 0, head.length);
        return MessageSource.of(b);
    }

    private static MailStoresImpl stores(String... rules) {
        MailStoresImpl s = new MailStoresImpl();
        s.addStore(new MemoryMailStore(), "memory", 0);
        s.setDefaultStore("memory");
        s.setQuotaRules(rules);
        return s;
    }

    private static MailPrincipal user(String name, String... attributes) {
        Map<String, String> attrs = new java.util.HashMap<>();
        for (int i = 0; i < attributes.length; i += 2) {
            attrs.put(attributes[i], attributes[i + 1]);
        }
        return MailPrincipal.of(name, "test").withAttributes(attrs);
    }

    @Test
    void rulesInDovecotsSyntax() {
        List<String> problems = new ArrayList<>();
        QuotaRules.Limits d = QuotaRules.defaults(new String[] {"*:storage=1G"});
        assertEquals(new QuotaRules.Limits(1L << 30, Quota.UNLIMITED), d);
        assertEquals(new QuotaRules.Limits(1024 * 100, Quota.UNLIMITED), QuotaRules.defaults(new String[] {"*:storage=100"}),
                "storage without a unit is kilobytes");
        assertEquals(new QuotaRules.Limits(5000, 10), QuotaRules.defaults(new String[] {"*:bytes=5000:messages=10"}));
        assertEquals(QuotaRules.Limits.NONE, QuotaRules.defaults(new String[] {"*:storage=0"}));
        assertEquals(QuotaRules.Limits.NONE, QuotaRules.defaults(new String[] {}));
        assertEquals(new QuotaRules.Limits((1L << 30) + (100L << 20), 50), QuotaRules.of(user("a",
                "quota_rule", "*:storage=+100M", "quota_rule2", "*:messages=50", "quota_rule3", "Trash:storage=+1G"),
                d, problems));
        assertEquals(QuotaRules.Limits.NONE, QuotaRules.of(user("b", "quota_rule", "*:ignore"), d, problems));
        assertEquals(d, QuotaRules.of(user("c", "quota_rule", "*:storage=lots"), d, problems));
        assertEquals(List.of("c: not a quota value: lots"), problems);
        assertThrows(IllegalArgumentException.class, () -> QuotaRules.defaults(new String[] {"*:widgets=3"}));
    }

    @Test
    void appendsAndCopiesStopAtTheLimitWhileEverythingElseWorks() throws Exception {
        MailStoresImpl stores = stores("*:bytes=1000:messages=3");
        try (StoreSession s = stores.open(user("alice"), null)) {
            assertEquals(new Quota(0, 1000, 0, 3), s.quota());
            s.append(StoreSession.INBOX, message(400), Set.of(), null);
            s.create("Archive", null);
            s.append("Archive", message(400), Set.of(), null);
            assertEquals(new Quota(800, 1000, 2, 3), s.quota(), "over every mailbox");
            StoreException e = assertThrows(StoreException.class,
                    () -> s.append(StoreSession.INBOX, message(201), Set.of(), null));
            assertEquals(StoreException.Reason.OVER_QUOTA, e.reason());
            s.append(StoreSession.INBOX, message(200), Set.of(), null);
            assertEquals(new Quota(1000, 1000, 3, 3), s.quota(), "up to the limit exactly");
            try (Mailbox inbox = s.open(StoreSession.INBOX, false)) {
                long uid = inbox.messages().get(0).uid();
                assertEquals(StoreException.Reason.OVER_QUOTA, assertThrows(StoreException.class,
                        () -> inbox.copy(List.of(uid), "Archive")).reason());
                // moving, flagging and removing always work
                inbox.move(List.of(uid), "Archive");
                assertEquals(new Quota(1000, 1000, 3, 3), s.quota());
            }
            try (Mailbox archive = s.open("Archive", false)) {
                long first = archive.messages().get(0).uid();
                archive.updateFlags(List.of(first), io.pillarbox.api.store.FlagOp.ADD, Set.of("\\Deleted"), -1);
                archive.expunge(List.of(first));
            }
            assertEquals(new Quota(600, 1000, 2, 3), s.quota());
            try (Mailbox archive = s.open("Archive", false)) {
                archive.copy(List.of(archive.messages().get(0).uid()), StoreSession.INBOX);
            }
            assertEquals(3, s.quota().messages());
        }
        // a user's own rule wins over the default
        try (StoreSession s = stores.open(user("bob", "quota_rule", "*:ignore"), null)) {
            for (int i = 0; i < 5; i++) {
                s.append(StoreSession.INBOX, message(400), Set.of(), null);
            }
            assertFalse(s.quota().limited());
            assertEquals(5, s.quota().messages());
        }
    }

    @Test
    void withoutAQuotaNothingIsWrappedAndUsageIsStillKnown() throws Exception {
        MailStoresImpl stores = stores();
        try (StoreSession s = stores.open(user("carol"), null)) {
            s.append(StoreSession.INBOX, message(300), Set.of(), null);
            Quota q = s.quota();
            assertEquals(new Quota(300, Quota.UNLIMITED, 1, Quota.UNLIMITED), q);
            assertTrue(q.allows(1_000_000, Long.MAX_VALUE / 2));
            try (Mailbox inbox = s.open(StoreSession.INBOX, false)) {
                assertFalse(inbox instanceof QuotaMailbox);
            }
        }
    }
}
