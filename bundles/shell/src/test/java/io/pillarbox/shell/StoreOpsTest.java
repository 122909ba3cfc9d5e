package io.pillarbox.shell;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.migration.MboxFormat;
import io.pillarbox.store.memory.MemoryMailStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store work behind mail:mailbox-list, mail:expunge, mail:import and mail:export, on the memory store. */
class StoreOpsTest {

    @TempDir
    Path dir;

    private final MemoryMailStore store = new MemoryMailStore();
    private StoreSession s;

    @BeforeEach
    void open() throws Exception {
        s = store.open(MailPrincipal.of("bob", "test"));
    }

    @AfterEach
    void close() {
        s.close();
    }

    private Path fixture() throws Exception {
        Path f = dir.resolve("uw-inbox");
        try (InputStream in = getClass().getResourceAsStream("/uw-inbox.mbox")) {
            Files.copy(in, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return f;
    }

    private static MessageSource msg(String subject) {
        return MessageSource.of(("Subject: " + subject + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void mailboxListCountsUnseenDeletedAndSize() throws Exception {
        s.create("Archive/2024", null);
        s.create("Sent", SpecialUse.SENT);
        s.subscribe("Sent");
        s.append("INBOX", msg("a"), Set.of(Flags.SEEN), null);
        s.append("INBOX", msg("bb"), Set.of(), null);
        s.append("INBOX", msg("ccc"), Set.of(Flags.DELETED, Flags.SEEN), null);
        List<MailboxOps.Row> rows = MailboxOps.list(s);
        MailboxOps.Row inbox = rows.stream().filter(r -> r.info().name().equals("INBOX")).findFirst().orElseThrow();
        assertEquals(3, inbox.status().messages());
        assertEquals(1, inbox.status().unseen());
        assertEquals(1, inbox.status().deleted());
        assertEquals(3 * "Subject: \r\n\r\nbody\r\n".length() + 6, inbox.status().size());
        MailboxOps.Row sent = rows.stream().filter(r -> r.info().name().equals("Sent")).findFirst().orElseThrow();
        assertTrue(sent.subscribed());
        assertEquals(SpecialUse.SENT, sent.info().specialUse());
        assertTrue(rows.stream().anyMatch(r -> r.info().name().equals("Archive/2024") && r.status() != null));
        rows.stream().filter(r -> !r.info().selectable()).forEach(r -> assertNull(r.status()));
    }

    @Test
    void expungeRemovesDeletedOnlyOrEverythingBeforeADate() throws Exception {
        long old1 = s.append("INBOX", msg("old"), Set.of(Flags.SEEN), Instant.parse("2020-01-01T00:00:00Z")).uid();
        long old2 = s.append("INBOX", msg("old deleted"), Set.of(Flags.DELETED), Instant.parse("2020-02-01T00:00:00Z")).uid();
        long newer = s.append("INBOX", msg("new deleted"), Set.of(Flags.DELETED), Instant.parse("2024-01-01T00:00:00Z")).uid();
        long keep = s.append("INBOX", msg("new"), Set.of(), Instant.parse("2024-01-02T00:00:00Z")).uid();

        assertEquals(List.of(old2, newer), MailboxOps.expunge(s, "INBOX", null));
        assertEquals(List.of(old1), MailboxOps.expunge(s, "INBOX", Instant.parse("2023-01-01T00:00:00Z")));
        assertEquals(List.of(), MailboxOps.expunge(s, "INBOX", Instant.parse("2023-01-01T00:00:00Z")));
        try (Mailbox m = s.open("INBOX", true)) {
            assertEquals(List.of(keep), m.messages().stream().map(MessageInfo::uid).toList());
        }
    }

    @Test
    void importOfAUwMboxKeepsFlagsAndKeywordsAndSkipsThePseudoMessage() throws Exception {
        Migration.ImportReport r = Migration.importPath(s, fixture(), null, MboxFormat.MBOXRD);
        assertEquals(1, r.mailboxes().size());
        Migration.Imported i = r.mailboxes().get(0);
        assertEquals(new Migration.Imported("INBOX", 3, 1, 2, 1, 1, 1, 1, 2), i);
        // a fresh INBOX (never held a message) is adopted with the file's UIDVALIDITY: UIDs kept
        assertEquals(Map.of("INBOX", "kept"), r.uids());
        assertEquals(1704448800L, s.status("INBOX").uidValidity());
        try (Mailbox m = s.open("INBOX", true)) {
            List<MessageInfo> list = m.messages();
            assertEquals(3, list.size());
            assertEquals(Set.of(Flags.SEEN, Flags.ANSWERED, "work"), list.get(0).flags());
            assertEquals(Set.of(Flags.FLAGGED, "urgent", "work"), list.get(1).flags());
            assertEquals(Set.of(Flags.SEEN, Flags.DELETED, Flags.DRAFT), list.get(2).flags());
            assertEquals(Instant.parse("2024-01-06T11:00:00Z"), list.get(1).internalDate());
            String first = new String(m.content(list.get(0).uid()).open().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(first.contains("\r\nFrom here on the line was quoted\r\n"), first);
            assertFalse(first.contains("X-Status"), first);
        }
        // INBOX now holds mail: a second import gets new UIDs and says why
        Migration.ImportReport again = Migration.importPath(s, fixture(), null, MboxFormat.MBOXRD);
        assertTrue(again.uids().get("INBOX").startsWith("new (the mailbox INBOX already existed"),
                again.uids().toString());
        assertEquals(1704448800L, s.status("INBOX").uidValidity());
        assertEquals(6, s.status("INBOX").messages());
    }

    @Test
    void importIntoANamedMailboxAndOfADirectoryTree() throws Exception {
        Migration.ImportReport named = Migration.importPath(s, fixture(), "Old/inbox", MboxFormat.MBOXRD);
        assertEquals(3, s.status("Old/inbox").messages());
        assertEquals(Map.of("Old/inbox", "kept"), named.uids(), "a new mailbox keeps the file's UIDs");
        assertEquals(1704448800L, s.status("Old/inbox").uidValidity());

        Path tree = dir.resolve("mail");
        Files.createDirectories(tree.resolve("lists"));
        Files.copy(fixture(), tree.resolve("lists/java"));
        Files.copy(fixture(), tree.resolve("INBOX"));
        Files.writeString(tree.resolve(".mailboxlist"), "lists/java\n");
        Files.writeString(tree.resolve("notes.txt"), "not a mailbox\n");
        Migration.ImportReport r = Migration.importPath(s, tree, null, MboxFormat.MBOXRD);
        assertEquals(List.of("INBOX", "lists/java"), r.mailboxes().stream().map(Migration.Imported::mailbox).toList());
        assertEquals(2, r.skippedFiles().size());
        assertEquals(3, s.status("lists/java").messages());

        assertThrows(IllegalArgumentException.class,
                () -> Migration.importPath(s, tree.resolve("notes.txt"), null, MboxFormat.MBOXRD));
        assertThrows(IllegalArgumentException.class,
                () -> Migration.importPath(s, dir.resolve("missing"), null, MboxFormat.MBOXRD));
    }

    @Test
    void exportWritesEveryMailboxAndImportsBackWithTheSameFlags() throws Exception {
        Migration.importPath(s, fixture(), null, MboxFormat.MBOXRD);
        Migration.importPath(s, fixture(), "Archive", MboxFormat.MBOXRD);
        s.create("Archive/2024", null);
        s.append("Archive/2024", msg("child"), Set.of(Flags.FLAGGED), null);

        Path out = dir.resolve("export");
        Map<String, Map.Entry<Path, Integer>> done = Migration.exportPath(s, out, null, MboxFormat.MBOXRD, false);
        assertEquals(3, done.get("INBOX").getValue());
        assertEquals(out.resolve("Archive.mbox"), done.get("Archive").getKey(), "a parent is written beside its children");
        assertEquals(out.resolve("Archive/2024"), done.get("Archive/2024").getKey());
        assertTrue(Files.readString(out.resolve("INBOX")).startsWith("From alice@example.org "));

        // into another user's store, and the flags are the same
        try (StoreSession other = store.open(MailPrincipal.of("carol", "test"))) {
            Migration.importPath(other, out.resolve("INBOX"), null, MboxFormat.MBOXRD);
            try (Mailbox a = s.open("INBOX", true); Mailbox b = other.open("INBOX", true)) {
                assertEquals(a.messages().stream().map(MessageInfo::flags).toList(),
                        b.messages().stream().map(MessageInfo::flags).toList());
                assertEquals(new String(a.content(a.messages().get(0).uid()).open().readAllBytes()),
                        new String(b.content(b.messages().get(0).uid()).open().readAllBytes()));
            }
        }

        // files are not overwritten unless asked
        assertThrows(IllegalArgumentException.class, () -> Migration.exportPath(s, out, null, MboxFormat.MBOXRD, false));
        Path single = dir.resolve("one.mbox");
        assertEquals(1, Migration.exportPath(s, single, "Archive/2024", MboxFormat.MBOXO, false).get("Archive/2024").getValue());
        assertTrue(Files.readString(single).contains("X-Status: F"));
        assertEquals(1, Migration.exportPath(s, single, "Archive/2024", MboxFormat.MBOXO, true).get("Archive/2024").getValue());
        assertThrows(IllegalArgumentException.class, () -> Migration.exportPath(s, single, null, MboxFormat.MBOXRD, true));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void sizesReadWell() {
        assertEquals("512 B", MailboxOps.size(512));
        assertEquals("1.5 KiB", MailboxOps.size(1536));
        assertEquals("20.0 MiB", MailboxOps.size(20L * 1024 * 1024));
    }
}
