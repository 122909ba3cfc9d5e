package io.pillarbox.shell;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.protocol.TlsMode;
import io.pillarbox.api.server.ListenerInfo;
import io.pillarbox.api.server.ListenerRegistry;
import io.pillarbox.api.server.SessionInfo;
import io.pillarbox.api.server.SessionRegistry;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.store.memory.MemoryMailStore;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckAndStatsTest {

    @Test
    void aHealthyStoreChecksClean() throws Exception {
        MemoryMailStore store = new MemoryMailStore();
        try (StoreSession s = store.open(MailPrincipal.of("bob", "test"))) {
            byte[] m = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
            s.append("INBOX", MessageSource.of(m), Set.of(Flags.SEEN), null);
            s.append("INBOX", MessageSource.of(m), Set.of(), null);
            s.create("Archive", null);
            List<StoreCheck.Result> r = StoreCheck.checkAll(s, null);
            assertEquals(List.of("Archive", "INBOX"), r.stream().map(StoreCheck.Result::mailbox).sorted().toList());
            StoreCheck.Result inbox = r.stream().filter(x -> x.mailbox().equals("INBOX")).findFirst().orElseThrow();
            assertEquals(2, inbox.messages());
            assertEquals(2L * m.length, inbox.octets());
            assertTrue(inbox.problems().isEmpty(), inbox.problems().toString());
            assertEquals(1, StoreCheck.checkAll(s, "Archive").size());
            assertThrows(IllegalArgumentException.class, () -> StoreCheck.checkAll(s, "Nope"));
        }
    }


    @Test
    void storeNamesAreEscapedInServiceFilters() {
        assertEquals("maildir", StoreCheck.escape("maildir"));
        assertEquals("a\\2a\\28b\\29\\5c", StoreCheck.escape("a*(b)\\"));
    }

    @Test
    void statsCountPerProtocol() {
        ListenerRegistry listeners = () -> List.of(
                new ListenerInfo("imap", "imap", "127.0.0.1", 143, TlsMode.STARTTLS, true, "listening", 2),
                new ListenerInfo("imaps", "imap", "127.0.0.1", 993, TlsMode.IMPLICIT, false, "cannot bind", 0),
                new ListenerInfo("smtp", "smtp", "127.0.0.1", 25, TlsMode.STARTTLS, true, "listening", 1));
        List<SessionInfo> open = List.of(session("imap", "alice", true, 10, 100), session("imap", null, false, 5, 50),
                session("smtp", null, false, 1, 2));
        SessionRegistry sessions = new SessionRegistry() {
            @Override
            public List<SessionInfo> sessions() {
                return open;
            }

            @Override
            public Optional<SessionInfo> find(String id) {
                return Optional.empty();
            }

            @Override
            public boolean kick(String id, String reason) {
                return false;
            }

            @Override
            public int kickUser(String user, String reason) {
                return 0;
            }
        };
        Map<String, StatsCommand.Row> rows = StatsCommand.count(listeners, sessions);
        StatsCommand.Row imap = rows.get("imap");
        assertEquals(List.of(2, 1, 2, 1, 1), List.of(imap.listeners, imap.bound, imap.open, imap.loggedIn, imap.tls));
        assertEquals(15, imap.in);
        assertEquals(150, imap.out);
        assertEquals(1, rows.get("smtp").open);
        assertEquals(List.of("imap", "smtp"), List.copyOf(rows.keySet()));
    }

    static SessionInfo session(String protocol, String user, boolean secure, long in, long out) {
        return new SessionInfo() {
            public String id() {
                return protocol + user;
            }

            public String protocol() {
                return protocol;
            }

            public String listener() {
                return protocol;
            }

            public String user() {
                return user;
            }

            public InetSocketAddress remoteAddress() {
                return new InetSocketAddress("127.0.0.1", 40000);
            }

            public Instant since() {
                return Instant.EPOCH;
            }

            public String state() {
                return "";
            }

            public boolean secure() {
                return secure;
            }

            public long bytesIn() {
                return in;
            }

            public long bytesOut() {
                return out;
            }
        };
    }
}
