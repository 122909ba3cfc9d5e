package io.pillarbox.migration;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.MailStore;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.store.maildir.MaildirStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mbox UIDs kept into the Maildir store: in dovecot-uidlist, and after the store is started again. */
class MboxIntoMaildirTest {

    @TempDir
    Path dir;

    private MailStore store() {
        return new MaildirStore(dir + "/{domain}/{user}/Maildir", false);
    }

    private static final MailPrincipal USER = MailPrincipal.of("u@example.org", "test");

    @Test
    void uidsAndUidValidityKeptInDovecotUidlist() throws Exception {
        MboxImport uw;
        MboxImport pine;
        try (StoreSession s = store().open(USER);
             InputStream a = getClass().getResourceAsStream("uw-imap.mbox");
             InputStream b = getClass().getResourceAsStream("pine-xuid-gap.mbox")) {
            assertTrue(s.canKeepUids());
            uw = MboxImporter.importMbox(a, s, "Old/UW", MboxImporter.Options.defaults());
            pine = MboxImporter.importMbox(b, s, "Pine", MboxImporter.Options.defaults());
        }
        assertTrue(uw.uidsKept());
        assertEquals(List.of(1L, 3L), uw.messages().stream().map(MboxImport.Message::uid).toList());
        assertEquals(List.of(5L, 9L, 13L, 14L), pine.messages().stream().map(MboxImport.Message::uid).toList());
        assertEquals(2, pine.keptUidCount());

        Path maildir = dir.resolve("example.org/u/Maildir");
        List<String> uidlist = Files.readAllLines(maildir.resolve(".Old.UW/dovecot-uidlist"), StandardCharsets.UTF_8);
        assertTrue(uidlist.get(0).startsWith("3 V1700000000 "), uidlist.get(0));
        assertEquals(List.of("1", "3"), uidlist.subList(1, uidlist.size()).stream().map(l -> l.split(" ")[0]).toList());
        List<String> pineList = Files.readAllLines(maildir.resolve(".Pine/dovecot-uidlist"), StandardCharsets.UTF_8);
        assertTrue(pineList.get(0).startsWith("3 V1234567890 "), pineList.get(0));

        // a new store over the same files (a restart): same UIDVALIDITY, UIDs, flags; new mail above
        try (StoreSession s = store().open(USER)) {
            assertEquals(1700000000L, s.status("Old/UW").uidValidity());
            assertEquals(1234567890L, s.status("Pine").uidValidity());
            try (Mailbox mb = s.open("Pine", false)) {
                assertEquals(List.of(5L, 9L, 13L, 14L), mb.messages().stream().map(MessageInfo::uid).toList());
                assertEquals(Set.of(Flags.SEEN, "Urgent"), mb.messages().get(3).flags());
            }
            long next = MboxImporter.importMbox(new java.io.ByteArrayInputStream(
                    "From a@b Sat Jan  3 00:00:00 2026\nSubject: later\n\nx\n".getBytes(StandardCharsets.US_ASCII)),
                    s, "Pine", MboxImporter.Options.defaults()).messages().get(0).uid();
            assertEquals(15, next);
        }
    }

    @Test
    void inboxImportKeepsUidsInTheRootUidlist() throws Exception {
        MboxImport inbox;
        try (StoreSession s = store().open(USER);
             InputStream a = getClass().getResourceAsStream("uw-imap.mbox")) {
            assertEquals(1, s.status("INBOX").uidNext(), "a fresh INBOX");
            inbox = MboxImporter.importMbox(a, s, "INBOX", MboxImporter.Options.defaults());
        }
        assertTrue(inbox.uidsKept());
        assertTrue(inbox.uidValidityKept());
        assertEquals(List.of(1L, 3L), inbox.messages().stream().map(MboxImport.Message::uid).toList());
        List<String> uidlist = Files.readAllLines(dir.resolve("example.org/u/Maildir/dovecot-uidlist"),
                StandardCharsets.UTF_8);
        assertTrue(uidlist.get(0).startsWith("3 V1700000000 "), uidlist.get(0));
        assertEquals(List.of("1", "3"), uidlist.subList(1, uidlist.size()).stream().map(l -> l.split(" ")[0]).toList());

        // a restart: same UIDVALIDITY and UIDs; INBOX now has mail, so a second import gets new UIDs above
        try (StoreSession s = store().open(USER)) {
            assertEquals(1700000000L, s.status("INBOX").uidValidity());
            try (Mailbox mb = s.open("INBOX", true)) {
                assertEquals(List.of(1L, 3L), mb.messages().stream().map(MessageInfo::uid).toList());
            }
            try (InputStream a = getClass().getResourceAsStream("uw-imap.mbox")) {
                MboxImport again = MboxImporter.importMbox(a, s, "INBOX", MboxImporter.Options.defaults());
                assertFalse(again.uidsKept());
                assertEquals(List.of(4L, 5L), again.messages().stream().map(MboxImport.Message::uid).toList());
            }
            assertEquals(1700000000L, s.status("INBOX").uidValidity());
        }
    }
}
