package io.pillarbox.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test helper: frames wire text with a real {@link ImapDecoder} and parses it. */
final class Wire {

    private Wire() {
    }

    static List<Object> decode(ImapSettings settings, long literalLimit, String... chunks) {
        ImapDecoder d = new ImapDecoder(settings, Runnable::run);
        d.literalLimit(literalLimit);
        EmbeddedChannel ch = new EmbeddedChannel(d);
        for (String c : chunks) {
            ch.writeInbound(Unpooled.copiedBuffer(c, StandardCharsets.UTF_8));
        }
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    static String outbound(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return sb.toString();
    }

    static RawCommand raw(String wire) {
        List<Object> out = decode(ImapSettings.defaults(), 1 << 20, wire);
        if (out.size() != 1 || !(out.get(0) instanceof RawCommand r)) {
            throw new AssertionError("not one command: " + out);
        }
        return r;
    }

    static Command parse(String wire) {
        CommandParser.Result r = CommandParser.parse(raw(wire));
        if (r.command() == null) {
            throw new AssertionError("parse failed: " + r.error() + " for " + wire);
        }
        return r.command();
    }

    /** The BAD reason for a command that does not parse. */
    static String bad(String wire) {
        CommandParser.Result r = CommandParser.parse(raw(wire));
        if (r.command() != null) {
            throw new AssertionError("parsed but should not: " + r.command());
        }
        return r.error();
    }
}
