package io.pillarbox.auth.ldap;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.AuthResult.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LdapRealmTest {

    private static final AuthContext CTX = new AuthContext("smtp", new InetSocketAddress("127.0.0.1", 1), true, "PLAIN");
    static Directory directory;

    @BeforeAll
    static void startDirectory() throws Exception {
        directory = new Directory();
    }

    @AfterAll
    static void stopDirectory() {
        directory.close();
    }

    private static Status check(LdapRealm r, String user, String pw) {
        return r.authenticate(user, pw.toCharArray(), CTX).status();
    }

    @Test
    void ldapsAndPlainConnectionsWork() {
        for (List<String> urls : List.of(List.of(directory.ldapsUrl()), List.of(directory.url()))) {
            LdapRealm r = new LdapRealm(Directory.settings(urls, false, "(uid=%u)"));
            try {
                AuthResult ok = r.authenticate("alice", "Alice-Pass-1".toCharArray(), CTX);
                assertEquals(Status.OK, ok.status(), urls.toString());
                assertEquals("alice@example.org", ok.principal().user(), "userNameAttribute gives the name");
                assertEquals("example.org", ok.principal().domain());
                assertEquals("/var/mail/alice", ok.principal().mailLocation());
                assertEquals("uid=alice,ou=people,dc=example,dc=org", ok.principal().attributes().get("dn"));
                assertEquals(Status.BAD_CREDENTIALS, check(r, "alice", "alice-pass-1"));
            } finally {
                r.deactivate();
            }
        }
    }

    @Test
    void startTlsIsReallyNegotiated() {
        LdapRealm r = new LdapRealm(Directory.settings(List.of(directory.noStartTlsUrl()), true, "(uid=%u)"));
        try {
            assertEquals(Status.TEMPORARY_FAILURE, check(r, "alice", "Alice-Pass-1"),
                    "a server without StartTLS is not used in the clear");
        } finally {
            r.deactivate();
        }
        LdapRealm plain = new LdapRealm(Directory.settings(List.of(directory.noStartTlsUrl()), false, "(uid=%u)"));
        try {
            assertEquals(Status.OK, check(plain, "alice", "Alice-Pass-1"));
        } finally {
            plain.deactivate();
        }
    }

    @Test
    void filterPlaceholdersAreEscapedAndExpandedOnce() {
        assertEquals("(&(uid=a\\2a)(o=ex.org)(x=a\\2a@ex.org)%)",
                LdapRealm.expand("(&(uid=%n)(o=%d)(x=%u)%%)", "a*@ex.org", "a*", "ex.org"));
        assertEquals("(uid=a%nb)", LdapRealm.expand("(uid=%u)", "a%nb", "a%nb", ""));
        LdapRealm r = new LdapRealm(Directory.settings(List.of(directory.url()), false, "(uid=%n)"));
        try {
            assertEquals(Status.UNKNOWN_USER, check(r, "*", "Alice-Pass-1"), "no wildcard injection");
            assertEquals(Status.OK, check(r, "alice@example.org", "Alice-Pass-1"), "%n is the local part");
        } finally {
            r.deactivate();
        }
    }

    @Test
    void ambiguousUsersAreRefused() {
        LdapRealm r = new LdapRealm(Directory.settings(List.of(directory.url()), false, "(mail=%u)"));
        try {
            assertEquals(Status.BAD_CREDENTIALS, check(r, "twin@example.org", "Twin-Pass"));
        } finally {
            r.deactivate();
        }
    }

    @Test
    void aDirectoryThatIsDownGivesTemporaryFailuresThenRecovers() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LdapRealm down = new LdapRealm(Directory.settings(List.of("ldap://127.0.0.1:" + port), false, "(uid=%u)"));
        try {
            assertEquals(Status.TEMPORARY_FAILURE, check(down, "alice", "Alice-Pass-1"));
            assertTrue(down.lookup("alice").isEmpty());
        } finally {
            down.deactivate();
        }
        // Failover: the first URL is down, the second answers.
        LdapRealm failover = new LdapRealm(Directory.settings(List.of("ldap://127.0.0.1:" + port, directory.url()),
                false, "(uid=%u)"));
        try {
            assertEquals(Status.OK, check(failover, "alice", "Alice-Pass-1"));
        } finally {
            failover.deactivate();
        }
    }

    @Test
    void pooledConnectionsSurviveTheDirectoryDroppingThem() {
        LdapRealm r = new LdapRealm(Directory.settings(List.of(directory.url()), true, "(uid=%u)"));
        try {
            assertEquals(Status.OK, check(r, "alice", "Alice-Pass-1"));
            directory.server.closeAllConnections(true);
            assertEquals(Status.OK, check(r, "alice", "Alice-Pass-1"), "reconnects instead of failing");
            assertEquals(Status.BAD_CREDENTIALS, check(r, "alice", "nope"));
        } finally {
            r.deactivate();
        }
    }

    @Test
    void wrongSearchCredentialsAreATemporaryFailure() {
        LdapRealm.Settings s = Directory.settings(List.of(directory.url()), false, "(uid=%u)");
        LdapRealm r = new LdapRealm(new LdapRealm.Settings(s.urls(), false, "", "", true, s.bindDn(), "wrong",
                s.baseDn(), s.userFilter(), s.scope(), s.disabledFilter(), s.userNameAttribute(),
                s.mailLocationAttribute(), s.storeAttribute(), 2, 2000, 3000, "ldap"));
        try {
            assertEquals(Status.TEMPORARY_FAILURE, check(r, "alice", "Alice-Pass-1"));
        } finally {
            r.deactivate();
        }
    }
}
