package io.pillarbox.store.memory;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.MailStore;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MemoryMailStoreTest {

    @Test
    void nameAndSizeLimit() throws Exception {
        MemoryMailStore store = new MemoryMailStore();
        assertEquals("memory", store.name());
        assertEquals(MailStore.PROPERTY_NAME, "pillarbox.store");
        store.setMaxMessageSize(10);
        try (StoreSession s = store.open(MailPrincipal.of("u@example.org", "test"))) {
            StoreException e = assertThrows(StoreException.class,
                    () -> s.append("INBOX", MessageSource.of(new byte[11]), Set.of(), null));
            assertEquals(StoreException.Reason.TOO_BIG, e.reason());
            assertEquals(1, s.append("INBOX", MessageSource.of(new byte[10]), Set.of(), null).uid());
            store.deactivate();
            StoreException closed = assertThrows(StoreException.class, s::list);
            assertEquals(StoreException.Reason.UNAVAILABLE, closed.reason());
        }
    }
}
