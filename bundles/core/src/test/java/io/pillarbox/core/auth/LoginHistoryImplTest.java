package io.pillarbox.core.auth;

import io.pillarbox.api.auth.LoginHistory.LastLogin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoginHistoryImplTest {

    @TempDir
    Path dir;

    private final List<LoginHistoryImpl> started = new ArrayList<>();

    private LoginHistoryImpl open(Path file, int flushSeconds, int maxUsers) {
        LoginHistoryImpl h = new LoginHistoryImpl();
        h.start(file, flushSeconds, maxUsers);
        started.add(h);
        return h;
    }

    @AfterEach
    void stop() {
        started.forEach(LoginHistoryImpl::deactivate);
    }

    @Test
    void remembersTheLastLoginPerUserAcrossRestarts() throws Exception {
        Path file = dir.resolve("sub/last-logins.tsv");
        LoginHistoryImpl h = open(file, 3600, 1000);
        Instant since = h.since().orElseThrow();
        assertEquals(Optional.empty(), h.lastLogin("alice"));
        Instant t1 = Instant.parse("2026-01-02T03:04:05.678Z");
        Instant t2 = Instant.parse("2026-01-03T00:00:00Z");
        h.record("alice", t1, "imap", "192.0.2.7");
        h.record("bob@example.org", t1, "pop3", null);
        h.record("alice", t2, "smtp", "2001:db8::1");
        assertEquals(Optional.of(new LastLogin(t2, "smtp", "2001:db8::1")), h.lastLogin("alice"));
        h.deactivate(); // writes
        started.remove(h);
        assertTrue(Files.isRegularFile(file));
        assertFalse(Files.exists(file.resolveSibling("last-logins.tsv.tmp")), "the temporary file was renamed");

        LoginHistoryImpl again = open(file, 3600, 1000);
        assertEquals(Optional.of(new LastLogin(t2, "smtp", "2001:db8::1")), again.lastLogin("alice"));
        assertEquals(Optional.of(new LastLogin(t1, "pop3", null)), again.lastLogin("bob@example.org"));
        assertEquals(since.toEpochMilli(), again.since().orElseThrow().toEpochMilli(), "since survives restarts");
    }

    @Test
    void writesInBatchesOnItsOwn() throws Exception {
        Path file = dir.resolve("h.tsv");
        LoginHistoryImpl h = open(file, 1, 1000);
        h.record("carol", Instant.ofEpochMilli(1_000), "imap", "127.0.0.1");
        long deadline = System.currentTimeMillis() + 10_000;
        while (!(Files.exists(file) && Files.readString(file).contains("carol")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(text.contains("carol\t1000\timap\t127.0.0.1\n"), text);
        assertTrue(text.contains("#since "), text);
    }

    @Test
    void nothingChangedMeansNoWrite() throws Exception {
        Path file = dir.resolve("h.tsv");
        LoginHistoryImpl h = open(file, 3600, 1000);
        h.flush();
        assertTrue(Files.exists(file), "the header is written once so that 'since' is kept");
        Files.delete(file);
        h.flush();
        assertFalse(Files.exists(file), "not rewritten without a change");
        h.record("dan", Instant.now(), "imap", null);
        h.flush();
        assertTrue(Files.readString(file).contains("dan\t"));
    }

    @Test
    void boundedByForgettingTheOldest() {
        LoginHistoryImpl h = open(dir.resolve("h.tsv"), 3600, 3);
        h.record("a", Instant.ofEpochSecond(10), "imap", null);
        h.record("b", Instant.ofEpochSecond(5), "imap", null);
        h.record("c", Instant.ofEpochSecond(20), "imap", null);
        h.record("a", Instant.ofEpochSecond(30), "imap", null); // known user: no eviction
        assertEquals(3, h.size());
        h.record("d", Instant.ofEpochSecond(1), "imap", null);
        assertEquals(3, h.size());
        assertTrue(h.lastLogin("b").isEmpty(), "b had the oldest login");
        assertTrue(h.lastLogin("d").isPresent(), "the newcomer is kept");
    }

    @Test
    void oddValuesCannotBreakTheFileAndBadLinesAreSkipped() throws Exception {
        Path file = dir.resolve("h.tsv");
        Files.writeString(file, "#since 5000\nerin\t2000\timap\t10.0.0.1\ngarbage line\nfred\tnotanumber\timap\t-\n");
        LoginHistoryImpl h = open(file, 3600, 100);
        assertEquals(Instant.ofEpochMilli(5000), h.since().orElseThrow());
        assertEquals(Optional.of(new LastLogin(Instant.ofEpochMilli(2000), "imap", "10.0.0.1")), h.lastLogin("erin"));
        assertEquals(1, h.size());
        h.record("gina", Instant.ofEpochMilli(3000), "im\tap\n", "x\ty");
        h.flush();
        LoginHistoryImpl again = open(file, 3600, 100);
        assertEquals(Optional.of(new LastLogin(Instant.ofEpochMilli(3000), "im ap ", "x y")), again.lastLogin("gina"));
        assertEquals(2, again.size());
    }
}
