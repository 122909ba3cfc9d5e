package io.pillarbox.pop3;

import io.pillarbox.transport.codec.LineDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The stuffing of message octets into a multi-line response, and the command line decoder. */
class DotStufferTest {

    static String stuff(String message, int bodyLines, int chunk) {
        DotStuffer s = new DotStuffer(bodyLines);
        byte[] in = message.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 0; off < in.length && !s.finished(); off += chunk) {
            append(out, s.feed(ByteBufAllocator.DEFAULT, in, off, Math.min(chunk, in.length - off)));
        }
        append(out, s.finish(ByteBufAllocator.DEFAULT));
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    static void append(ByteArrayOutputStream out, ByteBuf b) {
        byte[] a = new byte[b.readableBytes()];
        b.readBytes(a);
        b.release();
        out.writeBytes(a);
    }

    @Test
    void examples() {
        assertEquals(".\r\n", stuff("", -1, 10));
        assertEquals("a\r\n.\r\n", stuff("a\r\n", -1, 10));
        assertEquals("a\r\n.\r\n", stuff("a", -1, 10));
        assertEquals("a\r\n.\r\n", stuff("a\r", -1, 10));
        assertEquals("..\r\n...\r\n.\r\n", stuff(".\r\n..\r\n", -1, 1));
        assertEquals("x.y\r\n..z\r\n.\r\n", stuff("x.y\n.z\n", -1, 3));
        assertEquals("a\rb\r\n.\r\n", stuff("a\rb\r\n", -1, 1));
        assertEquals("H: v\r\n\r\n.\r\n", stuff("H: v\r\n\r\nbody\r\n", 0, 4));
        assertEquals("H: v\r\n\r\n..b1\r\n.\r\n", stuff("H: v\r\n\r\n.b1\r\nb2\r\n", 1, 4));
        assertEquals("H: v\r\n.\r\n", stuff("H: v\r\n", 3, 4));
    }

    /** Any split of the input into chunks gives the same output, and undoing the stuffing gives the message back. */
    @Test
    void chunkingDoesNotMatterAndUnstuffingRestoresCrlfMessages() {
        Random r = new Random(42);
        String[] pieces = {".", "..", "a", "\r\n", ".\r\n", "From: x", " ", "\r\n\r\n", "line"};
        for (int n = 0; n < 2000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(30);
            for (int i = 0; i < len; i++) {
                sb.append(pieces[r.nextInt(pieces.length)]);
            }
            sb.append("\r\n");
            String msg = sb.toString();
            String whole = stuff(msg, -1, Integer.MAX_VALUE / 2);
            for (int chunk : new int[]{1, 2, 3, 7}) {
                assertEquals(whole, stuff(msg, -1, chunk), msg);
            }
            StringBuilder back = new StringBuilder();
            String[] lines = whole.substring(0, whole.length() - 3).split("\r\n", -1);
            for (int i = 0; i < lines.length - 1; i++) {
                back.append(lines[i].startsWith(".") ? lines[i].substring(1) : lines[i]).append("\r\n");
            }
            assertEquals(msg, back.toString());
        }
    }

    @Test
    void decoderSplitsLinesAndReportsLongOnes() {
        EmbeddedChannel ch = new EmbeddedChannel(new LineDecoder(16));
        ch.writeInbound(Unpooled.copiedBuffer("USER a\r\nNO", StandardCharsets.US_ASCII));
        assertEquals("USER a", ch.readInbound());
        ch.writeInbound(Unpooled.copiedBuffer("OP\nabcdefghijklmnopqrstuvwxyz", StandardCharsets.US_ASCII));
        assertEquals("NOOP", ch.readInbound());
        ch.writeInbound(Unpooled.copiedBuffer("more\r\nQUIT\r\n", StandardCharsets.US_ASCII));
        assertSame(LineDecoder.TOO_LONG, ch.readInbound());
        assertEquals("QUIT", ch.readInbound());
        ch.writeInbound(Unpooled.copiedBuffer("0123456789abcdef\r\n\r\n", StandardCharsets.US_ASCII));
        assertSame(LineDecoder.TOO_LONG, ch.readInbound());
        assertEquals("", ch.readInbound());
        List<Object> rest = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            rest.add(o);
        }
        assertEquals(List.of(), rest);
        ch.finishAndReleaseAll();
    }
}
