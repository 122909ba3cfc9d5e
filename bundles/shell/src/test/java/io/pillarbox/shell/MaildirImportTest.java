package io.pillarbox.shell;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.migration.MboxFormat;
import io.pillarbox.store.memory.MemoryMailStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaildirImportTest {

    @TempDir
    Path dir;

    private static void message(Path file, String subject, Instant mtime) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "Subject: " + subject + "\nFrom: a@example.org\n\nbody of " + subject + "\n");
        Files.setLastModifiedTime(file, FileTime.from(mtime));
    }

    /** A Dovecot Maildir: INBOX with uidlist order and keywords, a nested folder, a folder with a UTF-7 name. */
    private Path dovecotMaildir() throws Exception {
        Path root = dir.resolve("Maildir");
        Files.createDirectories(root.resolve("tmp"));
        // file names sort differently from the UID order in dovecot-uidlist
        message(root.resolve("cur/1700000300.M1P1.host:2,RSa"), "third by name, first by uid",
                Instant.parse("2023-11-14T22:18:20Z"));
        message(root.resolve("cur/1700000100.M2P1.host:2,FTb"), "second", Instant.parse("2023-11-14T22:15:00Z"));
        message(root.resolve("new/1700000200.M3P1.host"), "new one", Instant.parse("2023-11-14T22:16:40Z"));
        Files.writeString(root.resolve("dovecot-keywords"), "0 $Work\n1 Important\n");
        Files.writeString(root.resolve("dovecot-uidlist"), "3 V1700000000 N4 Gabc\n"
                + "1 :1700000300.M1P1.host\n2 :1700000100.M2P1.host\n3 :1700000200.M3P1.host\n");
        Files.writeString(root.resolve("dovecot.index.log"), "binary junk");
        message(root.resolve(".Archive.2024/cur/1700000400.M4P1.host:2,S"), "archived",
                Instant.parse("2024-01-01T00:00:00Z"));
        Files.createFile(root.resolve(".Archive.2024/maildirfolder"));
        message(root.resolve(".Entw&APw-rfe/cur/1700000500.M5P1.host:2,D"), "draft",
                Instant.parse("2024-02-01T00:00:00Z"));
        Files.writeString(root.resolve("subscriptions"), "Archive.2024\nEntw&APw-rfe\n");
        return root;
    }

    @Test
    void aDovecotMaildirKeepsFlagsKeywordsDatesOrderAndSubscriptions() throws Exception {
        MemoryMailStore store = new MemoryMailStore();
        try (StoreSession s = store.open(MailPrincipal.of("bob", "test"))) {
            Migration.ImportReport r = Migration.importPath(s, dovecotMaildir(), null, MboxFormat.MBOXRD);
            assertEquals(List.of("Archive/2024", "Entwürfe", "INBOX"),
                    r.mailboxes().stream().map(Migration.Imported::mailbox).toList());
            assertEquals(new Migration.Imported("INBOX", 3, 0, 1, 1, 1, 1, 0, 2), r.mailboxes().get(2));
            try (Mailbox m = s.open("INBOX", true)) {
                List<MessageInfo> l = m.messages();
                assertEquals(Set.of(Flags.ANSWERED, Flags.SEEN, "$Work"), l.get(0).flags());
                assertEquals(Set.of(Flags.FLAGGED, Flags.DELETED, "Important"), l.get(1).flags());
                assertEquals(Set.of(), l.get(2).flags());
                assertEquals(Instant.parse("2023-11-14T22:18:20Z"), l.get(0).internalDate());
                String text = new String(m.content(l.get(0).uid()).open().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals("Subject: third by name, first by uid\r\nFrom: a@example.org\r\n\r\n"
                        + "body of third by name, first by uid\r\n", text);
            }
            assertEquals(1, s.status("Archive/2024").messages());
            assertEquals(1, s.status("Entwürfe").messages());
            assertTrue(s.subscriptions().containsAll(Set.of("Archive/2024", "Entwürfe")), s.subscriptions().toString());
        }
    }

    @Test
    void underAParentMailbox() throws Exception {
        MemoryMailStore store = new MemoryMailStore();
        try (StoreSession s = store.open(MailPrincipal.of("bob", "test"))) {
            MaildirImport.importTree(dovecotMaildir(), s, "Old");
            assertEquals(3, s.status("Old").messages());
            assertEquals(1, s.status("Old/Archive/2024").messages());
            assertEquals(0, s.status("INBOX").messages());
        }
    }

    @Test
    void namesFlagsAndLineEnds() {
        assertEquals("Entwürfe", MaildirImport.decodeUtf7("Entw&APw-rfe"));
        assertEquals("a&b", MaildirImport.decodeUtf7("a&-b"));
        assertEquals("日本語", MaildirImport.decodeUtf7("&ZeVnLIqe-"));
        assertEquals("Lists/java", MaildirImport.folderName("Lists.java"));
        assertEquals(Set.of(Flags.DRAFT, "$Forwarded"), MaildirImport.flags("x:2,DPz", List.of("k")));
        assertEquals(Set.of(Flags.SEEN), MaildirImport.flags("x!2,S", List.of()));
        assertEquals(Set.of(), MaildirImport.flags("1700000000.M1P1.host", List.of()));
        assertEquals("a\r\nb\r\nc", new String(MaildirImport.crlf("a\nb\r\nc".getBytes()), StandardCharsets.US_ASCII));
    }
}
