package io.pillarbox.smtp;

import io.netty.buffer.ByteBuf;

/**
 * Reads the text of a DATA command from the wire: removes dot-stuffing (RFC 5321 4.5.2), finds the end of data, which
 * is only {@code CRLF . CRLF} (never a bare LF form, RFC 5321 4.1.1.4, so no SMTP smuggling), and notes what is
 * wrong with the content (bare CR or LF, NUL, over-long lines, too big) without stopping: the client's data must be
 * read to its end before the one reply is given.
 */
final class DataReceiver {

    private enum State { LINE_START, DOT, DOT_CR, IN_LINE, CR }

    private final long maxSize;
    private final int maxLine;
    private State state = State.LINE_START;
    private long size;
    private int lineLength;
    boolean tooBig;
    boolean bareLineEnd;
    boolean nul;
    boolean longLine;

    DataReceiver(long maxSize, int maxLine) {
        this.maxSize = maxSize;
        this.maxLine = maxLine;
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
