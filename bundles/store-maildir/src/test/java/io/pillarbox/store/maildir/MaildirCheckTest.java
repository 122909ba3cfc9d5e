package io.pillarbox.store.maildir;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxEvent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreMaintenance.Finding;
import io.pillarbox.api.store.StoreSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code mail:check} on a real Maildir made by the store: each kind of damage is reported by a check that changes
 * nothing, repaired by a repair, and gone from a second check; untouched messages keep their UIDs, flags, keywords and
 * content, and a mailbox open across the repair reads correctly afterwards.
 */
class MaildirCheckTest {

    @TempDir
    Path tmp;
    Path root;
    String template;
    MaildirStore store;
    final AtomicLong clockOffset = new AtomicLong();
    MaildirMaintenance maintenance;
    final MailPrincipal alice = MailPrincipal.of("alice@example.org", "test");
    final List<StoreSession> sessions = new ArrayList<>();

    @BeforeEach
    void setUp() {
        template = tmp + "/mail/{domain}/{user}/Maildir";
        store = new MaildirStore(template, false);
        maintenance = new MaildirMaintenance(template, false, () -> System.currentTimeMillis() + clockOffset.get());
        root = tmp.resolve("mail/example.org/alice/Maildir");
    }

    @AfterEach
    void tearDown() {
        sessions.forEach(StoreSession::close);
        StateRegistry.dropIdle();
    }

    StoreSession session() throws StoreException {
        StoreSession s = store.open(alice);
        sessions.add(s);
        return s;
    }

