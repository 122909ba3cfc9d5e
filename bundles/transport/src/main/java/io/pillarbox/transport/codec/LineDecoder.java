package io.pillarbox.transport.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits input into command lines (CRLF, or a bare LF), one line per {@link #decode} call so that the session sees
 * each line before the next is decoded (needed to discard input pipelined after STLS/STARTTLS). A line longer than the limit
 * is skipped up to its end and reported as {@link #TOO_LONG}.
 */
public final class LineDecoder extends ByteToMessageDecoder {

    /** Stands for a line that exceeded the limit. */
    public static final Object TOO_LONG = new Object() {
        @Override
        public String toString() {
            return "TOO_LONG";
        }
    };

    private final int maxLength;
    private boolean discarding;

    /** @param maxLength the longest line in octets, line end included */
    public LineDecoder(int maxLength) {
        this.maxLength = maxLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (discarding) {
            if (eol < 0) {
                in.skipBytes(in.readableBytes());
                return;
            }
            in.readerIndex(eol + 1);
            discarding = false;
            out.add(TOO_LONG);
            return;
        }
        if (eol < 0) {
            if (in.readableBytes() > maxLength) {
                in.skipBytes(in.readableBytes());
                discarding = true;
            }
            return;
        }
        int length = eol - in.readerIndex() + 1;
        if (length > maxLength) {
            in.readerIndex(eol + 1);
            out.add(TOO_LONG);
            return;
        }
        int end = eol;
        if (end > in.readerIndex() && in.getByte(end - 1) == '\r') {
            end--;
        }
        String line = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.UTF_8);
        in.readerIndex(eol + 1);
        out.add(line);
    }

    /**
     * Drops every octet received but not yet decoded (input pipelined after STLS, which must not be taken as if it
     * had come over TLS: RFC 2595, CVE-2011-0411). Call on the event loop.
     */
    public void discardBuffered() {
        ByteBuf b = internalBuffer();
        if (b.isReadable()) {
            b.skipBytes(b.readableBytes());
        }
        discarding = false;
    }
}
