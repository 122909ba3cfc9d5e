package io.pillarbox.store.maildir;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.AppendResult;
import io.pillarbox.api.store.CopyResult;
import io.pillarbox.api.store.FlagOp;
import io.pillarbox.api.store.FlagUpdate;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxEvent;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaildirStoreTest {

    @TempDir
    Path tmp;
    Path root;
    MaildirStore store;
    MailPrincipal alice = MailPrincipal.of("alice@example.org", "test");
    final List<StoreSession> sessions = new ArrayList<>();

    @BeforeEach
    void setUp() {
        store = new MaildirStore(tmp + "/mail/{domain}/{user}/Maildir", true);
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

    /** Closes everything and forgets all in-memory state, as a restart would. */
    void restart() {
        sessions.forEach(StoreSession::close);
        sessions.clear();
        StateRegistry.dropIdle();
        store = new MaildirStore(tmp + "/mail/{domain}/{user}/Maildir", true);
    }

    static byte[] msg(String subject) {
        return ("From: bob@example.org\r\nTo: alice@example.org\r\nSubject: " + subject
                + "\r\n\r\nHello \u00e9\r\n").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] read(Mailbox m, long uid) throws Exception {
        try (InputStream in = m.content(uid).open()) {
            return in.readAllBytes();
        }
    }

    List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void locationTemplates() throws Exception {
        assertEquals(root, store.location(alice));
        assertEquals(tmp.resolve("mail/bob/Maildir"), store.location(MailPrincipal.of("bob", "t")));
        MaildirStore home = new MaildirStore(tmp + "/home/{user}/Maildir", true);
        assertEquals(tmp.resolve("home/alice/Maildir"), home.location(alice));
        assertEquals(tmp.resolve("x/Maildir"),
                home.location(alice.withMailLocation("maildir:" + tmp + "/x/Maildir:LAYOUT=maildir++")));
        assertThrows(StoreException.class, () -> store.location(MailPrincipal.of("../evil@example.org", "t")));
        // what realms give: a home directory, a Maildir, an mbox spool, another format
        MailPrincipal withHome = alice.withAttributes(java.util.Map.of("home", tmp + "/home/al"));
        assertEquals(tmp.resolve("home/al/Maildir"), store.location(withHome.withMailLocation(tmp + "/home/al")));
        assertEquals(tmp.resolve("home/al/Mail"), store.location(withHome.withMailLocation("maildir:~/Mail")));
        assertEquals(tmp.resolve("home/al/Maildir"), store.location(withHome.withMailLocation("/var/mail/al")));
        assertEquals(tmp.resolve("home/al/Maildir"), store.location(withHome.withMailLocation("mdbox:~/mdbox")));
        assertEquals(root, store.location(alice.withMailLocation("/var/mail/alice")));
        Files.createDirectories(tmp.resolve("existing/cur"));
        assertEquals(tmp.resolve("existing"), store.location(withHome.withMailLocation(tmp + "/existing")));
        assertEquals(tmp.resolve("elsewhere/Maildir"),
                store.location(alice.withMailLocation(tmp + "/elsewhere/Maildir")));
    }

    @Test
    void appendWritesDovecotLayout() throws Exception {
        StoreSession s = session();
        byte[] body = msg("one");
        Instant date = Instant.parse("2024-05-01T10:00:00Z");
        AppendResult r = s.append("inbox", MessageSource.of(body), Set.of(Flags.SEEN, "$Forwarded", "Work"), date);
        assertEquals("INBOX", r.mailbox());
        assertEquals(1, r.uid());
        List<String> cur = files(root.resolve("cur"));
        assertEquals(1, cur.size());
        String f = cur.get(0);
        assertTrue(f.matches("\\d+\\.M\\d+P\\d+Q\\d+\\.[^,]+,S=" + body.length + ",W=" + body.length + ":2,Sab"),
                f);
        List<String> uidlist = Files.readAllLines(root.resolve("dovecot-uidlist"));
        assertTrue(uidlist.get(0).matches("3 V\\d+ N1 G[0-9a-f]{32}"), uidlist.get(0));
        assertEquals("1 :" + MaildirFiles.baseName(f), uidlist.get(1));
        assertEquals(List.of("0 $Forwarded", "1 Work"), Files.readAllLines(root.resolve("dovecot-keywords")));
        assertEquals(date.toEpochMilli(), Files.getLastModifiedTime(root.resolve("cur").resolve(f)).toMillis());
        // mail is private to its owner
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("cur").resolve(f))));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("cur"))));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("dovecot-uidlist"))));
        try (Mailbox m = s.open("INBOX", true)) {
            assertArrayEquals(body, read(m, 1));
            MessageInfo info = m.messages().get(0);
            assertEquals(Set.of(Flags.SEEN, "$Forwarded", "Work"), info.flags());
            assertEquals(date, info.internalDate());
            assertEquals(body.length, info.size());
            assertEquals(2, m.uidNext());
        }
    }

    @Test
    void bytesAreKeptExactly() throws Exception {
        StoreSession s = session();
        byte[] lf = "Subject: x\n\nline one\nline two\n".getBytes(StandardCharsets.US_ASCII);
        byte[] eight = new byte[70000];
        for (int i = 0; i < eight.length; i++) {
            eight[i] = (byte) i;
        }
        long a = s.append("INBOX", MessageSource.of(lf), Set.of(), null).uid();
        long b = s.append("INBOX", MessageSource.of(eight), Set.of(), null).uid();
        try (Mailbox m = s.open("INBOX", false)) {
            assertArrayEquals(lf, read(m, a));
            assertArrayEquals(eight, read(m, b));
            try (InputStream in = m.content(b).open(100, 10)) {
                byte[] part = in.readAllBytes();
                assertEquals(10, part.length);
                assertEquals((byte) 100, part[0]);
            }
        }
        String f = files(root.resolve("cur")).stream().filter(n -> n.contains(",S=" + lf.length + ",")).findFirst()
                .orElseThrow();
        assertTrue(f.contains(",W=" + (lf.length + 4) + ":"), f);
    }

    @Test
    void uidsNeverReusedAndValidityStableAcrossRestart() throws Exception {
        StoreSession s = session();
        for (int i = 0; i < 3; i++) {
            s.append("INBOX", MessageSource.of(msg("m" + i)), Set.of(), null);
        }
        long validity;
        try (Mailbox m = s.open("INBOX", false)) {
            validity = m.uidValidity();
            m.updateFlags(List.of(3L), FlagOp.ADD, Set.of(Flags.DELETED), -1);
            assertEquals(List.of(3L), m.expunge(null));
        }
        restart();
        s = session();
        assertEquals(4, s.append("INBOX", MessageSource.of(msg("m4")), Set.of(), null).uid());
        try (Mailbox m = s.open("INBOX", false)) {
            assertEquals(validity, m.uidValidity());
            assertEquals(List.of(1L, 2L, 4L), m.messages().stream().map(MessageInfo::uid).toList());
            assertEquals(List.of(3L), m.expungedSince(0));
        }
    }

    @Test
    void flagsLiveInFileNamesAndModSeqGrows() throws Exception {
        StoreSession s = session();
        s.append("INBOX", MessageSource.of(msg("a")), Set.of(), null);
        s.append("INBOX", MessageSource.of(msg("b")), Set.of(), null);
        try (Mailbox m = s.open("INBOX", false)) {
            long before = m.highestModSeq();
            FlagUpdate u = m.updateFlags(List.of(1L, 2L, 99L), FlagOp.ADD, Set.of("\\seen", "\\Flagged", "Todo"),
                    -1);
            assertEquals(2, u.updated().size());
            long ms = u.updated().get(0).modSeq();
            assertTrue(ms > before);
            assertEquals(ms, m.highestModSeq());
            assertTrue(files(root.resolve("cur")).stream().allMatch(f -> f.endsWith(":2,FSa")),
                    files(root.resolve("cur")).toString());
            FlagUpdate cond = m.updateFlags(List.of(1L), FlagOp.REMOVE, Set.of(Flags.SEEN), ms - 1);
            assertEquals(List.of(1L), cond.failed());
            m.updateFlags(List.of(1L), FlagOp.REPLACE, Set.of(Flags.ANSWERED, Flags.DRAFT), ms);
            assertEquals(Set.of(Flags.ANSWERED, Flags.DRAFT), m.messages().get(0).flags());
            assertTrue(m.keywords().contains("Todo"));
        }
        restart();
        s = session();
        try (Mailbox m = s.open("INBOX", false)) {
            assertEquals(Set.of(Flags.ANSWERED, Flags.DRAFT), m.messages().get(0).flags());
            assertEquals(Set.of(Flags.SEEN, Flags.FLAGGED, "Todo"), m.messages().get(1).flags());
        }
    }

    @Test
    void indexIsRebuiltWhenMissingOrDamaged() throws Exception {
        StoreSession s = session();
        for (int i = 0; i < 5; i++) {
            s.append("INBOX", MessageSource.of(msg("m" + i)), Set.of(i % 2 == 0 ? Flags.SEEN : "Kw"), null);
        }
        List<MessageInfo> before;
        long modSeq;
        try (Mailbox m = s.open("INBOX", false)) {
            before = m.messages();
            modSeq = m.highestModSeq();
        }
        restart();
        Files.delete(root.resolve(IndexLog.FILE));
        s = session();
        try (Mailbox m = s.open("INBOX", false)) {
            assertEquals(before.stream().map(MessageInfo::uid).toList(),
                    m.messages().stream().map(MessageInfo::uid).toList());
            for (int i = 0; i < 5; i++) {
                assertEquals(before.get(i).flags(), m.messages().get(i).flags());
                assertEquals(before.get(i).size(), m.messages().get(i).size());
                assertEquals(before.get(i).internalDate(), m.messages().get(i).internalDate());
            }
            assertTrue(m.highestModSeq() > modSeq, "MODSEQ must not go back after a rebuild");
            modSeq = m.highestModSeq();
        }
        restart();
        // damage the tail and the header in turn
        byte[] idx = Files.readAllBytes(root.resolve(IndexLog.FILE));
        idx[idx.length - 3] ^= 0x55;
        Files.write(root.resolve(IndexLog.FILE), idx);
        s = session();
        try (Mailbox m = s.open("INBOX", false)) {
            assertEquals(5, m.messages().size());
            assertTrue(m.highestModSeq() >= modSeq);
        }
        restart();
        Files.write(root.resolve(IndexLog.FILE), "garbage".getBytes(StandardCharsets.US_ASCII));
        s = session();
        try (Mailbox m = s.open("INBOX", false)) {
            assertEquals(5, m.messages().size());
            assertEquals(Set.of("Kw"), m.messages().get(1).flags());
        }
    }

    @Test
    void concurrentAppendsGetDistinctUids() throws Exception {
        StoreSession s1 = session();
        StoreSession s2 = session();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Long>> fs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            StoreSession s = i % 2 == 0 ? s1 : s2;
            int n = i;
            fs.add(pool.submit(() -> s.append("INBOX", MessageSource.of(msg("c" + n)), Set.of(), null).uid()));
        }
        Set<Long> uids = new HashSet<>();
        for (Future<Long> f : fs) {
            assertTrue(uids.add(f.get()));
        }
        pool.shutdown();
        assertEquals(200, uids.size());
        restart();
        try (Mailbox m = session().open("INBOX", true)) {
            assertEquals(200, m.messages().size());
            assertEquals(201, m.uidNext());
        }
    }

    @Test
    void eventsReachOtherSessions() throws Exception {
        StoreSession s1 = session();
        StoreSession s2 = session();
        Mailbox m1 = s1.open("INBOX", false);
        Mailbox m2 = s2.open("INBOX", false);
        List<MailboxEvent> seen = new CopyOnWriteArrayList<>();
        m2.addListener(seen::add);
        s1.append("INBOX", MessageSource.of(msg("e")), Set.of(), null);
        m1.updateFlags(List.of(1L), FlagOp.ADD, Set.of(Flags.DELETED), -1);
        m1.expunge(null);
        assertEquals(3, seen.size(), seen.toString());
        assertTrue(seen.get(0) instanceof MailboxEvent.MessagesAdded);
        assertTrue(seen.get(1) instanceof MailboxEvent.FlagsChanged f && f.origin() == m1);
        assertTrue(seen.get(2) instanceof MailboxEvent.MessagesExpunged x && x.uids().equals(List.of(1L)));
    }

    @Test
    void syncPicksUpFilesWrittenByOthers() throws Exception {
        StoreSession s = session();
        s.append("INBOX", MessageSource.of(msg("ours")), Set.of(), null);
        Mailbox m = s.open("INBOX", false);
        List<MailboxEvent> seen = new CopyOnWriteArrayList<>();
        m.addListener(seen::add);
        byte[] theirs = msg("theirs");
        Files.write(root.resolve("new").resolve("1700000000.M1P1.otherhost"), theirs);
        Files.write(root.resolve("cur").resolve("1700000001.M1P1.otherhost:2,S"), theirs);
        m.sync();
        assertEquals(3, m.messages().size());
        assertEquals(Set.of(Flags.SEEN), m.messages().get(2).flags());
        assertArrayEquals(theirs, read(m, 2));
        assertTrue(Files.exists(root.resolve("cur").resolve("1700000000.M1P1.otherhost:2,")));
        // another program marks one seen and deletes another
        Files.move(root.resolve("cur").resolve("1700000000.M1P1.otherhost:2,"),
                root.resolve("cur").resolve("1700000000.M1P1.otherhost:2,FS"));
        Files.delete(root.resolve("cur").resolve("1700000001.M1P1.otherhost:2,S"));
        m.sync();
        assertEquals(List.of(1L, 2L), m.messages().stream().map(MessageInfo::uid).toList());
        assertEquals(Set.of(Flags.SEEN, Flags.FLAGGED), m.messages().get(1).flags());
        assertTrue(seen.stream().anyMatch(e -> e instanceof MailboxEvent.MessagesAdded));
        assertTrue(seen.stream().anyMatch(e -> e instanceof MailboxEvent.FlagsChanged));
        assertTrue(seen.stream().anyMatch(e -> e instanceof MailboxEvent.MessagesExpunged x
                && x.uids().equals(List.of(3L))));
        List<String> uidlist = Files.readAllLines(root.resolve("dovecot-uidlist"));
        assertTrue(uidlist.contains("2 :1700000000.M1P1.otherhost"), uidlist.toString());
        m.close();
    }

    @Test
    void folderNamesOnDisk() throws Exception {
        StoreSession s = session();
        s.create("Sent", null);
        s.create("Work/2024/Q1", null);
        s.create("Caf\u00e9 & more", null);
        s.create("a.b", SpecialUse.ARCHIVE);
        assertTrue(Files.isDirectory(root.resolve(".Sent/cur")));
        assertTrue(Files.exists(root.resolve(".Sent/maildirfolder")));
        assertTrue(Files.isDirectory(root.resolve(".Work")));
        assertTrue(Files.isDirectory(root.resolve(".Work.2024.Q1")));
        assertTrue(Files.isDirectory(root.resolve(".Caf&AOk- &- more")));
        assertTrue(Files.isDirectory(root.resolve(".a&AC4-b")));
        List<MailboxInfo> list = s.list();
        assertEquals(List.of("Caf\u00e9 & more", "INBOX", "Sent", "Work", "Work/2024", "Work/2024/Q1", "a.b"),
                list.stream().map(MailboxInfo::name).toList());
        assertEquals(SpecialUse.SENT, list.get(2).specialUse());
        assertEquals(SpecialUse.ARCHIVE, list.get(6).specialUse());
        for (String bad : List.of("", "/x", "x/", "a//b", "..", "a/../b", "x\0y", "a/./b", "tab\there")) {
            StoreException e = assertThrows(StoreException.class, () -> s.create(bad, null), bad);
            assertEquals(StoreException.Reason.INVALID_NAME, e.reason());
        }
        assertEquals(StoreException.Reason.ALREADY_EXISTS,
                assertThrows(StoreException.class, () -> s.create("inbox", null)).reason());
        assertEquals(StoreException.Reason.NOT_ALLOWED,
                assertThrows(StoreException.class, () -> s.delete("Inbox")).reason());
    }

    @Test
    void renameDeleteAndSubscriptions() throws Exception {
        StoreSession s = session();
        s.create("A/B", null);
        s.append("A/B", MessageSource.of(msg("x")), Set.of(Flags.SEEN), null);
        Mailbox open = s.open("A/B", false);
        List<MailboxEvent> seen = new CopyOnWriteArrayList<>();
        open.addListener(seen::add);
        s.rename("A", "C/D");
        assertTrue(seen.stream().anyMatch(e -> e instanceof MailboxEvent.MailboxRemoved));
        assertEquals(List.of("C", "C/D", "C/D/B", "INBOX"), s.list().stream().map(MailboxInfo::name).toList());
        assertEquals(1, s.status("C/D/B").messages());
        s.delete("C/D");
        assertEquals(List.of("C", "C/D", "C/D/B", "INBOX"), s.list().stream().map(MailboxInfo::name).toList());
        assertFalse(s.list().get(1).selectable());
        assertThrows(StoreException.class, () -> s.open("C/D", false));
        s.subscribe("C/D/B");
        s.subscribe("inbox");
        assertEquals(Set.of("C/D/B", "INBOX"), s.subscriptions());
        assertEquals("V\t2\n\nC\tD\tB\nINBOX\n", Files.readString(root.resolve("subscriptions")));
        s.unsubscribe("C/D/B");
        assertEquals(Set.of("INBOX"), s.subscriptions());
    }

    @Test
    void renameInboxMovesMessages() throws Exception {
        StoreSession s = session();
        s.append("INBOX", MessageSource.of(msg("1")), Set.of(Flags.FLAGGED), null);
        s.append("INBOX", MessageSource.of(msg("2")), Set.of(), null);
        s.rename("INBOX", "Old");
        assertEquals(0, s.status("INBOX").messages());
        assertEquals(2, s.status("Old").messages());
        assertEquals(3, s.status("INBOX").uidNext());
    }

    @Test
    void copyAndMoveKeepFlagsAndDates() throws Exception {
        StoreSession s = session();
        s.create("Archive", null);
        Instant d = Instant.parse("2020-01-02T03:04:05Z");
        s.append("INBOX", MessageSource.of(msg("1")), Set.of(Flags.FLAGGED, "Kw"), d);
        s.append("INBOX", MessageSource.of(msg("2")), Set.of(), null);
        try (Mailbox m = s.open("INBOX", false)) {
            CopyResult c = m.copy(List.of(1L, 2L, 7L), "Archive");
            assertEquals(List.of(1L, 2L), c.sourceUids());
            assertEquals(List.of(1L, 2L), c.targetUids());
            CopyResult mv = m.move(List.of(1L), "Archive");
            assertEquals(List.of(3L), mv.targetUids());
            assertEquals(List.of(2L), m.messages().stream().map(MessageInfo::uid).toList());
        }
        try (Mailbox a = s.open("Archive", true)) {
            assertEquals(3, a.messages().size());
            MessageInfo moved = a.messages().get(2);
            assertEquals(Set.of(Flags.FLAGGED, "Kw"), moved.flags());
            assertEquals(d, moved.internalDate());
            assertArrayEquals(msg("1"), read(a, 3));
            assertThrows(StoreException.class, () -> a.expunge(null));
        }
        assertEquals(StoreException.Reason.NONEXISTENT, assertThrows(StoreException.class, () -> {
            try (Mailbox m = s.open("INBOX", false)) {
                m.copy(List.of(2L), "Nope");
            }
        }).reason());
    }

    @Test
    void readsAnExistingDovecotMaildir() throws Exception {
        Files.createDirectories(root.resolve("cur"));
        Files.createDirectories(root.resolve("new"));
        Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(root.resolve(".Sent/cur"));
        Files.writeString(root.resolve("dovecot-uidlist"),
                "3 V1600000000 N20 Gabcdefabcdefabcdefabcdefabcdefab\n"
                        + "7 :1600000001.M1P1.mx,S=10,W=11\n"
                        + "12 W30 P00a1b2c3 :1600000002.M2P2.mx,S=29,W=30\n");
        Files.writeString(root.resolve("dovecot-keywords"), "0 $Junk\n1 NonJunk\n");
        Files.write(root.resolve("cur/1600000001.M1P1.mx,S=10,W=11:2,RS"), "Subject:\n\n".getBytes());
        Files.write(root.resolve("cur/1600000002.M2P2.mx,S=29,W=30:2,Tb"), "Subject: two\n\nbody body bod\n".getBytes());
        StoreSession s = session();
        try (Mailbox m = s.open("INBOX", false)) {
            assertEquals(1600000000L, m.uidValidity());
            assertEquals(20, m.uidNext());
            assertEquals(List.of(7L, 12L), m.messages().stream().map(MessageInfo::uid).toList());
            assertEquals(Set.of(Flags.ANSWERED, Flags.SEEN), m.messages().get(0).flags());
            assertEquals(Set.of(Flags.DELETED, "NonJunk"), m.messages().get(1).flags());
            assertEquals(java.util.Map.of(12L, "00a1b2c3"), m.pop3Uidls(), "POP3 UIDLs kept by a migration");
        }
        assertEquals(20, s.append("INBOX", MessageSource.of(msg("new")), Set.of(), null).uid());
        assertTrue(s.list().stream().anyMatch(i -> i.name().equals("Sent") && i.specialUse() == SpecialUse.SENT));
    }

    @Test
    void tornUidlistLineIsRepaired() throws Exception {
        StoreSession s = session();
        s.append("INBOX", MessageSource.of(msg("1")), Set.of(), null);
        restart();
        Files.writeString(root.resolve("dovecot-uidlist"), "2 :12345.torn",
                java.nio.file.StandardOpenOption.APPEND);
        s = session();
        assertEquals(2, s.append("INBOX", MessageSource.of(msg("2")), Set.of(), null).uid());
        List<String> lines = Files.readAllLines(root.resolve("dovecot-uidlist"));
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(2).startsWith("2 :"));
        assertFalse(lines.get(2).contains("torn"));
        Collections.emptyList();
        assertNotEquals(lines.get(1), lines.get(2));
    }

    @Test
    void unchangedFolderIsNotListedOnOpenButChangedOneIs() throws Exception {
        StoreSession s = session();
        s.append("INBOX", MessageSource.of(msg("1")), Set.of(), null);
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - 60_000);
        Files.setLastModifiedTime(root.resolve("cur"), old);
        Files.setLastModifiedTime(root.resolve("new"), old);
        restart(); // the idle state is dropped: the index notes the directory times it matches
        // a file slipped in without moving the directory time is not seen: the index was trusted
        Files.write(root.resolve("cur").resolve("1700000000.M9P9.elsewhere:2,"), msg("hidden"));
        Files.setLastModifiedTime(root.resolve("cur"), old);
        try (Mailbox m = session().open("INBOX", false)) {
            assertEquals(1, m.messages().size());
        }
        restart();
        // an ordinary change moves the directory time and is found
        Files.write(root.resolve("new").resolve("1700000001.M9P9.elsewhere"), msg("seen"));
        try (Mailbox m = session().open("INBOX", false)) {
            assertEquals(3, m.messages().size());
        }
    }

    @Test
    void keywordsBeyondTwentySixLiveInTheIndex() throws Exception {
        StoreSession s = session();
        Set<String> many = new java.util.TreeSet<>();
        for (int i = 0; i < 30; i++) {
            many.add(String.format("kw%02d", i));
        }
        s.append("INBOX", MessageSource.of(msg("k")), many, null);
        String f = files(root.resolve("cur")).get(0);
        assertTrue(f.endsWith(":2,abcdefghijklmnopqrstuvwxyz"), f);
        assertEquals(30, Files.readAllLines(root.resolve("dovecot-keywords")).size());
        restart();
        try (Mailbox m = session().open("INBOX", false)) {
            assertEquals(many, m.messages().get(0).flags());
            m.updateFlags(List.of(1L), FlagOp.REMOVE, Set.of("kw00", "kw29"), -1);
        }
        restart();
        try (Mailbox m = session().open("INBOX", false)) {
            Set<String> expected = new java.util.TreeSet<>(many);
            expected.remove("kw00");
            expected.remove("kw29");
            assertEquals(expected, m.messages().get(0).flags());
            assertTrue(files(root.resolve("cur")).get(0).endsWith(":2,bcdefghijklmnopqrstuvwxyz"));
        }
    }

    @Test
    void indexCompactionAndUidlistRewriteKeepEverything() throws Exception {
        long oldCompaction = IndexLog.compactionMinBytes;
        int oldRewrite = Uidlist.rewriteMinDead;
        IndexLog.compactionMinBytes = 2000;
        Uidlist.rewriteMinDead = 5;
        try {
            StoreSession s = session();
            for (int i = 0; i < 40; i++) {
                s.append("INBOX", MessageSource.of(msg("c" + i)), Set.of(), null);
            }
            long modSeq;
            long afterAppends = Files.size(root.resolve(IndexLog.FILE));
            try (Mailbox m = s.open("INBOX", false)) {
                for (int round = 0; round < 100; round++) {
                    m.updateFlags(List.of(1L, 2L, 3L), round % 2 == 0 ? FlagOp.ADD : FlagOp.REMOVE,
                            Set.of(Flags.SEEN), -1);
                }
                List<Long> doomed = new ArrayList<>();
                for (long u = 10; u <= 30; u++) {
                    doomed.add(u);
                }
                m.updateFlags(doomed, FlagOp.ADD, Set.of(Flags.DELETED), -1);
                assertEquals(doomed, m.expunge(null));
                m.updateFlags(List.of(40L), FlagOp.ADD, Set.of(Flags.FLAGGED), -1);
                modSeq = m.highestModSeq();
            }
            List<String> uidlist = Files.readAllLines(root.resolve("dovecot-uidlist"));
            assertEquals(1 + 19, uidlist.size(), "expunged lines dropped by the rewrite: " + uidlist);
            assertTrue(uidlist.get(0).contains(" N41 "), uidlist.get(0));
            assertTrue(Files.size(root.resolve(IndexLog.FILE)) < afterAppends, "the index was compacted");
            restart();
            StoreSession again = session();
            try (Mailbox m = again.open("INBOX", false)) {
                assertEquals(19, m.messages().size());
                assertEquals(modSeq, m.highestModSeq());
                assertTrue(m.messages().get(18).has(Flags.FLAGGED));
                assertEquals(21, m.expungedSince(0).size());
                assertEquals("c4", m.structure(5).envelope().subject());
                assertEquals(41, again.append("INBOX", MessageSource.of(msg("new")), Set.of(), null).uid());
            }
        } finally {
            IndexLog.compactionMinBytes = oldCompaction;
            Uidlist.rewriteMinDead = oldRewrite;
        }
    }

    @Test
    void contentFollowsAFileRenamedByAFlagChange() throws Exception {
        StoreSession s = session();
        byte[] body = msg("follow");
        s.append("INBOX", MessageSource.of(body), Set.of(), null);
        try (Mailbox reader = s.open("INBOX", true); Mailbox writer = session().open("INBOX", false)) {
            io.pillarbox.api.store.MessageContent c = reader.content(1);
            writer.updateFlags(List.of(1L), FlagOp.ADD, Set.of(Flags.SEEN), -1);
            try (InputStream in = c.open()) {
                assertArrayEquals(body, in.readAllBytes());
            }
            // renamed by another program too
            String f = files(root.resolve("cur")).get(0);
            Files.move(root.resolve("cur").resolve(f), root.resolve("cur").resolve(f.replace(":2,S", ":2,RS")));
            try (InputStream in = c.open(0, 4)) {
                assertArrayEquals("From".getBytes(StandardCharsets.US_ASCII), in.readAllBytes());
            }
            writer.updateFlags(List.of(1L), FlagOp.ADD, Set.of(Flags.DELETED), -1);
            writer.expunge(null);
            assertThrows(java.io.IOException.class, c::open);
        }
    }

    @Test
    void aChangeThatKeepsTheDirectoryTimeIsFoundWithinSeconds() throws Exception {
        StoreSession s = session();
        s.append("INBOX", MessageSource.of(msg("1")), Set.of(), null);
        try (Mailbox m = s.open("INBOX", false)) {
            s.append("INBOX", MessageSource.of(msg("2")), Set.of(), null);
            // another program adds a file in the same clock tick: the directory time does not move
            java.nio.file.attribute.FileTime t = Files.getLastModifiedTime(root.resolve("cur"));
            Files.write(root.resolve("cur").resolve("1700000000.M5P5.elsewhere:2,"), msg("same tick"));
            Files.setLastModifiedTime(root.resolve("cur"), t);
            m.sync();
            Thread.sleep(2200);
            m.sync();
            assertEquals(3, m.messages().size());
        }
    }

    @Test
    void aDamagedUidListIsReplacedWithANewUidValidity() throws Exception {
        StoreSession s = session();
        s.append("INBOX", MessageSource.of(msg("1")), Set.of(Flags.SEEN), null);
        s.append("INBOX", MessageSource.of(msg("2")), Set.of(), null);
        long validity = s.status("INBOX").uidValidity();
        restart();
        Files.writeString(root.resolve("dovecot-uidlist"), "garbage header\n1 :x\n");
        s = session();
        try (Mailbox m = s.open("INBOX", false)) {
            assertNotEquals(validity, m.uidValidity());
            assertEquals(2, m.messages().size());
            assertEquals(Set.of(Flags.SEEN), m.messages().get(0).flags());
        }
        assertTrue(files(root).stream().anyMatch(f -> f.startsWith("dovecot-uidlist.damaged.")));
    }

    @Test
    void appendsFlagsAndExpungesFromManyThreadsStayConsistent() throws Exception {
        StoreSession s = session();
        s.create("Other", null);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> jobs = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            int thread = t;
            StoreSession own = session();
            jobs.add(pool.submit(() -> {
                java.util.Random r = new java.util.Random(thread);
                try (Mailbox m = own.open("INBOX", false)) {
                    for (int i = 0; i < 40; i++) {
                        own.append("INBOX", MessageSource.of(msg("t" + thread + "." + i)), Set.of(), null);
                        List<MessageInfo> all = m.messages();
                        long uid = all.get(r.nextInt(all.size())).uid();
                        switch (r.nextInt(4)) {
                            case 0 -> m.updateFlags(List.of(uid), FlagOp.ADD, Set.of(Flags.SEEN, "T" + thread), -1);
                            case 1 -> {
                                m.updateFlags(List.of(uid), FlagOp.ADD, Set.of(Flags.DELETED), -1);
                                m.expunge(List.of(uid));
                            }
                            case 2 -> m.copy(List.of(uid), "Other");
                            default -> m.move(List.of(uid), "Other");
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : jobs) {
            f.get();
        }
        pool.shutdown();
        List<MessageInfo> inbox;
        List<MessageInfo> other;
        try (Mailbox m = s.open("INBOX", true); Mailbox o = s.open("Other", true)) {
            inbox = m.messages();
            other = o.messages();
            for (MessageInfo i : inbox) {
                try (InputStream in = m.content(i.uid()).open()) {
                    assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("Subject: t"));
                }
            }
        }
        restart();
        StoreSession again = session();
        try (Mailbox m = again.open("INBOX", true); Mailbox o = again.open("Other", true)) {
            assertEquals(inbox, m.messages(), "the index on disk says what memory said");
            assertEquals(other, o.messages());
        }
        StateRegistry.dropIdle();
        Files.delete(root.resolve(IndexLog.FILE));
        restart();
        try (Mailbox m = session().open("INBOX", true)) {
            java.util.Map<Long, Set<String>> expected = new java.util.TreeMap<>();
            inbox.forEach(i -> expected.put(i.uid(), i.flags()));
            java.util.Map<Long, Set<String>> rebuilt = new java.util.TreeMap<>();
            m.messages().forEach(i -> rebuilt.put(i.uid(), i.flags()));
            assertEquals(expected, rebuilt, "and the Maildir itself says the same");
        }
    }
}
