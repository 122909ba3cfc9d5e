package io.pillarbox.store.memory;

import io.pillarbox.api.store.MailStore;
import io.pillarbox.store.contract.MailStoreContract;

import java.nio.file.Path;

/** The memory store passes the whole store contract; a restart keeps the data holder. */
class MemoryMailStoreContractTest extends MailStoreContract {

    @Override
    protected MailStore newStore(Path dir) {
        return new MemoryMailStore();
    }

    @Override
    protected MailStore restart(MailStore old, Path dir) {
        MemoryMailStore m = (MemoryMailStore) old;
        m.deactivate();
        return new MemoryMailStore(m.data());
    }

    @Override
    protected void stop(MailStore store) {
        ((MemoryMailStore) store).deactivate();
    }
}
