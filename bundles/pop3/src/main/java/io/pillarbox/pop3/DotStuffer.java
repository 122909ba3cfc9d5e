package io.pillarbox.pop3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Turns a message's octets into a POP3 multi-line response body (RFC 1939 section 3): a line starting with
 * {@code .} gets one more, a bare LF becomes CRLF, a last line without its end gets CRLF, and {@code .CRLF} ends the
 * response. Everything else passes unchanged, so a message stored with CRLF line ends arrives byte-exact once the
 * client removes the stuffing. Optionally stops after the header and a number of body lines (TOP).
 * Not thread-safe; one instance per response.
 */
final class DotStuffer {

    private final int bodyLines;
    private boolean lineStart = true;
    private boolean lastCr;
    private boolean inBody;
    private int lineLength;
    private int bodyCount;
    private boolean finished;

    /** @param bodyLines lines of the body to pass after the header (TOP), or {@code -1} for the whole message */
    DotStuffer(int bodyLines) {
        this.bodyLines = bodyLines;
    }

    /** Whether TOP's limit has been reached: further input is ignored. */
    boolean finished() {
        return finished;
    }

    /** The stuffed form of {@code src[off, off+len)}, up to TOP's limit. */
    ByteBuf feed(ByteBufAllocator alloc, byte[] src, int off, int len) {
        byte[] dst = new byte[len * 2 + 2];
        int d = 0;
        for (int i = off; i < off + len && !finished; i++) {
            byte b = src[i];
            if (lineStart && b == '.') {
                dst[d++] = '.';
            }
            if (b == '\n') {
                if (!lastCr) {
                    dst[d++] = '\r';
                }
                dst[d++] = '\n';
                lineStart = true;
                lastCr = false;
                endOfLine();
            } else {
                dst[d++] = b;
                lineStart = false;
                lastCr = b == '\r';
                if (b != '\r') {
                    lineLength++;
                }
            }
        }
        ByteBuf out = alloc.buffer(d);
        out.writeBytes(dst, 0, d);
        return out;
    }

    private void endOfLine() {
        if (bodyLines >= 0) {
            if (!inBody) {
                if (lineLength == 0) {
                    inBody = true;
                    if (bodyLines == 0) {
                        finished = true;
                    }
                }
            } else if (++bodyCount >= bodyLines) {
                finished = true;
            }
        }
        lineLength = 0;
    }

    /** Ends the last line if the message did not, and adds the terminating {@code .CRLF}. */
    ByteBuf finish(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(5);
        if (!lineStart) {
            if (!lastCr) {
                out.writeByte('\r');
            }
            out.writeByte('\n');
        }
        out.writeByte('.').writeByte('\r').writeByte('\n');
        lineStart = true;
        finished = true;
        return out;
    }
}
