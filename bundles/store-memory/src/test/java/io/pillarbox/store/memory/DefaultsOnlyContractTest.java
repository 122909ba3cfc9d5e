package io.pillarbox.store.memory;

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
import io.pillarbox.store.contract.MailStoreContract;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The memory store seen through a session that implements only the methods of store API 1.2, so the API's default
 * methods answer for kept UIDs: the contract's "cannot keep UIDs" branch (both calls refused with NOT_ALLOWED) runs
 * in CI, and the rest of the contract shows the defaults change nothing else.
 */
class DefaultsOnlyContractTest extends MailStoreContract {

    /** A store whose sessions forward only the 1.2 methods. */
    record Plain(MemoryMailStore inner) implements MailStore {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public StoreSession open(MailPrincipal principal) throws StoreException {
            return new PlainSession(inner.open(principal));
        }
    }

    record PlainSession(StoreSession s) implements StoreSession {
        @Override
        public MailPrincipal principal() {
            return s.principal();
        }

        @Override
        public List<MailboxInfo> list() throws StoreException {
            return s.list();
        }

        @Override
        public MailboxInfo create(String name, SpecialUse specialUse) throws StoreException {
            return s.create(name, specialUse);
        }

        @Override
        public void delete(String name) throws StoreException {
            s.delete(name);
        }

        @Override
        public void rename(String from, String to) throws StoreException {
            s.rename(from, to);
        }

        @Override
        public Set<String> subscriptions() throws StoreException {
            return s.subscriptions();
        }

        @Override
        public void subscribe(String name) throws StoreException {
            s.subscribe(name);
        }

        @Override
        public void unsubscribe(String name) throws StoreException {
            s.unsubscribe(name);
        }

        @Override
        public MailboxStatus status(String name) throws StoreException {
            return s.status(name);
        }

        @Override
        public Mailbox open(String name, boolean readOnly) throws StoreException {
            return s.open(name, readOnly);
        }

        @Override
        public AppendResult append(String mailbox, MessageSource message, Set<String> flags, Instant internalDate)
                throws StoreException {
            return s.append(mailbox, message, flags, internalDate);
        }

        @Override
        public void close() {
            s.close();
        }
    }

    @Override
    protected MailStore newStore(Path dir) {
        return new Plain(new MemoryMailStore());
    }

    @Override
    protected MailStore restart(MailStore old, Path dir) {
        MemoryMailStore m = ((Plain) old).inner();
        m.deactivate();
        return new Plain(new MemoryMailStore(m.data()));
    }

    @Override
    protected void stop(MailStore store) {
        ((Plain) store).inner().deactivate();
    }

    @Test
    void theDefaultsSayUidsCannotBeKept() throws Exception {
        assertFalse(alice().canKeepUids());
    }
}
