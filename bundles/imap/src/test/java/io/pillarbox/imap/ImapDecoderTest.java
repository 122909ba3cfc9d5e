package io.pillarbox.imap;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImapDecoderTest {

    @Test
    void framesLinesAndStripsCrlf() {
        List<Object> out = Wire.decode(ImapSettings.defaults(), 100, "a1 NOOP\r\na2 CAPA", "BILITY\r\n", "a3 X\n");
        assertEquals(3, out.size());
        assertEquals("a1 NOOP", ((RawCommand) out.get(0)).firstLine());
        assertEquals("a2 CAPABILITY", ((RawCommand) out.get(1)).firstLine());
        assertEquals("a3 X", ((RawCommand) out.get(2)).firstLine());
    }

    @Test
    void synchronizingLiteralGetsContinuationAndIsFramed() {
        ImapDecoder d = new ImapDecoder(ImapSettings.defaults(), Runnable::run);
        EmbeddedChannel ch = new EmbeddedChannel(d);
        ch.writeInbound(Unpooled.copiedBuffer("a LOGIN {6}\r\n", StandardCharsets.US_ASCII));
        assertEquals("+ Ready for literal data\r\n", Wire.outbound(ch));
        assertNull(ch.readInbound());
        ch.writeInbound(Unpooled.copiedBuffer("al\r\nce \"pw\"\r\n", StandardCharsets.US_ASCII));
        RawCommand r = ch.readInbound();
        assertEquals(2, r.lines().size());
        assertEquals("al\r\nce", r.literals().get(0).text());
        assertEquals(" \"pw\"", new String(r.lines().get(1), StandardCharsets.US_ASCII));
    }

    @Test
    void nonSynchronizingLiteralHasNoContinuation() {
        ImapDecoder d = new ImapDecoder(ImapSettings.defaults(), Runnable::run);
        EmbeddedChannel ch = new EmbeddedChannel(d);
        ch.writeInbound(Unpooled.copiedBuffer("a LOGIN {3+}\r\nbob {2+}\r\npw\r\n", StandardCharsets.US_ASCII));
        assertEquals("", Wire.outbound(ch));
        RawCommand r = ch.readInbound();
        assertEquals(2, r.literals().size());
        Command.Login l = (Command.Login) CommandParser.parse(r).command();
        assertEquals("bob", l.user());
        assertEquals("pw", l.password());
    }

    @Test
    void zeroLengthAndBinaryLiterals() {
        RawCommand r = Wire.raw("a LOGIN {0}\r\n ~{2}\r\nxy\r\n");
        assertEquals(0, r.literals().get(0).size());
        assertTrue(r.literals().get(1).binary());
    }

    @Test
    void tooLongLineIsRefusedAndSessionContinues() {
        ImapSettings s = ImapSettings.defaults().withLimits(100, 10);
        List<Object> out = Wire.decode(s, 100, "t1 NOOP " + "x".repeat(200) + "\r\nt2 NOOP\r\n");
        assertEquals(2, out.size());
        DecodeError e = (DecodeError) out.get(0);
        assertEquals("t1", e.tag());
        assertTrue(e.message().contains("too long"));
        assertEquals("t2 NOOP", ((RawCommand) out.get(1)).firstLine());
    }

    @Test
    void tooLongLineWithoutNewlineYetIsDiscardedInPieces() {
        ImapSettings s = ImapSettings.defaults().withLimits(100, 10);
        List<Object> out = Wire.decode(s, 100, "t1 " + "x".repeat(150), "y".repeat(150), "\r\nt2 NOOP\r\n");
        assertEquals(2, out.size());
        assertInstanceOf(DecodeError.class, out.get(0));
        assertInstanceOf(RawCommand.class, out.get(1));
    }

    @Test
    void oversizedSynchronizingLiteralIsRefusedWithoutContinuation() {
        ImapDecoder d = new ImapDecoder(ImapSettings.defaults(), Runnable::run);
        d.literalLimit(10);
        EmbeddedChannel ch = new EmbeddedChannel(d);
        ch.writeInbound(Unpooled.copiedBuffer("a APPEND INBOX {11}\r\nb NOOP\r\n", StandardCharsets.US_ASCII));
        assertEquals("", Wire.outbound(ch));
        DecodeError e = ch.readInbound();
        assertEquals("a", e.tag());
        assertTrue(e.message().startsWith("[TOOBIG]"));
        assertEquals("b NOOP", ((RawCommand) ch.readInbound()).firstLine());
    }

    @Test
    void oversizedNonSynchronizingLiteralIsSkipped() {
        List<Object> out = Wire.decode(ImapSettings.defaults(), 5,
                "a APPEND INBOX {8+}\r\n12345678 more\r\nb NOOP\r\n");
        assertEquals(2, out.size());
        assertTrue(((DecodeError) out.get(0)).message().startsWith("[TOOBIG]"));
        assertEquals("b NOOP", ((RawCommand) out.get(1)).firstLine());
    }

    @Test
    void hugeLiteralSizeDoesNotOverflow() {
        List<Object> out = Wire.decode(ImapSettings.defaults(), 5, "a LOGIN {99999999999999999999999}\r\n");
        assertInstanceOf(DecodeError.class, out.get(0));
    }

    @Test
    void largeLiteralIsSpooledToAFile(@TempDir Path dir) throws Exception {
        ImapSettings s = ImapSettings.defaults().withSpool(16, dir);
        byte[] body = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
        List<Object> out = Wire.decode(s, 1000, "a APPEND INBOX {36}\r\n", "0123456789", "abcdefghijklmnopqrstuvwxyz\r\n");
        RawCommand r = (RawCommand) out.get(0);
        Literal l = r.literals().get(0);
        assertInstanceOf(Literal.Spooled.class, l);
        l.ready().join();
        try (InputStream in = l.open()) {
            assertArrayEquals(body, in.readAllBytes());
        }
        Path f = ((Literal.Spooled) l).file();
        assertTrue(Files.exists(f));
        r.release();
        assertFalse(Files.exists(f));
    }

    @Test
    void discardBufferedDropsPipelinedInput() {
        ImapDecoder d = new ImapDecoder(ImapSettings.defaults(), Runnable::run);
        EmbeddedChannel ch = new EmbeddedChannel(d);
        ch.writeInbound(Unpooled.copiedBuffer("a LOGIN {10}\r\nabc", StandardCharsets.US_ASCII));
        Wire.outbound(ch);
        d.discardBuffered();
        ch.writeInbound(Unpooled.copiedBuffer("b NOOP\r\n", StandardCharsets.US_ASCII));
        assertEquals("b NOOP", ((RawCommand) ch.readInbound()).firstLine());
        assertNull(ch.readInbound());
    }

    @Test
    void literalSpecRecognisesOnlyTrailingMarkers() {
        assertArrayEquals(new long[]{5, 0, 0}, ImapDecoder.literalSpec("a {5}".getBytes()));
        assertArrayEquals(new long[]{5, 1, 0}, ImapDecoder.literalSpec("a {5+}".getBytes()));
        assertArrayEquals(new long[]{7, 0, 1}, ImapDecoder.literalSpec("a ~{7}".getBytes()));
        assertNull(ImapDecoder.literalSpec("a {5-}".getBytes()));
        assertNull(ImapDecoder.literalSpec("a {}".getBytes()));
        assertNull(ImapDecoder.literalSpec("a {x}".getBytes()));
        assertNull(ImapDecoder.literalSpec("a {5} b".getBytes()));
    }

    @Test
    void tagOfBrokenLines() {
        assertEquals("a1", ImapDecoder.tagOf("a1 FOO".getBytes()));
        assertEquals("*", ImapDecoder.tagOf("+ FOO".getBytes()));
        assertEquals("*", ImapDecoder.tagOf("".getBytes()));
        assertEquals("*", ImapDecoder.tagOf("a{b FOO".getBytes()));
    }

    @Test
    void literalsOfOneCommandAreBoundedTogether() {
        List<Object> out = Wire.decode(ImapSettings.defaults(), 10,
                "a APPEND INBOX {10+}\r\n0123456789 {10+}\r\n0123456789 {10+}\r\n0123456789 {10+}\r\n"
                        + "0123456789 {10+}\r\n0123456789\r\nb NOOP\r\n");
        assertEquals(2, out.size());
        assertTrue(((DecodeError) out.get(0)).message().contains("total at most 40"));
        assertEquals("b NOOP", ((RawCommand) out.get(1)).firstLine());
    }
}
