package io.pillarbox.mime;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a stream line by line (a line ends with LF, optionally preceded by CR), keeping absolute offsets and at most
 * {@link #CAP} octets of each line's content, so that arbitrarily long lines cost no memory.
 */
final class LineReader {

    static final int CAP = 64 * 1024;

    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private boolean eof;
    /** Absolute offset of the next byte not yet read into a line. */
    private long offset;

    // the current (peeked) line
    private boolean loaded;
    private boolean atEnd;
    byte[] content = new byte[256];
    /** Octets of content kept in {@link #content} (at most CAP). */
    int kept;
    /** Octets of content in total (without the line end). */
    long contentLength;
    /** 0 (last line without line end), 1 (LF) or 2 (CRLF). */
    int newline;
    long lineStart;

    // the last consumed line
    long consumedLines;
    int lastNewline;
    long lastContentLength;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** Loads the next line if none is loaded; false at the end of the input. */
    boolean peek() throws IOException {
        if (loaded) {
            return !atEnd;
        }
        loaded = true;
        lineStart = offset;
        kept = 0;
        contentLength = 0;
        newline = 0;
        boolean any = false;
        boolean pendingCr = false;
        while (true) {
            if (pos >= limit) {
                if (eof || !fill()) {
                    break;
                }
            }
            byte b = buf[pos++];
            offset++;
            any = true;
            if (b == '\n') {
                newline = pendingCr ? 2 : 1;
                pendingCr = false;
                break;
            }
            if (pendingCr) {
                add((byte) '\r');
            }
            if (b == '\r') {
                pendingCr = true;
            } else {
                add(b);
            }
        }
        if (pendingCr) {
            add((byte) '\r');
        }
        atEnd = !any;
        return any;
    }

    private void add(byte b) {
        if (kept < CAP) {
            if (kept == content.length) {
                byte[] n = new byte[Math.min(CAP, content.length * 2)];
                System.arraycopy(content, 0, n, 0, kept);
                content = n;
            }
            content[kept++] = b;
        }
        contentLength++;
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            eof = true;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    /** Marks the loaded line as consumed. */
    void consume() {
        if (loaded && !atEnd) {
            consumedLines++;
            lastNewline = newline;
            lastContentLength = contentLength;
            loaded = false;
        }
    }

    /** Offset of the start of the loaded line, or the end of input. */
    long position() {
        return loaded ? lineStart : offset;
    }

    boolean atEnd() {
        return loaded && atEnd;
    }

    /** Offset just after the loaded line (its line end included). */
    long lineEnd() {
        return lineStart + contentLength + newline;
    }
}
