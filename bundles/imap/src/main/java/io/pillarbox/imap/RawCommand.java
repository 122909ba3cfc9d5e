package io.pillarbox.imap;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One command as the decoder framed it: {@code lines.get(i)} (without CRLF) is followed by {@code literals.get(i)}
 * for every literal; the last line has none. Lines that announce a literal end with its {@code {n}} marker.
 */
record RawCommand(List<byte[]> lines, List<Literal> literals) {

    /** The first line as text, for logs and continuation responses. */
    String firstLine() {
        return new String(lines.get(0), StandardCharsets.UTF_8);
    }

    void release() {
        for (Literal l : literals) {
            l.release();
        }
    }
}
