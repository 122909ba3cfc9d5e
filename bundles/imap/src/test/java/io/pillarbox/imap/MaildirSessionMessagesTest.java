package io.pillarbox.imap;

import io.pillarbox.api.store.MailStore;
import io.pillarbox.store.maildir.MaildirStore;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The same protocol scripts against the Maildir store. */
class MaildirSessionMessagesTest extends SessionMessagesTest {

    @TempDir
    Path dir;

    @Override
    MailStore newStore() {
        return new MaildirStore(dir.resolve("{user}/Maildir").toString(), false);
    }
}
