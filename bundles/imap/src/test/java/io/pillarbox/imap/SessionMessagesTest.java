package io.pillarbox.imap;

import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionMessagesTest {

    ImapServer server;
    ImapTester t;

    /** The store the sessions use; subclasses run the same scripts on other stores. */
    io.pillarbox.api.store.MailStore newStore() {
        return new MemoryMailStore();
    }

    @BeforeEach
    void setUp() {
        TestAuth auth = new TestAuth(Map.of("alice", "secret", "bob", "pw"));
        server = new ImapServer(ImapSettings.defaults(), auth, auth, new TestStores(newStore()),
                new RecentTracker());
        t = new ImapTester(server);
        t.output();
        t.login("alice", "secret");
    }

    static int octets(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    void append(String mailbox, String flags, String msg) {
        t.write("ap APPEND " + mailbox + " " + flags + "{" + octets(msg) + "+}\r\n");
        String out = t.send(msg);
        assertTrue(out.matches("(?s)(\\* .*\r\n)*ap OK \\[APPENDUID \\d+ \\d+\\] APPEND completed\r\n"), out);
    }

    void appendAll() {
        append("INBOX", "(\\Seen) \"05-Mar-2024 13:05:00 +0000\" ", Messages.SIMPLE);
        append("INBOX", "", Messages.REPLY);
        append("INBOX", "($Work) ", Messages.ALTERNATIVE);
        append("INBOX", "", Messages.FORWARD);
    }

    @Test
    void appendSelectFetchBasics() {
        t.write("a1 APPEND INBOX (\\Seen $Label) \" 5-Mar-2024 13:05:00 +0000\" {" + octets(Messages.SIMPLE)
                + "}\r\n");
        t.expectNow("\\+ Ready for literal data");
        t.expect(Messages.SIMPLE, "a1 OK \\[APPENDUID (\\d+) 1\\] APPEND completed");
        append("INBOX", "", Messages.REPLY);
        t.expect("a2 SELECT INBOX",
                "\\* FLAGS \\(\\\\Answered \\\\Flagged \\\\Deleted \\\\Seen \\\\Draft \\$Label\\)",
                "\\* OK \\[PERMANENTFLAGS \\(\\\\Answered \\\\Flagged \\\\Deleted \\\\Seen \\\\Draft \\$Label \\\\\\*\\)\\] .*",
                "\\* 2 EXISTS",
                "\\* 2 RECENT",
                "\\* OK \\[UNSEEN 2\\] .*",
                "\\* OK \\[UIDVALIDITY \\d+\\] .*",
                "\\* OK \\[UIDNEXT 3\\] .*",
                "\\* OK \\[HIGHESTMODSEQ \\d+\\] .*",
                "a2 OK \\[READ-WRITE\\] SELECT completed");
        t.expect("a3 FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE)",
                "\\* 1 FETCH \\(UID 1 FLAGS \\(\\$Label \\\\Seen \\\\Recent\\) RFC822.SIZE " + octets(Messages.SIMPLE)
                        + " INTERNALDATE \"05-Mar-2024 13:05:00 \\+0000\"\\)",
                "\\* 2 FETCH \\(UID 2 FLAGS \\(\\\\Recent\\) RFC822.SIZE " + octets(Messages.REPLY)
                        + " INTERNALDATE \".*\"\\)",
                "a3 OK FETCH completed");
        t.expect("a4 FETCH 1 ENVELOPE",
                "\\* 1 FETCH \\(ENVELOPE \\(\"Tue, 5 Mar 2024 14:05:00 \\+0100\" \"Lunch tomorrow\" "
                        + "\\(\\(\"Alice Example\" NIL \"alice\" \"example.org\"\\)\\) "
                        + "\\(\\(\"Alice Example\" NIL \"alice\" \"example.org\"\\)\\) "
                        + "\\(\\(\"Alice Example\" NIL \"alice\" \"example.org\"\\)\\) "
                        + "\\(\\(NIL NIL \"bob\" \"example.org\"\\)\\) NIL NIL NIL \"<lunch-1@example.org>\"\\)\\)",
                "a4 OK FETCH completed");
        t.expect("a5 FETCH 1 BODYSTRUCTURE",
                "\\* 1 FETCH \\(BODYSTRUCTURE \\(\"text\" \"plain\" \\(\"charset\" \"us-ascii\"\\) NIL NIL \"7bit\" 31 2 NIL NIL NIL NIL\\)\\)",
                "a5 OK FETCH completed");
        String body = "Shall we meet at noon?\r\nAlice\r\n";
        String out = t.send("a6 FETCH 2 (BODY.PEEK[TEXT]<0.5> BODY[1])");
        assertTrue(out.startsWith("* 2 FETCH (BODY[TEXT]<0> {5}\r\nYes,  BODY[1] {20}\r\nYes, noon is fine.\r\n"),
                out);
        assertTrue(out.contains(" FLAGS (\\Seen \\Recent))\r\n"), out);
        assertTrue(out.endsWith("a6 OK FETCH completed\r\n"), out);
        out = t.send("a7 UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject From)] BODY.PEEK[])");
        assertTrue(out.startsWith("* 1 FETCH (UID 1 BODY[HEADER.FIELDS (Subject From)] {68}\r\n"
                + "From: Alice Example <alice@example.org>\r\nSubject: Lunch tomorrow\r\n\r\n BODY[] {"
                + octets(Messages.SIMPLE) + "}\r\n" + Messages.SIMPLE + ")\r\n"), out);
        assertTrue(out.endsWith(body + ")\r\na7 OK UID FETCH completed\r\n"), out);
    }

    @Test
    void bodystructureOfRealWorldMessages() {
        appendAll();
        t.send("s SELECT INBOX");
        t.expect("f1 FETCH 3 (BODYSTRUCTURE ENVELOPE)",
                "\\* 3 FETCH \\(BODYSTRUCTURE \\(\\(\\(\"text\" \"plain\" \\(\"charset\" \"UTF-8\"\\) NIL NIL "
                        + "\"quoted-printable\" \\d+ \\d+ NIL NIL NIL NIL\\)\\(\"text\" \"html\" \\(\"charset\" \"UTF-8\"\\) "
                        + "NIL NIL \"7bit\" \\d+ \\d+ NIL NIL NIL NIL\\) \"alternative\" \\(\"boundary\" \"inner\"\\) NIL NIL "
                        + "NIL\\)\\(\"application\" \"pdf\" \\(\"name\" \"report.pdf\"\\) NIL \"The report\" \"base64\" \\d+ "
                        + "NIL \\(\"attachment\" \\(\"filename\" \"report.pdf\"\\)\\) NIL NIL\\) \"mixed\" "
                        + "\\(\"boundary\" \"outer\"\\) NIL NIL NIL\\) "
                        + "ENVELOPE \\(\"Wed, 6 Mar 2024 09:30:00 \\+0000\" \"=\\?UTF-8\\?Q\\?Quarterly_r=C3=A9sum=C3=A9\\?=\" "
                        + "\\(\\(\"Carol Q. Sender\" NIL \"carol\" \"example.com\"\\)\\) .* "
                        + "\\(\\(NIL NIL \"alice\" \"example.org\"\\)\\(\"Dave\" NIL \"dave\" \"example.net\"\\)\\) "
                        + "\\(\\(NIL NIL \"team\" NIL\\)\\(NIL NIL \"eve\" \"example.org\"\\)\\(NIL NIL \"frank\" "
                        + "\"example.org\"\\)\\(NIL NIL NIL NIL\\)\\) NIL NIL \"<q1@example.com>\"\\)\\)",
                "f1 OK FETCH completed");
        t.expect("f2 FETCH 4 BODY",
                "\\* 4 FETCH \\(BODY \\(\\(\"text\" \"plain\" \\(\"charset\" \"us-ascii\"\\) NIL NIL \"7bit\" \\d+ \\d+\\)\\(\"message\" \"rfc822\" NIL "
                        + "NIL NIL \"7bit\" \\d+ \\(\"Tue, 5 Mar 2024 14:05:00 \\+0100\" \"Lunch tomorrow\" .*\\) "
                        + "\\(\"text\" \"plain\" \\(\"charset\" \"us-ascii\"\\) NIL NIL \"7bit\" 22 \\d+\\) \\d+\\) \"mixed\"\\)\\)",
                "f2 OK FETCH completed");
        String out = t.send("f3 FETCH 4 (BODY.PEEK[2.HEADER.FIELDS (SUBJECT)] BODY.PEEK[2.TEXT] BODY.PEEK[1.MIME])");
        assertTrue(out.contains("BODY[2.HEADER.FIELDS (SUBJECT)] {27}\r\nSubject: Lunch tomorrow\r\n\r\n"), out);
        assertTrue(out.contains("BODY[2.TEXT] {22}\r\nShall we meet at noon? BODY"), out);
        assertTrue(out.contains("BODY[1.MIME] {28}\r\nContent-Type: text/plain\r\n\r\n"), out);
        out = t.send("f4 FETCH 3 (BINARY.PEEK[1.1] BINARY.SIZE[1.1] BINARY.PEEK[2]<0.4> BODY.PEEK[1.2])");
        assertTrue(out.contains("BINARY[1.1] {21}\r\nCaf\u00e9 numbers are up. BINARY.SIZE"), out);
        assertTrue(out.contains("BINARY.SIZE[1.1] 21"), out);
        assertTrue(out.contains("BINARY[2]<0> {4}\r\n%PDF"), out);
        assertTrue(out.contains("BODY[1.2] {34}\r\n<p>Caf&eacute; numbers are up.</p>)\r\n"), out);
        t.expect("f5 FETCH 4 BODY.PEEK[9]", "\\* 4 FETCH \\(BODY\\[9\\] \"\"\\)", "f5 OK FETCH completed");
    }

    @Test
    void storeFlagsAndCondstore() {
        appendAll();
        t.send("s SELECT INBOX");
        t.expect("s1 STORE 1:2 +FLAGS (\\Flagged $Later)",
                "\\* FLAGS \\(\\\\Answered \\\\Flagged \\\\Deleted \\\\Seen \\\\Draft \\$Later \\$Work\\)",
                "\\* OK \\[PERMANENTFLAGS \\(.* \\$Later \\$Work \\\\\\*\\)\\] Flags permitted",
                "\\* 1 FETCH \\(FLAGS \\(\\$Later \\\\Flagged \\\\Seen \\\\Recent\\)\\)",
                "\\* 2 FETCH \\(FLAGS \\(\\$Later \\\\Flagged \\\\Recent\\)\\)",
                "s1 OK STORE completed");
        t.expect("s2 STORE 1 -FLAGS.SILENT (\\Flagged)", "s2 OK STORE completed");
        t.expect("s3 UID STORE 2 FLAGS (\\Answered)",
                "\\* 2 FETCH \\(UID 2 FLAGS \\(\\\\Answered \\\\Recent\\)\\)", "s3 OK UID STORE completed");
        t.expect("s4 FETCH 1 (FLAGS MODSEQ)", "\\* 1 FETCH \\(FLAGS \\(\\$Later \\\\Seen \\\\Recent\\) MODSEQ \\((\\d+)\\)\\)",
                "s4 OK FETCH completed");
        t.expect("s5 STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Deleted)", "s5 OK \\[MODIFIED 1\\] STORE completed");
        t.expect("s6 STORE 2 (UNCHANGEDSINCE 999999) +FLAGS.SILENT (\\Deleted)",
                "\\* 2 FETCH \\(MODSEQ \\(\\d+\\)\\)", "s6 OK STORE completed");
        t.expect("s7 FETCH 1:* (FLAGS) (CHANGEDSINCE 999999)", "s7 OK FETCH completed");
        t.expect("s8 STORE 1 +FLAGS (\\Bogus)", "s8 BAD Unknown system flag: \\\\Bogus");
        t.expect("s9 STORE 9 +FLAGS (\\Seen)", "s9 BAD Invalid message sequence number: 9");
    }

    @Test
    void searchAndEsearch() {
        appendAll();
        t.send("s SELECT INBOX");
        t.expect("q1 SEARCH ALL", "\\* SEARCH 1 2 3 4", "q1 OK SEARCH completed");
        t.expect("q2 SEARCH SEEN", "\\* SEARCH 1", "q2 OK SEARCH completed");
        t.expect("q3 SEARCH UNSEEN KEYWORD $Work", "\\* SEARCH 3", "q3 OK SEARCH completed");
        t.expect("q4 SEARCH SUBJECT lunch", "\\* SEARCH 1 2 4", "q4 OK SEARCH completed");
        t.expect("q5 SEARCH CHARSET UTF-8 SUBJECT {8+}\r\nr\u00e9sum\u00e9", "\\* SEARCH 3", "q5 OK SEARCH completed");
        t.expect("q6 SEARCH BODY caf\u00e9", "\\* SEARCH 3", "q6 OK SEARCH completed");
        t.expect("q7 UID SEARCH OR FROM bob TO dave", "\\* SEARCH 2 3", "q7 OK UID SEARCH completed");
        t.expect("q8 SEARCH NOT (SUBJECT lunch) SENTSINCE 6-Mar-2024", "\\* SEARCH 3", "q8 OK SEARCH completed");
        t.expect("q9 SEARCH HEADER Message-ID <lunch-2@example.org>", "\\* SEARCH 2", "q9 OK SEARCH completed");
        t.expect("q10 SEARCH LARGER " + (octets(Messages.ALTERNATIVE) - 1), "\\* SEARCH 3", "q10 OK SEARCH completed");
        t.expect("q11 SEARCH 2:3 TEXT noon", "\\* SEARCH 2", "q11 OK SEARCH completed");
        t.expect("q12 SEARCH RETURN (MIN MAX COUNT ALL) SUBJECT lunch",
                "\\* ESEARCH \\(TAG \"q12\"\\) MIN 1 MAX 4 ALL 1:2,4 COUNT 3", "q12 OK SEARCH completed");
        t.expect("q13 UID SEARCH RETURN () NEW", "\\* ESEARCH \\(TAG \"q13\"\\) UID ALL 2:4",
                "q13 OK UID SEARCH completed");
        t.expect("q14 SEARCH RETURN (SAVE) FROM alice", "q14 OK SEARCH completed");
        t.expect("q15 FETCH $ UID", "\\* 1 FETCH \\(UID 1\\)", "q15 OK FETCH completed");
        t.expect("q16 SEARCH RETURN (COUNT) DELETED", "\\* ESEARCH \\(TAG \"q16\"\\) COUNT 0", "q16 OK SEARCH completed");
        t.expect("q17 SEARCH CHARSET KOI8-R ALL", "q17 NO \\[BADCHARSET \\(UTF-8 US-ASCII\\)\\] Unsupported charset");
        t.expect("q18 SEARCH MODSEQ 1", "\\* SEARCH 1 2 3 4 \\(MODSEQ \\d+\\)", "q18 OK SEARCH completed");
        t.expect("q19 SEARCH YOUNGER 3600", "\\* SEARCH 2 3 4", "q19 OK SEARCH completed");
    }

    @Test
    void sortAndThread() {
        appendAll();
        t.send("s SELECT INBOX");
        t.expect("o1 SORT (SUBJECT) UTF-8 ALL", "\\* SORT 1 2 4 3", "o1 OK SORT completed");
        t.expect("o2 SORT (REVERSE DATE) UTF-8 ALL", "\\* SORT 4 3 2 1", "o2 OK SORT completed");
        t.expect("o3 UID SORT (SIZE) US-ASCII NOT SEEN", "\\* SORT \\d \\d \\d", "o3 OK UID SORT completed");
        t.expect("o3a SORT (DISPLAYTO) UTF-8 ALL", "\\* SORT 2 3 4 1", "o3a OK SORT completed");
        t.expect("o4 THREAD ORDEREDSUBJECT UTF-8 ALL", "\\* THREAD \\(1 \\(2\\)\\(4\\)\\)\\(3\\)",
                "o4 OK THREAD completed");
        // 1 <- 2 by references; 4 (Fwd: Lunch tomorrow) joins that thread by subject (RFC 5256 step 5)
        t.expect("o5 THREAD REFERENCES UTF-8 ALL", "\\* THREAD \\(1 \\(2\\)\\(4\\)\\)\\(3\\)", "o5 OK THREAD completed");
        append("INBOX", "", Messages.crlf("""
                Date: Fri, 8 Mar 2024 10:00:00 +0000
                Subject: Re: Quarterly =?UTF-8?Q?r=C3=A9sum=C3=A9?=
                Message-ID: <q2@example.com>

                Thanks!
                """));
        append("INBOX", "", Messages.crlf("""
                Date: Sat, 9 Mar 2024 10:00:00 +0000
                Subject: unrelated
                In-Reply-To: <missing@example.com>
                Message-ID: <u1@example.com>

                x
                """));
        t.expect("o6 UID THREAD REFERENCES UTF-8 ALL",
                "\\* THREAD \\(1 \\(2\\)\\(4\\)\\)\\(3 5\\)\\(6\\)", "o6 OK UID THREAD completed");
    }

    @Test
    void expungeCopyMove() {
        appendAll();
        t.send("s SELECT INBOX");
        t.expect("e1 COPY 1:2 Trash", "e1 OK \\[COPYUID \\d+ 1:2 1:2\\] COPY completed");
        t.expect("e2 COPY 1 Nowhere", "e2 NO \\[TRYCREATE\\] .*");
        t.expect("e3 STORE 2:3 +FLAGS.SILENT (\\Deleted)", "e3 OK STORE completed");
        t.expect("e4 EXPUNGE", "\\* 2 EXPUNGE", "\\* 2 EXPUNGE", "e4 OK EXPUNGE completed");
        t.expect("e5 UID MOVE 4 Archive", "\\* OK \\[COPYUID \\d+ 4 1\\] Moved", "\\* 2 EXPUNGE",
                "e5 OK UID MOVE completed");
        t.expect("e6 STATUS Trash (MESSAGES UIDNEXT UNSEEN SIZE)",
                "\\* STATUS \"Trash\" \\(MESSAGES 2 UIDNEXT 3 UNSEEN 1 SIZE \\d+\\)", "e6 OK STATUS completed");
        t.expect("e7 STORE 1 +FLAGS.SILENT (\\Deleted)", "e7 OK STORE completed");
        t.expect("e8 UID EXPUNGE 2:*", "\\* 1 EXPUNGE", "e8 OK UID EXPUNGE completed");
        t.expect("e9 CLOSE", "e9 OK CLOSE completed");
        t.expect("e10 EXAMINE INBOX", "\\* FLAGS .*", "\\* OK \\[PERMANENTFLAGS \\(\\)\\] .*", "\\* 0 EXISTS",
                "\\* 0 RECENT", "\\* OK \\[UIDVALIDITY .*", "\\* OK \\[UIDNEXT 5\\].*", "\\* OK \\[HIGHESTMODSEQ.*",
                "e10 OK \\[READ-ONLY\\] EXAMINE completed");
        t.expect("e11 EXPUNGE", "e11 NO \\[READ-ONLY\\] Mailbox is read-only");
        t.expect("e12 UNSELECT", "e12 OK UNSELECT completed");
    }

    @Test
    void mailboxManagementAndNames() {
        t.expect("m1 CREATE \"Projekte/&AOQ-rger\"", "m1 OK CREATE completed");
        t.expect("m2 CREATE Projekte", "m2 NO \\[ALREADYEXISTS\\] .*");
        t.expect("m3 LIST \"\" Projekte/%", "\\* LIST \\(\\\\HasNoChildren\\) \"/\" \"Projekte/&AOQ-rger\"",
                "m3 OK LIST completed");
        t.expect("m4 CREATE \"bad&name\"", "m4 BAD Invalid mailbox name: .*");
        t.expect("m5 RENAME \"Projekte/&AOQ-rger\" \"Projekte/Freude\"", "m5 OK RENAME completed");
        t.expect("m6 SUBSCRIBE Projekte/Freude", "m6 OK SUBSCRIBE completed");
        t.expect("m7 LSUB \"\" Proj*", "\\* LSUB \\(\\) \"/\" \"Projekte/Freude\"", "m7 OK LSUB completed");
        t.expect("m8 LIST (SUBSCRIBED) \"\" * RETURN (CHILDREN)",
                "\\* LIST \\(\\\\HasNoChildren \\\\Archive \\\\Subscribed\\) \"/\" \"Archive\"",
                "\\* LIST .* \"Drafts\"", "\\* LIST .* \"INBOX\"", "\\* LIST .* \"Junk\"",
                "\\* LIST \\(\\\\HasNoChildren \\\\Subscribed\\) \"/\" \"Projekte/Freude\"",
                "\\* LIST .* \"Sent\"", "\\* LIST .* \"Trash\"", "m8 OK LIST completed");
        t.expect("m9 LIST (SPECIAL-USE) \"\" * RETURN (STATUS (MESSAGES))",
                "\\* LIST \\(\\\\HasNoChildren \\\\Archive\\) \"/\" \"Archive\"", "\\* STATUS \"Archive\" \\(MESSAGES 0\\)",
                "\\* LIST .* \"Drafts\"", "\\* STATUS \"Drafts\" .*", "\\* LIST .* \"Junk\"", "\\* STATUS \"Junk\" .*",
                "\\* LIST .* \"Sent\"", "\\* STATUS \"Sent\" .*", "\\* LIST .* \"Trash\"", "\\* STATUS \"Trash\" .*",
                "m9 OK LIST completed");
        t.expect("m10 LIST \"\" \"\"", "\\* LIST \\(\\\\Noselect\\) \"/\" \"\"", "m10 OK LIST completed");
        t.expect("m11 DELETE Projekte/Freude", "m11 OK DELETE completed");
        t.expect("m12 DELETE INBOX", "m12 NO \\[CANNOT\\] .*");
        t.expect("m13 DELETE Nowhere", "m13 NO \\[NONEXISTENT\\] .*");
        t.expect("m14 NAMESPACE", "\\* NAMESPACE \\(\\(\"\" \"/\"\\)\\) NIL NIL", "m14 OK NAMESPACE completed");
        t.expect("m15 ENABLE UTF8=ACCEPT", "\\* ENABLED UTF8=ACCEPT", "m15 OK ENABLE completed");
        t.expect("m16 CREATE \"\u00dcbersicht\"", "m16 OK CREATE completed");
        t.expect("m17 LIST \"\" \u00dc*", "\\* LIST \\(\\\\HasNoChildren\\) \"/\" \"\u00dcbersicht\"",
                "m17 OK LIST completed");
        t.expect("m18 CREATE Sent/Old", "m18 OK CREATE completed");
        t.expect("m19 LIST \"\" Sent", "\\* LIST \\(\\\\HasChildren \\\\Sent\\) \"/\" \"Sent\"", "m19 OK LIST completed");
        t.expect("m20 CREATE a/b/c", "m20 OK CREATE completed");
        t.expect("m21 DELETE a/b", "m21 OK DELETE completed");
        t.expect("m22 LIST \"\" a/%", "\\* LIST \\(\\\\Noselect \\\\HasChildren\\) \"/\" \"a/b\"",
                "m22 OK LIST completed");
        t.expect("m23 LIST \"a/\" %", "\\* LIST \\(\\\\Noselect \\\\HasChildren\\) \"/\" \"a/b\"",
                "m23 OK LIST completed");
        t.expect("m24 LIST \"\" a/b/*", "\\* LIST \\(\\\\HasNoChildren\\) \"/\" \"a/b/c\"", "m24 OK LIST completed");
        t.expect("m25 SUBSCRIBE a/b/c", "m25 OK SUBSCRIBE completed");
        t.expect("m26 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" a/%",
                "\\* LIST \\(\\\\Noselect \\\\HasChildren\\) \"/\" \"a/b\" \\(\"CHILDINFO\" \\(\"SUBSCRIBED\"\\)\\)",
                "m26 OK LIST completed");
        t.expect("m27 DELETE a/b/c", "m27 OK DELETE completed");
        t.expect("m28 LIST (SUBSCRIBED) \"\" a/*",
                "\\* LIST \\(\\\\NonExistent \\\\Subscribed\\) \"/\" \"a/b/c\"", "m28 OK LIST completed");
    }

    @Test
    void appendErrorsAndMultiappend() {
        t.expect("p1 APPEND Nowhere {3+}\r\nabc", "p1 NO \\[TRYCREATE\\] .*");
        t.write("p2 APPEND INBOX (\\Seen) {" + octets(Messages.SIMPLE) + "+}\r\n" + Messages.SIMPLE + " {"
                + octets(Messages.REPLY) + "+}\r\n" + Messages.REPLY + "\r\n");
        t.expectNow("p2 OK \\[APPENDUID \\d+ 1:2\\] APPEND completed");
        t.expect("p3 STATUS INBOX (MESSAGES UNSEEN)", "\\* STATUS \"INBOX\" \\(MESSAGES 2 UNSEEN 1\\)",
                "p3 OK STATUS completed");
        t.expect("p4 APPEND INBOX {99999999999}", "p4 NO \\[TOOBIG\\] .*");
        t.expect("p5 NOOP", "p5 OK NOOP completed");
    }
}
