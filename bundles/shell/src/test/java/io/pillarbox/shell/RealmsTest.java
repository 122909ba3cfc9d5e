package io.pillarbox.shell;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RealmsTest {

    private final InMemoryRealm file = new InMemoryRealm("file", "alice");
    private final InMemoryRealm sample = new InMemoryRealm("sample", "bob");
    private final AuthRealm ldap = new AuthRealm() {
        @Override
        public String name() {
            return "ldap";
        }

        @Override
        public AuthResult authenticate(String user, char[] secret, AuthContext context) {
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
        }
    };

    private List<Realms.Entry> entries() {
        List<Realms.Entry> list = new ArrayList<>(List.of(
                new Realms.Entry("file", 0, 10, "io.pillarbox.auth.file", file),
                new Realms.Entry("ldap", 100, 11, "io.pillarbox.auth.ldap", ldap),
                new Realms.Entry("sample", 5, 12, "io.pillarbox.sample.realm", sample)));
        list.sort(Realms.ORDER);
        return list;
    }

    @Test
    void orderIsRankingThenAge() {
        assertEquals(List.of("ldap", "sample", "file"), Realms.names(entries()));
        List<Realms.Entry> same = new ArrayList<>(List.of(new Realms.Entry("b", 0, 20, "", file),
                new Realms.Entry("a", 0, 3, "", sample)));
        same.sort(Realms.ORDER);
        assertEquals(List.of("a", "b"), Realms.names(same));
    }

    @Test
    void newUsersGoToTheWritableRealmOfHighestRankingUnlessNamed() {
        assertEquals("sample", Realms.forNewUser(entries(), null).name());
        assertEquals("file", Realms.forNewUser(entries(), "file").name());
        IllegalArgumentException ro = assertThrows(IllegalArgumentException.class,
                () -> Realms.forNewUser(entries(), "ldap"));
        assertTrue(ro.getMessage().contains("read-only"), ro.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> Realms.forNewUser(entries(), "pam"));
        assertTrue(none.getMessage().contains("[sample, file]"), none.getMessage());
        assertThrows(IllegalStateException.class,
                () -> Realms.forNewUser(List.of(new Realms.Entry("ldap", 0, 1, "", ldap)), null));
    }

    @Test
    void existingUsersAreFoundInTheRealmThatHoldsThem() throws Exception {
        assertEquals("file", Realms.holding(entries(), null, "alice").name());
        assertEquals("sample", Realms.holding(entries(), null, "bob").name());
        assertThrows(IllegalArgumentException.class, () -> Realms.holding(entries(), "sample", "alice"));
        assertThrows(IllegalArgumentException.class, () -> Realms.holding(entries(), null, "carol"));
    }
}
