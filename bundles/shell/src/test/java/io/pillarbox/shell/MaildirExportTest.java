package io.pillarbox.shell;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.store.memory.MemoryMailStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaildirExportTest {

    @TempDir
    Path dir;

    private static MessageSource msg(String subject) {
        return MessageSource.of(("Subject: " + subject + "\r\n\r\nbody " + subject + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void exportedMaildirImportsBackWithTheSameFlagsKeywordsDatesAndContent() throws Exception {
        MemoryMailStore store = new MemoryMailStore();
        try (StoreSession s = store.open(MailPrincipal.of("bob", "test"));
             StoreSession t = store.open(MailPrincipal.of("carol", "test"))) {
            s.append("INBOX", msg("one"), Set.of(Flags.SEEN, Flags.ANSWERED, "$Work"),
                    Instant.parse("2024-01-05T10:00:00Z"));
            s.append("INBOX", msg("two"), Set.of(Flags.FLAGGED, Flags.DELETED, "Important", "$Work"),
                    Instant.parse("2024-01-06T10:00:00Z"));
            s.append("INBOX", msg("three"), Set.of(), Instant.parse("2024-01-07T10:00:00Z"));
            s.create("Entwürfe", null);
            s.subscribe("Entwürfe");
            s.append("Entwürfe", msg("draft"), Set.of(Flags.DRAFT, "$Forwarded"), Instant.parse("2024-02-01T00:00:00Z"));
            s.create("Archive/2024", null);
            s.append("Archive/2024", msg("old"), Set.of(Flags.SEEN), Instant.parse("2024-03-01T00:00:00Z"));

            Path root = dir.resolve("Maildir");
            Map<String, Map.Entry<Path, Integer>> done = MaildirExport.export(s, root);
            assertEquals(3, done.get("INBOX").getValue());
            assertEquals(root.resolve(".Entw&APw-rfe"), done.get("Entwürfe").getKey());
            assertEquals(root.resolve(".Archive.2024"), done.get("Archive/2024").getKey());
            assertTrue(Files.isRegularFile(root.resolve(".Archive.2024/maildirfolder")));
            assertTrue(Files.readString(root.resolve("dovecot-uidlist")).startsWith("3 V"));
            assertEquals("0 $Work\n1 Important\n", Files.readString(root.resolve("dovecot-keywords")));
            assertEquals("Entw&APw-rfe\n", Files.readString(root.resolve("subscriptions")));

            MaildirImport.importTree(root, t, null);
            for (String box : List.of("INBOX", "Entwürfe", "Archive/2024")) {
                try (Mailbox a = s.open(box, true); Mailbox b = t.open(box, true)) {
                    List<MessageInfo> x = a.messages();
                    List<MessageInfo> y = b.messages();
                    assertEquals(x.size(), y.size(), box);
                    for (int k = 0; k < x.size(); k++) {
                        assertEquals(x.get(k).flags(), y.get(k).flags(), box);
                        assertEquals(x.get(k).internalDate(), y.get(k).internalDate(), box);
                        assertEquals(new String(a.content(x.get(k).uid()).open().readAllBytes()),
                                new String(b.content(y.get(k).uid()).open().readAllBytes()), box);
                    }
                }
            }
            assertTrue(t.subscriptions().contains("Entwürfe"));
            assertThrows(IllegalArgumentException.class, () -> MaildirExport.export(s, root), "not into a used directory");
        }
    }

    @Test
    void namesAndLetters() {
        assertEquals("Entw&APw-rfe", MaildirExport.encodeUtf7("Entwürfe"));
        assertEquals("a&-b", MaildirExport.encodeUtf7("a&b"));
        assertEquals("&ZeVnLIqe-", MaildirExport.encodeUtf7("日本語"));
        for (String name : List.of("Entwürfe", "a&b", "日本語 x", "ä")) {
            assertEquals(name, MaildirImport.decodeUtf7(MaildirExport.encodeUtf7(name)));
        }
        assertEquals(null, MaildirExport.folder("INBOX"));
        assertEquals("Lists.java", MaildirExport.folder("Lists/java"));
        MessageInfo i = new MessageInfo(1, Set.of(Flags.SEEN, Flags.DRAFT, "b-kw", "a-kw"), Instant.EPOCH, 1, 1);
        assertEquals("DSab", MaildirExport.letters(i, List.of("a-kw", "b-kw")));
    }
}
