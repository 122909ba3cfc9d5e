package io.pillarbox.imap;

import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionMoreTest {

    ImapTester t;

    @BeforeEach
    void setUp() {
        TestAuth auth = new TestAuth(Map.of("alice", "secret"));
        ImapServer server = new ImapServer(ImapSettings.defaults(), auth, auth, new TestStores(new MemoryMailStore()),
                new RecentTracker());
        t = new ImapTester(server);
        t.output();
    }

    @Test
    void idAndPreAuthLimits() {
        t.expect("i1 ID (\"name\" \"mutt\")", "\\* ID \\(\"name\" \"Pillarbox\" \"vendor\" \"Pillarbox\"\\)",
                "i1 OK ID completed");
        t.expect("i2 ID NIL", "\\* ID .*", "i2 OK ID completed");
        // before login literals are small
        t.expect("i3 LOGIN {9000}", "i3 NO \\[TOOBIG\\] .*");
        t.expect("i4 ENABLE IMAP4rev2", "i4 BAD Not authenticated");
        t.login("alice", "secret");
        t.expect("i5 STARTTLS", "i5 BAD Already authenticated");
        t.expect("i6 COMPRESS LZW", "i6 BAD Unknown compression mechanism");
    }

    @Test
    void quotaRootsAndLimitsOfRfc9208() {
        TestAuth auth = new TestAuth(Map.of("alice", "secret"));
        ImapTester q = new ImapTester(new ImapServer(ImapSettings.defaults(), auth, auth,
                io.pillarbox.core.store.CoreStores.withQuota(new MemoryMailStore(), "*:storage=1:messages=2"),
                new RecentTracker()));
        q.output();
        q.login("alice", "secret");
        q.expect("q1 GETQUOTAROOT INBOX", "\\* QUOTAROOT \"INBOX\" \"\"", "\\* QUOTA \"\" \\(STORAGE 0 1 MESSAGE 0 2\\)",
                "q1 OK GETQUOTAROOT completed");
        String small = "Subject: s\r\n\r\n" + "x".repeat(100) + "\r\n";
        q.expect("q2 APPEND INBOX {" + small.length() + "+}\r\n" + small, "q2 OK \\[APPENDUID \\d+ 1\\] .*");
        q.expect("q3 GETQUOTA \"\"", "\\* QUOTA \"\" \\(STORAGE 1 1 MESSAGE 1 2\\)", "q3 OK GETQUOTA completed");
        String big = "Subject: b\r\n\r\n" + "y".repeat(2000) + "\r\n";
        q.expect("q4 APPEND INBOX {" + big.length() + "+}\r\n" + big, "q4 NO \\[OVERQUOTA\\] .*");
        q.expect("q5 SETQUOTA \"\" (STORAGE 10000)", "q5 NO \\[NOPERM\\] .*");
        q.expect("q6 GETQUOTA \"other\"", "q6 NO \\[NONEXISTENT\\] .*");
        q.expect("q7 GETQUOTAROOT Nowhere", "q7 NO \\[NONEXISTENT\\] .*");
        q.expect("q8 SETQUOTA \"\" (STORAGE", "q8 BAD .*");

        // without a limit: a mailbox has no quota root
        t.login("alice", "secret");
        assertTrue(t.send("q9 CAPABILITY").contains(" QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE"));
        t.expect("q10 GETQUOTAROOT INBOX", "\\* QUOTAROOT \"INBOX\"", "q10 OK GETQUOTAROOT completed");
        t.expect("q11 GETQUOTA \"\"", "q11 NO \\[NONEXISTENT\\] .*");
    }

    @Test
    void mailboxErrorsAndSpecialUseCreation() {
        t.login("alice", "secret");
        t.expect("c1 CREATE Receipts (USE (\\Archive))", "c1 OK CREATE completed");
        t.expect("c2 CREATE Other (USE (\\Bogus))", "c2 NO \\[USEATTR\\] .*");
        t.expect("c3 LIST (SPECIAL-USE) \"\" Receipts", "\\* LIST \\(\\\\HasNoChildren \\\\Archive\\) \"/\" \"Receipts\"",
                "c3 OK LIST completed");
        t.expect("c4 SELECT Nowhere", "c4 NO \\[NONEXISTENT\\] .*");
        t.expect("c5 STATUS Nowhere (MESSAGES)", "c5 NO \\[NONEXISTENT\\] .*");
        t.expect("c6 CREATE INBOX", "c6 NO \\[ALREADYEXISTS\\] .*");
        t.expect("c7 RENAME Receipts INBOX", "c7 NO \\[ALREADYEXISTS\\] .*");
        t.expect("c8 CREATE \"a//b\"", "c8 NO \\[CANNOT\\] .*");
        t.expect("c9 CREATE \"../x\"", "c9 NO \\[CANNOT\\] .*");
        t.expect("c10 LSUB \"\" *", "\\* LSUB \\(\\) \"/\" \"Archive\"", "\\* LSUB \\(\\) \"/\" \"Drafts\"",
                "\\* LSUB \\(\\) \"/\" \"INBOX\"", "\\* LSUB \\(\\) \"/\" \"Junk\"", "\\* LSUB \\(\\) \"/\" \"Sent\"",
                "\\* LSUB \\(\\) \"/\" \"Trash\"", "c10 OK LSUB completed");
        t.send("c10a SELECT INBOX");
        t.expect("c10b FETCH 1:* FLAGS", "c10b OK FETCH completed");
        t.expect("c10c FETCH 1 FLAGS", "c10c BAD Invalid message sequence number: 1");
        t.expect("c10d SEARCH ALL", "\\* SEARCH", "c10d OK SEARCH completed");
        t.expect("c10e UID FETCH 1:* FLAGS", "c10e OK UID FETCH completed");
        t.expect("c11 STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ APPENDLIMIT)",
                "\\* STATUS \"INBOX\" \\(MESSAGES 0 RECENT 0 UIDNEXT 1 UIDVALIDITY \\d+ UNSEEN 0 DELETED 0 SIZE 0 "
                        + "HIGHESTMODSEQ \\d+ APPENDLIMIT 52428800\\)", "c11 OK STATUS completed");
    }

    @Test
    void binaryAndUtf8Appends() {
        t.login("alice", "secret");
        t.expect("b0 ENABLE UTF8=ACCEPT", "\\* ENABLED UTF8=ACCEPT", "b0 OK ENABLE completed");
        String msg = "Subject: Gr\u00fc\u00dfe\r\nContent-Transfer-Encoding: binary\r\n\r\nnul:\u0000!\r\n";
        int len = msg.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        t.expect("b1 APPEND INBOX ~{" + len + "+}\r\n" + msg, "b1 OK \\[APPENDUID \\d+ 1\\] APPEND completed");
        t.expect("b2 APPEND INBOX UTF8 (~{" + len + "+}\r\n" + msg + ")", "b2 OK \\[APPENDUID \\d+ 2\\] APPEND completed");
        t.expect("b3 APPEND INBOX {0}", "\\+ Ready for literal data");
        t.expect("", "b3 NO \\[CANNOT\\] Empty message");
        t.send("s SELECT INBOX");
        t.expect("b4 FETCH 1 ENVELOPE", "\\* 1 FETCH \\(ENVELOPE \\(NIL \"Gr\u00fc\u00dfe\" NIL NIL NIL NIL NIL NIL NIL NIL\\)\\)",
                "b4 OK FETCH completed");
        String out = t.send("b5 FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])");
        assertTrue(out.startsWith("* 1 FETCH (BINARY[1] ~{8}\r\nnul:\u0000!\r\n BINARY.SIZE[1] 8)"), out);
        t.expect("b5a FETCH 1 (BINARY.PEEK[1]<100.10> BODY.PEEK[]<5000.10> BINARY.PEEK[1]<2.3>)",
                "\\* 1 FETCH \\(BINARY\\[1\\]<100> \"\" BODY\\[\\]<5000> \"\" BINARY\\[1\\]<2> ~\\{3\\}",
                "l:\u0000\\)", "b5a OK FETCH completed");
        t.expect("b6 SEARCH SUBJECT gr\u00fc\u00dfe", "\\* SEARCH 1 2", "b6 OK SEARCH completed");
        t.expect("b7 EXAMINE INBOX", "\\* OK \\[CLOSED\\] .*", "\\* FLAGS .*", "\\* OK \\[PERMANENTFLAGS \\(\\)\\] .*",
                "\\* 2 EXISTS", "\\* 0 RECENT", "\\* OK \\[UNSEEN 1\\] .*", "\\* OK \\[UIDVALIDITY .*",
                "\\* OK \\[UIDNEXT 3\\] .*", "\\* OK \\[HIGHESTMODSEQ .*", "b7 OK \\[READ-ONLY\\] EXAMINE completed");
        t.expect("b8 STORE 1 +FLAGS (\\Seen)", "b8 NO \\[READ-ONLY\\] Mailbox is read-only");
        t.expect("b9 FETCH 1 (FLAGS BODY[TEXT])", "\\* 1 FETCH \\(FLAGS \\(\\) BODY\\[TEXT\\] \\{8\\}", "nul:\u0000!", "\\)",
                "b9 OK FETCH completed");
        t.expect("b10 MOVE 1 Trash", "b10 NO \\[READ-ONLY\\] .*");
        t.expect("b11 COPY 1:2 Trash", "b11 OK \\[COPYUID \\d+ 1:2 1:2\\] COPY completed");
    }
}
