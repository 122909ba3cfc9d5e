package io.pillarbox.imap;

import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestStores;
import io.pillarbox.transport.session.SessionTrace;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceTest {

    @Test
    void tracesOnlyListedUsersWithSecretsMasked() {
        TestAuth auth = new TestAuth(Map.of("alice", "s3cret-pw", "bob", "b0b-pw"));
        SessionTrace trace = ImapServer.newTrace();
        trace.users(Set.of("Alice"));
        ImapServer server = new ImapServer(ImapSettings.defaults(), auth, auth, new TestStores(new MemoryMailStore()),
                new RecentTracker(), trace);
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            ImapTester a = new ImapTester(server);
            a.login("alice", "s3cret-pw");
            a.send("n1 NOOP");
            a.send("n3 LOGOUT");
            ImapTester b = new ImapTester(server);
            b.send("x AUTHENTICATE PLAIN " + Base64.getEncoder().encodeToString("\0bob\0b0b-pw".getBytes()));
            b.send("n2 NOOP");
        } finally {
            System.setErr(old);
        }
        String log = buf.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("C: n1 NOOP"), log);
        // from the LOGIN line that names her, the password masked
        assertTrue(log.contains(" alice C: L1 LOGIN alice ***"), log);
        assertTrue(log.contains("S: n1 OK NOOP completed"), log);
        assertTrue(log.contains("n3 OK LOGOUT completed"), log);
        assertFalse(log.contains("s3cret-pw"), log);
        assertFalse(log.contains("n2 NOOP"), log);
        assertFalse(log.contains(Base64.getEncoder().encodeToString("\0bob\0b0b-pw".getBytes())), log);
    }

    @Test
    void starTracesBeforeLoginAndMasksContinuationsAndLiteralPasswords() {
        TestAuth auth = new TestAuth(Map.of("alice", "s3cret-pw", "bob", "b0b-pw"));
        SessionTrace trace = ImapServer.newTrace();
        trace.users(Set.of("*"));
        ImapServer server = new ImapServer(ImapSettings.defaults(), auth, auth, new TestStores(new MemoryMailStore()),
                new RecentTracker(), trace);
        String plain = Base64.getEncoder().encodeToString("\0alice\0s3cret-pw".getBytes(StandardCharsets.UTF_8));
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            ImapTester a = new ImapTester(server);
            assertTrue(a.send("a1 AUTHENTICATE PLAIN").contains("+"));
            assertTrue(a.send(plain).contains("a1 OK"));
            ImapTester b = new ImapTester(server);
            b.write("b1 LOGIN bob {6+}\r\n");
            assertTrue(b.send("b0b-pw").contains("b1 OK"));
            b.send("b2 NOOP");
        } finally {
            System.setErr(old);
        }
        String log = buf.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("C: <SASL response>"), log);
        assertTrue(log.contains("S: * OK [CAPABILITY"), log); // the greeting: traced before login with *
        assertTrue(log.contains(" bob C: b2 NOOP"), log);
        assertFalse(log.contains("s3cret-pw"), log);
        assertFalse(log.contains(plain), log);
        assertFalse(log.contains("b0b-pw"), log);
    }

    @Test
    void theConfigurationMayListAUserTwiceOrInAnotherCase() {
        ImapConfig c = (ImapConfig) java.lang.reflect.Proxy.newProxyInstance(ImapConfig.class.getClassLoader(),
                new Class<?>[] {ImapConfig.class}, (proxy, m, args) -> m.getName().equals("traceUsers")
                        ? new String[] {"alice", "ALICE", " ", "bob "} : m.getDefaultValue());
        TestAuth auth = new TestAuth(Map.of("alice", "pw"));
        ImapProtocol p = new ImapProtocol(auth, auth, new TestStores(new MemoryMailStore()), c);
        assertTrue(p != null);
        SessionTrace t = ImapServer.newTrace();
        t.users(java.util.Arrays.asList(c.traceUsers()));
        assertTrue(t.on("Alice") && t.on("bob"));
        assertFalse(t.on("carol") || t.on("") || t.on(null));
        t.users(List.of("carol, Dave ,,"));
        assertTrue(t.on("carol") && t.on("dave"));
        assertFalse(t.on("alice") || t.on(""));
    }
}
