package io.pillarbox.store.maildir;

import io.pillarbox.api.store.MailStore;
import io.pillarbox.store.contract.MailStoreContract;

import java.nio.file.Path;

/** The whole store contract, run against the Maildir store (fsync on, as in production). */
class MaildirContractTest extends MailStoreContract {

    @Override
    protected MailStore newStore(Path dir) {
        return new MaildirStore(dir + "/{domain}/{user}/Maildir", true);
    }

    @Override
    protected void stop(MailStore store) {
        ((MaildirStore) store).deactivate();
    }
}
