package io.pillarbox.transport.session;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionTraceTest {

    @Test
    void usersAnyCaseRepeatedBlankOrSeveralInOneEntry() {
        SessionTrace t = new SessionTrace(LoggerFactory.getLogger("io.pillarbox.test1.trace"));
        assertFalse(t.on("alice") || t.on(null) || t.on("") || t.all());
        t.users(Arrays.asList("alice", "ALICE", " ", "bob ", null, ""));
        assertEquals(Set.of("alice", "bob"), t.users());
        assertTrue(t.on("Alice") && t.on("bob") && t.on("BOB"));
        assertFalse(t.on("carol") || t.on("") || t.on(null) || t.all());
        t.users(List.of("carol, Dave ,,", "erin\tfrank  grace"));
        assertEquals(Set.of("carol", "dave", "erin", "frank", "grace"), t.users());
        assertFalse(t.on("alice"));
        t.users(List.of());
        assertFalse(t.on("carol"));
    }

    @Test
    void starTracesEverySessionAlsoBeforeLogin() {
        SessionTrace t = new SessionTrace(LoggerFactory.getLogger("io.pillarbox.test2.trace"));
        t.users(List.of("alice, *"));
        assertTrue(t.all());
        assertTrue(t.on(null) && t.on("") && t.on("anyone"));
    }

    @Test
    void debugOnTheTraceLoggerTracesEverySession() {
        String name = "io.pillarbox.test3.trace";
        System.setProperty("org.slf4j.simpleLogger.log." + name, "debug");
        try {
            SessionTrace t = new SessionTrace(LoggerFactory.getLogger(name));
            assertTrue(t.logger().isDebugEnabled(), "slf4j-simple took the level");
            assertTrue(t.all() && t.on(null) && t.on("anyone"));
        } finally {
            System.clearProperty("org.slf4j.simpleLogger.log." + name);
        }
    }

    @Test
    void linesGoToTheGivenLoggerAtInfo() {
        SessionTrace t = new SessionTrace(LoggerFactory.getLogger("io.pillarbox.test4.trace"));
        assertSame(LoggerFactory.getLogger("io.pillarbox.test4.trace"), t.logger());
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            t.log("s-1", "alice", "C: NOOP {}");
            t.log("s-2", null, "S: +OK");
        } finally {
            System.setErr(old);
        }
        String log = buf.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("INFO io.pillarbox.test4.trace - s-1 alice C: NOOP {}"), log);
        assertTrue(log.contains("INFO io.pillarbox.test4.trace - s-2  S: +OK"), log);
    }

    @Test
    void clipShortensLongLinesAndShowsLineEnds() {
        assertEquals("a1 OK done", SessionTrace.clip("a1 OK done"));
        assertEquals("* BYE x\\r\\na OK\\r\\n", SessionTrace.clip("* BYE x\r\na OK\r\n"));
        String s300 = "x".repeat(300);
        assertEquals(s300, SessionTrace.clip(s300));
        assertEquals(s300 + "...(301 chars)", SessionTrace.clip(s300 + "y"));
        assertEquals(s300 + "...(302 chars)", SessionTrace.shorten(s300 + "\r\n"));
        assertEquals("a\rb\n", SessionTrace.clip("a\rb\n"));
    }
}
