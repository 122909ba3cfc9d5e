package io.pillarbox.pop3;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.core.auth.CoreAuthenticators;
import io.pillarbox.sasl.SaslServices;
import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestRealm;
import io.pillarbox.testkit.TestStores;
import io.pillarbox.transport.session.SessionTrace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-user trace (logger io.pillarbox.pop3.trace, captured from slf4j-simple's System.err). */
class TraceTest {

    static final String BODY = "BODY-MARKER-never-in-the-trace";

    TestRealm realm;
    Authenticator auth;
    MemoryMailStore memory;
    SessionTrace trace;
    Pop3Server server;

    @BeforeEach
    void setUp() throws Exception {
        realm = new TestRealm().user("alice", "al1ce-pw").user("bob", "b0b-pw");
        auth = CoreAuthenticators.create(realm, 50);
        memory = new MemoryMailStore();
        trace = Pop3Server.newTrace();
        server = new Pop3Server(Pop3Settings.defaults(), auth, SaslServices.create(auth), new TestStores(memory),
                new MaildropLocks(), trace, () -> io.pillarbox.api.metrics.MailMetrics.NONE);
        for (String user : new String[] {"alice", "bob"}) {
            try (StoreSession s = memory.open(MailPrincipal.of(user, "test"))) {
                s.append(StoreSession.INBOX, MessageSource.of(("Subject: hi\r\n\r\n" + BODY + "\r\n")
                        .getBytes(StandardCharsets.UTF_8)), Set.of(), null);
            }
        }
    }

    @AfterEach
    void tearDown() {
        CoreAuthenticators.stop(auth);
    }

    /** Runs {@code r} and returns what was logged meanwhile. */
    static String captured(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** The lines of the trace logger only. */
    static String traceLines(String log) {
        StringBuilder sb = new StringBuilder();
        for (String l : log.split("\n")) {
            if (l.contains(" io.pillarbox.pop3.trace - ")) {
                sb.append(l).append('\n');
            }
        }
        return sb.toString();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tracesOnlyListedUsersFromTheirUserLineWithoutBodies() {
        trace.users(Set.of("Alice"));
        String log = captured(() -> {
            try (Pop3Tester a = new Pop3Tester(server); Pop3Tester b = new Pop3Tester(server)) {
                a.output();
                b.output();
                a.login("alice", "al1ce-pw");
                a.send("STAT");
                a.send("LIST");
                assertTrue(a.send("RETR 1").contains(BODY));
                b.login("bob", "b0b-pw");
                b.send("NOOP");
                a.send("QUIT");
            }
        });
        assertTrue(log.contains(" alice S: +OK Logged in"), log);
        assertTrue(log.contains(" alice C: STAT"), log);
        assertTrue(log.contains(" alice S: +OK 1 "), log);
        assertTrue(log.contains(" alice S: +OK 1 messages ("), log);
        assertTrue(log.contains(" octets) <1 lines>"), log);
        assertTrue(log.contains(" alice C: RETR 1"), log);
        assertTrue(log.contains(" alice S: <message content, not logged>"), log);
        assertTrue(log.contains(" alice S: +OK Pillarbox POP3 server signing off"), log);
        assertTrue(log.contains("io.pillarbox.pop3.trace"), log);
        assertFalse(log.contains(BODY), log);
        assertFalse(log.contains("al1ce-pw"), log);
        assertFalse(traceLines(log).contains("bob"), log); // other loggers may name him, the trace does not
        // from the USER line on that names her (a login attempt for her is worth seeing), password masked
        assertTrue(log.contains(" alice C: USER alice"), log);
        assertTrue(log.contains(" alice C: PASS ***"), log);
    }

    @Test
    void everySessionWithStarAndEverySecretMasked() throws Exception {
        trace.users(Set.of("*"));
        String[] digest = new String[1];
        String log = captured(() -> {
            try (Pop3Tester t = new Pop3Tester(server)) {
                t.output();
                t.login("bob", "b0b-pw");
                t.send("QUIT");
            }
            try (Pop3Tester t = new Pop3Tester(server)) {
                t.output();
                t.expect("PASS b0b-pw", "-ERR USER first");
                t.send("AUTH PLAIN " + b64("\0bob\0b0b-pw"));
                t.send("QUIT");
            }
            try (Pop3Tester t = new Pop3Tester(server)) {
                t.output();
                t.expect("AUTH PLAIN", "\\+ ");
                t.send(b64("\0alice\0al1ce-pw"));
                t.send("QUIT");
            }
            try (Pop3Tester t = new Pop3Tester(server)) {
                t.output();
                t.expect("AUTH LOGIN", "\\+ .*");
                t.expect(b64("alice"), "\\+ .*");
                t.send(b64("al1ce-pw"));
                t.send("QUIT");
            }
            try (Pop3Tester t = new Pop3Tester(server)) {
                Matcher m = Pattern.compile("(<[^>]+>)").matcher(t.output());
                assertTrue(m.find());
                try {
                    digest[0] = HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                            .digest((m.group(1) + "al1ce-pw").getBytes(StandardCharsets.US_ASCII)));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new AssertionError(e);
                }
                assertTrue(t.send("APOP alice " + digest[0]).startsWith("+OK Logged in"));
                t.send("QUIT");
            }
        });
        assertTrue(log.contains("  S: +OK Pillarbox POP3 ready"), log); // the greeting, before login
        assertTrue(log.contains(" bob C: USER bob"), log);
        assertTrue(log.contains(" bob C: PASS ***"), log);
        assertTrue(log.contains("  C: PASS ***"), log);
        assertTrue(log.contains("  C: AUTH PLAIN ***"), log);
        assertTrue(log.contains("  C: <SASL response>"), log);
        assertTrue(log.contains(" alice C: APOP alice ***"), log);
        assertTrue(log.contains(" bob S: +OK Logged in"), log);
        assertTrue(log.contains(" alice C: QUIT"), log);
        assertFalse(log.contains("b0b-pw"), log);
        assertFalse(log.contains("al1ce-pw"), log);
        assertFalse(log.contains(b64("\0bob\0b0b-pw")), log);
        assertFalse(log.contains(b64("\0alice\0al1ce-pw")), log);
        assertFalse(log.contains(b64("al1ce-pw")), log);
        assertFalse(log.contains(digest[0]), log);
    }

    @Test
    void switchedThroughTheConfigurationWithoutReconnecting() throws Exception {
        Map<String, Object> values = new java.util.HashMap<>(Map.of("traceUsers", new String[0]));
        Pop3Protocol p = new Pop3Protocol(auth, SaslServices.create(auth), new TestStores(memory), config(values));
        java.lang.reflect.Field f = Pop3Protocol.class.getDeclaredField("server");
        f.setAccessible(true);
        Pop3Server running = (Pop3Server) f.get(p);
        String log = captured(() -> {
            try (Pop3Tester t = new Pop3Tester(running)) {
                t.output();
                t.login("alice", "al1ce-pw");
                t.send("NOOP");
                values.put("traceUsers", new String[] {"ALICE"});
                p.modified(config(values));
                t.send("STAT");
                values.put("traceUsers", new String[0]);
                p.modified(config(values));
                t.send("UIDL");
            }
        });
        assertFalse(log.contains("C: NOOP"), log);
        assertTrue(log.contains(" alice C: STAT"), log);
        assertFalse(log.contains("C: UIDL"), log);
    }

    static Pop3Config config(Map<String, Object> values) {
        return (Pop3Config) java.lang.reflect.Proxy.newProxyInstance(Pop3Config.class.getClassLoader(),
                new Class<?>[] {Pop3Config.class},
                (proxy, m, args) -> values.getOrDefault(m.getName(), m.getDefaultValue()));
    }
}
