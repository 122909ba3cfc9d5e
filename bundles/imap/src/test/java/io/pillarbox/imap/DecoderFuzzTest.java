package io.pillarbox.imap;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random octets in random pieces: the decoder frames or refuses them, the parser never fails internally. */
class DecoderFuzzTest {

    static final String ALPHABET = "aZ1 {}+~()\"\\\r\n*:,[]<>.%$-09";
    static final String[] WORDS = {"FETCH ", "UID ", "SEARCH ", "STORE ", "APPEND ", "LOGIN ", "LIST ", "BODY[",
        "HEADER.FIELDS ", "{3}\r\n", "{2+}\r\n", "~{1}\r\n", "{0}\r\n", "\r\n", "OR ", "NOT ", "(", ")", "1:*",
        "CHARSET ", "RETURN ", "QRESYNC ", "SELECT "};

    @Test
    void randomInputIsFramedOrRefused() {
        Random rnd = new Random(7);
        ImapSettings settings = ImapSettings.defaults().withLimits(200, 10);
        for (int round = 0; round < 300; round++) {
            ImapDecoder d = new ImapDecoder(settings, Runnable::run);
            d.literalLimit(50);
            EmbeddedChannel ch = new EmbeddedChannel(d);
            StringBuilder sb = new StringBuilder("t");
            while (sb.length() < 600) {
                if (rnd.nextBoolean()) {
                    sb.append(WORDS[rnd.nextInt(WORDS.length)]);
                } else {
                    sb.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
                }
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            int pos = 0;
            while (pos < bytes.length) {
                int n = Math.min(bytes.length - pos, 1 + rnd.nextInt(40));
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, pos, n));
                pos += n;
            }
            Object o;
            while ((o = ch.readInbound()) != null) {
                if (o instanceof RawCommand raw) {
                    CommandParser.Result r = CommandParser.parse(raw);
                    assertTrue(r.command() != null || r.error() != null);
                    if (r.error() != null) {
                        assertFalse(r.error().startsWith("Invalid command:"), r.error() + " for " + raw.firstLine());
                    }
                    raw.release();
                } else {
                    assertTrue(o instanceof DecodeError, String.valueOf(o));
                }
            }
            ch.finishAndReleaseAll();
        }
    }
}