    static byte[] msg(String subject, String body) {
        return ("From: bob@example.org\r\nTo: alice@example.org\r\nSubject: " + subject + "\r\n\r\n" + body
                + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** INBOX with five messages (flags and keywords, one expunged), Work with two. */
    void populate() throws Exception {
        StoreSession s = session();
        s.create("Work", null);
        s.create("Empty", null);
        s.append("INBOX", MessageSource.of(msg("one", "first")), Set.of(Flags.SEEN), null);
        s.append("INBOX", MessageSource.of(msg("two", "second message")), Set.of(Flags.FLAGGED, "$Work"), null);
        s.append("INBOX", MessageSource.of(msg("three", "third")), Set.of(), null);
        s.append("INBOX", MessageSource.of(msg("four", "fourth")), Set.of(Flags.SEEN, Flags.ANSWERED, "Later"),
                null);
        s.append("INBOX", MessageSource.of(msg("five", "fifth")), Set.of(Flags.DELETED), null);
        s.append("Work", MessageSource.of(msg("w1", "work one")), Set.of("$Work"), null);
        s.append("Work", MessageSource.of(msg("w2", "work two")), Set.of(Flags.SEEN), null);
        try (Mailbox m = s.open("INBOX", false)) {
            m.expunge(List.of(5L));
            m.updateFlags(List.of(3L), io.pillarbox.api.store.FlagOp.ADD, Set.of(Flags.DRAFT), -1);
        }
        sessions.remove(s);
        s.close();
    }

    /** UID, flags, content and structure of every message of every mailbox, through the store. */
    Map<String, List<String>> contents() throws Exception {
        StoreSession s = store.open(alice);
        try {
            Map<String, List<String>> out = new TreeMap<>();
            for (var i : s.list()) {
                if (!i.selectable()) {
                    continue;
                }
                try (Mailbox m = s.open(i.name(), true)) {
                    out.put(i.name(), describe(m));
                }
            }
            return out;
        } finally {
            s.close();
        }
    }

    static List<String> describe(Mailbox m) throws Exception {
        List<String> l = new ArrayList<>();
        l.add("V" + m.uidValidity());
        for (MessageInfo i : m.messages()) {
            byte[] b;
            try (InputStream in = m.content(i.uid()).open()) {
                b = in.readAllBytes();
            }
            assertEquals(i.size(), b.length);
            l.add(i.uid() + " " + new java.util.TreeSet<>(i.flags()) + " " + i.size() + " "
                    + new String(b, StandardCharsets.UTF_8).replace("\r\n", "|") + " "
                    + m.structure(i.uid()).envelope().subject());
        }
        return l;
    }

    /** Every file under the Maildir with its content, to show that a check without repair changes nothing. */
    Map<String, String> tree() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                out.put(rel, Files.isDirectory(p) ? "dir" : Arrays.toString(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }

    Path file(Path dir, long uid) throws Exception {
        String base = null;
        for (String line : Files.readAllLines(dir.resolve("dovecot-uidlist"))) {
            if (line.startsWith(uid + " ")) {
                base = line.substring(line.indexOf(':') + 1);
            }
        }
        assertNotNull(base, "UID " + uid + " in the UID list");
        try (Stream<Path> s = Files.list(dir.resolve("cur"))) {
            String b = base;
            return s.filter(p -> MaildirFiles.baseName(p.getFileName().toString()).equals(b)).findFirst()
                    .orElseThrow();
        }
    }

    /** check(false) reports (nothing repaired, nothing changed), check(true) repairs, a new check is clean. */
    List<Finding> checkRepairCheck(String... expected) throws Exception {
        Map<String, String> before = tree();
        List<Finding> found = maintenance.check(alice, false);
        assertEquals(before, tree(), "a check without --repair changes nothing");
        assertFalse(found.isEmpty(), "damage found");
        for (Finding f : found) {
            assertFalse(f.repaired(), f.toString());
        }
        for (String e : expected) {
            assertTrue(found.stream().anyMatch(f -> f.problem().contains(e)), e + " in " + found);
        }
        List<Finding> repaired = maintenance.check(alice, true);
        assertEquals(found.size(), repaired.size(), repaired.toString());
        for (Finding f : repaired) {
            assertTrue(f.repaired(), f.toString());
            assertNotNull(f.mailbox());
        }
        assertEquals(List.of(), maintenance.check(alice, false), "clean after the repair");
        return found;
    }

    @Test
    void cleanStoreHasNoFindings() throws Exception {
        assertEquals(List.of(), maintenance.check(alice, false), "no Maildir yet");
        assertFalse(Files.exists(root), "a check creates nothing");
        populate();
        StoreSession s = session();
        try (Mailbox m = s.open("INBOX", false)) {
            m.copy(List.of(1L, 2L), "Work");
            m.updateFlags(List.of(1L), io.pillarbox.api.store.FlagOp.ADD, Set.of("NewKeyword"), -1);
            assertEquals(List.of(), maintenance.check(alice, false), "with a session open");
            assertEquals(List.of(), maintenance.check(alice, true));
        }
        StateRegistry.dropIdle();
        assertEquals(List.of(), maintenance.check(alice, false), "after a restart");
        assertEquals(List.of(), maintenance.check(alice, true));
    }

    @Test
    void checksWhileSessionsWriteFindNothing() throws Exception {
        populate();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                StoreSession s = store.open(alice);
                try (Mailbox m = s.open("INBOX", false)) {
                    for (int i = 0; !stop.get(); i++) {
                        long uid = s.append("INBOX", MessageSource.of(msg("busy " + i, "x")), Set.of(), null).uid();
                        m.updateFlags(List.of(uid), io.pillarbox.api.store.FlagOp.ADD, Set.of(Flags.SEEN, "$Busy"),
                                -1);
                        m.copy(List.of(uid), "Work");
                        if (i % 2 == 0) {
                            m.updateFlags(List.of(uid), io.pillarbox.api.store.FlagOp.ADD, Set.of(Flags.DELETED), -1);
                            m.expunge(List.of(uid));
                        }
                    }
                } finally {
                    s.close();
                }
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        writer.start();
        try {
            for (int i = 0; i < 15; i++) {
                assertEquals(List.of(), maintenance.check(alice, i % 3 == 2), "round " + i);
            }
        } finally {
            stop.set(true);
            writer.join(30_000);
        }
        assertEquals(null, failed.get());
        assertEquals(List.of(), maintenance.check(alice, false));
    }

    @Test
    void garbledIndexIsRebuiltWhileAMailboxIsOpen() throws Exception {
        populate();
        Map<String, List<String>> before = contents();
        StoreSession s = session();
        Mailbox open = s.open("INBOX", false);
        Path index = root.resolve(IndexLog.FILE);
        byte[] b = Files.readAllBytes(index);
        for (int i = b.length / 2; i < b.length / 2 + 8; i++) {
            b[i] ^= 0x5a;
        }
        Files.write(index, b);
        List<Finding> found = checkRepairCheck("pillarbox.index: the record at offset", "fails its checksum");
        assertTrue(found.stream().allMatch(f -> f.mailbox().equals("INBOX")), found.toString());
        assertEquals(before, contents());
        assertEquals(before.get("INBOX"), describe(open), "the open mailbox reads the same after the repair");
        open.close();
    }

    @Test
    void garbledIndexHeaderAndTruncatedIndex() throws Exception {
        populate();
        Map<String, List<String>> before = contents();
        Path index = root.resolve(IndexLog.FILE);
        try (FileChannel ch = FileChannel.open(index, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("garbage!".getBytes(StandardCharsets.US_ASCII)), 0);
        }
        checkRepairCheck("pillarbox.index is not a Pillarbox index");
        assertEquals(before, contents());
        Path work = root.resolve(".Work").resolve(IndexLog.FILE);
        try (FileChannel ch = FileChannel.open(work, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10);
        }
        checkRepairCheck("fails its checksum");
        assertEquals(before, contents());
        Files.delete(work);
        List<Finding> f = checkRepairCheck("pillarbox.index is missing");
        assertEquals("Work", f.get(0).mailbox());
        assertEquals(before, contents());
    }

    @Test
    void deletedMessageFileIsDroppedAndOpenMailboxesHearOfIt() throws Exception {
        populate();
        Map<String, List<String>> before = contents();
        StoreSession s = session();
        Mailbox open = s.open("INBOX", false);
        List<MailboxEvent> events = new CopyOnWriteArrayList<>();
        open.addListener(events::add);
        Files.delete(file(root, 2));
        checkRepairCheck("are gone (UID 2)");
        assertFalse(Files.readString(root.resolve("dovecot-uidlist")).contains("\n2 "), "line dropped");
        assertTrue(events.stream().anyMatch(e -> e instanceof MailboxEvent.MessagesExpunged x
                && x.uids().equals(List.of(2L))), events.toString());
        List<String> inbox = new ArrayList<>(before.get("INBOX"));
        inbox.removeIf(l -> l.startsWith("2 "));
        assertEquals(inbox, describe(open));
        before.put("INBOX", inbox);
        assertEquals(before, contents());
        open.close();
    }

    @Test
    void fileDroppedIntoCurGetsANewUid() throws Exception {
        populate();
        Map<String, List<String>> before = contents();
        byte[] m = msg("by hand", "dropped in");
        Files.write(root.resolve("cur").resolve("1700000000.M1P1.elsewhere,S=" + m.length + ",W=" + m.length
                + ":2,FS"), m);
        checkRepairCheck("1 message file(s) in cur/ have no UID");
        List<String> inbox = contents().get("INBOX");
        assertEquals(before.get("INBOX"), inbox.subList(0, inbox.size() - 1), "others unchanged");
        assertTrue(inbox.get(inbox.size() - 1).startsWith("6 [\\Flagged, \\Seen] "), inbox.toString());
    }

    @Test
    void fileInNewWithAWrongWSizeGetsAUidAndTheSizeIsReported() throws Exception {
        populate();
        byte[] m = ("Subject: lf only\n\nthree\nbare\nLFs\n").getBytes(StandardCharsets.US_ASCII);
        String name = "1700000001.M1P1.mda,S=" + m.length + ",W=" + (m.length + 1);
        Files.write(root.resolve(".Work/new").resolve(name), m);
        Map<String, String> tree = tree();
        List<Finding> found = maintenance.check(alice, false);
        assertEquals(tree, tree());
        assertEquals(2, found.size(), found.toString());
        assertTrue(found.get(0).problem().contains("1 message file(s) in new/ have no UID yet"), found.toString());
        assertTrue(found.get(1).problem().contains("message file new/" + name + " has " + (m.length + 5)
                + " octets with CRLF line ends, its name says W=" + (m.length + 1)), found.toString());
        List<Finding> repaired = maintenance.check(alice, true);
        assertTrue(repaired.get(0).repaired());
        assertFalse(repaired.get(1).repaired());
        List<Finding> again = maintenance.check(alice, false);
        assertEquals(1, again.size(), again.toString());
        assertTrue(again.get(0).problem().startsWith("UID 3: message file cur/" + name + ":2,"), again.toString());
        List<String> work = contents().get("Work");
        assertTrue(work.get(3).startsWith("3 [] " + (m.length + 5) + " Subject: lf only||three|"), work.toString());
    }

    @Test
    void uidlistDuplicatesAndUnreadableLines() throws Exception {
        populate();
        Map<String, List<String>> before = contents();
        byte[] m = msg("twin", "listed under a taken UID");
        String base = "1700000002.M1P1.elsewhere,S=" + m.length + ",W=" + m.length;
        Files.write(root.resolve("cur").resolve(base + ":2,S"), m);
        Path ul = root.resolve("dovecot-uidlist");
        Files.writeString(ul, Files.readString(ul) + "3 :" + base + "\nnot a line\n");
        checkRepairCheck("UID 3 is listed twice", "1 line(s) of dovecot-uidlist cannot be read");
        List<String> inbox = contents().get("INBOX");
        assertEquals(before.get("INBOX"), inbox.subList(0, 5));
        assertTrue(inbox.get(5).startsWith("6 [\\Seen] "), inbox.toString());
    }

    @Test
    void oldLeftoversInTmpAreRemoved() throws Exception {
        populate();
        Map<String, List<String>> before = contents();
        Path left = root.resolve(".Work/tmp/1700000000.M2P2.host");
        Files.write(left, msg("half", "written"));
        assertEquals(List.of(), maintenance.check(alice, false), "a fresh file in tmp/ is no leftover");
        clockOffset.set(37L * 3600 * 1000);
        List<Finding> f = checkRepairCheck("1 leftover(s) in tmp/ older than 36 hours");
        assertEquals("Work", f.get(0).mailbox());
        assertFalse(Files.exists(left));
        assertEquals(before, contents());
    }

    @Test
    void truncatedMessageIsReportedNotRemoved() throws Exception {
        populate();
        Map<String, List<String>> before = contents();
        Path f = file(root, 4);
        long size = Files.size(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size - 5);
        }
        Map<String, String> tree = tree();
        List<Finding> found = maintenance.check(alice, false);
        assertEquals(tree, tree());
        assertTrue(found.stream().anyMatch(x -> x.problem().contains("UID 4: message file cur/" + f.getFileName()
                + " has " + (size - 5) + " octets, its name says S=" + size + " (truncated)")), found.toString());
        assertTrue(found.stream().anyMatch(x -> x.problem().contains("pillarbox.index disagrees")), found.toString());
        List<Finding> repaired = maintenance.check(alice, true);
        assertEquals(found.size(), repaired.size());
        for (Finding x : repaired) {
            assertEquals(!x.problem().contains("truncated"), x.repaired(), x.toString());
        }
        List<Finding> again = maintenance.check(alice, true);
        assertEquals(1, again.size(), again.toString());
        assertTrue(again.get(0).problem().contains("(truncated)") && !again.get(0).repaired());
        assertTrue(Files.exists(f), "never deleted");
        Map<String, List<String>> now = contents();
        assertEquals(before.get("Work"), now.get("Work"));
        assertTrue(now.get("INBOX").get(4).startsWith("4 [Later, \\Answered, \\Seen] " + (size - 5) + " "),
                now.toString());
        assertEquals(before.get("INBOX").subList(0, 4), now.get("INBOX").subList(0, 4));
    }

    @Test
    void uidlistOutOfOrderAndNextUidTooLow() throws Exception {
        populate();
        Map<String, List<String>> before = contents();
        Path ul = root.resolve("dovecot-uidlist");
        List<String> lines = new ArrayList<>(Files.readAllLines(ul));
        String l1 = lines.get(1);
        lines.set(1, lines.get(2));
        lines.set(2, l1);
        Files.write(ul, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        checkRepairCheck("UIDs in dovecot-uidlist are not ascending: UID 1 follows UID 2");
        List<String> fixed = Files.readAllLines(ul);
        assertTrue(fixed.get(1).startsWith("1 ") && fixed.get(2).startsWith("2 "), fixed.toString());
        assertEquals(before, contents());
        // the line of the expunged UID 5 gone and N below it: UID 5 would be handed out again
        List<String> noFive = new ArrayList<>(fixed);
        noFive.removeIf(l -> l.startsWith("5 "));
        noFive.set(0, noFive.get(0).replaceAll(" N\\d+", " N2"));
        Files.write(ul, (String.join("\n", noFive) + "\n").getBytes(StandardCharsets.UTF_8));
        checkRepairCheck("the next UID of dovecot-uidlist (5) would hand out UID 5 again");
        assertTrue(Files.readAllLines(ul).get(0).contains(" N6 "), Files.readAllLines(ul).toString());
        assertEquals(before, contents());
        try (Mailbox m = session().open("INBOX", true)) {
            assertEquals(6, m.uidNext());
        }
    }

    @Test
    void damagedUidlistHeaderKeepsItsUidValidity() throws Exception {
        populate();
        Map<String, List<String>> before = contents();
        Path ul = root.resolve(".Work/dovecot-uidlist");
        String text = Files.readString(ul);
        Files.writeString(ul, text.replaceFirst(" N\\d+", " Nxyz"));
        List<Finding> found = checkRepairCheck("dovecot-uidlist has a damaged header");
        assertTrue(found.get(0).problem().contains("its UIDVALIDITY " + before.get("Work").get(0).substring(1)
                + " is kept"), found.toString());
        assertEquals(before, contents());
    }

    @Test
    void unreadableUidlistHeaderTakesUidValidityFromTheIndexOrGivesANewOne() throws Exception {
        populate();
        Map<String, List<String>> before = contents();
        Path ul = root.resolve(".Work/dovecot-uidlist");
        List<String> lines = new ArrayList<>(Files.readAllLines(ul));
        lines.set(0, "\u0000\u0001garbage");
        Files.write(ul, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        checkRepairCheck("has a header of unknown version", "is taken back from pillarbox.index");
        assertEquals(before, contents());
        // with the index gone too, a new UIDVALIDITY; an open session is told the mailbox is gone
        StoreSession s = session();
        Mailbox open = s.open("Work", true);
        List<MailboxEvent> events = new CopyOnWriteArrayList<>();
        open.addListener(events::add);
        Files.write(ul, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        Files.delete(root.resolve(".Work").resolve(IndexLog.FILE));
        checkRepairCheck("the folder gets a new UIDVALIDITY");
        assertTrue(events.stream().anyMatch(e -> e instanceof MailboxEvent.MailboxRemoved), events.toString());
        List<String> work = contents().get("Work");
        assertNotEquals(before.get("Work").get(0), work.get(0));
        assertEquals(before.get("Work").subList(1, 3), work.subList(1, 3), "UIDs, flags, content kept");
        open.close();
    }

    @Test
    void missingUidlistTakesUidsBackFromTheIndex() throws Exception {
        populate();
        Map<String, List<String>> before = contents();
        StateRegistry.dropIdle();
        Files.delete(root.resolve("dovecot-uidlist"));
        checkRepairCheck("dovecot-uidlist is missing: 4 message file(s) have no UID (UIDs and UIDVALIDITY are taken "
                + "back from pillarbox.index)");
        assertEquals(before, contents(), "same UIDVALIDITY, UIDs, flags");
        try (Mailbox m = session().open("INBOX", true)) {
            assertEquals(6, m.uidNext(), "UID 5 (expunged) is not handed out again");
        }
    }

    @Test
    void staleLockIsRemovedAndLiveOneKept() throws Exception {
        populate();
        Path lock = root.resolve("dovecot-uidlist.lock");
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        Path keywordsLock = root.resolve(".Work/dovecot-keywords.lock");
        Files.writeString(keywordsLock, p.pid() + ":" + MaildirFiles.HOST);
        List<Finding> dead = checkRepairCheck("stale lock file dovecot-keywords.lock: held by process " + p.pid()
                + " on this host, which is gone");
        assertEquals("Work", dead.get(0).mailbox());
        assertFalse(Files.exists(keywordsLock));
        Files.writeString(lock, "12345:some-other-host");
        assertEquals(List.of(), maintenance.check(alice, false), "a fresh lock of another host is live");
        Files.setLastModifiedTime(lock, FileTime.fromMillis(System.currentTimeMillis() - 600_000));
        List<Finding> f = checkRepairCheck("stale lock file dovecot-uidlist.lock: held by 12345:some-other-host");
        assertFalse(Files.exists(lock));
        assertEquals(1, f.size());
    }

    @Test
    void undefinedKeywordLettersAreReportedAndKept() throws Exception {
        populate();
        Path f = file(root, 1);
        Path renamed = f.resolveSibling(f.getFileName() + "z");
        Files.move(f, renamed);
        StateRegistry.dropIdle();
        List<Finding> found = maintenance.check(alice, true);
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).problem().contains("1 message(s) carry keyword letter(s) z that dovecot-keywords "
                + "does not define"), found.toString());
        assertFalse(found.get(0).repaired());
        assertTrue(Files.exists(renamed), "the letter is kept");
    }

    @Test
    void repairKeepsUidsAndFlagsOfEveryDamageTogether() throws Exception {
        populate();
        Map<String, List<String>> before = contents();
        Files.write(root.resolve(IndexLog.FILE), "PBXIDX02 not really".getBytes(StandardCharsets.US_ASCII));
        Files.delete(file(root.resolve(".Work"), 1));
        Path ul = root.resolve("dovecot-uidlist");
        Files.writeString(ul, Files.readString(ul) + "9 :half-a-li");
        clockOffset.set(40L * 3600 * 1000);
        Files.write(root.resolve("tmp/leftover"), new byte[10]);
        checkRepairCheck("pillarbox.index is shorter than its header", "are gone (UID 1)", "incomplete line",
                "leftover(s) in tmp/");
        Map<String, List<String>> now = contents();
        assertEquals(before.get("INBOX"), now.get("INBOX"));
        assertEquals(before.get("Work").get(2), now.get("Work").get(1));
        assertArrayEquals(new Object[]{}, Files.list(root.resolve("tmp")).toArray());
    }
}
