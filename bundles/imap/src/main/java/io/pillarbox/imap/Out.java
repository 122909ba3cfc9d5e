package io.pillarbox.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.stream.ChunkedStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds server responses: text into a buffer. Large literals become chunked inputs that the
 * {@code ChunkedWriteHandler} streams: the session's {@link AsyncBody} (read on the worker while the client keeps
 * up) or, without a {@link Streamer}, {@link ChunkedStream}s that the
 * {@code ChunkedWriteHandler} streams without loading them. {@link #drain()} hands over the pieces in order.
 */
final class Out {

    /** Literals up to this size are copied into the response buffer; larger ones are streamed. */
    static final int INLINE_LITERAL = 64 * 1024;

    /** Makes the chunked input that streams a large literal (the session's {@link AsyncBody}). */
    interface Streamer {
        Object body(AsyncBody.Opener opener, long size);
    }

    private final boolean utf8;
    private final Streamer streamer;
    private final List<Object> parts = new ArrayList<>();
    private ByteBuf buf;

    Out(boolean utf8) {
        this(utf8, null);
    }

    Out(boolean utf8, Streamer streamer) {
        this.utf8 = utf8;
        this.streamer = streamer;
    }

    Streamer streamer() {
        return streamer;
    }

    boolean utf8() {
        return utf8;
    }

    private ByteBuf buf() {
        if (buf == null) {
            buf = Unpooled.buffer(256);
        }
        return buf;
    }

    Out raw(String s) {
        buf().writeCharSequence(s, StandardCharsets.UTF_8);
        return this;
    }

    Out raw(char c) {
        buf().writeByte(c);
        return this;
    }

    Out sp() {
        return raw(' ');
    }

    Out crlf() {
        buf().writeByte('\r').writeByte('\n');
        return this;
    }

    Out num(long n) {
        return raw(Long.toString(n));
    }

    Out nil() {
        return raw("NIL");
    }

    Out nstring(String s) {
        return s == null ? nil() : string(s);
    }

    /** A string as quoted when it can be, else as a literal. */
    Out string(String s) {
        if (quotable(s)) {
            ByteBuf b = buf();
            b.writeByte('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    b.writeByte('\\');
                }
                if (c < 0x80) {
                    b.writeByte(c);
                } else {
                    int end = i + 1;
                    if (Character.isHighSurrogate(c) && end < s.length()) {
                        end++;
                    }
                    b.writeCharSequence(s.subSequence(i, end), StandardCharsets.UTF_8);
                    i = end - 1;
                }
            }
            b.writeByte('"');
            return this;
        }
        return literal(s.getBytes(StandardCharsets.UTF_8));
    }

    private boolean quotable(String s) {
        if (s.length() > 1000) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || (c >= 0x80 && !utf8)) {
                return false;
            }
        }
        return true;
    }

    /** An astring: an atom when it is one (and not NIL), else a string. */
    Out astring(String s) {
        if (!s.isEmpty() && !s.equalsIgnoreCase("NIL")) {
            boolean atom = true;
            for (int i = 0; i < s.length() && atom; i++) {
                atom = ImapReader.isAstringChar(s.charAt(i));
            }
            if (atom) {
                return raw(s);
            }
        }
        return string(s);
    }

    /** A mailbox name: modified UTF-7 unless UTF-8 is enabled; always quoted for simple clients. */
    Out mailbox(String name) {
        String n = utf8 ? name : MUtf7.encode(name);
        return string(n);
    }

    Out literal(byte[] bytes) {
        ByteBuf b = buf();
        b.writeByte('{').writeCharSequence(Integer.toString(bytes.length), StandardCharsets.US_ASCII);
        b.writeByte('}').writeByte('\r').writeByte('\n');
        b.writeBytes(bytes);
        return this;
    }

    /** A literal of exactly {@code size} octets read from {@code in} (which this closes). */
    Out literal(long size, InputStream in, boolean binary) throws IOException {
        return literal(size, () -> in, binary);
    }

    /**
     * A literal of exactly {@code size} octets from what {@code opener} opens: read now when small, else streamed
     * later (opened only when its turn comes).
     */
    Out literal(long size, AsyncBody.Opener opener, boolean binary) throws IOException {
        raw(binary ? "~{" : "{").num(size).raw("}").crlf();
        if (size <= INLINE_LITERAL) {
            try (InputStream in = opener.open()) {
                byte[] data = in.readNBytes((int) size);
                buf().writeBytes(data);
                for (long k = data.length; k < size; k++) {
                    buf().writeByte(' ');
                }
            }
            return this;
        }
        flushBuf();
        if (streamer != null) {
            parts.add(streamer.body(opener, size));
        } else {
            parts.add(new ChunkedStream(new ExactStream(opener.open(), size), 16384));
        }
        return this;
    }

    private void flushBuf() {
        if (buf != null && buf.isReadable()) {
            parts.add(buf);
            buf = null;
        }
    }

    /** The pieces written so far (ByteBufs and ChunkedInputs), in order; the builder is empty afterwards. */
    List<Object> drain() {
        flushBuf();
        List<Object> p = new ArrayList<>(parts);
        parts.clear();
        return p;
    }

    /** Octets and pieces held, to decide when to hand a batch to the channel. */
    int pending() {
        return (buf == null ? 0 : buf.readableBytes()) + parts.size() * 256;
    }

    /** Moves everything {@code other} holds to the end of this one. */
    Out append(Out other) {
        flushBuf();
        parts.addAll(other.drain());
        return this;
    }

    boolean isEmpty() {
        return parts.isEmpty() && (buf == null || !buf.isReadable());
    }

    /** Renders to a string (tests and logs; reads streamed parts). */
    static String render(List<Object> parts) {
        StringBuilder sb = new StringBuilder();
        for (Object o : parts) {
            if (o instanceof ByteBuf b) {
                sb.append(b.toString(StandardCharsets.UTF_8));
                b.release();
            } else if (o instanceof ChunkedStream cs) {
                try {
                    while (!cs.isEndOfInput()) {
                        ByteBuf c = cs.readChunk(Unpooled.buffer().alloc());
                        if (c != null) {
                            sb.append(c.toString(StandardCharsets.UTF_8));
                            c.release();
                        }
                    }
                    cs.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return sb.toString();
    }

    /** Pads or cuts a stream to exactly {@code size} octets, so that a literal never lies about its length. */
    static final class ExactStream extends InputStream {
        private final InputStream in;
        private long left;

        ExactStream(InputStream in, long size) {
            this.in = in;
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) ' ');
            }
            left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
