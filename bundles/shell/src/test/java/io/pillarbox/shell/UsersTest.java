package io.pillarbox.shell;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UsersTest {

    @Test
    void plainAndQualifiedNamesPass() {
        assertDoesNotThrow(() -> Users.checkName("bob"));
        assertDoesNotThrow(() -> Users.checkName("alice@example.org"));
        assertDoesNotThrow(() -> Users.checkName("jörg.müller+tag@example.org"));
    }

    @Test
    void namesNoRealmCouldStoreAreRefused() {
        for (String bad : new String[]{"", "bo b", "bob\n", "bob\t", "bob:x", "a\u0000b", "@example.org", "bob@",
                "a@b@c", "x".repeat(321), "bob\u00a0"}) {
            assertThrows(IllegalArgumentException.class, () -> Users.checkName(bad), bad);
        }
    }
}
