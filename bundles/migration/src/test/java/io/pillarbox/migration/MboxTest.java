package io.pillarbox.migration;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.store.memory.MemoryMailStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

class MboxTest {

    private StoreSession session;

    @BeforeEach
    void open() throws StoreException {
        session = new MemoryMailStore().open(MailPrincipal.of("u@example.org", "test"));
    }

    @AfterEach
    void close() {
        session.close();
    }

    private static InputStream fixture(String name) {
        return MboxTest.class.getResourceAsStream(name);
    }

    private static String crlf(String s) {
        return s.replace("\n", "\r\n");
    }

    private String text(Mailbox mb, long uid) throws Exception {
        try (InputStream in = mb.content(uid).open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void importsUwImapMboxWithPseudoMessageAndFlags() throws Exception {
        MboxImport r = MboxImporter.importMbox(fixture("uw-imap.mbox"), session, "Imported",
                MboxImporter.Options.defaults());
        assertEquals("Imported", r.mailbox());
        assertEquals(1, r.skipped(), "the FOLDER INTERNAL DATA message");
        assertEquals(1700000000L, r.sourceUidValidity());
        assertEquals(3, r.sourceUidLast());
        assertEquals(List.of("$Work", "Later"), r.sourceKeywords());
        assertEquals(2, r.messages().size());
        assertEquals(1, r.messages().get(0).sourceUid());
        assertEquals(3, r.messages().get(1).sourceUid());
        assertTrue(r.uidsKept(), "new mailbox in a store that keeps UIDs");
        assertTrue(r.uidValidityKept());
        assertEquals(2, r.keptUidCount());
        assertNull(r.uidNote());
        assertEquals(List.of(1L, 3L), r.messages().stream().map(MboxImport.Message::uid).toList());
        assertEquals(1700000000L, session.status("Imported").uidValidity());
        assertEquals(4, session.status("Imported").uidNext());
        try (Mailbox mb = session.open("Imported", true)) {
            List<MessageInfo> msgs = mb.messages();
            assertEquals(2, msgs.size());
            assertEquals(List.of(1L, 3L), msgs.stream().map(MessageInfo::uid).toList());
            MessageInfo first = msgs.get(0);
            assertEquals(Set.of(Flags.SEEN, Flags.ANSWERED, "$Work"), first.flags());
            assertEquals(Instant.parse("2026-03-02T10:00:00Z"), first.internalDate());
            assertEquals(crlf("""
                    Return-Path: <alice@example.org>
                    From: Alice <alice@example.org>
                    To: bob@example.net
                    Subject: first
                    Date: Mon, 2 Mar 2026 10:00:00 +0000

                    Hello Bob.
                    From the desk of Alice.

                    Regards
                    """), text(mb, first.uid()));
            assertEquals(first.size(), r.messages().get(0).size());
            MessageInfo second = msgs.get(1);
            assertEquals(Set.of(Flags.FLAGGED, Flags.DELETED), second.flags(), "Status: O is not \\Seen");
            assertEquals(crlf("""
                    From: carol@example.net
                    Subject: second

                    Body two
                    >From quoted twice
                    From is not at the start here
                    """), text(mb, second.uid()));
            assertEquals("second", mb.structure(second.uid()).envelope().subject());
        }
    }

    @Test
    void importsMuttMboxWithMboxoQuoting() throws Exception {
        MboxImport r = MboxImporter.importMbox(fixture("mutt.mbox"), session, "INBOX",
                MboxImporter.Options.defaults().withFormat(MboxFormat.MBOXO));
        assertEquals(0, r.skipped());
        assertEquals(0, r.sourceUidValidity());
        assertEquals(2, r.messages().size());
        try (Mailbox mb = session.open("INBOX", true)) {
            List<MessageInfo> msgs = mb.messages();
            assertEquals(Set.of(Flags.SEEN, "todo", "later"), msgs.get(0).flags());
            assertEquals(Instant.parse("2026-01-01T08:15:00Z"), msgs.get(0).internalDate(), "+0100 in From_ line");
            assertEquals(crlf("""
                    From: Dave <dave@example.com>
                    To: erin@example.org
                    Subject: mutt one

                    Line one
                    From mboxo quoting
                    >>From stays in mboxo
                    """), text(mb, msgs.get(0).uid()));
            assertEquals(Set.of(), msgs.get(1).flags());
            assertEquals(Instant.parse("2026-01-02T23:59:00Z"), msgs.get(1).internalDate());
            assertEquals(crlf("""
                    From: frank@example.com
                    Subject: mutt two (no seconds in From_ line)

                    second body, no blank line at the end
                    """), text(mb, msgs.get(1).uid()));
        }
    }

    @Test
    void lastMessageWithoutNewlineAndFileLineEndsKept() throws Exception {
        MboxImporter.importMbox(fixture("no-final-newline.mbox"), session, "INBOX", MboxImporter.Options.defaults());
        MboxImporter.Options asIs = new MboxImporter.Options(MboxFormat.MBOXRD, false, true, 1024);
        MboxImporter.importMbox(new ByteArrayInputStream(
                "From a@b Sat Jan  3 00:00:00 2026\r\nSubject: crlf file\r\n\r\nbody\nlf line\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII)), session, "INBOX", asIs);
        try (Mailbox mb = session.open("INBOX", true)) {
            List<MessageInfo> msgs = mb.messages();
            assertEquals("Subject: last, no newline at the end\r\n\r\nno newline", text(mb, msgs.get(0).uid()));
            assertEquals("Subject: crlf file\r\n\r\nbody\nlf line\r\n", text(mb, msgs.get(1).uid()));
        }
    }

    @Test
    void refusesWhatIsNotAnMboxAndHandlesEmptyFiles() throws Exception {
        assertThrows(IOException.class, () -> MboxImporter.importMbox(
                new ByteArrayInputStream("Subject: an eml file\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)),
                session, "INBOX", MboxImporter.Options.defaults()));
        assertEquals(0, MboxImporter.importMbox(new ByteArrayInputStream(new byte[0]), session, "INBOX",
                MboxImporter.Options.defaults()).messages().size());
        StoreException e = assertThrows(StoreException.class, () -> MboxImporter.importMbox(fixture("mutt.mbox"),
                session, "Missing", new MboxImporter.Options(MboxFormat.MBOXO, true, false, 1024)));
        assertEquals(StoreException.Reason.NONEXISTENT, e.reason());
    }

    @Test
    void fromLineDates() {
        assertEquals(Instant.parse("2026-03-04T08:00:00Z"),
                FromLine.parse("From MAILER-DAEMON Wed Mar  4 08:00:00 2026").date());
        assertEquals(Instant.parse("2026-03-04T09:00:00Z"),
                FromLine.parse("From a@b Wed Mar 4 08:00:00 2026 -0100").date());
        assertEquals(Instant.parse("2026-03-04T08:00:00Z"),
                FromLine.parse("From a@b Wed Mar 4 08:00:00 PST 2026").date(), "zone names are not guessed");
        assertEquals("a@b", FromLine.parse("From a@b Wed Mar 4 08:00:00 2026").sender());
        assertNull(FromLine.parse("From here to eternity"));
        assertNull(FromLine.parse("From: a@b"));
        assertNull(FromLine.parse("From a@b Wed Feb 31 08:00:00 2026"));
        assertEquals("From a@b Wed Mar  4 08:00:00 2026", FromLine.format("a@b", Instant.parse("2026-03-04T08:00:00Z")));
        assertEquals("From MAILER-DAEMON Sun Dec 20 18:05:09 2026",
                FromLine.format(null, Instant.parse("2026-12-20T18:05:09Z")));
    }

    @Test
    void exportWritesUwCompatibleMboxThatImportsBackTheSame() throws Exception {
        MboxImporter.importMbox(fixture("uw-imap.mbox"), session, "Source", MboxImporter.Options.defaults());
        byte[] quoted = crlf("From: x@y\nSubject: quoting\n\nFrom start\n>From once\nmid From x\n").getBytes(
                StandardCharsets.US_ASCII);
        session.append("Source", MessageSource.of(quoted), Set.of(Flags.DRAFT, "$Label"),
                Instant.parse("2026-05-05T05:05:05Z"));
        String exported;
        long validity;
        try (Mailbox mb = session.open("Source", true)) {
            validity = mb.uidValidity();
            exported = new String(MboxExporter.toBytes(mb, MboxFormat.MBOXRD), StandardCharsets.UTF_8);
        }
        assertEquals("""
                From alice@example.org Mon Mar  2 10:00:00 2026
                Return-Path: <alice@example.org>
                From: Alice <alice@example.org>
                To: bob@example.net
                Subject: first
                Date: Mon, 2 Mar 2026 10:00:00 +0000
                X-IMAPbase: %d 0000000004 $Label $Work
                Status: RO
                X-Status: A
                X-Keywords: $Work
                X-UID: 1

                Hello Bob.
                >From the desk of Alice.

                Regards

                From carol@example.net Tue Mar  3 11:30:00 2026
                From: carol@example.net
                Subject: second
                Status: O
                X-Status: DF
                X-Keywords:\s
                X-UID: 3

                Body two
                >>From quoted twice
                >From is not at the start here

                From x@y Tue May  5 05:05:05 2026
                From: x@y
                Subject: quoting
                Status: O
                X-Status: T
                X-Keywords: $Label
                X-UID: 4

                >From start
                >>From once
                mid From x

                """.formatted(validity), exported);

        Path file = Files.createTempFile("export", ".mbox");
        try {
            Files.writeString(file, exported);
            MboxImport back = MboxImporter.importMbox(file, session, "Back");
            assertEquals(1700000000L, validity, "the UW file's UIDVALIDITY was kept");
            assertEquals(validity, back.sourceUidValidity());
            assertEquals(List.of(1L, 3L, 4L), back.messages().stream().map(MboxImport.Message::sourceUid).toList());
            assertTrue(back.uidsKept());
            assertEquals(List.of(1L, 3L, 4L), back.messages().stream().map(MboxImport.Message::uid).toList());
            assertEquals(validity, session.status("Back").uidValidity());
            try (Mailbox src = session.open("Source", true); Mailbox dst = session.open("Back", true)) {
                List<MessageInfo> a = src.messages();
                List<MessageInfo> b = dst.messages();
                assertEquals(a.size(), b.size());
                for (int i = 0; i < a.size(); i++) {
                    assertEquals(a.get(i).flags(), b.get(i).flags());
                    assertEquals(a.get(i).internalDate(), b.get(i).internalDate());
                    assertEquals(text(src, a.get(i).uid()), text(dst, b.get(i).uid()));
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void largeMessagesAreSpooledToDisk() throws Exception {
        StringBuilder b = new StringBuilder("From big@example.org Mon Mar  2 10:00:00 2026\nSubject: big\n\n");
        String line = "0123456789".repeat(7) + "\n";
        for (int i = 0; i < 20_000; i++) {
            b.append(line);
        }
        b.append("\nFrom small@example.org Mon Mar  2 10:00:01 2026\nSubject: small\n\nx\n");
        MboxImport r = MboxImporter.importMbox(new ByteArrayInputStream(b.toString().getBytes(StandardCharsets.US_ASCII)),
                session, "INBOX", new MboxImporter.Options(MboxFormat.MBOXRD, true, true, 64 * 1024));
        assertEquals(2, r.messages().size());
        long expected = "Subject: big\r\n\r\n".length() + 20_000L * (line.length() + 1);
        assertEquals(expected, r.messages().get(0).size());
        try (Mailbox mb = session.open("INBOX", true)) {
            assertEquals(expected, mb.content(r.messages().get(0).uid()).size());
            assertArrayEquals("Subject: small\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII),
                    text(mb, r.messages().get(1).uid()).getBytes(StandardCharsets.US_ASCII));
        }
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().startsWith("pillarbox-import")).count(),
                    "spool files are removed");
        }
    }

    @Test
    void importsAFolderTree(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("lists"));
        try (InputStream in = fixture("mutt.mbox")) {
            Files.write(dir.resolve("lists/java"), in.readAllBytes());
        }
        try (InputStream in = fixture("uw-imap.mbox")) {
            Files.write(dir.resolve("Sent"), in.readAllBytes());
        }
        Files.writeString(dir.resolve("inbox"), "From a@b Sat Jan  3 00:00:00 2026\nSubject: in\n\nx\n");
        Files.writeString(dir.resolve(".mailboxlist"), "Sent\nlists/java\n");
        Files.writeString(dir.resolve("notes.txt"), "not mail\n");
        MboxImporter.TreeImport r = MboxImporter.importTree(dir, session, null, MboxImporter.Options.defaults());
        assertEquals(Set.of("INBOX", "Sent", "lists/java"), r.imported().keySet());
        assertEquals(Set.of(".mailboxlist", "notes.txt"),
                r.skipped().stream().map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        assertEquals(2, session.status("lists/java").messages());
        assertEquals(2, session.status("Sent").messages());
        assertEquals(1, session.status("INBOX").messages());

        MboxImporter.TreeImport under = MboxImporter.importTree(dir, session, "Old", MboxImporter.Options.defaults());
        assertEquals(Set.of("Old/inbox", "Old/Sent", "Old/lists/java"), under.imported().keySet());
        assertEquals(1, session.status("Old/inbox").messages());
    }

    // ------------------------------------------------------------------ UIDs kept

    private static List<Long> uids(MboxImport r) {
        return r.messages().stream().map(MboxImport.Message::uid).toList();
    }

    private static ByteArrayInputStream mbox(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void uidsKeptUntilAMessageWithoutXUidAndTheRestGoAboveTheFilesLastUid() throws Exception {
        MboxImport r = MboxImporter.importMbox(fixture("pine-xuid-gap.mbox"), session, "Pine",
                MboxImporter.Options.defaults());
        assertEquals(0, r.skipped(), "X-IMAPbase in a real message: nothing skipped");
        assertEquals(1234567890L, r.sourceUidValidity());
        assertEquals(12, r.sourceUidLast());
        assertEquals(List.of(5L, 9L, 0L, 11L), r.messages().stream().map(MboxImport.Message::sourceUid).toList());
        assertEquals(List.of(5L, 9L, 13L, 14L), uids(r), "after the gap: above X-IMAPbase's last UID 12");
        assertTrue(r.uidValidityKept());
        assertEquals(2, r.keptUidCount());
        assertFalse(r.uidsKept());
        assertTrue(r.uidNote().contains("message 3 has no X-UID"), r.uidNote());
        assertEquals(1234567890L, session.status("Pine").uidValidity());
        try (Mailbox mb = session.open("Pine", true)) {
            assertEquals(List.of(5L, 9L, 13L, 14L), mb.messages().stream().map(MessageInfo::uid).toList());
            assertEquals(Set.of(Flags.FLAGGED), mb.messages().get(1).flags());
            assertEquals(Set.of(Flags.SEEN, "Urgent"), mb.messages().get(3).flags());
            assertEquals(crlf("From: Gina <gina@example.org>\nSubject: pine two\n\ntwo\n"), text(mb, 9));
        }
    }

    @Test
    void uidsOutOfOrderFallBackToNewUids() throws Exception {
        MboxImport r = MboxImporter.importMbox(mbox("""
                From a@b Sat Jan  3 00:00:00 2026
                X-IMAP: 77 0000000008
                Subject: a
                X-UID: 4

                a

                From a@b Sat Jan  3 00:00:01 2026
                Subject: b
                X-UID: 7

                b

                From a@b Sat Jan  3 00:00:02 2026
                Subject: c
                X-UID: 6

                c

                From a@b Sat Jan  3 00:00:03 2026
                Subject: d
                X-UID: 8

                d
                """), session, "Odd", MboxImporter.Options.defaults());
        assertEquals(0, r.skipped(), "X-IMAP on a real message (subject not FOLDER INTERNAL DATA) is imported");
        assertEquals(List.of(4L, 7L, 9L, 10L), uids(r));
        assertEquals(77, session.status("Odd").uidValidity());
        assertEquals(2, r.keptUidCount());
        assertTrue(r.uidNote().contains("message 3 has X-UID 6, not above the previous 7"), r.uidNote());
        assertEquals(11, session.status("Odd").uidNext());
    }

    @Test
    void existingMailboxesKeepTheirUidsUnlessNewAndEmpty() throws Exception {
        // a mailbox with mail: the store's own UIDs, appended after what is there
        session.create("Used", null);
        session.append("Used", MessageSource.of(crlf("Subject: x\n\nx\n").getBytes(StandardCharsets.US_ASCII)),
                Set.of(), null);
        long validity = session.status("Used").uidValidity();
        MboxImport used = MboxImporter.importMbox(fixture("uw-imap.mbox"), session, "Used",
                MboxImporter.Options.defaults());
        assertFalse(used.uidsKept());
        assertFalse(used.uidValidityKept());
        assertEquals(List.of(2L, 3L), uids(used));
        assertEquals(validity, session.status("Used").uidValidity());
        assertTrue(used.uidNote().contains("already existed"), used.uidNote());
        // a fresh INBOX (exists, never held a message) is adopted: the file's UIDVALIDITY and X-UIDs are kept
        assertEquals(1, session.status("INBOX").uidNext());
        MboxImport inbox = MboxImporter.importMbox(fixture("uw-imap.mbox"), session, "inbox",
                MboxImporter.Options.defaults());
        assertTrue(inbox.uidsKept());
        assertTrue(inbox.uidValidityKept());
        assertEquals(List.of(1L, 3L), uids(inbox));
        assertEquals(1700000000L, session.status("INBOX").uidValidity());
        // INBOX now has mail: a second import gets new UIDs after it, and its UIDVALIDITY stays
        MboxImport again = MboxImporter.importMbox(fixture("uw-imap.mbox"), session, "INBOX",
                MboxImporter.Options.defaults());
        assertFalse(again.uidsKept());
        assertFalse(again.uidValidityKept());
        assertEquals(List.of(4L, 5L), uids(again));
        assertEquals(1700000000L, session.status("INBOX").uidValidity());
        assertTrue(again.uidNote().contains("already existed"), again.uidNote());
        // a new, empty mailbox is created again with the file's UIDVALIDITY and keeps its special use
        session.create("Archive", io.pillarbox.api.store.SpecialUse.ARCHIVE);
        MboxImport fresh = MboxImporter.importMbox(fixture("uw-imap.mbox"), session, "Archive",
                MboxImporter.Options.defaults());
        assertTrue(fresh.uidsKept());
        assertEquals(List.of(1L, 3L), uids(fresh));
        assertEquals(1700000000L, session.status("Archive").uidValidity());
        assertEquals(io.pillarbox.api.store.SpecialUse.ARCHIVE, session.list().stream()
                .filter(i -> i.name().equals("Archive")).findFirst().orElseThrow().specialUse());
        // a file without X-IMAP: no note, the store's UIDs
        MboxImport mutt = MboxImporter.importMbox(fixture("mutt.mbox"), session, "Mutt",
                MboxImporter.Options.defaults().withFormat(MboxFormat.MBOXO));
        assertFalse(mutt.uidValidityKept());
        assertNull(mutt.uidNote());
        assertEquals(List.of(1L, 2L), uids(mutt));
    }

    @Test
    void aStoreThatCannotKeepUidsGetsTheUsualImport() throws Exception {
        StoreSession plain = new NoKeptUids(session);
        assertFalse(plain.canKeepUids());
        MboxImport r = MboxImporter.importMbox(fixture("pine-xuid-gap.mbox"), plain, "Plain",
                MboxImporter.Options.defaults());
        assertFalse(r.uidsKept());
        assertFalse(r.uidValidityKept());
        assertEquals(0, r.keptUidCount());
        assertEquals("the store cannot keep UIDs", r.uidNote());
        assertEquals(List.of(1L, 2L, 3L, 4L), uids(r));
        assertEquals(List.of(5L, 9L, 0L, 11L), r.messages().stream().map(MboxImport.Message::sourceUid).toList());
        assertTrue(session.status("Plain").uidValidity() != 1234567890L);
    }

    /** A session of a store without kept UIDs: the memory session behind the API's default methods. */
    private record NoKeptUids(StoreSession s) implements StoreSession {
        public io.pillarbox.api.auth.MailPrincipal principal() {
            return s.principal();
        }

        public List<io.pillarbox.api.store.MailboxInfo> list() throws StoreException {
            return s.list();
        }

        public io.pillarbox.api.store.MailboxInfo create(String name, io.pillarbox.api.store.SpecialUse use)
                throws StoreException {
            return s.create(name, use);
        }

        public void delete(String name) throws StoreException {
            s.delete(name);
        }

        public void rename(String from, String to) throws StoreException {
            s.rename(from, to);
        }

        public Set<String> subscriptions() throws StoreException {
            return s.subscriptions();
        }

        public void subscribe(String name) throws StoreException {
            s.subscribe(name);
        }

        public void unsubscribe(String name) throws StoreException {
            s.unsubscribe(name);
        }

        public io.pillarbox.api.store.MailboxStatus status(String name) throws StoreException {
            return s.status(name);
        }

        public Mailbox open(String name, boolean readOnly) throws StoreException {
            return s.open(name, readOnly);
        }

        public io.pillarbox.api.store.AppendResult append(String mailbox, MessageSource message, Set<String> flags,
                                                          Instant internalDate) throws StoreException {
            return s.append(mailbox, message, flags, internalDate);
        }

        public void close() {
        }
    }
}
