package io.pillarbox.store.contract;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.AppendResult;
import io.pillarbox.api.store.CopyResult;
import io.pillarbox.api.store.FlagOp;
import io.pillarbox.api.store.FlagUpdate;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.MailStore;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxEvent;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MailboxStatus;
import io.pillarbox.api.store.MessageContent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.mime.MessageParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The behaviour every {@link MailStore} must show, as abstract JUnit 5 tests. A store's test module extends this class
 * and implements {@link #newStore(Path)}; a store that keeps state outside {@code dir} (or none on disk, like the
 * memory store) overrides {@link #restart(MailStore, Path)}.
 * <p>
 * Each test gets a fresh, empty storage directory and a store over it. Sessions are opened with
 * {@link #principal(String)}; tests close every session before they call {@link #restart}. Events are expected to
 * have been delivered when the call that caused them returns (listeners run on the changing thread).
 * <p>
 * A store's test module depends on {@code io.pillarbox:pillarbox-store-contract} (test scope) and says:
 * <pre>{@code
 * class MyStoreContractTest extends MailStoreContract {
 *     protected MailStore newStore(Path dir) { return MyStore.over(dir); }
 *     protected void stop(MailStore store) { ((MyStore) store).deactivate(); }
 * }
 * }</pre>
 * Structures are compared with {@link MessageParser#parse} of the stored bytes, so stores must keep what the parser
 * gives (through {@code StructureCodec} or otherwise) exactly.
 */
public abstract class MailStoreContract {

    /** Created for each test; the store's storage lives in {@code storage}, a sub-directory of it. */
    @TempDir
    protected Path tempDir;

    /** The storage directory handed to {@link #newStore(Path)}. */
    protected Path storage;

    /** The store under test (replaced by {@link #restartStore()}). */
    protected MailStore store;

    private final List<StoreSession> sessions = new ArrayList<>();

    /** A new store over the (possibly empty) storage in {@code dir}, started and ready for {@link MailStore#open}. */
    protected abstract MailStore newStore(Path dir) throws Exception;

    /**
     * Stops {@code old} (as if its bundle were stopped) and starts a store over the same storage, as after a server
     * restart. The default calls {@link #stop(MailStore)} and {@link #newStore(Path)}; a memory store returns a new
     * store over the same data holder.
     */
    protected MailStore restart(MailStore old, Path dir) throws Exception {
        stop(old);
        return newStore(dir);
    }

    /** Stops a store made by {@link #newStore} (deactivates the component); called after each test too. */
    protected void stop(MailStore store) throws Exception {
    }

    /** The principal of a test user; override if the store needs a mail location or attributes. */
    protected MailPrincipal principal(String user) {
        return MailPrincipal.of(user + "@example.org", "test");
    }

    /** Octets of the large message test; 30 MB as the issue asks. */
    protected long largeMessageSize() {
        return 30L * 1024 * 1024;
    }

    @BeforeEach
    void startStore() throws Exception {
        storage = tempDir.resolve("storage");
        Files.createDirectories(storage);
        store = newStore(storage);
        assertNotNull(store, "newStore returned null");
    }

    @AfterEach
    void stopStore() throws Exception {
        closeSessions();
        if (store != null) {
            stop(store);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Opens a session for {@code user}, closed after the test (or by {@link #restartStore()}). */
    protected StoreSession session(String user) throws StoreException {
        StoreSession s = store.open(principal(user));
        assertNotNull(s);
        sessions.add(s);
        return s;
    }

    protected StoreSession alice() throws StoreException {
        return session("alice");
    }

    private void closeSessions() {
        for (StoreSession s : sessions) {
            try {
                s.close();
            } catch (RuntimeException e) {
                // keep closing the others
            }
        }
        sessions.clear();
    }

    /** Closes all sessions and restarts the store over the same storage. */
    protected void restartStore() throws Exception {
        closeSessions();
        MailStore old = store;
        store = null;
        store = restart(old, storage);
        assertNotNull(store, "restart returned null");
    }

    protected static byte[] crlf(String s) {
        return s.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A small well-formed message with CRLF line ends. */
    protected static byte[] message(String subject, String body) {
        return crlf("From: Alice <alice@example.org>\nTo: bob@example.net\nSubject: " + subject
                + "\nDate: Tue, 03 Mar 2026 10:00:00 +0100\nMessage-ID: <" + Math.abs(subject.hashCode()) + "@example.org>\n"
                + "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n");
    }

    protected static AppendResult append(StoreSession s, String mailbox, byte[] msg, String... flags)
            throws StoreException {
        return s.append(mailbox, MessageSource.of(msg), Set.of(flags), null);
    }

    protected static byte[] read(MessageContent c) throws IOException {
        try (InputStream in = c.open()) {
            return in.readAllBytes();
        }
    }

    protected static byte[] read(MessageContent c, long offset, long length) throws IOException {
        try (InputStream in = c.open(offset, length)) {
            return in.readAllBytes();
        }
    }

    protected static List<Long> uids(Mailbox mb) throws StoreException {
        return mb.messages().stream().map(MessageInfo::uid).collect(Collectors.toList());
    }

    protected static MessageInfo info(Mailbox mb, long uid) throws StoreException {
        for (MessageInfo m : mb.messages()) {
            if (m.uid() == uid) {
                return m;
            }
        }
        fail("no message with UID " + uid + " in " + mb.name());
        return null;
    }

    protected static Set<String> names(StoreSession s) throws StoreException {
        return s.list().stream().map(MailboxInfo::name).collect(Collectors.toCollection(TreeSet::new));
    }

    protected static Set<String> selectableNames(StoreSession s) throws StoreException {
        return s.list().stream().filter(MailboxInfo::selectable).map(MailboxInfo::name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    protected static StoreException assertStoreException(StoreException.Reason reason, Executable call) {
        StoreException e = assertThrows(StoreException.class, call);
        assertEquals(reason, e.reason(), () -> "reason of: " + e.getMessage());
        return e;
    }

    /** Records every event a listener is given. */
    protected static final class Recorder implements io.pillarbox.api.store.MailboxListener {
        public final List<MailboxEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void changed(MailboxEvent event) {
            events.add(event);
        }

        public <T extends MailboxEvent> List<T> of(Class<T> type) {
            List<T> l = new ArrayList<>();
            for (MailboxEvent e : events) {
                if (type.isInstance(e)) {
                    l.add(type.cast(e));
                }
            }
            return l;
        }
    }

    private static Set<String> set(String... s) {
        return Set.of(s);
    }

    // ------------------------------------------------------------------ INBOX

    @Test
    void inboxExistsAfterOpen() throws Exception {
        StoreSession s = alice();
        List<MailboxInfo> list = s.list();
        MailboxInfo inbox = list.stream().filter(i -> i.name().equals(StoreSession.INBOX)).findFirst().orElse(null);
        assertNotNull(inbox, "INBOX listed: " + list);
        assertTrue(inbox.selectable());
        try (Mailbox mb = s.open("INBOX", false)) {
            assertEquals("INBOX", mb.name());
            assertTrue(mb.messages().isEmpty());
            assertTrue(mb.uidValidity() > 0);
            assertTrue(mb.uidNext() > 0);
            assertTrue(mb.highestModSeq() >= 1, "highestModSeq is at least 1");
            assertFalse(mb.readOnly());
        }
        assertEquals(principal("alice").user(), s.principal().user());
    }

    @Test
    void inboxIsCaseInsensitive() throws Exception {
        StoreSession s = alice();
        AppendResult r = append(s, "inbox", message("one", "1"));
        assertEquals("INBOX", r.mailbox());
        try (Mailbox mb = s.open("InBoX", false)) {
            assertEquals("INBOX", mb.name());
            assertEquals(List.of(r.uid()), uids(mb));
        }
        assertEquals(1, s.status("iNBOX").messages());
        assertEquals("INBOX", s.status("inbox").name());
        assertStoreException(StoreException.Reason.ALREADY_EXISTS, () -> s.create("Inbox", null));
        assertEquals(1, s.list().stream().filter(i -> i.name().equalsIgnoreCase("inbox")).count());
    }

    @Test
    void inboxCannotBeDeleted() throws Exception {
        StoreSession s = alice();
        append(s, "INBOX", message("keep", "k"));
        assertStoreException(StoreException.Reason.NOT_ALLOWED, () -> s.delete("INBOX"));
        assertStoreException(StoreException.Reason.NOT_ALLOWED, () -> s.delete("inbox"));
        assertEquals(1, s.status("INBOX").messages());
    }

    @Test
    void renamingInboxMovesItsMessagesAndLeavesItEmpty() throws Exception {
        StoreSession s = alice();
        byte[] m1 = message("first", "one");
        byte[] m2 = message("second", "two");
        append(s, "INBOX", m1, Flags.SEEN);
        append(s, "INBOX", m2, Flags.FLAGGED, "$Work");
        s.rename("inbox", "Old Mail");
        assertTrue(names(s).containsAll(Set.of("INBOX", "Old Mail")), names(s).toString());
        assertEquals(0, s.status("INBOX").messages());
        try (Mailbox old = s.open("Old Mail", false)) {
            List<MessageInfo> msgs = old.messages();
            assertEquals(2, msgs.size());
            assertArrayEquals(m1, read(old.content(msgs.get(0).uid())));
            assertArrayEquals(m2, read(old.content(msgs.get(1).uid())));
            assertEquals(set(Flags.SEEN), msgs.get(0).flags());
            assertEquals(set(Flags.FLAGGED, "$Work"), msgs.get(1).flags());
        }
        // INBOX still works
        AppendResult r = append(s, "INBOX", message("third", "three"));
        try (Mailbox inbox = s.open("INBOX", false)) {
            assertEquals(List.of(r.uid()), uids(inbox));
        }
    }

    // ------------------------------------------------------------------ hierarchy

    @Test
    void createNestedMailboxesWithMissingParents() throws Exception {
        StoreSession s = alice();
        MailboxInfo info = s.create("Projects/2026/Pillarbox", null);
        assertEquals("Projects/2026/Pillarbox", info.name());
        assertTrue(info.selectable());
        Set<String> names = names(s);
        assertTrue(names.containsAll(Set.of("INBOX", "Projects", "Projects/2026", "Projects/2026/Pillarbox")),
                names.toString());
        List<String> listed = s.list().stream().map(MailboxInfo::name).toList();
        List<String> sorted = new ArrayList<>(listed);
        Collections.sort(sorted);
        assertEquals(sorted, listed, "list() is sorted by name");
        append(s, "Projects/2026/Pillarbox", message("nested", "n"));
        assertEquals(1, s.status("Projects/2026/Pillarbox").messages());
        assertStoreException(StoreException.Reason.ALREADY_EXISTS, () -> s.create("Projects/2026/Pillarbox", null));
        // a child of an existing mailbox
        s.create("Projects/Other", null);
        assertTrue(names(s).contains("Projects/Other"));
    }

    @Test
    void specialUseIsKept() throws Exception {
        StoreSession s = alice();
        MailboxInfo sent = s.create("Sent", SpecialUse.SENT);
        assertEquals(SpecialUse.SENT, sent.specialUse());
        s.create("Trash", SpecialUse.TRASH);
        s.create("Plain", null);
        Map<String, SpecialUse> uses = new java.util.HashMap<>();
        for (MailboxInfo i : s.list()) {
            if (i.specialUse() != null) {
                uses.put(i.name(), i.specialUse());
            }
        }
        assertEquals(Map.of("Sent", SpecialUse.SENT, "Trash", SpecialUse.TRASH), uses);
        restartStore();
        StoreSession again = alice();
        uses.clear();
        for (MailboxInfo i : again.list()) {
            if (i.specialUse() != null) {
                uses.put(i.name(), i.specialUse());
            }
        }
        assertEquals(Map.of("Sent", SpecialUse.SENT, "Trash", SpecialUse.TRASH), uses);
    }

    @Test
    void deleteRemovesMailboxAndMessagesButKeepsChildren() throws Exception {
        StoreSession s = alice();
        s.create("Parent/Child", null);
        append(s, "Parent", message("p", "parent"));
        append(s, "Parent/Child", message("c", "child"));
        s.delete("Parent");
        assertFalse(selectableNames(s).contains("Parent"), s.list().toString());
        assertTrue(names(s).contains("Parent/Child"));
        assertEquals(1, s.status("Parent/Child").messages());
        s.delete("Parent/Child");
        assertFalse(names(s).contains("Parent/Child"));
        assertStoreException(StoreException.Reason.NONEXISTENT, () -> s.open("Parent/Child", false));
        assertStoreException(StoreException.Reason.NONEXISTENT, () -> s.status("Parent/Child"));
        assertStoreException(StoreException.Reason.NONEXISTENT, () -> s.delete("Nothing/Here"));
    }

    @Test
    void recreatedMailboxDoesNotReuseUidsUnderTheSameUidValidity() throws Exception {
        StoreSession s = alice();
        s.create("Box", null);
        AppendResult first = append(s, "Box", message("a", "a"));
        s.delete("Box");
        s.create("Box", null);
        assertEquals(0, s.status("Box").messages(), "deleted messages are gone");
        AppendResult second = append(s, "Box", message("b", "b"));
        assertTrue(second.uidValidity() != first.uidValidity() || second.uid() > first.uid(),
                "a recreated mailbox changes UIDVALIDITY or never reuses UIDs");
    }

    @Test
    void renameMovesMailboxChildrenAndMessages() throws Exception {
        StoreSession s = alice();
        s.create("A/B/C", null);
        byte[] m = message("in b", "bbb");
        append(s, "A/B", m, Flags.SEEN, "$Label1");
        s.rename("A", "Z");
        Set<String> names = names(s);
        assertTrue(names.containsAll(Set.of("Z", "Z/B", "Z/B/C")), names.toString());
        assertTrue(Collections.disjoint(names, Set.of("A", "A/B", "A/B/C")), names.toString());
        try (Mailbox mb = s.open("Z/B", false)) {
            MessageInfo i = mb.messages().get(0);
            assertArrayEquals(m, read(mb.content(i.uid())));
            assertEquals(set(Flags.SEEN, "$Label1"), i.flags());
        }
        // rename into a new hierarchy creates the missing parents
        s.rename("Z/B/C", "New/Deep/C");
        assertTrue(names(s).contains("New/Deep/C"));
        assertStoreException(StoreException.Reason.ALREADY_EXISTS, () -> s.rename("Z", "INBOX"));
        assertStoreException(StoreException.Reason.ALREADY_EXISTS, () -> s.rename("Z", "New/Deep/C"));
        assertStoreException(StoreException.Reason.NONEXISTENT, () -> s.rename("Missing", "Elsewhere"));
    }

    @Test
    void unusualButValidNamesRoundTrip() throws Exception {
        StoreSession s = alice();
        List<String> valid = List.of("Ünïcödé 日本語", "with space", "amp&ersand", "tilde~x",
                "quote\"d", "back\\slash", "Emoji 📬");
        for (String n : valid) {
            s.create(n, null);
            append(s, n, message(n, n));
        }
        restartStore();
        StoreSession again = alice();
        Set<String> names = names(again);
        for (String n : valid) {
            assertTrue(names.contains(n), n + " in " + names);
            assertEquals(1, again.status(n).messages(), n);
        }
    }

    @Test
    void dotsInNamesAreNotHierarchy() throws Exception {
        StoreSession s = alice();
        try {
            s.create("a.b", null);
        } catch (StoreException e) {
            assertEquals(StoreException.Reason.INVALID_NAME, e.reason(), "a store may refuse dots, as INVALID_NAME");
            return;
        }
        s.create("a/b", null);
        append(s, "a.b", message("dot", "dot"));
        assertEquals(1, s.status("a.b").messages());
        assertEquals(0, s.status("a/b").messages());
        assertTrue(names(s).containsAll(Set.of("a.b", "a", "a/b")));
    }

    // ------------------------------------------------------------------ names that escape

    static final List<String> INVALID_NAMES = List.of("", "/", "/abs", "/etc/passwd", "a//b", "a/", "..", "../x",
            "a/../b", "a/..", ".", "./a", "a/./b", "x\u0000y", "ctl\u0001x", "new\nline", "tab\tx", "del\u007fx");

    @Test
    void namesThatEscapeAreRefused() throws Exception {
        StoreSession s = alice();
        s.create("ok", null);
        append(s, "ok", message("m", "m"));
        for (String n : INVALID_NAMES) {
            String shown = n.replace("\u0000", "\\0");
            StoreException e = assertThrows(StoreException.class, () -> s.create(n, null), "create " + shown);
            assertEquals(StoreException.Reason.INVALID_NAME, e.reason(), "create " + shown);
            e = assertThrows(StoreException.class, () -> s.open(n, false), "open " + shown);
            assertEquals(StoreException.Reason.INVALID_NAME, e.reason(), "open " + shown);
            e = assertThrows(StoreException.class, () -> s.status(n), "status " + shown);
            assertEquals(StoreException.Reason.INVALID_NAME, e.reason(), "status " + shown);
            e = assertThrows(StoreException.class, () -> append(s, n, message("x", "x")), "append " + shown);
            assertEquals(StoreException.Reason.INVALID_NAME, e.reason(), "append " + shown);
            e = assertThrows(StoreException.class, () -> s.rename("ok", n), "rename to " + shown);
            assertEquals(StoreException.Reason.INVALID_NAME, e.reason(), "rename to " + shown);
            e = assertThrows(StoreException.class, () -> s.delete(n), "delete " + shown);
            assertEquals(StoreException.Reason.INVALID_NAME, e.reason(), "delete " + shown);
            try (Mailbox mb = s.open("ok", false)) {
                e = assertThrows(StoreException.class, () -> mb.copy(uids(mb), n), "copy to " + shown);
                assertEquals(StoreException.Reason.INVALID_NAME, e.reason(), "copy to " + shown);
            }
        }
        // nothing was written outside the storage directory, nothing odd inside the hierarchy
        try (var entries = Files.list(tempDir)) {
            assertEquals(List.of(storage.getFileName().toString()),
                    entries.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals(Set.of("INBOX", "ok"), names(s));
        assertEquals(1, s.status("ok").messages());
    }

    // ------------------------------------------------------------------ append and read back

    @Test
    void appendAndReadBackByteExact() throws Exception {
        StoreSession s = alice();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(crlf("From: a@example.org\nSubject: all octets\nContent-Type: application/octet-stream\n"
                + "Content-Transfer-Encoding: binary\n\n"));
        for (int i = 0; i < 256; i++) {
            b.write(i);
        }
        b.writeBytes("\r\nend\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] binary = b.toByteArray();
        byte[] lf = "From: a@example.org\nSubject: bare LF\n\nline one\nline two\n".getBytes(StandardCharsets.US_ASCII);
        byte[] mixed = "Subject: mixed\r\n\nCR\rLF\nCRLF\r\nno newline at end".getBytes(StandardCharsets.US_ASCII);
        byte[] latin = "Subject: Gr\u00fc\u00dfe\r\n\r\n8-bit \u00e4\u00f6\u00fc\r\n".getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> all = List.of(binary, lf, mixed, latin);
        List<Long> uids = new ArrayList<>();
        for (byte[] m : all) {
            uids.add(append(s, "INBOX", m).uid());
        }
        try (Mailbox mb = s.open("INBOX", true)) {
            for (int i = 0; i < all.size(); i++) {
                byte[] m = all.get(i);
                MessageContent c = mb.content(uids.get(i));
                assertEquals(m.length, c.size());
                assertArrayEquals(m, read(c), "message " + i);
                assertEquals(m.length, info(mb, uids.get(i)).size());
                assertEquals(MessageParser.parse(new ByteArrayInputStream(m)), mb.structure(uids.get(i)),
                        "structure of message " + i);
                if (c.file().isPresent()) {
                    assertArrayEquals(m, Files.readAllBytes(c.file().get()), "file() holds exactly the bytes");
                }
            }
        }
    }

    @Test
    void partialContentIsClipped() throws Exception {
        StoreSession s = alice();
        byte[] m = message("partial", "0123456789abcdefghij");
        long uid = append(s, "INBOX", m).uid();
        try (Mailbox mb = s.open("INBOX", true)) {
            MessageContent c = mb.content(uid);
            assertArrayEquals(java.util.Arrays.copyOfRange(m, 5, 15), read(c, 5, 10));
            assertArrayEquals(java.util.Arrays.copyOfRange(m, m.length - 3, m.length), read(c, m.length - 3, 100));
            assertEquals(0, read(c, m.length, 10).length);
            assertEquals(0, read(c, m.length + 50, 10).length);
            assertEquals(0, read(c, 3, 0).length);
            assertArrayEquals(m, read(c, 0, Long.MAX_VALUE));
            MessageStructure st = mb.structure(uid);
            assertArrayEquals(crlf("0123456789abcdefghij\n"), read(c, st.root().bodyOffset(), st.root().bodySize()));
            assertStoreException(StoreException.Reason.NONEXISTENT, () -> mb.content(uid + 1000));
            assertStoreException(StoreException.Reason.NONEXISTENT, () -> mb.structure(uid + 1000));
        }
    }

    @Test
    @Timeout(value = 120)
    void largeMessageIsStoredByteExact() throws Exception {
        long size = largeMessageSize();
        Path file = tempDir.resolve("large.eml");
        MessageDigest want = sha();
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            byte[] head = crlf("From: big@example.org\nSubject: large\nContent-Type: multipart/mixed; boundary=XX\n\n"
                    + "--XX\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: 8bit\n\n");
            out.write(head);
            want.update(head);
            long written = head.length;
            byte[] line = new byte[78];
            java.util.Random rnd = new java.util.Random(7);
            byte[] tail = crlf("\n--XX--\n");
            while (written < size - tail.length - line.length) {
                for (int i = 0; i < 76; i++) {
                    line[i] = (byte) (0x20 + rnd.nextInt(0xE0)); // 8-bit text
                }
                line[76] = '\r';
                line[77] = '\n';
                out.write(line);
                want.update(line);
                written += line.length;
            }
            out.write(tail);
            want.update(tail);
        }
        long actual = Files.size(file);
        StoreSession s = alice();
        AppendResult r = s.append("INBOX", MessageSource.of(file), Set.of(), null);
        try (Mailbox mb = s.open("INBOX", true)) {
            MessageContent c = mb.content(r.uid());
            assertEquals(actual, c.size());
            assertEquals(actual, info(mb, r.uid()).size());
            MessageDigest got = sha();
            try (InputStream in = c.open()) {
                byte[] buf = new byte[65536];
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.update(buf, 0, n);
                }
            }
            assertArrayEquals(want.digest(), got.digest(), "content digest");
            assertArrayEquals(crlf("--XX--\n"), read(c, actual - 8, 8));
            MessageStructure st = mb.structure(r.uid());
            assertEquals(actual, st.root().bodyOffset() + st.root().bodySize());
            assertEquals(1, st.root().parts().size());
            assertTrue(st.root().parts().get(0).bodySize() > size - 1024);
        }
        assertEquals(actual, s.status("INBOX").size());
    }

    private static MessageDigest sha() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256");
    }

    @Test
    void appendKeepsFlagsInternalDateAndIgnoresRecent() throws Exception {
        StoreSession s = alice();
        Instant date = Instant.parse("2021-06-15T12:34:56Z");
        AppendResult r = s.append("INBOX", MessageSource.of(message("dated", "d")),
                Set.of("\\seen", "\\Recent", "$Forwarded", "\\DRAFT"), date);
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
        AppendResult now = append(s, "INBOX", message("now", "n"));
        Instant after = Instant.now().plusSeconds(1);
        try (Mailbox mb = s.open("INBOX", false)) {
            assertEquals(r.uidValidity(), mb.uidValidity());
            MessageInfo i = info(mb, r.uid());
            assertEquals(set(Flags.SEEN, Flags.DRAFT, "$Forwarded"), i.flags(),
                    "system flags canonical, \\Recent ignored, keywords kept");
            assertEquals(date, i.internalDate().truncatedTo(ChronoUnit.SECONDS));
            Instant d = info(mb, now.uid()).internalDate();
            assertFalse(d.isBefore(before) || d.isAfter(after), "internal date defaults to now: " + d);
            assertTrue(mb.keywords().contains("$Forwarded"), mb.keywords().toString());
            assertTrue(mb.uidNext() > now.uid());
        }
        assertStoreException(StoreException.Reason.NONEXISTENT, () -> append(s, "NoSuchBox", message("x", "x")));
    }

    // ------------------------------------------------------------------ UIDs

    @Test
    void uidsAreStrictlyAscendingAndNeverReused() throws Exception {
        StoreSession s = alice();
        List<Long> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(append(s, "INBOX", message("m" + i, "body " + i)).uid());
        }
        for (int i = 1; i < got.size(); i++) {
            assertTrue(got.get(i) > got.get(i - 1), "ascending: " + got);
        }
        long validity;
        try (Mailbox mb = s.open("INBOX", false)) {
            validity = mb.uidValidity();
            assertEquals(got, uids(mb));
            assertTrue(mb.uidNext() > got.get(4));
            mb.updateFlags(List.of(got.get(3), got.get(4)), FlagOp.ADD, set(Flags.DELETED), -1);
            assertEquals(List.of(got.get(3), got.get(4)), mb.expunge(null));
        }
        long afterExpunge = append(s, "INBOX", message("m5", "5")).uid();
        assertTrue(afterExpunge > got.get(4), "UID not reused after expunge");
        try (Mailbox mb = s.open("INBOX", false)) {
            mb.updateFlags(List.of(afterExpunge), FlagOp.ADD, set(Flags.DELETED), -1);
            mb.expunge(List.of(afterExpunge));
        }
        restartStore();
        StoreSession again = alice();
        AppendResult r = append(again, "INBOX", message("m6", "6"));
        assertTrue(r.uid() > afterExpunge, "UID not reused after expunge and restart");
        assertEquals(validity, r.uidValidity(), "UIDVALIDITY stable across restart");
        try (Mailbox mb = again.open("INBOX", false)) {
            assertEquals(validity, mb.uidValidity());
            assertEquals(List.of(got.get(0), got.get(1), got.get(2), r.uid()), uids(mb));
        }
    }

    @Test
    void uidValidityIsStableAndUidNextSurvivesRestart() throws Exception {
        StoreSession s = alice();
        s.create("Other", null);
        append(s, "Other", message("x", "x"));
        MailboxStatus inbox = s.status("INBOX");
        MailboxStatus other = s.status("Other");
        restartStore();
        StoreSession again = alice();
        assertEquals(inbox.uidValidity(), again.status("INBOX").uidValidity());
        assertEquals(other.uidValidity(), again.status("Other").uidValidity());
        assertTrue(again.status("Other").uidNext() >= other.uidNext());
        assertTrue(again.status("Other").highestModSeq() >= other.highestModSeq());
    }

    // ------------------------------------------------------------------ kept UIDs (migration)

    /**
     * A store that says {@link StoreSession#canKeepUids()} keeps a given UIDVALIDITY and given UIDs (across a
     * restart), refuses a UID below UIDNEXT, and continues above the kept UIDs; one that says it cannot refuses both
     * calls with NOT_ALLOWED and changes nothing.
     */
    @Test
    void givenUidValidityAndUidsAreKeptOrRefused() throws Exception {
        StoreSession s = alice();
        byte[] m1 = message("kept 1", "one");
        byte[] m2 = message("kept 2", "two");
        byte[] m3 = message("kept 3", "three");
        Instant date = Instant.parse("2020-05-01T10:00:00Z");
        if (!s.canKeepUids()) {
            assertStoreException(StoreException.Reason.NOT_ALLOWED, () -> s.create("Kept", null, 1234567L));
            assertFalse(names(s).contains("Kept"), "nothing created by a refused create");
            long inboxNext = s.status("INBOX").uidNext();
            assertStoreException(StoreException.Reason.NOT_ALLOWED,
                    () -> s.append("INBOX", MessageSource.of(m1), set(), date, inboxNext + 10));
            assertEquals(0, s.status("INBOX").messages(), "nothing appended by a refused append");
            return;
        }
        MailboxInfo created = s.create("Kept", null, 1234567L);
        assertEquals("Kept", created.name());
        assertEquals(1234567L, s.status("Kept").uidValidity());
        assertStoreException(StoreException.Reason.NOT_ALLOWED, () -> s.create("Bad", null, 0));
        assertStoreException(StoreException.Reason.NOT_ALLOWED, () -> s.create("Bad", null, 0x1_0000_0000L));
        assertStoreException(StoreException.Reason.INVALID_NAME, () -> s.create("../x", null, 99));

        AppendResult r1 = s.append("Kept", MessageSource.of(m1), set(Flags.SEEN), date, 10);
        assertEquals(new AppendResult("Kept", 1234567L, 10), r1);
        assertEquals(20, s.append("Kept", MessageSource.of(m2), set(Flags.FLAGGED, "$Work"), date, 20).uid());
        assertEquals(21, s.status("Kept").uidNext(), "UIDNEXT is the kept UID + 1");
        // a mailbox that holds messages is not adopted
        assertStoreException(StoreException.Reason.ALREADY_EXISTS, () -> s.create("Kept", null, 7654321L));
        assertEquals(1234567L, s.status("Kept").uidValidity());
        // a UID below UIDNEXT (reused or lower) is refused and nothing is appended
        assertStoreException(StoreException.Reason.NOT_ALLOWED,
                () -> s.append("Kept", MessageSource.of(m3), set(), date, 20));
        assertStoreException(StoreException.Reason.NOT_ALLOWED,
                () -> s.append("Kept", MessageSource.of(m3), set(), date, 15));
        assertStoreException(StoreException.Reason.NOT_ALLOWED,
                () -> s.append("Kept", MessageSource.of(m3), set(), date, 0));
        assertEquals(2, s.status("Kept").messages());
        // a normal append continues above
        long normal = append(s, "Kept", m3).uid();
        assertTrue(normal > 20, "a normal append after kept UIDs gets a higher UID: " + normal);
        // INBOX (which exists from the start) takes kept UIDs too
        long inboxUid = s.status("INBOX").uidNext() + 100;
        assertEquals(inboxUid, s.append("INBOX", MessageSource.of(m1), set(), date, inboxUid).uid());

        restartStore();
        StoreSession again = alice();
        assertEquals(1234567L, again.status("Kept").uidValidity(), "UIDVALIDITY kept across a restart");
        try (Mailbox mb = again.open("Kept", false)) {
            assertEquals(1234567L, mb.uidValidity());
            assertEquals(List.of(10L, 20L, normal), uids(mb));
            assertEquals(set(Flags.SEEN), info(mb, 10).flags());
            assertEquals(set(Flags.FLAGGED, "$Work"), info(mb, 20).flags());
            assertEquals(date, info(mb, 20).internalDate().truncatedTo(ChronoUnit.SECONDS));
            assertArrayEquals(m1, read(mb.content(10)));
            assertArrayEquals(m2, read(mb.content(20)));
            assertArrayEquals(m3, read(mb.content(normal)));
            assertTrue(mb.uidNext() > normal);
        }
        try (Mailbox mb = again.open("INBOX", true)) {
            assertEquals(List.of(inboxUid), uids(mb));
        }
        assertStoreException(StoreException.Reason.NOT_ALLOWED,
                () -> again.append("Kept", MessageSource.of(m3), set(), date, normal));
        assertEquals(normal + 50, again.append("Kept", MessageSource.of(m3), set(), date, normal + 50).uid());
        assertTrue(append(again, "Kept", m1).uid() > normal + 50);
        assertTrue(append(again, "INBOX", m2).uid() > inboxUid);
    }

    /**
     * A store that keeps UIDs adopts an existing mailbox that has never held a message (UIDNEXT 1), INBOX included:
     * {@link StoreSession#create(String, io.pillarbox.api.store.SpecialUse, long)} sets its UIDVALIDITY (kept across
     * a restart); a mailbox that has or had messages stays ALREADY_EXISTS. One that cannot keep UIDs refuses it.
     */
    @Test
    void emptyExistingMailboxAdoptsAGivenUidValidity() throws Exception {
        StoreSession s = alice();
        byte[] m1 = message("adopt 1", "one");
        byte[] m2 = message("adopt 2", "two");
        Instant date = Instant.parse("2021-03-04T05:06:07Z");
        if (!s.canKeepUids()) {
            long before = s.status("INBOX").uidValidity();
            assertStoreException(StoreException.Reason.NOT_ALLOWED, () -> s.create("INBOX", null, 4242L));
            assertEquals(before, s.status("INBOX").uidValidity());
            return;
        }
        assertEquals(1, s.status("INBOX").uidNext(), "a fresh INBOX");
        MailboxInfo adopted = s.create("inbox", null, 4242L);
        assertEquals("INBOX", adopted.name());
        assertEquals(4242L, s.status("INBOX").uidValidity());
        assertEquals(1, s.status("INBOX").uidNext());
        assertEquals(new AppendResult("INBOX", 4242L, 7), s.append("INBOX", MessageSource.of(m1), set(), date, 7));
        assertEquals(9, s.append("INBOX", MessageSource.of(m2), set(Flags.SEEN), date, 9).uid());
        // INBOX now holds messages: no more adopting
        assertStoreException(StoreException.Reason.ALREADY_EXISTS, () -> s.create("INBOX", null, 5353L));
        assertEquals(4242L, s.status("INBOX").uidValidity());

        // an empty folder is adopted too; one whose only message was expunged (UIDNEXT > 1) is not
        s.create("Empty", null);
        assertEquals(31L, s.status(s.create("Empty", null, 31L).name()).uidValidity());
        s.create("Emptied", null);
        long gone = append(s, "Emptied", m1).uid();
        try (Mailbox mb = s.open("Emptied", false)) {
            mb.updateFlags(List.of(gone), FlagOp.ADD, set(Flags.DELETED), -1);
            mb.expunge(null);
        }
        assertEquals(0, s.status("Emptied").messages());
        long emptiedValidity = s.status("Emptied").uidValidity();
        assertStoreException(StoreException.Reason.ALREADY_EXISTS, () -> s.create("Emptied", null, 77L));
        assertEquals(emptiedValidity, s.status("Emptied").uidValidity());

        restartStore();
        StoreSession again = alice();
        assertEquals(4242L, again.status("INBOX").uidValidity(), "adopted UIDVALIDITY kept across a restart");
        assertEquals(31L, again.status("Empty").uidValidity());
        try (Mailbox mb = again.open("INBOX", true)) {
            assertEquals(4242L, mb.uidValidity());
            assertEquals(List.of(7L, 9L), uids(mb));
            assertEquals(set(Flags.SEEN), info(mb, 9).flags());
            assertArrayEquals(m1, read(mb.content(7)));
            assertArrayEquals(m2, read(mb.content(9)));
        }
        assertTrue(append(again, "INBOX", m1).uid() > 9);
    }

    // ------------------------------------------------------------------ flags

    @Test
    void flagUpdatesAddRemoveReplace() throws Exception {
        StoreSession s = alice();
        long uid = append(s, "INBOX", message("f", "f")).uid();
        long other = append(s, "INBOX", message("g", "g"), Flags.FLAGGED).uid();
        try (Mailbox mb = s.open("INBOX", false)) {
            FlagUpdate u = mb.updateFlags(List.of(uid), FlagOp.ADD, set("\\SEEN", "\\answered", "$Label1"), -1);
            assertEquals(1, u.updated().size());
            assertEquals(uid, u.updated().get(0).uid());
            assertEquals(set(Flags.SEEN, Flags.ANSWERED, "$Label1"), u.updated().get(0).flags());
            assertTrue(u.failed().isEmpty());
            assertEquals(set(Flags.SEEN, Flags.ANSWERED, "$Label1"), info(mb, uid).flags());
            assertTrue(info(mb, uid).has("\\seen"));

            u = mb.updateFlags(List.of(uid), FlagOp.REMOVE, set("\\Answered", "\\Draft"), -1);
            assertEquals(set(Flags.SEEN, "$Label1"), info(mb, uid).flags());

            u = mb.updateFlags(List.of(uid, other), FlagOp.REPLACE, set("\\Deleted", "Junk"), -1);
            assertEquals(List.of(uid, other), u.updated().stream().map(MessageInfo::uid).toList());
            assertEquals(set(Flags.DELETED, "Junk"), info(mb, uid).flags());
            assertEquals(set(Flags.DELETED, "Junk"), info(mb, other).flags());
            assertTrue(mb.keywords().containsAll(Set.of("$Label1", "Junk")), mb.keywords().toString());

            u = mb.updateFlags(List.of(uid), FlagOp.REPLACE, set(), -1);
            assertEquals(set(), info(mb, uid).flags());

            u = mb.updateFlags(List.of(uid + 1000), FlagOp.ADD, set(Flags.SEEN), -1);
            assertTrue(u.updated().isEmpty(), "unknown UIDs are skipped");
            assertTrue(u.failed().isEmpty(), "unknown UIDs are skipped");
        }
        restartStore();
        try (Mailbox mb = alice().open("INBOX", false)) {
            assertEquals(set(), info(mb, uid).flags());
            assertEquals(set(Flags.DELETED, "Junk"), info(mb, other).flags());
            assertTrue(mb.keywords().contains("Junk"));
        }
    }

    @Test
    void modSeqIncreasesAndUnchangedSinceFails() throws Exception {
        StoreSession s = alice();
        long a = append(s, "INBOX", message("a", "a")).uid();
        long b = append(s, "INBOX", message("b", "b")).uid();
        try (Mailbox mb = s.open("INBOX", false)) {
            long h0 = mb.highestModSeq();
            assertTrue(info(mb, a).modSeq() >= 1);
            assertTrue(info(mb, b).modSeq() <= h0);
            FlagUpdate u = mb.updateFlags(List.of(a), FlagOp.ADD, set(Flags.SEEN), -1);
            long ma = u.updated().get(0).modSeq();
            assertTrue(ma > h0, "MODSEQ of a change is above the previous highest");
            assertEquals(ma, mb.highestModSeq());
            assertEquals(ma, info(mb, a).modSeq());

            long mbBefore = info(mb, b).modSeq();
            // a was changed after mbBefore: only b may change
            u = mb.updateFlags(List.of(a, b), FlagOp.ADD, set(Flags.FLAGGED), mbBefore);
            assertEquals(List.of(a), u.failed());
            assertEquals(List.of(b), u.updated().stream().map(MessageInfo::uid).toList());
            assertFalse(info(mb, a).has(Flags.FLAGGED));
            assertTrue(info(mb, b).has(Flags.FLAGGED));
            long mb2 = info(mb, b).modSeq();
            assertTrue(mb2 > ma);
            assertEquals(mb2, mb.highestModSeq());

            // UNCHANGEDSINCE equal to the current MODSEQ succeeds
            u = mb.updateFlags(List.of(a), FlagOp.ADD, set(Flags.ANSWERED), info(mb, a).modSeq());
            assertTrue(u.failed().isEmpty());
            assertEquals(List.of(a), u.updated().stream().map(MessageInfo::uid).toList());
            long high = mb.highestModSeq();

            // append and expunge raise it too
            long c = append(s, "INBOX", message("c", "c")).uid();
            assertTrue(info(mb, c).modSeq() > high);
            assertTrue(mb.highestModSeq() > high);
            high = mb.highestModSeq();
            mb.updateFlags(List.of(c), FlagOp.ADD, set(Flags.DELETED), -1);
            mb.expunge(List.of(c));
            assertTrue(mb.highestModSeq() > high);
        }
        long highest = s.status("INBOX").highestModSeq();
        restartStore();
        StoreSession again = alice();
        assertTrue(again.status("INBOX").highestModSeq() >= highest, "highestModSeq does not go back");
        try (Mailbox mb = again.open("INBOX", false)) {
            FlagUpdate u = mb.updateFlags(List.of(b), FlagOp.ADD, set("$After"), -1);
            assertTrue(u.updated().get(0).modSeq() > highest, "MODSEQ keeps growing after restart");
        }
    }

    @Test
    void readOnlyMailboxRefusesChanges() throws Exception {
        StoreSession s = alice();
        long uid = append(s, "INBOX", message("ro", "ro"), Flags.DELETED).uid();
        s.create("Target", null);
        try (Mailbox mb = s.open("INBOX", true)) {
            assertTrue(mb.readOnly());
            assertStoreException(StoreException.Reason.NOT_ALLOWED,
                    () -> mb.updateFlags(List.of(uid), FlagOp.ADD, set(Flags.SEEN), -1));
            assertStoreException(StoreException.Reason.NOT_ALLOWED, () -> mb.expunge(null));
            assertStoreException(StoreException.Reason.NOT_ALLOWED, () -> mb.move(List.of(uid), "Target"));
            CopyResult r = mb.copy(List.of(uid), "Target");
            assertEquals(1, r.targetUids().size(), "copying out of a read-only mailbox is reading");
            assertEquals(List.of(uid), uids(mb));
            assertEquals(set(Flags.DELETED), info(mb, uid).flags());
        }
    }

    // ------------------------------------------------------------------ copy, move, expunge

    @Test
    void copyKeepsFlagsAndDatesWithNewUids() throws Exception {
        StoreSession s = alice();
        s.create("Archive", null);
        append(s, "Archive", message("already", "there"));
        Instant date = Instant.parse("2020-01-02T03:04:05Z");
        byte[] m1 = message("one", "1");
        byte[] m2 = message("two", "2");
        long u1 = s.append("INBOX", MessageSource.of(m1), set(Flags.SEEN, "$Work"), date).uid();
        long u2 = append(s, "INBOX", m2, Flags.FLAGGED, Flags.DELETED).uid();
        try (Mailbox inbox = s.open("INBOX", false)) {
            CopyResult r = inbox.copy(List.of(u2, u1, 99999L), "Archive");
            assertEquals(s.status("Archive").uidValidity(), r.targetUidValidity());
            assertEquals(List.of(u1, u2), r.sourceUids(), "unknown UIDs are skipped, source UIDs ascending");
            assertEquals(2, r.targetUids().size());
            assertTrue(r.targetUids().get(0) < r.targetUids().get(1));
            assertEquals(List.of(u1, u2), uids(inbox), "copy leaves the source alone");
            try (Mailbox archive = s.open("Archive", false)) {
                MessageInfo c1 = info(archive, r.targetUids().get(0));
                MessageInfo c2 = info(archive, r.targetUids().get(1));
                assertEquals(set(Flags.SEEN, "$Work"), c1.flags());
                assertEquals(set(Flags.FLAGGED, Flags.DELETED), c2.flags());
                assertEquals(date, c1.internalDate().truncatedTo(ChronoUnit.SECONDS));
                assertArrayEquals(m1, read(archive.content(c1.uid())));
                assertArrayEquals(m2, read(archive.content(c2.uid())));
                assertEquals(inbox.structure(u1), archive.structure(c1.uid()));
                assertTrue(archive.keywords().contains("$Work"));
            }
            // a copy into the same mailbox gets new UIDs
            CopyResult self = inbox.copy(List.of(u1), "INBOX");
            assertTrue(self.targetUids().get(0) > u2);
            assertEquals(3, inbox.messages().size());
            assertStoreException(StoreException.Reason.NONEXISTENT, () -> inbox.copy(List.of(u1), "Nowhere"));
        }
    }

    @Test
    void moveKeepsFlagsAndRemovesFromSource() throws Exception {
        StoreSession s = alice();
        s.create("Dest", null);
        byte[] m1 = message("mv1", "1");
        byte[] m2 = message("mv2", "2");
        byte[] m3 = message("mv3", "3");
        long u1 = append(s, "INBOX", m1, Flags.SEEN).uid();
        long u2 = append(s, "INBOX", m2, "$Keep").uid();
        long u3 = append(s, "INBOX", m3).uid();
        try (Mailbox inbox = s.open("INBOX", false)) {
            Recorder rec = new Recorder();
            inbox.addListener(rec);
            Recorder destRec = new Recorder();
            Mailbox destWatch = alice().open("Dest", true);
            destWatch.addListener(destRec);
            long before = inbox.highestModSeq();
            CopyResult r = inbox.move(List.of(u1, u2), "Dest");
            assertEquals(r.targetUids(), destRec.of(MailboxEvent.MessagesAdded.class).stream()
                    .flatMap(e -> e.messages().stream()).map(MessageInfo::uid).toList(),
                    "the target's listeners hear of the moved messages");
            destWatch.close();
            assertEquals(List.of(u1, u2), r.sourceUids());
            assertEquals(List.of(u3), uids(inbox));
            List<MailboxEvent.MessagesExpunged> ex = rec.of(MailboxEvent.MessagesExpunged.class);
            assertEquals(List.of(u1, u2), ex.stream().flatMap(e -> e.uids().stream()).sorted().toList());
            assertTrue(inbox.expungedSince(before).containsAll(List.of(u1, u2)));
            try (Mailbox dest = s.open("Dest", false)) {
                assertEquals(r.targetUids(), uids(dest));
                assertEquals(set(Flags.SEEN), info(dest, r.targetUids().get(0)).flags());
                assertEquals(set("$Keep"), info(dest, r.targetUids().get(1)).flags());
                assertArrayEquals(m1, read(dest.content(r.targetUids().get(0))));
                assertArrayEquals(m2, read(dest.content(r.targetUids().get(1))));
            }
            assertStoreException(StoreException.Reason.NONEXISTENT, () -> inbox.move(List.of(u3), "Nowhere"));
            assertEquals(List.of(u3), uids(inbox));
        }
    }

    @Test
    void expungeRemovesOnlyDeletedMessages() throws Exception {
        StoreSession s = alice();
        long a = append(s, "INBOX", message("a", "a"), Flags.DELETED).uid();
        long b = append(s, "INBOX", message("b", "b")).uid();
        long c = append(s, "INBOX", message("c", "c"), Flags.DELETED, Flags.SEEN).uid();
        long d = append(s, "INBOX", message("d", "d"), Flags.DELETED).uid();
        long h0;
        try (Mailbox mb = s.open("INBOX", false)) {
            h0 = mb.highestModSeq();
            assertEquals(List.of(d), mb.expunge(List.of(b, d)), "only listed \\Deleted messages");
            assertEquals(List.of(a, b, c), uids(mb));
            long h1 = mb.highestModSeq();
            assertEquals(List.of(a, c), mb.expunge(null), "every \\Deleted message");
            assertEquals(List.of(b), uids(mb));
            assertEquals(List.of(), mb.expunge(null));
            assertStoreException(StoreException.Reason.NONEXISTENT, () -> mb.content(a));
            List<Long> since0 = mb.expungedSince(h0);
            assertTrue(since0.containsAll(List.of(a, c, d)), since0.toString());
            assertFalse(since0.contains(b));
            List<Long> since1 = mb.expungedSince(h1);
            assertTrue(since1.containsAll(List.of(a, c)), since1.toString());
            assertFalse(since1.contains(d), since1.toString());
            assertEquals(List.of(), mb.expungedSince(mb.highestModSeq()));
        }
        assertEquals(1, s.status("INBOX").messages());
        restartStore();
        try (Mailbox mb = alice().open("INBOX", false)) {
            List<Long> since = mb.expungedSince(h0);
            assertTrue(since.containsAll(List.of(a, c, d)), "recent expunges are remembered across a restart "
                    + "(QRESYNC VANISHED): " + since);
            assertFalse(since.contains(b));
            assertEquals(List.of(b), uids(mb));
        }
    }

    // ------------------------------------------------------------------ events

    @Test
    void eventsAreSeenByASecondSession() throws Exception {
        StoreSession s1 = alice();
        StoreSession s2 = alice();
        try (Mailbox mine = s1.open("INBOX", false); Mailbox theirs = s2.open("INBOX", false)) {
            Recorder own = new Recorder();
            Recorder other = new Recorder();
            mine.addListener(own);
            Mailbox.Registration reg = theirs.addListener(other);

            AppendResult r = append(s1, "INBOX", message("event", "e"));
            List<MailboxEvent.MessagesAdded> added = other.of(MailboxEvent.MessagesAdded.class);
            assertEquals(1, added.size(), other.events.toString());
            assertEquals("INBOX", added.get(0).mailbox());
            assertEquals(List.of(r.uid()), added.get(0).messages().stream().map(MessageInfo::uid).toList());
            assertEquals(1, own.of(MailboxEvent.MessagesAdded.class).size());
            assertEquals(List.of(r.uid()), uids(theirs), "the other session sees the message at once");

            mine.updateFlags(List.of(r.uid()), FlagOp.ADD, set(Flags.SEEN, Flags.DELETED), -1);
            List<MailboxEvent.FlagsChanged> flags = other.of(MailboxEvent.FlagsChanged.class);
            assertEquals(1, flags.size());
            assertSame(mine, flags.get(0).origin(), "origin is the mailbox instance that made the change");
            assertEquals(set(Flags.SEEN, Flags.DELETED), flags.get(0).messages().get(0).flags());
            assertEquals(mine.highestModSeq(), flags.get(0).messages().get(0).modSeq());
            assertSame(mine, own.of(MailboxEvent.FlagsChanged.class).get(0).origin(),
                    "the changing instance hears its own change too");

            mine.expunge(null);
            List<MailboxEvent.MessagesExpunged> gone = other.of(MailboxEvent.MessagesExpunged.class);
            assertEquals(1, gone.size());
            assertEquals(List.of(r.uid()), gone.get(0).uids());
            assertSame(mine, gone.get(0).origin());
            assertEquals(mine.highestModSeq(), gone.get(0).modSeq());
            assertEquals(List.of(), uids(theirs));

            // a copy into the mailbox is an addition for its listeners
            s2.create("Src", null);
            long src = append(s2, "Src", message("copied", "c")).uid();
            try (Mailbox srcBox = s2.open("Src", false)) {
                srcBox.copy(List.of(src), "INBOX");
            }
            assertEquals(2, other.of(MailboxEvent.MessagesAdded.class).size());

            reg.close();
            int before = other.events.size();
            append(s1, "INBOX", message("after", "a"));
            assertEquals(before, other.events.size(), "a closed registration gets nothing");
            for (MailboxEvent e : other.events) {
                assertEquals("INBOX", e.mailbox());
            }
        }
    }

    @Test
    void deletingOrRenamingAnOpenMailboxTellsItsSessions() throws Exception {
        StoreSession s1 = alice();
        StoreSession s2 = alice();
        s1.create("Doomed", null);
        s1.create("Moving", null);
        try (Mailbox doomed = s2.open("Doomed", false); Mailbox moving = s2.open("Moving", false)) {
            Recorder r1 = new Recorder();
            Recorder r2 = new Recorder();
            doomed.addListener(r1);
            moving.addListener(r2);
            s1.delete("Doomed");
            s1.rename("Moving", "Moved");
            assertEquals(1, r1.of(MailboxEvent.MailboxRemoved.class).size(), r1.events.toString());
            assertEquals("Doomed", r1.of(MailboxEvent.MailboxRemoved.class).get(0).mailbox());
            assertEquals(1, r2.of(MailboxEvent.MailboxRemoved.class).size(), r2.events.toString());
            assertEquals("Moving", r2.of(MailboxEvent.MailboxRemoved.class).get(0).mailbox());
        }
    }

    @Test
    void closedMailboxHearsNothingAndSyncWithoutOutsideChangesIsQuiet() throws Exception {
        StoreSession s = alice();
        long uid = append(s, "INBOX", message("before", "b"), Flags.SEEN).uid();
        Mailbox closed = s.open("INBOX", false);
        Recorder gone = new Recorder();
        closed.addListener(gone);
        closed.close();
        try (Mailbox open = s.open("INBOX", false)) {
            Recorder rec = new Recorder();
            open.addListener(rec);
            long high = open.highestModSeq();
            open.sync();
            assertEquals(List.of(), rec.events, "sync() with nothing changed outside fires nothing");
            assertEquals(high, open.highestModSeq());
            assertEquals(List.of(uid), uids(open));
            assertEquals(set(Flags.SEEN), info(open, uid).flags());
            append(s, "INBOX", message("after", "a"));
            open.updateFlags(List.of(uid), FlagOp.ADD, set(Flags.FLAGGED), -1);
            assertEquals(2, rec.events.size());
        }
        assertEquals(List.of(), gone.events, "a closed mailbox's listeners are removed");
    }

    @Test
    void usersAreIsolated() throws Exception {
        StoreSession a = alice();
        StoreSession b = session("bob");
        a.create("AliceOnly", null);
        append(a, "INBOX", message("for alice", "secret"));
        assertFalse(names(b).contains("AliceOnly"));
        assertEquals(0, b.status("INBOX").messages());
        assertStoreException(StoreException.Reason.NONEXISTENT, () -> b.open("AliceOnly", false));
        assertEquals(principal("bob").user(), b.principal().user());
    }

    // ------------------------------------------------------------------ concurrency

    @Test
    @Timeout(value = 120)
    void concurrentAppendsGetDistinctUids() throws Exception {
        int threads = 8;
        int each = 25;
        StoreSession listenerSession = alice();
        Set<Long> heard = ConcurrentHashMap.newKeySet();
        List<Long> heardInOrder = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (Mailbox watched = listenerSession.open("INBOX", true)) {
            watched.addListener(e -> {
                if (e instanceof MailboxEvent.MessagesAdded a) {
                    a.messages().forEach(m -> {
                        heard.add(m.uid());
                        heardInOrder.add(m.uid());
                    });
                }
            });
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Map<Long, byte[]>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                StoreSession own = alice();
                futures.add(pool.submit(() -> {
                    start.await();
                    Map<Long, byte[]> mine = new java.util.HashMap<>();
                    for (int i = 0; i < each; i++) {
                        byte[] m = message("t" + thread + "-" + i, "thread " + thread + " message " + i);
                        mine.put(own.append("INBOX", MessageSource.of(m), Set.of(), null).uid(), m);
                    }
                    return mine;
                }));
            }
            start.countDown();
            Map<Long, byte[]> all = new java.util.HashMap<>();
            for (Future<Map<Long, byte[]>> f : futures) {
                for (Map.Entry<Long, byte[]> e : f.get(100, TimeUnit.SECONDS).entrySet()) {
                    assertTrue(all.put(e.getKey(), e.getValue()) == null, "UID given twice: " + e.getKey());
                }
            }
            assertEquals(threads * each, all.size());
            List<Long> listed = uids(watched);
            assertEquals(new TreeSet<>(all.keySet()), new TreeSet<>(listed));
            for (int i = 1; i < listed.size(); i++) {
                assertTrue(listed.get(i) > listed.get(i - 1));
            }
            for (Map.Entry<Long, byte[]> e : all.entrySet()) {
                assertArrayEquals(e.getValue(), read(watched.content(e.getKey())));
            }
            assertEquals(all.keySet(), heard, "one MessagesAdded per message");
            List<Long> order = new ArrayList<>(heardInOrder);
            for (int i = 1; i < order.size(); i++) {
                assertTrue(order.get(i) > order.get(i - 1),
                        "listeners hear additions in ascending UID order (sessions number messages by them)");
            }
            assertEquals(threads * each, listenerSession.status("INBOX").messages());

            // concurrent flag changes on disjoint messages all land, with distinct MODSEQs
            List<Long> sorted = new ArrayList<>(listed);
            List<Future<?>> flagJobs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                StoreSession own = alice();
                flagJobs.add(pool.submit(() -> {
                    try (Mailbox mb = own.open("INBOX", false)) {
                        for (int i = thread; i < sorted.size(); i += threads) {
                            mb.updateFlags(List.of(sorted.get(i)), FlagOp.ADD, set(Flags.SEEN, "$T" + thread), -1);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : flagJobs) {
                f.get(100, TimeUnit.SECONDS);
            }
            Set<Long> modSeqs = new HashSet<>();
            for (MessageInfo m : watched.messages()) {
                assertTrue(m.has(Flags.SEEN));
                modSeqs.add(m.modSeq());
            }
            assertEquals(threads * each, modSeqs.size(), "each change has its own MODSEQ");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(value = 120)
    void concurrentAppendFlagAndExpungeKeepTheMailboxConsistent() throws Exception {
        int rounds = 30;
        StoreSession watcher = alice();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (Mailbox watched = watcher.open("INBOX", true)) {
            // the view a protocol session keeps from events alone
            List<Long> view = Collections.synchronizedList(new ArrayList<>());
            watched.addListener(e -> {
                if (e instanceof MailboxEvent.MessagesAdded a) {
                    a.messages().forEach(m -> view.add(m.uid()));
                } else if (e instanceof MailboxEvent.MessagesExpunged x) {
                    view.removeAll(x.uids());
                }
            });
            CountDownLatch start = new CountDownLatch(1);
            StoreSession appender = alice();
            Future<List<Long>> appends = pool.submit(() -> {
                start.await();
                List<Long> l = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    l.add(appender.append("INBOX", MessageSource.of(message("mix" + i, "m" + i)), Set.of(), null).uid());
                }
                return l;
            });
            StoreSession flagger = alice();
            Future<?> flags = pool.submit(() -> {
                start.await();
                try (Mailbox mb = flagger.open("INBOX", false)) {
                    for (int i = 0; i < rounds; i++) {
                        List<Long> now = uids(mb);
                        // every other message is marked for deletion
                        List<Long> odd = new ArrayList<>();
                        for (long u : now) {
                            if (u % 2 == 1) {
                                odd.add(u);
                            }
                        }
                        mb.updateFlags(odd, FlagOp.ADD, set(Flags.DELETED), -1);
                    }
                }
                return null;
            });
            StoreSession expunger = alice();
            Future<List<Long>> expunges = pool.submit(() -> {
                start.await();
                List<Long> gone = new ArrayList<>();
                try (Mailbox mb = expunger.open("INBOX", false)) {
                    for (int i = 0; i < rounds; i++) {
                        gone.addAll(mb.expunge(null));
                    }
                }
                return gone;
            });
            start.countDown();
            List<Long> appended = appends.get(100, TimeUnit.SECONDS);
            flags.get(100, TimeUnit.SECONDS);
            List<Long> gone = new ArrayList<>(expunges.get(100, TimeUnit.SECONDS));
            try (Mailbox mb = expunger.open("INBOX", false)) {
                mb.updateFlags(uids(mb).stream().filter(u -> u % 2 == 1).toList(), FlagOp.ADD, set(Flags.DELETED),
                        -1);
                gone.addAll(mb.expunge(null));
            }
            assertEquals(appended.size(), new HashSet<>(appended).size(), "no UID given twice");
            assertEquals(gone.size(), new HashSet<>(gone).size(), "no UID expunged twice");
            for (long g : gone) {
                assertTrue(g % 2 == 1, "only \\Deleted messages expunged");
            }
            List<Long> expected = appended.stream().filter(u -> u % 2 == 0).sorted().toList();
            assertEquals(expected, uids(watched));
            assertEquals(expected, new ArrayList<>(view), "the event-built view matches the mailbox");
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ status, subscriptions

    @Test
    void statusCounts() throws Exception {
        StoreSession s = alice();
        s.create("Counted", null);
        MailboxStatus empty = s.status("Counted");
        assertEquals("Counted", empty.name());
        assertEquals(0, empty.messages());
        assertEquals(0, empty.unseen());
        assertEquals(0, empty.size());
        assertTrue(empty.highestModSeq() >= 1);
        byte[] m1 = message("s1", "1");
        byte[] m2 = message("s2", "22");
        byte[] m3 = message("s3", "333");
        append(s, "Counted", m1, Flags.SEEN);
        append(s, "Counted", m2, Flags.DELETED);
        AppendResult last = append(s, "Counted", m3, Flags.SEEN, Flags.DELETED);
        MailboxStatus st = s.status("Counted");
        assertEquals(3, st.messages());
        assertEquals(1, st.unseen());
        assertEquals(2, st.deleted());
        assertEquals(m1.length + m2.length + m3.length, st.size());
        assertEquals(last.uidValidity(), st.uidValidity());
        assertTrue(st.uidNext() > last.uid());
        try (Mailbox mb = s.open("Counted", true)) {
            assertEquals(mb.uidNext(), st.uidNext());
            assertEquals(mb.highestModSeq(), st.highestModSeq());
        }
        assertStoreException(StoreException.Reason.NONEXISTENT, () -> s.status("Uncounted"));
    }

    @Test
    void subscriptions() throws Exception {
        StoreSession s = alice();
        s.create("Lists/Java", null);
        assertEquals(Set.of(), s.subscriptions().stream().filter(n -> !n.equals("INBOX")).collect(Collectors.toSet()));
        s.subscribe("Lists/Java");
        s.subscribe("Lists");
        s.subscribe("NotYetCreated");
        s.unsubscribe("Lists");
        assertTrue(s.subscriptions().containsAll(Set.of("Lists/Java", "NotYetCreated")), s.subscriptions().toString());
        assertFalse(s.subscriptions().contains("Lists"));
        assertStoreException(StoreException.Reason.INVALID_NAME, () -> s.subscribe("../escape"));
        restartStore();
        StoreSession again = alice();
        assertTrue(again.subscriptions().containsAll(Set.of("Lists/Java", "NotYetCreated")));
        assertFalse(again.subscriptions().contains("Lists"));
        again.unsubscribe("NotYetCreated");
        assertFalse(again.subscriptions().contains("NotYetCreated"));
    }

    // ------------------------------------------------------------------ restart

    @Test
    void everythingSurvivesARestart() throws Exception {
        StoreSession s = alice();
        s.create("Folder/Sub", null);
        Instant date = Instant.parse("2019-09-09T09:09:09Z");
        byte[] m1 = message("persist 1", "one");
        byte[] m2 = "Subject: bare lf\n\nbody\n".getBytes(StandardCharsets.US_ASCII);
        long u1 = s.append("INBOX", MessageSource.of(m1), set(Flags.SEEN, "$Important"), date).uid();
        long u2 = s.append("Folder/Sub", MessageSource.of(m2), set(Flags.ANSWERED), date).uid();
        MessageStructure st1;
        long modSeq1;
        try (Mailbox mb = s.open("INBOX", false)) {
            mb.updateFlags(List.of(u1), FlagOp.ADD, set(Flags.FLAGGED), -1);
            st1 = mb.structure(u1);
            modSeq1 = info(mb, u1).modSeq();
        }
        MailboxStatus inbox = s.status("INBOX");
        MailboxStatus sub = s.status("Folder/Sub");
        Set<String> names = names(s);
        restartStore();
        StoreSession again = alice();
        assertEquals(names, names(again));
        assertEquals(inbox, again.status("INBOX"));
        assertEquals(sub, again.status("Folder/Sub"));
        try (Mailbox mb = again.open("INBOX", false)) {
            MessageInfo i = info(mb, u1);
            assertEquals(set(Flags.SEEN, Flags.FLAGGED, "$Important"), i.flags());
            assertEquals(date, i.internalDate().truncatedTo(ChronoUnit.SECONDS));
            assertEquals(m1.length, i.size());
            assertEquals(modSeq1, i.modSeq());
            assertArrayEquals(m1, read(mb.content(u1)));
            assertEquals(st1, mb.structure(u1));
            assertTrue(mb.keywords().contains("$Important"));
        }
        try (Mailbox mb = again.open("Folder/Sub", false)) {
            assertEquals(set(Flags.ANSWERED), info(mb, u2).flags());
            assertArrayEquals(m2, read(mb.content(u2)));
        }
        // and once more, after changes made by the restarted store
        try (Mailbox mb = again.open("Folder/Sub", false)) {
            mb.updateFlags(List.of(u2), FlagOp.REPLACE, set("$Done"), -1);
        }
        restartStore();
        try (Mailbox mb = alice().open("Folder/Sub", false)) {
            assertEquals(set("$Done"), info(mb, u2).flags());
        }
    }

    @Test
    void sessionsAndMailboxesCanBeClosedTwice() throws Exception {
        StoreSession s = alice();
        Mailbox mb = s.open("INBOX", false);
        mb.close();
        mb.close();
        s.close();
        s.close();
        StoreSession t = alice();
        assertNotEquals(null, t.list());
    }
}
