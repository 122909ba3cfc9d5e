package io.pillarbox.smtp;

import io.netty.buffer.ByteBuf;

/**
 * Reads the text of a DATA command from the wire: removes dot-stuffing (RFC 5321 4.5.2), finds the end of data, which
 * is only {@code CRLF . CRLF} (never a bare LF form, RFC 5321 4.1.1.4, so no SMTP smuggling), and notes what is
 * wrong with the content (bare CR or LF, NUL, over-long lines, too big) without stopping: the client's data must be
 * read to its end before the one reply is given.
 * <p>
 * With {@code normalizeBareLf} (for trusted clients, as Postfix's {@code smtpd_forbid_bare_newline = normalize}), a
 * bare LF ends a line and is stored as CRLF; a line that starts after a bare LF can still never end the data, so
 * {@code LF . CRLF} and {@code LF . LF} stay content and only {@code CRLF . CRLF} ends it. A bare CR is refused
 * either way.
 */
final class DataReceiver {

    private enum State { LINE_START, DOT, DOT_CR, IN_LINE, CR, BARE_LINE_START, BARE_DOT, BARE_DOT_CR }

    private final long maxSize;
    private final int maxLine;
    private final boolean normalizeBareLf;
    private State state = State.LINE_START;
    private long size;
    private int lineLength;
    boolean tooBig;
    boolean bareLineEnd;
    boolean nul;
    boolean longLine;
    /** How many bare LFs were stored as CRLF. */
    long normalized;

    DataReceiver(long maxSize, int maxLine) {
        this(maxSize, maxLine, false);
    }

    DataReceiver(long maxSize, int maxLine, boolean normalizeBareLf) {
        this.maxSize = maxSize;
        this.maxLine = maxLine;
        this.normalizeBareLf = normalizeBareLf;
    }

    /** Octets of the message so far (after unstuffing). */
    long size() {
        return size;
    }

    /**
     * Consumes octets from {@code in}, appending the unstuffed message to {@code out} (nothing once it is too big).
     *
     * @return whether the end of data was reached; {@code in} is then positioned just after it
     */
    boolean feed(ByteBuf in, ByteBuf out) {
        while (in.isReadable()) {
            byte b = in.readByte();
            switch (state) {
                case LINE_START -> {
                    if (b == '.') {
                        state = State.DOT;
                        lineLength = 0; // the stuffing dot is not part of the message line
                    } else {
                        inLine(b, out);
                    }
                }
                case DOT -> {
                    if (b == '\r') {
                        state = State.DOT_CR;
                    } else {
                        inLine(b, out); // the leading dot was stuffing: dropped
                    }
                }
                case DOT_CR -> {
                    if (b == '\n') {
                        state = State.LINE_START;
                        return true;
                    }
                    // ".\r" then something else: a line holding a bare CR; the dot was stuffing
                    bareLineEnd = true;
                    emit((byte) '\r', out);
                    state = State.IN_LINE;
                    inLine(b, out);
                }
                case BARE_LINE_START -> {
                    if (b == '.') {
                        state = State.BARE_DOT;
                        lineLength = 0;
                    } else {
                        inLine(b, out);
                    }
                }
                case BARE_DOT -> {
                    if (b == '\r') {
                        state = State.BARE_DOT_CR;
                    } else {
                        inLine(b, out); // the leading dot was stuffing: dropped
                    }
                }
                case BARE_DOT_CR -> {
                    if (b == '\n') {
                        // "LF . CRLF" is never the end of data: an empty line of content (the dot was stuffing)
                        emit((byte) '\r', out);
                        emit(b, out);
                        state = State.LINE_START;
                        lineLength = 0;
                    } else {
                        bareLineEnd = true;
                        emit((byte) '\r', out);
                        state = State.IN_LINE;
                        inLine(b, out);
                    }
                }
                case IN_LINE -> inLine(b, out);
                case CR -> {
                    if (b == '\n') {
                        emit(b, out);
                        state = State.LINE_START;
                        lineLength = 0;
                    } else {
                        bareLineEnd = true; // a CR not followed by LF
                        state = State.IN_LINE;
                        inLine(b, out);
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        return false;
    }

    private void inLine(byte b, ByteBuf out) {
        if (b == '\r') {
            emit(b, out);
            state = State.CR;
            return;
        }
        state = State.IN_LINE;
        if (b == '\n' && normalizeBareLf) {
            normalized++;
            emit((byte) '\r', out);
            emit(b, out);
            state = State.BARE_LINE_START;
            lineLength = 0;
            return;
        }
        if (b == '\n') {
            bareLineEnd = true; // a bare LF is not a line end (RFC 5321 2.3.8)
        } else if (b == 0) {
            nul = true;
        }
        if (++lineLength > maxLine && maxLine > 0) {
            longLine = true;
        }
        emit(b, out);
    }

    private void emit(byte b, ByteBuf out) {
        size++;
        if (size > maxSize) {
            tooBig = true;
            return;
        }
        out.writeByte(b);
    }
}
