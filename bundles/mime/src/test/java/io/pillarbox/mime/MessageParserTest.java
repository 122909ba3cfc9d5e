package io.pillarbox.mime;

import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.MessageStructure.Address;
import io.pillarbox.api.store.MessageStructure.BodyPart;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageParserTest {

    static byte[] crlf(String s) {
        return s.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    static MessageStructure parse(byte[] b) throws IOException {
        MessageStructure s = MessageParser.parse(new ByteArrayInputStream(b));
        // every structure must survive the index codec exactly
        assertEquals(s, StructureCodec.fromBytes(StructureCodec.toBytes(s)));
        checkOffsets(s.root(), b.length);
        return s;
    }

    static void checkOffsets(BodyPart p, long limit) {
        assertTrue(p.headerOffset() <= p.bodyOffset(), "header before body");
        assertTrue(p.bodyOffset() + p.bodySize() <= limit, "body inside parent");
        long previousEnd = p.bodyOffset();
        for (BodyPart c : p.parts()) {
            assertTrue(c.headerOffset() >= previousEnd, "siblings in order, not overlapping");
            checkOffsets(c, p.bodyOffset() + p.bodySize());
            previousEnd = c.bodyOffset() + c.bodySize();
        }
        assertTrue(p.lines() >= 0);
        assertTrue(p.lines() <= p.bodySize(), "no more lines than octets");
        assertTrue(!p.isMultipart() || !p.parts().isEmpty(), "a multipart has parts");
        if (p.message() != null) {
            assertEquals(p.bodyOffset(), p.message().root().headerOffset());
            checkOffsets(p.message().root(), p.bodyOffset() + p.bodySize());
        }
    }

    static String body(byte[] msg, BodyPart p) {
        return new String(msg, (int) p.bodyOffset(), (int) p.bodySize(), StandardCharsets.UTF_8);
    }

    static String header(byte[] msg, BodyPart p) {
        return new String(msg, (int) p.headerOffset(), (int) (p.bodyOffset() - p.headerOffset()),
                StandardCharsets.UTF_8);
    }

    @Test
    void simpleTextMessage() throws IOException {
        byte[] m = crlf("""
                Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
                From: Fred Foobar <foobar@Blurdybloop.example>
                Subject: afternoon meeting
                To: mooch@owatagu.siam.edu.example
                Message-Id: <B27397-0100000@Blurdybloop.example>
                MIME-Version: 1.0
                Content-Type: TEXT/PLAIN; CHARSET=US-ASCII

                Hello Joe, do you think we can meet at 3:30 tomorrow?
                """);
        MessageStructure s = parse(m);
        var e = s.envelope();
        assertEquals("Mon, 7 Feb 1994 21:52:25 -0800 (PST)", e.date());
        assertEquals("afternoon meeting", e.subject());
        assertEquals(List.of(new Address("Fred Foobar", null, "foobar", "Blurdybloop.example")), e.from());
        assertEquals(List.of(new Address(null, null, "mooch", "owatagu.siam.edu.example")), e.to());
        assertNull(e.sender());
        assertNull(e.replyTo());
        assertNull(e.cc());
        assertNull(e.inReplyTo());
        assertEquals("<B27397-0100000@Blurdybloop.example>", e.messageId());
        BodyPart r = s.root();
        assertEquals("text", r.type());
        assertEquals("plain", r.subtype());
        assertEquals(Map.of("charset", "US-ASCII"), r.parameters());
        assertEquals("7bit", r.encoding());
        assertEquals(0, r.headerOffset());
        assertEquals("Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n", body(m, r));
        assertTrue(header(m, r).endsWith("US-ASCII\r\n\r\n"));
        assertEquals(1, r.lines());
        assertEquals(m.length, r.bodyOffset() + r.bodySize());
        assertTrue(r.parts().isEmpty());
    }

    static final String ALTERNATIVE = """
            Return-Path: <alice@example.org>
            From: "Alice Example" <alice@example.org>
            To: bob@example.net, "Carol, the Second" <carol@example.net>
            Cc: Dave <dave@[192.0.2.1]>
            Subject: Report with attachments
            Date: Tue, 03 Mar 2026 10:00:00 +0100
            Message-ID: <m1@example.org>
            In-Reply-To: <m0@example.net>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="=_outer_1"

            This is a multi-part message in MIME format.

            --=_outer_1
            Content-Type: multipart/alternative;
             boundary="alt-2"

            --alt-2
            Content-Type: text/plain; charset=utf-8; format=flowed
            Content-Transfer-Encoding: 8bit

            Hello Bob,
            the report is attached. Grüße
            --alt-2
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            <p>Hello Bob,</p>
            <p>the report is attached.</p>

            --alt-2--

            --=_outer_1
            Content-Type: application/pdf; name="report.pdf"
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="report.pdf"; size=12
            Content-Description: Quarterly report
            Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
            Content-Language: en, de
            Content-Location: http://example.org/report.pdf

            JVBERi0xLjQKJcOk
            w7zDtsOfCg==
            --=_outer_1
            Content-Type: image/png
            Content-ID: <logo@example.org>
            Content-Transfer-Encoding: BASE64
            Content-Disposition: inline

            iVBORw0KGgo=
            --=_outer_1--
            epilogue text
            """;

    @Test
    void multipartAlternativeWithAttachments() throws IOException {
        byte[] m = crlf(ALTERNATIVE);
        MessageStructure s = parse(m);
        var e = s.envelope();
        assertEquals(List.of(new Address("Alice Example", null, "alice", "example.org")), e.from());
        assertEquals(List.of(new Address(null, null, "bob", "example.net"),
                new Address("Carol, the Second", null, "carol", "example.net")), e.to());
        assertEquals(List.of(new Address("Dave", null, "dave", "[192.0.2.1]")), e.cc());
        assertEquals("<m0@example.net>", e.inReplyTo());

        BodyPart r = s.root();
        assertTrue(r.isMultipart());
        assertEquals("mixed", r.subtype());
        assertEquals(Map.of("boundary", "=_outer_1"), r.parameters());
        assertEquals(3, r.parts().size());
        assertTrue(body(m, r).startsWith("This is a multi-part"));
        assertTrue(body(m, r).endsWith("epilogue text\r\n"));

        BodyPart alt = r.parts().get(0);
        assertEquals("alternative", alt.subtype());
        assertEquals("alt-2", alt.parameters().get("boundary"));
        assertEquals(2, alt.parts().size());
        assertTrue(header(m, alt).startsWith("Content-Type: multipart/alternative;"));
        assertTrue(body(m, alt).startsWith("--alt-2\r\n"));
        assertTrue(body(m, alt).endsWith("--alt-2--\r\n"), body(m, alt)); // blank line before outer boundary

        BodyPart plain = alt.parts().get(0);
        assertEquals("text", plain.type());
        assertEquals(List.of("charset", "format"), List.copyOf(plain.parameters().keySet()));
        assertEquals("utf-8", plain.parameters().get("charset"));
        assertEquals("8bit", plain.encoding());
        assertEquals("Hello Bob,\r\nthe report is attached. Grüße", body(m, plain));
        assertEquals(2, plain.lines(), "line ends plus the last line without one");
        assertEquals("Hello Bob,\r\nthe report is attached. Grüße".getBytes(StandardCharsets.UTF_8).length,
                plain.bodySize());

        BodyPart html = alt.parts().get(1);
        assertEquals("html", html.subtype());
        assertEquals("quoted-printable", html.encoding());
        assertEquals("<p>Hello Bob,</p>\r\n<p>the report is attached.</p>\r\n", body(m, html));
        assertEquals(2, html.lines());

        BodyPart pdf = r.parts().get(1);
        assertEquals("application", pdf.type());
        assertEquals("pdf", pdf.subtype());
        assertEquals(Map.of("name", "report.pdf"), pdf.parameters());
        assertEquals("base64", pdf.encoding());
        assertEquals("attachment", pdf.disposition());
        assertEquals(List.of("filename", "size"), List.copyOf(pdf.dispositionParameters().keySet()));
        assertEquals("report.pdf", pdf.dispositionParameters().get("filename"));
        assertEquals("Quarterly report", pdf.description());
        assertEquals("Q2hlY2sgSW50ZWdyaXR5IQ==", pdf.md5());
        assertEquals(List.of("en", "de"), pdf.language());
        assertEquals("http://example.org/report.pdf", pdf.location());
        assertEquals("JVBERi0xLjQKJcOk\r\nw7zDtsOfCg==", body(m, pdf));

        BodyPart png = r.parts().get(2);
        assertEquals("image", png.type());
        assertEquals(Map.of(), png.parameters());
        assertEquals("<logo@example.org>", png.id());
        assertEquals("base64", png.encoding());
        assertEquals("inline", png.disposition());
        assertEquals(Map.of(), png.dispositionParameters());
        assertEquals("iVBORw0KGgo=", body(m, png));
        assertTrue(header(m, png).startsWith("Content-Type: image/png\r\n"));
        assertTrue(header(m, png).endsWith("inline\r\n\r\n"));
    }

    @Test
    void bareLineFeedsGiveOffsetsForTheBytesAsGiven() throws IOException {
        byte[] m = ALTERNATIVE.getBytes(StandardCharsets.UTF_8);
        MessageStructure s = parse(m);
        BodyPart plain = s.root().parts().get(0).parts().get(0);
        assertEquals("Hello Bob,\nthe report is attached. Grüße", body(m, plain));
        BodyPart pdf = s.root().parts().get(1);
        assertEquals("JVBERi0xLjQKJcOk\nw7zDtsOfCg==", body(m, pdf));
        assertEquals(m.length, s.root().bodyOffset() + s.root().bodySize());
        // same tree as with CRLF
        MessageStructure c = parse(crlf(ALTERNATIVE));
        assertEquals(c.envelope(), s.envelope());
        assertEquals(c.root().parts().size(), s.root().parts().size());
        assertEquals(c.root().parts().get(0).parts().get(1).lines(), s.root().parts().get(0).parts().get(1).lines());
    }

    @Test
    void nestedMessageRfc822() throws IOException {
        byte[] m = crlf("""
                From: forwarder@example.com
                To: someone@example.com
                Subject: Fwd: original
                Content-Type: multipart/mixed; boundary=b1

                --b1
                Content-Type: text/plain

                See below.
                --b1
                Content-Type: message/rfc822
                Content-Disposition: attachment

                From: Original Sender <orig@example.net>
                To: forwarder@example.com
                Subject: original
                Message-ID: <orig@example.net>
                Content-Type: multipart/alternative; boundary="b2"

                --b2
                Content-Type: text/plain; charset=iso-8859-1

                inner text
                --b2
                Content-Type: text/html

                <b>inner</b>
                --b2--
                --b1--
                """);
        MessageStructure s = parse(m);
        assertEquals("Fwd: original", s.envelope().subject());
        BodyPart text = s.root().parts().get(0);
        assertEquals(Map.of("charset", "us-ascii"), text.parameters());
        assertEquals("See below.", body(m, text));
        assertEquals(1, text.lines());

        BodyPart msg = s.root().parts().get(1);
        assertEquals("message", msg.type());
        assertEquals("rfc822", msg.subtype());
        assertTrue(msg.isMessage());
        MessageStructure inner = msg.message();
        assertEquals("original", inner.envelope().subject());
        assertEquals(List.of(new Address("Original Sender", null, "orig", "example.net")), inner.envelope().from());
        assertEquals(msg.bodyOffset(), inner.root().headerOffset());
        assertTrue(body(m, msg).startsWith("From: Original Sender"));
        assertTrue(body(m, msg).endsWith("--b2--"));
        assertEquals(body(m, msg).split("\r\n").length, msg.lines());
        assertEquals(msg.bodyOffset() + msg.bodySize(), inner.root().bodyOffset() + inner.root().bodySize());
        assertEquals(2, inner.root().parts().size());
        assertEquals("inner text", body(m, inner.root().parts().get(0)));
        assertEquals("iso-8859-1", inner.root().parts().get(0).parameters().get("charset"));
        assertEquals("<b>inner</b>", body(m, inner.root().parts().get(1)));
    }

    @Test
    void digestPartsDefaultToMessageRfc822() throws IOException {
        byte[] m = crlf("""
                Content-Type: multipart/digest; boundary=d

                --d

                Subject: one

                first
                --d
                Content-Type: text/plain

                not a message
                --d--
                """);
        MessageStructure s = parse(m);
        BodyPart one = s.root().parts().get(0);
        assertEquals("message", one.type());
        assertEquals("rfc822", one.subtype());
        assertEquals("one", one.message().envelope().subject());
        assertEquals("first", body(m, one.message().root()));
        assertEquals("text", s.root().parts().get(1).type());
    }

    @Test
    void encodedWordsStayEncodedInEnvelopeAndDecodeWithHeaderDecoder() throws IOException {
        byte[] m = crlf("""
                From: =?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>
                To: =?UTF-8?B?0J/RgNC40LLQtdGC?= <ivan@example.ru>
                Subject: =?UTF-8?B?w5xiZXJzaWNodCDDvGJlciBkaWU=?=
                 =?UTF-8?Q?_Gr=C3=BC=C3=9Fe?=
                Date: Wed, 4 Mar 2026 08:00:00 +0000

                body
                """);
        MessageStructure s = parse(m);
        assertEquals("=?UTF-8?B?w5xiZXJzaWNodCDDvGJlciBkaWU=?= =?UTF-8?Q?_Gr=C3=BC=C3=9Fe?=", s.envelope().subject());
        assertEquals("Übersicht über die Grüße", HeaderDecoder.decode(s.envelope().subject()));
        Address from = s.envelope().from().get(0);
        assertEquals("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", from.name());
        assertEquals("Keld Jørn Simonsen", HeaderDecoder.decode(from.name()));
        assertEquals("Привет", HeaderDecoder.decode(s.envelope().to().get(0).name()));
        assertEquals("plain text", HeaderDecoder.decode("plain text"));
        assertEquals("broken =?utf-8?x?abc?= word", HeaderDecoder.decode("broken =?utf-8?x?abc?= word"));
        assertNull(HeaderDecoder.decode(null));
    }

    @Test
    void rawUtf8HeadersAreKept() throws IOException {
        byte[] m = crlf("""
                From: Jörg <jörg@bücher.example>
                Subject: Grüße aus München

                x
                """);
        MessageStructure s = parse(m);
        assertEquals("Grüße aus München", s.envelope().subject());
        assertEquals(new Address("Jörg", null, "jörg", "bücher.example"), s.envelope().from().get(0));
        byte[] latin1 = "Subject: caf\u00e9\r\n\r\nx".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("café", parse(latin1).envelope().subject());
    }

    @Test
    void groupAddressesAndRoutes() throws IOException {
        byte[] m = crlf("""
                From: "Joe Q. Public" <john.q.public@example.com>
                To: Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>
                Cc: <boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>
                Bcc: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, Undisclosed recipients:;
                Reply-To: <@route1.test,@route2.test:user@final.test>
                Sender: pete(his account)@silly.test (Pete Sender)

                x
                """);
        MessageStructure s = parse(m);
        var e = s.envelope();
        assertEquals(List.of(new Address("Joe Q. Public", null, "john.q.public", "example.com")), e.from());
        assertEquals(List.of(new Address("Mary Smith", null, "mary", "x.test"),
                new Address(null, null, "jdoe", "example.org"),
                new Address("Who?", null, "one", "y.test")), e.to());
        assertEquals(List.of(new Address(null, null, "boss", "nil.test"),
                new Address("Giant; \"Big\" Box", null, "sysservices", "example.net")), e.cc());
        assertEquals(List.of(
                new Address(null, null, "A Group", null),
                new Address("Ed Jones", null, "c", "a.test"),
                new Address(null, null, "joe", "where.test"),
                new Address("John", null, "jdoe", "one.test"),
                new Address(null, null, null, null),
                new Address(null, null, "Undisclosed recipients", null),
                new Address(null, null, null, null)), e.bcc());
        assertEquals(List.of(new Address(null, "@route1.test,@route2.test", "user", "final.test")), e.replyTo());
        assertEquals(List.of(new Address("Pete Sender", null, "pete", "silly.test")), e.sender());
    }

    @Test
    void missingHeadersAndDefaults() throws IOException {
        byte[] noHeader = crlf("\njust a body\n");
        MessageStructure s = parse(noHeader);
        assertNull(s.envelope().from());
        assertNull(s.envelope().subject());
        assertNull(s.envelope().date());
        assertEquals(2, s.root().bodyOffset());
        assertEquals("text", s.root().type());
        assertEquals("plain", s.root().subtype());
        assertEquals(Map.of("charset", "us-ascii"), s.root().parameters());
        assertEquals("7bit", s.root().encoding());
        assertEquals(1, s.root().lines());

        byte[] headerOnly = crlf("Subject: no body\n");
        s = parse(headerOnly);
        assertEquals("no body", s.envelope().subject());
        assertEquals(headerOnly.length, s.root().bodyOffset());
        assertEquals(0, s.root().bodySize());

        byte[] empty = new byte[0];
        s = parse(empty);
        assertEquals(0, s.root().bodyOffset());
        assertEquals(0, s.root().bodySize());

        byte[] noNewlineAtEnd = crlf("Subject: x\n\nline1\nline2").clone();
        s = parse(noNewlineAtEnd);
        assertEquals("line1\r\nline2", body(noNewlineAtEnd, s.root()));
        assertEquals(2, s.root().lines());

        byte[] emptyTo = crlf("To:\nCc: \n\nx");
        s = parse(emptyTo);
        assertEquals(List.of(), s.envelope().to());
        assertEquals(List.of(), s.envelope().cc());
    }

    @Test
    void malformedMimeGivesBestEffortStructure() throws IOException {
        // multipart without boundary: a text part
        byte[] m = crlf("Content-Type: multipart/mixed\n\n--x\nhello\n");
        MessageStructure s = parse(m);
        assertEquals("text", s.root().type());

        // boundary never seen: one empty part stands in
        m = crlf("Content-Type: multipart/mixed; boundary=zzz\n\nno parts here\n");
        s = parse(m);
        assertTrue(s.root().isMultipart());
        assertEquals(1, s.root().parts().size());

        // unclosed multipart runs to the end
        m = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nunclosed\n");
        s = parse(m);
        assertEquals(1, s.root().parts().size());
        assertEquals("unclosed\r\n", body(m, s.root().parts().get(0)));

        // garbage content type, unknown encoding with comment
        m = crlf("Content-Type: ;;;garbage\nContent-Transfer-Encoding: X-Weird (a comment)\n\nbody\n");
        s = parse(m);
        assertEquals("text", s.root().type());
        assertEquals("x-weird", s.root().encoding());

        // a part whose header is cut by the next boundary
        m = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/html\n--b\n\nsecond\n--b--\n");
        s = parse(m);
        assertEquals(2, s.root().parts().size());
        assertEquals(0, s.root().parts().get(0).bodySize());
        assertEquals("html", s.root().parts().get(0).subtype());
        assertEquals("second", body(m, s.root().parts().get(1)));

        // header lines without a colon and an mbox From_ line
        m = crlf("From someone Mon Jan  1 00:00:00 2026\nnot a header\nSubject: still parsed\n\nb\n");
        assertEquals("still parsed", parse(m).envelope().subject());

        // message/rfc822 with a base64 body still gives a (meaningless) message, as BODYSTRUCTURE needs one
        m = crlf("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA0KDQp4\n");
        s = parse(m);
        assertNotNull(s.root().message());
        assertEquals("base64", s.root().encoding());
        assertNull(s.root().message().envelope().subject());
    }

    @Test
    void randomGarbageNeverThrows() throws IOException {
        Random rnd = new Random(42);
        String[] pieces = {"--b\r\n", "--b--\r\n", "--c\n", "Content-Type: multipart/mixed; boundary=b\r\n",
                "Content-Type: multipart/alternative; boundary=\"c\"\n", "Content-Type: message/rfc822\r\n",
                "\r\n", "\n", "From: a@b\r\n", "To: x:;\r\n", "\r", "text ", "=?utf-8?q?x?=", "\u0000", "\t folded\r\n",
                "Subject: (", "To: \"unterminated <a@b\r\n", "Cc: <<<@@@>>>,,,;;\r\n", "--bc\r\n", "--b junk\n",
                "Content-Type: multipart/digest; boundary=bc\r\n", "Content-Transfer-Encoding: base64\r\n",
                "Content-Type: text/plain; charset=\"x\r\n", "Content-Disposition: attachment; filename*=x\r\n"};
        for (int n = 0; n < 20000; n++) {
            StringBuilder b = new StringBuilder();
            int k = rnd.nextInt(40);
            for (int j = 0; j < k; j++) {
                b.append(pieces[rnd.nextInt(pieces.length)]);
            }
            byte[] m = b.toString().getBytes(StandardCharsets.ISO_8859_1);
            MessageStructure s = parse(m);
            assertEquals(m.length, s.root().bodyOffset() + s.root().bodySize(), b.toString());
        }
        for (int n = 0; n < 300; n++) {
            byte[] m = new byte[rnd.nextInt(2000)];
            rnd.nextBytes(m);
            MessageStructure s = parse(m);
            assertEquals(m.length, s.root().bodyOffset() + s.root().bodySize());
        }
    }

    @Test
    void deepNestingIsBounded() throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            b.append("Content-Type: multipart/mixed; boundary=b").append(i).append("\r\n\r\n--b").append(i)
                    .append("\r\n");
        }
        b.append("\r\ninnermost\r\n");
        byte[] m = b.toString().getBytes(StandardCharsets.US_ASCII);
        MessageStructure s = parse(m);
        assertTrue(s.root().isMultipart());
    }

    /** A 30 MB message generated on the fly: parsed without holding it in memory. */
    @Test
    void thirtyMegabyteMessageIsStreamed() throws IOException {
        byte[] head = crlf("""
                From: big@example.org
                Subject: big
                Content-Type: multipart/mixed; boundary=BIG

                --BIG
                Content-Type: text/plain

                small
                --BIG
                Content-Type: application/octet-stream
                Content-Transfer-Encoding: base64

                """);
        byte[] line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] tail = crlf("\n--BIG--\n");
        long lines = 30L * 1024 * 1024 / line.length;
        long total = head.length + lines * line.length + tail.length;
        InputStream in = new InputStream() {
            long pos;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= total) {
                    return -1;
                }
                int n = 0;
                while (n < len && pos < total) {
                    b[off + n++] = at(pos++);
                }
                return n;
            }

            byte at(long p) {
                if (p < head.length) {
                    return head[(int) p];
                }
                p -= head.length;
                if (p < lines * line.length) {
                    return line[(int) (p % line.length)];
                }
                return tail[(int) (p - lines * line.length)];
            }
        };
        MessageStructure s = MessageParser.parse(in);
        assertEquals(total, s.root().bodyOffset() + s.root().bodySize());
        BodyPart att = s.root().parts().get(1);
        assertEquals(head.length, att.bodyOffset());
        // the CRLF of the last data line belongs to the closing boundary's delimiter
        assertEquals(lines * line.length, att.bodySize());
        assertTrue(att.bodySize() >= 30L * 1024 * 1024 - line.length);
        assertEquals(lines, att.lines()); // the blank line's CRLF belongs to the boundary
    }

    @Test
    void paramsWithCommentsQuotesAndRfc2231AreKeptRaw() throws IOException {
        byte[] m = crlf("""
                Content-Type: text/plain (a comment); charset="UTF-8"; name*=utf-8''%E2%82%AC.txt
                Content-Disposition: ATTACHMENT; filename="a \\"quoted\\" name.txt"

                x
                """);
        BodyPart r = parse(m).root();
        assertEquals("plain", r.subtype());
        assertEquals("UTF-8", r.parameters().get("charset"));
        assertEquals("utf-8''%E2%82%AC.txt", r.parameters().get("name*"));
        assertEquals("ATTACHMENT", r.disposition());
        assertEquals("a \"quoted\" name.txt", r.dispositionParameters().get("filename"));
    }

    @Test
    void entitiesPerMessageAreCapped() throws IOException {
        StringBuilder b = new StringBuilder("Content-Type: multipart/mixed; boundary=b\r\n\r\n");
        for (int i = 0; i < 50_000; i++) {
            b.append("--b\r\n\r\nx\r\n");
        }
        b.append("--b--\r\n");
        byte[] m = b.toString().getBytes(StandardCharsets.US_ASCII);
        MessageStructure s = parse(m);
        assertTrue(s.root().parts().size() < MessageParser.MAX_ENTITIES, "parts: " + s.root().parts().size());
        assertTrue(s.root().parts().size() > 1000);
        assertEquals(m.length, s.root().bodyOffset() + s.root().bodySize());
    }

    @Test
    void boundariesMatchAsPrefixesLongestFirst() throws IOException {
        byte[] m = crlf("""
                Content-Type: multipart/mixed; boundary=abc

                --abc trailing junk
                Content-Type: multipart/alternative; boundary=abcdef

                --abcdef
                Content-Type: text/plain

                inner one
                --abcdef--
                --abc--junk after close
                epilogue
                """);
        MessageStructure s = parse(m);
        assertEquals(1, s.root().parts().size());
        BodyPart alt = s.root().parts().get(0);
        assertEquals("alternative", alt.subtype());
        assertEquals(1, alt.parts().size());
        assertEquals("inner one", body(m, alt.parts().get(0)));
        assertTrue(body(m, alt).endsWith("--abcdef--"), body(m, alt));
        assertTrue(body(m, s.root()).endsWith("epilogue\r\n"));
    }

    @Test
    void linesCountLineEndsAndALastLineWithoutOne() throws IOException {
        byte[] m = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\ntwo\n\n--b\n\n--b\n\nx\n--b--\n");
        MessageStructure s = parse(m);
        assertEquals(List.of(2L, 0L, 1L), s.root().parts().stream().map(BodyPart::lines).toList());
        assertEquals("one\r\ntwo\r\n", body(m, s.root().parts().get(0)));
    }

    @Test
    void blankLineBeforeAnEnclosingBoundaryBelongsToTheHeader() throws IOException {
        byte[] m = crlf("""
                Content-Type: multipart/mixed; boundary=outer

                --outer
                Content-Type: multipart/mixed; boundary=inner

                --inner
                Content-Type: text/plain

                --outer--
                """);
        MessageStructure s = parse(m);
        BodyPart inner = s.root().parts().get(0);
        BodyPart text = inner.parts().get(0);
        assertEquals(0, text.bodySize());
        assertEquals("Content-Type: text/plain\r\n\r\n", header(m, text));
        assertEquals(text.bodyOffset(), inner.bodyOffset() + inner.bodySize(), "the inner multipart ends with it");
        assertEquals(3, inner.lines()); // "--inner", the header line and the blank line
    }

    @Test
    void partOpenedAndAtOnceEndedByAnEnclosingBoundary() throws IOException {
        byte[] m = crlf("""
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: multipart/alternative; boundary=c

                --c
                --b--
                """);
        MessageStructure s = parse(m);
        BodyPart alt = s.root().parts().get(0);
        BodyPart empty = alt.parts().get(0);
        assertEquals(0, empty.bodySize());
        assertEquals(empty.headerOffset(), empty.bodyOffset());
        assertEquals(empty.bodyOffset(), alt.bodyOffset() + alt.bodySize());
        assertTrue(body(m, alt).endsWith("--c\r\n"));
    }

    @Test
    void realWorldAddressOddities() throws IOException {
        byte[] m = crlf("""
                From: john@x.example <john@x.example>
                To: John Q. Public <jqp@x.example>, , "Last, First"  <lf@x.example> (work)
                Cc: <>
                Bcc: =?utf-8?q?J=C3=B6rg?= =?utf-8?q?_M?= <j@x.example>
                Reply-To: "quoted\\\"slash" <qs@x.example>

                x
                """);
        var e = parse(m).envelope();
        assertEquals(List.of(new Address("john@x.example", null, "john", "x.example")), e.from());
        assertEquals(List.of(new Address("John Q. Public", null, "jqp", "x.example"),
                new Address("Last, First", null, "lf", "x.example")), e.to());
        assertEquals(List.of(), e.cc());
        assertEquals(List.of(new Address("=?utf-8?q?J=C3=B6rg?= =?utf-8?q?_M?=", null, "j", "x.example")), e.bcc());
        assertEquals("Jörg M", HeaderDecoder.decode(e.bcc().get(0).name()));
        assertEquals("quoted\"slash", e.replyTo().get(0).name(), "quoted-pair unescaped");
    }
}
