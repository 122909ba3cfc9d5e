package io.pillarbox.core.store;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.AppendResult;
import io.pillarbox.api.store.MailStore;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MailboxStatus;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MailStoresImplTest {

    /** A store whose sessions only know their principal and whether they were closed. */
    static class TestStore implements MailStore {
        final String name;
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        TestStore(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public StoreSession open(MailPrincipal principal) {
            opened.incrementAndGet();
            return new TestSession(principal, this);
        }
    }

    record TestSession(MailPrincipal principal, TestStore store) implements StoreSession {
        @Override
        public List<MailboxInfo> list() throws StoreException {
            throw new StoreException(StoreException.Reason.IO, "from " + store.name);
        }

        @Override
        public MailboxInfo create(String name, SpecialUse specialUse) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void rename(String from, String to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<String> subscriptions() {
            return Set.of(store.name);
        }

        @Override
        public void subscribe(String name) {
        }

        @Override
        public void unsubscribe(String name) {
        }

        @Override
        public MailboxStatus status(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Mailbox open(String name, boolean readOnly) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AppendResult append(String mailbox, MessageSource message, Set<String> flags, Instant internalDate) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            store.closed.incrementAndGet();
        }

        @Override
        public boolean canKeepUids() {
            return store.name.equals("keeper");
        }

        @Override
        public MailboxInfo create(String name, SpecialUse specialUse, long uidValidity) {
            return new MailboxInfo(name + "@" + uidValidity, specialUse, true);
        }

        @Override
        public AppendResult append(String mailbox, MessageSource message, Set<String> flags, Instant internalDate,
                                   long uid) {
            return new AppendResult(mailbox, 0, uid);
        }
    }

    @Test
    void keptUidCallsReachTheRealSession() throws Exception {
        MailStoresImpl stores = new MailStoresImpl();
        stores.addStore(new TestStore("keeper"), "keeper", 0);
        try (StoreSession s = stores.open(ALICE, () -> { })) {
            assertEquals(true, s.canKeepUids());
            assertEquals("Old@77", s.create("Old", null, 77).name());
            assertEquals(new AppendResult("Old", 0, 9), s.append("Old", MessageSource.of(new byte[] {'x'}), Set.of(),
                    null, 9));
        }
    }

    private static final MailPrincipal ALICE = MailPrincipal.of("alice", "file");

    @Test
    void picksTheDefaultStoreOrTheOneThePrincipalNames() throws Exception {
        MailStoresImpl stores = new MailStoresImpl();
        TestStore memory = new TestStore("memory");
        TestStore maildir = new TestStore("maildir");
        stores.addStore(memory, "memory", 100);
        stores.addStore(maildir, "maildir", 0);
        assertEquals(List.of("maildir", "memory"), stores.names(), "the default first");

        try (StoreSession s = stores.open(ALICE, () -> { })) {
            assertEquals(Set.of("maildir"), s.subscriptions());
            assertEquals(ALICE, s.principal());
            StoreException e = assertThrows(StoreException.class, s::list);
            assertEquals("from maildir", e.getMessage(), "calls reach the real session");
        }
        try (StoreSession s = stores.open(ALICE.withStore("memory"), () -> { })) {
            assertEquals(Set.of("memory"), s.subscriptions());
        }
        StoreException missing = assertThrows(StoreException.class,
                () -> stores.open(ALICE.withStore("imapproxy"), () -> { }));
        assertEquals(StoreException.Reason.UNAVAILABLE, missing.reason(), "no fallback for a named store");
    }

    @Test
    void fallsBackToTheHighestRankedStoreWhenTheDefaultIsAbsent() throws Exception {
        MailStoresImpl stores = new MailStoresImpl();
        StoreException none = assertThrows(StoreException.class, () -> stores.open(ALICE, () -> { }));
        assertEquals(StoreException.Reason.UNAVAILABLE, none.reason());

        stores.addStore(new TestStore("low"), "low", 1);
        stores.addStore(new TestStore("high"), "high", 7);
        try (StoreSession s = stores.open(ALICE, () -> { })) {
            assertEquals(Set.of("high"), s.subscriptions());
        }
        stores.setDefaultStore("low");
        try (StoreSession s = stores.open(ALICE, () -> { })) {
            assertEquals(Set.of("low"), s.subscriptions());
        }
    }

    @Test
    void storeGoingAwayTellsEachOpenSessionExactlyOnce() throws Exception {
        MailStoresImpl stores = new MailStoresImpl();
        TestStore maildir = new TestStore("maildir");
        TestStore memory = new TestStore("memory");
        stores.addStore(maildir, "maildir", 0);
        stores.addStore(memory, "memory", 0);
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        AtomicInteger closedOne = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        StoreSession s1 = stores.open(ALICE, first::incrementAndGet);
        StoreSession s2 = stores.open(MailPrincipal.of("bob", "file"), second::incrementAndGet);
        StoreSession s3 = stores.open(MailPrincipal.of("carl", "file"), closedOne::incrementAndGet);
        StoreSession s4 = stores.open(ALICE.withStore("memory"), other::incrementAndGet);
        s3.close();
        s3.close();
        assertEquals(1, maildir.closed.get(), "close reaches the store once");
        assertEquals(2, stores.openSessions("maildir"));

        stores.unbindStore(maildir);
        stores.unbindStore(maildir);
        assertEquals(1, first.get());
        assertEquals(1, second.get());
        assertEquals(0, closedOne.get(), "closed sessions are not told");
        assertEquals(0, other.get(), "sessions of other stores live on");
        assertEquals(List.of("memory"), stores.names());

        s1.close();
        s2.close();
        assertEquals(3, maildir.closed.get());
        assertEquals(1, first.get());
        s4.close();
        assertEquals(0, stores.openSessions("memory"));
    }

    @Test
    void changedServicePropertiesKeepOpenSessions() throws Exception {
        MailStoresImpl stores = new MailStoresImpl();
        TestStore a = new TestStore("a");
        TestStore b = new TestStore("b");
        stores.addStore(a, "a", 1);
        stores.addStore(b, "b", 2);
        stores.setDefaultStore("none");
        AtomicInteger told = new AtomicInteger();
        StoreSession s = stores.open(ALICE, told::incrementAndGet);
        assertEquals(Set.of("b"), s.subscriptions());
        stores.updatedStore(a, java.util.Map.of(MailStore.PROPERTY_NAME, "a", "service.ranking", 9));
        assertEquals(List.of("a", "b"), stores.names(), "ranking change reorders");
        try (StoreSession t = stores.open(ALICE, () -> { })) {
            assertEquals(Set.of("a"), t.subscriptions());
        }
        stores.updatedStore(b, java.util.Map.of(MailStore.PROPERTY_NAME, "b2", "service.ranking", 2));
        assertEquals(1, stores.openSessions("b2"));
        stores.unbindStore(b);
        assertEquals(1, told.get());
    }

    @Test
    void aStoreLeavingWhileASessionOpensStillTellsThatSession() throws Exception {
        MailStoresImpl stores = new MailStoresImpl();
        AtomicInteger told = new AtomicInteger();
        TestStore leaving = new TestStore("maildir") {
            @Override
            public StoreSession open(MailPrincipal principal) {
                StoreSession s = super.open(principal);
                stores.unbindStore(this); // the service goes away while open() is running
                return s;
            }
        };
        stores.addStore(leaving, "maildir", 0);
        StoreSession s = stores.open(ALICE, told::incrementAndGet);
        assertEquals(1, told.get(), "told at once");
        s.close();
        assertEquals(1, told.get());
        assertEquals(1, leaving.closed.get());
    }

    @Test
    void aThrowingCallbackDoesNotStopTheOthers() throws Exception {
        MailStoresImpl stores = new MailStoresImpl();
        TestStore maildir = new TestStore("maildir");
        stores.addStore(maildir, "maildir", 0);
        AtomicInteger told = new AtomicInteger();
        stores.open(ALICE, () -> {
            told.incrementAndGet();
            throw new IllegalStateException("protocol bug");
        });
        stores.open(ALICE, told::incrementAndGet);
        stores.unbindStore(maildir);
        assertEquals(2, told.get());
        assertTrue(stores.names().isEmpty());
    }
}
