package io.pillarbox.imap;

import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random command lines from IMAP's own vocabulary against a selected mailbox: every one gets a tagged answer (or
 * an untagged BAD), never an internal error, and the session stays usable.
 */
class FuzzTest {

    static final String[] WORDS = {"FETCH", "UID", "STORE", "SEARCH", "COPY", "MOVE", "SELECT", "EXAMINE", "LIST",
        "LSUB", "STATUS", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "EXPUNGE", "NOOP", "CHECK", "SORT", "THREAD",
        "ENABLE", "NAMESPACE", "ID", "INBOX", "Trash", "\"\"", "\"a b\"", "*", "%", "$", "1", "2", "3", "1:*", "2:4",
        "*:1", "0", "4294967296", "(", ")", "[", "]", "<", ">", "<0.5>", "BODY[]", "BODY.PEEK[HEADER]",
        "BODY[1.MIME]", "BODY[HEADER.FIELDS (FROM)]", "BINARY[1]", "BINARY.SIZE[1]", "ENVELOPE", "BODYSTRUCTURE",
        "FLAGS", "+FLAGS", "-FLAGS.SILENT", "\\Seen", "\\Deleted", "$Junk", "(\\Flagged)", "ALL", "FULL", "NOT", "OR",
        "SUBJECT", "FROM", "SINCE", "1-Jan-2024", "BEFORE", "LARGER", "10", "HEADER", "X", "TEXT", "RETURN",
        "(MIN MAX COUNT)", "(SAVE)", "CHARSET", "UTF-8", "MODSEQ", "CHANGEDSINCE", "(CHANGEDSINCE 1)",
        "(UNCHANGEDSINCE 1)", "REFERENCES", "ORDEREDSUBJECT", "(SUBJECT)", "(REVERSE DATE)", "MESSAGES", "(MESSAGES)",
        "(UIDNEXT SIZE)", "CONDSTORE", "QRESYNC", "IMAP4rev2", "UTF8=ACCEPT", "NIL", "\"\\\\\"", "&AOQ-", "&Jjo-!",
        "\u00e4", "\"\u00e4\"", "RFC822", "RFC822.SIZE", "INTERNALDATE", "MODSEQ", "VANISHED", "(VANISHED)"};

    @Test
    void randomCommandsNeverBreakTheSession() {
        TestAuth auth = new TestAuth(Map.of("alice", "secret"));
        ImapServer server = new ImapServer(ImapSettings.defaults().withLimits(65536, 1_000_000), auth, auth,
                new TestStores(new MemoryMailStore()), new RecentTracker());
        ImapTester t = new ImapTester(server);
        t.output();
        t.login("alice", "secret");
        for (String m : new String[]{Messages.SIMPLE, Messages.ALTERNATIVE, Messages.FORWARD}) {
            t.send(SessionConcurrencyTest.appendLine("ap", m));
        }
        t.send("s SELECT INBOX");
        Random rnd = new Random(42);
        for (int i = 0; i < 2000; i++) {
            StringBuilder line = new StringBuilder("f" + i);
            int n = 1 + rnd.nextInt(7);
            for (int k = 0; k < n; k++) {
                line.append(' ').append(WORDS[rnd.nextInt(WORDS.length)]);
            }
            String cmd = line.toString();
            String out = t.send(cmd);
            if (cmd.contains("IDLE")) {
                out += t.send("DONE");
            }
            assertFalse(out.contains("SERVERBUG"), cmd + "\n" + out);
            assertTrue(out.contains("f" + i + " OK") || out.contains("f" + i + " NO") || out.contains("f" + i + " BAD"),
                    cmd + "\n" + out);
            assertTrue(t.ch.isOpen(), cmd + "\n" + out);
            if (!t.send("chk NOOP").contains("chk OK")) {
                // a DELETE or RENAME of INBOX's neighbours may move us out of SELECTED: select again
                t.send("s SELECT INBOX");
            }
            if (!out.contains("* ") && !out.contains("f" + i)) {
                throw new AssertionError(cmd + "\n" + out);
            }
        }
    }
}
