package io.pillarbox.imap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandParserTest {

    @ParameterizedTest
    @ValueSource(strings = {"CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "CHECK", "CLOSE", "UNSELECT", "IDLE",
        "EXPUNGE", "NAMESPACE", "noop", "Capability"})
    void simpleCommands(String name) {
        Command c = Wire.parse("a1 " + name + "\r\n");
        assertInstanceOf(Command.Simple.class, c);
        assertEquals("a1", c.tag());
        assertEquals(name.toUpperCase(), c.name());
    }

    @Test
    void simpleCommandsRejectArguments() {
        assertTrue(Wire.bad("a NOOP x\r\n").contains("end of the command"));
    }

    @Test
    void loginWithAtomsQuotedAndLiterals() {
        Command.Login l = (Command.Login) Wire.parse("a LOGIN alice \"p a\\\"s\\\\s\"\r\n");
        assertEquals("alice", l.user());
        assertEquals("p a\"s\\s", l.password());
        l = (Command.Login) Wire.parse("a LOGIN {5}\r\nalice {3}\r\n\"x)\r\n");
        assertEquals("alice", l.user());
        assertEquals("\"x)", l.password());
        l = (Command.Login) Wire.parse("a LOGIN \"j\u00fcrgen\" x\r\n");
        assertEquals("j\u00fcrgen", l.user());
    }

    @Test
    void badLogins() {
        assertTrue(Wire.bad("a LOGIN\r\n").contains("Missing"));
        Wire.bad("a LOGIN alice\r\n");
        Wire.bad("a LOGIN alice \"unterminated\r\n");
        Wire.bad("a LOGIN alice \"bad\\escape\"\r\n");
        Wire.bad("a LOGIN alice  pw\r\n");
        Wire.bad("a LOGIN (alice) pw\r\n");
    }

    @Test
    void tags() {
        assertEquals("*", CommandParser.parse(Wire.raw("NOOP\r\n")).tag());
        assertEquals("*", CommandParser.parse(Wire.raw("+ NOOP\r\n")).tag());
        assertEquals("*", CommandParser.parse(Wire.raw("\r\n")).tag());
        assertEquals("x.1]", Wire.parse("x.1] NOOP\r\n").tag());
        assertTrue(Wire.bad("t FROB\r\n").contains("Unknown command"));
    }

    @Test
    void authenticate() {
        Command.Authenticate a = (Command.Authenticate) Wire.parse("a AUTHENTICATE plain\r\n");
        assertEquals("PLAIN", a.mechanism());
        assertNull(a.initialResponse());
        a = (Command.Authenticate) Wire.parse("a AUTHENTICATE PLAIN AGFsaWNlAHB3\r\n");
        assertEquals("AGFsaWNlAHB3", a.initialResponse());
        a = (Command.Authenticate) Wire.parse("a AUTHENTICATE PLAIN =\r\n");
        assertEquals("=", a.initialResponse());
        Wire.bad("a AUTHENTICATE PLAIN a*b\r\n");
    }

    @Test
    void enable() {
        assertEquals(List.of("CONDSTORE", "UTF8=ACCEPT"),
                ((Command.Enable) Wire.parse("a ENABLE condstore UTF8=ACCEPT\r\n")).capabilities());
        Wire.bad("a ENABLE\r\n");
    }

    @Test
    void selectWithParameters() {
        Command.Select s = (Command.Select) Wire.parse("a SELECT inbox\r\n");
        assertEquals("inbox", s.mailbox());
        assertFalse(s.readOnly());
        s = (Command.Select) Wire.parse("a EXAMINE \"Sent Items\" (CONDSTORE)\r\n");
        assertTrue(s.readOnly());
        assertTrue(s.condstore());
        s = (Command.Select) Wire.parse("a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n");
        assertEquals(67890007L, s.qresync().uidValidity());
        assertEquals(20050715194045000L, s.qresync().modSeq());
        assertEquals("41,43:211,214:541", s.qresync().knownUids().toString());
        s = (Command.Select) Wire.parse("a SELECT INBOX (QRESYNC (1 2 1:10 (1,5 3,9)))\r\n");
        assertEquals("1,5", s.qresync().seqMatch().toString());
        assertEquals("3,9", s.qresync().uidMatch().toString());
        Wire.bad("a SELECT INBOX (FOO)\r\n");
        Wire.bad("a SELECT INBOX (QRESYNC (0 1))\r\n");
    }

    @Test
    void mailboxCommands() {
        Command.Create c = (Command.Create) Wire.parse("a CREATE \"a/b\" (USE (\\Drafts))\r\n");
        assertEquals("a/b", c.mailbox());
        assertEquals(List.of("\\Drafts"), c.use());
        assertEquals("DELETE", Wire.parse("a delete foo\r\n").name());
        assertEquals("foo", ((Command.MailboxCmd) Wire.parse("a SUBSCRIBE foo\r\n")).mailbox());
        Command.Rename r = (Command.Rename) Wire.parse("a RENAME foo {3}\r\nbar\r\n");
        assertEquals("bar", r.to());
        Wire.bad("a RENAME foo\r\n");
        Wire.bad("a DELETE\r\n");
    }

    @Test
    void listForms() {
        Command.ListCmd l = (Command.ListCmd) Wire.parse("a LIST \"\" *\r\n");
        assertEquals("", l.reference());
        assertEquals(List.of("*"), l.patterns());
        l = (Command.ListCmd) Wire.parse("a LIST \"\" %/foo]\r\n");
        assertEquals(List.of("%/foo]"), l.patterns());
        l = (Command.ListCmd) Wire.parse(
                "a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX \"Sent*\") RETURN (CHILDREN STATUS (MESSAGES UNSEEN))\r\n");
        assertEquals(Set.of("SUBSCRIBED", "RECURSIVEMATCH"), l.selection());
        assertEquals(List.of("INBOX", "Sent*"), l.patterns());
        assertEquals(Set.of("CHILDREN"), l.returns());
        assertEquals(List.of("MESSAGES", "UNSEEN"), l.statusItems());
        l = (Command.ListCmd) Wire.parse("a LIST () \"\" % RETURN ()\r\n");
        assertTrue(l.selection().isEmpty());
        l = (Command.ListCmd) Wire.parse("a LSUB \"\" *\r\n");
        assertTrue(l.lsub());
        Wire.bad("a LIST (RECURSIVEMATCH) \"\" *\r\n");
        Wire.bad("a LIST (BOGUS) \"\" *\r\n");
        Wire.bad("a LIST \"\" * RETURN (BOGUS)\r\n");
        Wire.bad("a LIST \"\"\r\n");
    }

    @Test
    void status() {
        Command.Status s = (Command.Status) Wire.parse("a STATUS INBOX (MESSAGES UIDNEXT SIZE HIGHESTMODSEQ)\r\n");
        assertEquals(List.of("MESSAGES", "UIDNEXT", "SIZE", "HIGHESTMODSEQ"), s.items());
        Wire.bad("a STATUS INBOX ()\r\n");
        Wire.bad("a STATUS INBOX (FOO)\r\n");
        Wire.bad("a STATUS INBOX MESSAGES\r\n");
    }

    @Test
    void appendAndMultiappend() {
        Command.Append a = (Command.Append) Wire.parse(
                "a APPEND Sent (\\Seen $Label) \" 5-Mar-2024 14:05:00 +0100\" {5+}\r\nhello\r\n");
        assertEquals(1, a.messages().size());
        Command.AppendMessage m = a.messages().get(0);
        assertEquals(List.of("\\Seen", "$Label"), m.flags());
        assertEquals(Instant.parse("2024-03-05T13:05:00Z"), m.date());
        assertEquals("hello", m.content().text());
        a = (Command.Append) Wire.parse("a APPEND INBOX {1+}\r\nx () {1+}\r\ny UTF8 (~{1+}\r\nz)\r\n");
        assertEquals(3, a.messages().size());
        assertEquals("z", a.messages().get(2).content().text());
        Wire.bad("a APPEND INBOX \"bad date\" {1+}\r\nx\r\n");
        Wire.bad("a APPEND INBOX \"31-Feb-2024 00:00:00 +0000\" {1+}\r\nx\r\n");
        Wire.bad("a APPEND INBOX hello\r\n");
        Wire.bad("a APPEND INBOX\r\n");
    }

    @Test
    void sequenceSets() {
        Command.Fetch f = (Command.Fetch) Wire.parse("a FETCH 1:3,5,7:*,*:9 FLAGS\r\n");
        SequenceSet s = f.set();
        assertEquals(4, s.ranges().size());
        assertTrue(s.contains(2, 20));
        assertFalse(s.contains(4, 20));
        assertTrue(s.contains(20, 20));
        assertTrue(s.contains(9, 20));
        assertTrue(((Command.Fetch) Wire.parse("a FETCH $ FLAGS\r\n")).set().saved());
        // n:* with n above the maximum still names the maximum
        assertTrue(((Command.Fetch) Wire.parse("a UID FETCH 100:* FLAGS\r\n")).set().contains(50, 50));
        Wire.bad("a FETCH 0 FLAGS\r\n");
        Wire.bad("a FETCH 1: FLAGS\r\n");
        Wire.bad("a FETCH 1,,2 FLAGS\r\n");
        Wire.bad("a FETCH a FLAGS\r\n");
        Wire.bad("a FETCH 99999999999 FLAGS\r\n");
        assertEquals("1:3,7,9:10", SequenceSet.format(List.of(1L, 2L, 3L, 7L, 9L, 10L)));
    }

    @Test
    void fetchItems() {
        Command.Fetch f = (Command.Fetch) Wire.parse("a FETCH 1 ALL\r\n");
        assertEquals(4, f.items().size());
        f = (Command.Fetch) Wire.parse("a FETCH 1 FAST\r\n");
        assertEquals(3, f.items().size());
        f = (Command.Fetch) Wire.parse("a FETCH 1 full\r\n");
        assertEquals(5, f.items().size());
        f = (Command.Fetch) Wire.parse("a UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To "
                + "Subject)] BODY[]<0.100> BINARY.PEEK[1.2] BINARY.SIZE[1] BODY[1.2.MIME] BODY[TEXT] MODSEQ "
                + "BODYSTRUCTURE BODY ENVELOPE INTERNALDATE RFC822.HEADER RFC822.TEXT RFC822 BODY[2.HEADER.FIELDS.NOT "
                + "(X-Spam)])\r\n");
        assertTrue(f.uid());
        assertEquals(18, f.items().size());
        FetchItem.Section hf = (FetchItem.Section) f.items().get(3);
        assertTrue(hf.peek());
        assertEquals(FetchItem.Spec.HEADER_FIELDS, hf.spec());
        assertEquals(List.of("FROM", "TO", "SUBJECT"), hf.fields());
        assertEquals("HEADER.FIELDS (From To Subject)", hf.label());
        FetchItem.Section all = (FetchItem.Section) f.items().get(4);
        assertEquals(0, all.start());
        assertEquals(100, all.length());
        assertEquals("", all.label());
        FetchItem.Section bin = (FetchItem.Section) f.items().get(5);
        assertTrue(bin.binary());
        assertArrayEquals(new int[]{1, 2}, bin.part());
        FetchItem.Section mime = (FetchItem.Section) f.items().get(7);
        assertEquals(FetchItem.Spec.MIME, mime.spec());
        assertEquals("1.2.MIME", mime.label());
        FetchItem.Section not = (FetchItem.Section) f.items().get(17);
        assertEquals(FetchItem.Spec.HEADER_FIELDS_NOT, not.spec());
        assertArrayEquals(new int[]{2}, not.part());
        f = (Command.Fetch) Wire.parse("a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n");
        assertEquals(12345, f.changedSince());
        assertTrue(f.vanished());
    }

    @Test
    void badFetches() {
        Wire.bad("a FETCH 1\r\n");
        Wire.bad("a FETCH 1 ()\r\n");
        Wire.bad("a FETCH 1 (FLAGS\r\n");
        Wire.bad("a FETCH 1 BODY[MIME]\r\n");
        Wire.bad("a FETCH 1 BODY[HEADER.FIELDS]\r\n");
        Wire.bad("a FETCH 1 BODY[HEADER.FIELDS ()]\r\n");
        Wire.bad("a FETCH 1 BODY[FOO]\r\n");
        Wire.bad("a FETCH 1 BODY[1.]\r\n");
        Wire.bad("a FETCH 1 BODY[]<0>\r\n");
        Wire.bad("a FETCH 1 BODY[]<0.0>\r\n");
        Wire.bad("a FETCH 1 BINARY[HEADER]\r\n");
        Wire.bad("a FETCH 1 XYZZY\r\n");
        Wire.bad("a FETCH 1 FLAGS (VANISHED)\r\n");
        Wire.bad("a FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)\r\n");
    }

    @Test
    void store() {
        Command.Store s = (Command.Store) Wire.parse("a STORE 1:2 +FLAGS.SILENT (\\Deleted $Junk)\r\n");
        assertEquals(Command.StoreOp.ADD, s.op());
        assertTrue(s.silent());
        assertEquals(List.of("\\Deleted", "$Junk"), s.flags());
        s = (Command.Store) Wire.parse("a UID STORE 7 (UNCHANGEDSINCE 320162338) -FLAGS \\Seen \\Flagged\r\n");
        assertEquals(320162338L, s.unchangedSince());
        assertEquals(Command.StoreOp.REMOVE, s.op());
        assertEquals(List.of("\\Seen", "\\Flagged"), s.flags());
        s = (Command.Store) Wire.parse("a STORE 1 FLAGS ()\r\n");
        assertEquals(Command.StoreOp.REPLACE, s.op());
        assertTrue(s.flags().isEmpty());
        Wire.bad("a STORE 1 +FLAGS (\\Recent)\r\n");
        Wire.bad("a STORE 1 LABELS (x)\r\n");
        Wire.bad("a STORE 1 +FLAGS\r\n");
    }

    @Test
    void copyMoveExpunge() {
        Command.Copy c = (Command.Copy) Wire.parse("a UID MOVE 1:* Trash\r\n");
        assertTrue(c.uid());
        assertTrue(c.move());
        assertEquals("UID MOVE", c.name());
        c = (Command.Copy) Wire.parse("a COPY 2 \"Other\"\r\n");
        assertFalse(c.move());
        assertEquals("4:6", ((Command.UidExpunge) Wire.parse("a UID EXPUNGE 4:6\r\n")).set().toString());
        Wire.bad("a UID FROB 1\r\n");
        Wire.bad("a UID EXPUNGE\r\n");
    }

    @Test
    void searchGrammar() {
        Command.Search s = (Command.Search) Wire.parse(
                "a SEARCH CHARSET UTF-8 OR FROM alice (TO bob SUBJECT \"hi there\") NOT DELETED 1:5 UID 3:* "
                        + "SINCE 1-Feb-1994 SENTBEFORE \"12-Dec-2020\" LARGER 100 HEADER X-Foo bar KEYWORD $x "
                        + "MODSEQ \"/flags/\\\\draft\" all 620162338 NEW OLD RECENT BODY b TEXT t YOUNGER 60\r\n");
        assertEquals("UTF-8", s.charset());
        assertNull(s.returns());
        SearchKey.And and = (SearchKey.And) s.key();
        assertInstanceOf(SearchKey.Or.class, and.keys().get(0));
        SearchKey.Or or = (SearchKey.Or) and.keys().get(0);
        assertEquals(new SearchKey.Header("FROM", "alice"), or.a());
        assertInstanceOf(SearchKey.And.class, or.b());
        assertEquals(new SearchKey.Not(new SearchKey.Flag("\\Deleted", true)), and.keys().get(1));
        assertInstanceOf(SearchKey.Set.class, and.keys().get(2));
        assertTrue(((SearchKey.Set) and.keys().get(3)).uid());
        assertEquals(new SearchKey.Date(SearchKey.DateOp.SINCE, LocalDate.of(1994, 2, 1), false), and.keys().get(4));
        assertEquals(new SearchKey.Date(SearchKey.DateOp.BEFORE, LocalDate.of(2020, 12, 12), true),
                and.keys().get(5));
        assertEquals(new SearchKey.Header("X-FOO", "bar"), and.keys().get(7));
        assertEquals(new SearchKey.ModSeq(620162338L), and.keys().get(9));
        s = (Command.Search) Wire.parse("a UID SEARCH RETURN (MIN MAX COUNT SAVE) $\r\n");
        assertEquals(Set.of("MIN", "MAX", "COUNT", "SAVE"), s.returns());
        assertTrue(((SearchKey.Set) s.key()).set().saved());
        s = (Command.Search) Wire.parse("a SEARCH RETURN () ALL\r\n");
        assertTrue(s.returns().isEmpty());
        s = (Command.Search) Wire.parse("a SEARCH SUBJECT {3}\r\nt\u00e4\r\n");
        assertEquals(new SearchKey.Header("SUBJECT", "t\u00e4"), s.key());
    }

    @Test
    void badSearches() {
        Wire.bad("a SEARCH\r\n");
        Wire.bad("a SEARCH FOO\r\n");
        Wire.bad("a SEARCH (ALL\r\n");
        Wire.bad("a SEARCH OR ALL\r\n");
        Wire.bad("a SEARCH NOT\r\n");
        Wire.bad("a SEARCH SINCE 31-Foo-2020\r\n");
        Wire.bad("a SEARCH SINCE 30-Feb-2020\r\n");
        Wire.bad("a SEARCH LARGER x\r\n");
        Wire.bad("a SEARCH RETURN (FOO) ALL\r\n");
        Wire.bad("a SEARCH MODSEQ \"/x\" bogus 5\r\n");
        Wire.bad("a SEARCH " + "NOT ".repeat(60) + "ALL\r\n");
    }

    @Test
    void idSortThreadCompress() {
        Command.Id id = (Command.Id) Wire.parse("a ID (\"name\" \"mutt\" \"version\" NIL)\r\n");
        assertEquals("mutt", id.params().get("name"));
        assertTrue(id.params().containsKey("version"));
        assertNull(((Command.Id) Wire.parse("a ID NIL\r\n")).params());
        assertEquals(Map.of(), ((Command.Id) Wire.parse("a ID ()\r\n")).params());
        Command.Sort s = (Command.Sort) Wire.parse("a UID SORT (REVERSE DATE SUBJECT) UTF-8 ALL\r\n");
        assertEquals(2, s.criteria().size());
        assertTrue(s.criteria().get(0).reverse());
        Command.Thread t = (Command.Thread) Wire.parse("a THREAD REFERENCES US-ASCII SINCE 1-Jan-2020\r\n");
        assertEquals("REFERENCES", t.algorithm());
        assertEquals("DEFLATE", ((Command.Compress) Wire.parse("a COMPRESS deflate\r\n")).mechanism());
        Wire.bad("a SORT (BOGUS) UTF-8 ALL\r\n");
        Wire.bad("a THREAD FOO UTF-8 ALL\r\n");
        Wire.bad("a ID (\"a\")\r\n");
    }

    @Test
    void literalMarkerMisplaced() {
        // a literal marker must end the line
        Wire.bad("a LOGIN {5} x\r\n");
    }
}
