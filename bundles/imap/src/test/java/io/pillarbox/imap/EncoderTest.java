package io.pillarbox.imap;

import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.mime.MessageParser;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncoderTest {

    static String render(Out o) {
        return Out.render(o.drain());
    }

    @Test
    void modifiedUtf7RoundTrips() {
        assertEquals("&AOQ-rger", MUtf7.encode("\u00e4rger"));
        assertEquals("Entw&APw-rfe", MUtf7.encode("Entw\u00fcrfe"));
        assertEquals("&-", MUtf7.encode("&"));
        assertEquals("~peter/mail/&U,BTFw-/&ZeVnLIqe-", MUtf7.encode("~peter/mail/\u53f0\u5317/\u65e5\u672c\u8a9e"));
        assertEquals("\u53f0\u5317", MUtf7.decode("&U,BTFw-"));
        assertEquals("a&b", MUtf7.decode("a&-b"));
        assertEquals("\ud83d\ude00", MUtf7.decode(MUtf7.encode("\ud83d\ude00")));
        assertThrows(IllegalArgumentException.class, () -> MUtf7.decode("&AOQ"));
        assertThrows(IllegalArgumentException.class, () -> MUtf7.decode("&AGE-"));
        assertThrows(IllegalArgumentException.class, () -> MUtf7.decode("&*-"));
        assertThrows(IllegalArgumentException.class, () -> MUtf7.decode("\u00e4"));
    }

    @Test
    void stringsAreQuotedOrLiteral() {
        assertEquals("\"a \\\"b\\\" \\\\c\"", render(new Out(false).string("a \"b\" \\c")));
        assertEquals("{2}\r\n\u00e4", render(new Out(false).string("\u00e4")));
        assertEquals("\"\u00e4\"", render(new Out(true).string("\u00e4")));
        assertEquals("{3}\r\na\r\n", render(new Out(true).string("a\r\n")));
        assertTrue(render(new Out(false).string("x".repeat(2000))).startsWith("{2000}\r\n"));
        assertEquals("NIL", render(new Out(false).nstring(null)));
        assertEquals("atom", render(new Out(false).astring("atom")));
        assertEquals("\"NIL\"", render(new Out(false).astring("NIL")));
        assertEquals("\"a b\"", render(new Out(false).astring("a b")));
        assertEquals("\"\"", render(new Out(false).astring("")));
        assertEquals("\"&AOQ-\"", render(new Out(false).mailbox("\u00e4")));
        assertEquals("\"\u00e4\"", render(new Out(true).mailbox("\u00e4")));
    }

    @Test
    void largeLiteralsAreStreamed() throws Exception {
        byte[] big = new byte[Out.INLINE_LITERAL + 10];
        java.util.Arrays.fill(big, (byte) 'x');
        Out o = new Out(false).raw("A ");
        o.literal(big.length, new ByteArrayInputStream(big), false);
        o.raw(" B");
        java.util.List<Object> parts = o.drain();
        assertEquals(3, parts.size());
        assertTrue(parts.get(1) instanceof io.netty.handler.stream.ChunkedStream);
        String s = Out.render(parts);
        assertEquals("A {" + big.length + "}\r\n" + "x".repeat(big.length) + " B", s);
        // a stream that ends early is padded, so the literal never lies about its length
        Out p = new Out(false);
        p.literal(Out.INLINE_LITERAL + 5, new ByteArrayInputStream(new byte[3]), false);
        assertEquals(Out.INLINE_LITERAL + 5 + ("{" + (Out.INLINE_LITERAL + 5) + "}\r\n").length(),
                Out.render(p.drain()).length());
    }

    static MessageStructure parse(String msg) throws Exception {
        return MessageParser.parse(new ByteArrayInputStream(msg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void envelopeWithEncodedWordsGroupsAndMissingFields() throws Exception {
        MessageStructure m = parse(Messages.ALTERNATIVE);
        Out o = new Out(false);
        StructureEncoder.envelope(o, m.envelope());
        String env = render(o);
        assertTrue(env.startsWith("(\"Wed, 6 Mar 2024 09:30:00 +0000\" \"=?UTF-8?Q?Quarterly_r=C3=A9sum=C3=A9?=\" "
                + "((\"Carol Q. Sender\" NIL \"carol\" \"example.com\")) "), env);
        assertTrue(env.contains("((NIL NIL \"team\" NIL)(NIL NIL \"eve\" \"example.org\")(NIL NIL \"frank\" "
                + "\"example.org\")(NIL NIL NIL NIL))"), env);
        MessageStructure bare = parse("Subject: x\r\n\r\nbody\r\n");
        o = new Out(false);
        StructureEncoder.envelope(o, bare.envelope());
        assertEquals("(NIL \"x\" NIL NIL NIL NIL NIL NIL NIL NIL)", render(o));
        MessageStructure raw8 = parse("Subject: Gr\u00fc\u00dfe\r\n\r\nbody\r\n");
        o = new Out(false);
        StructureEncoder.envelope(o, raw8.envelope());
        assertEquals("(NIL {7}\r\nGr\u00fc\u00dfe NIL NIL NIL NIL NIL NIL NIL NIL)", render(o));
    }

    @Test
    void bodystructureOfNestedMessage() throws Exception {
        MessageStructure m = parse(Messages.FORWARD);
        Out o = new Out(false);
        StructureEncoder.body(o, m.root(), true);
        String bs = render(o);
        assertTrue(bs.matches("\\(\\(\"text\" \"plain\" \\(\"charset\" \"us-ascii\"\\) NIL NIL \"7bit\" 10 \\d+ NIL NIL NIL "
                + "NIL\\)\\(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" \\d+ \\(\"Tue, 5 Mar 2024 14:05:00 \\+0100\" "
                + "\"Lunch tomorrow\" .* \"<lunch-1@example.org>\"\\) \\(\"text\" \"plain\" \\(\"charset\" "
                + "\"us-ascii\"\\) NIL NIL \"7bit\" 22 \\d+ NIL NIL NIL NIL\\) \\d+ NIL NIL NIL NIL\\) \"mixed\" "
                + "\\(\"boundary\" \"b1\"\\) NIL NIL NIL\\)"), bs);
        // part numbers: 2 is the message/rfc822, 2.1 the body of the embedded message
        assertSame(m.root().parts().get(1), StructureEncoder.part(m, new int[]{2}));
        assertSame(m.root().parts().get(1).message().root(), StructureEncoder.part(m, new int[]{2, 1}));
        assertNull(StructureEncoder.part(m, new int[]{3}));
        assertNull(StructureEncoder.part(m, new int[]{1, 1}));
        MessageStructure single = parse(Messages.SIMPLE);
        assertSame(single.root(), StructureEncoder.part(single, new int[]{1}));
        assertNull(StructureEncoder.part(single, new int[]{2}));
    }

    @Test
    void headerFieldFilteringKeepsFoldedLines() {
        byte[] h = "From: a\r\nSubject: one\r\n two\r\nX-Other: y\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals("Subject: one\r\n two\r\n\r\n", new String(Fetcher.filterHeader(h, java.util.List.of("SUBJECT"),
                true), StandardCharsets.US_ASCII));
        assertEquals("From: a\r\nX-Other: y\r\n\r\n", new String(Fetcher.filterHeader(h,
                java.util.List.of("SUBJECT"), false), StandardCharsets.US_ASCII));
    }

    @Test
    void quotedPrintableAndDates() {
        assertEquals("Caf\u00e9 =x\r\nend", new String(Fetcher.quotedPrintable(
                "Caf=C3=A9 =3Dx=\r\n\r\nend".getBytes(StandardCharsets.US_ASCII)), StandardCharsets.UTF_8)
                .replace("=x", "=x"));
        assertEquals(java.time.LocalDate.of(2024, 3, 5),
                Searcher.parseDate("Tue, 5 Mar 2024 14:05:00 +0100 (CET)").toLocalDate());
        assertEquals(java.time.LocalDate.of(1999, 12, 31), Searcher.parseDate("31 Dec 99 23:59 GMT").toLocalDate());
        assertNull(Searcher.parseDate("yesterday"));
        assertEquals("lunch tomorrow", Searcher.baseSubject("Re: Fwd: [list] RE: Lunch   tomorrow (fwd)"));
        assertEquals("x", Searcher.baseSubject("[Fwd: x]"));
    }

    @Test
    void listWildcards() {
        assertTrue(Lister.compile("", "*").matches("a/b/c"));
        assertTrue(Lister.compile("", "%").matches("abc"));
        assertTrue(!Lister.compile("", "%").matches("a/b"));
        assertTrue(Lister.compile("a/", "%").matches("a/b"));
        assertTrue(Lister.compile("", "a/%/c").matches("a/b/c"));
        assertTrue(!Lister.compile("", "a/%/c").matches("a/b/x/c"));
        assertTrue(Lister.compile("", "a/*/c").matches("a/b/x/c"));
        assertTrue(Lister.compile("", "inbox").matches("INBOX"));
        assertTrue(Lister.compile("", "Inbox/%").matches("INBOX/x"));
        assertTrue(!Lister.compile("", "Sent").matches("sent"));
        assertTrue(Lister.compile("", "%x%").matches("axb"));
        // no backtracking blow-up
        long t0 = System.nanoTime();
        assertTrue(!Lister.compile("", "*a".repeat(200) + "b").matches("a".repeat(1000)));
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
    }

    @Test
    void sequenceSetIntervals() {
        SequenceSet s = ((Command.Fetch) Wire.parse("a FETCH 5:3,1,9:*,2,20 FLAGS\r\n")).set();
        long[] in = s.resolve(12);
        assertEquals("[1, 5, 9, 12, 20, 20]", java.util.Arrays.toString(in));
        assertTrue(SequenceSet.in(in, 4));
        assertTrue(!SequenceSet.in(in, 6));
        assertTrue(SequenceSet.in(in, 12));
        assertTrue(!SequenceSet.in(in, 13));
    }
}
