package io.pillarbox.migration;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** LF-terminated lines of a byte stream; the content excludes the LF and a CR right before it. */
final class LineInput {

    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private boolean eof;

    byte[] content = new byte[256];
    int length;
    /** The line ended with LF (false only for a last line without one). */
    boolean lf;
    /** A CR before the LF was removed from the content. */
    boolean cr;

    LineInput(InputStream in) {
        this.in = in;
    }

    /** Reads the next line; false at the end. */
    boolean next() throws IOException {
        length = 0;
        lf = false;
        cr = false;
        boolean any = false;
        while (true) {
            if (pos >= limit) {
                if (eof) {
                    break;
                }
                int n = in.read(buf);
                if (n < 0) {
                    eof = true;
                    break;
                }
                pos = 0;
                limit = n;
                continue;
            }
            byte b = buf[pos++];
            any = true;
            if (b == '\n') {
                lf = true;
                break;
            }
            if (length == content.length) {
                content = Arrays.copyOf(content, content.length * 2);
            }
            content[length++] = b;
        }
        if (lf && length > 0 && content[length - 1] == '\r') {
            length--;
            cr = true;
        }
        return any;
    }

    boolean startsWith(String ascii) {
        return startsWith(content, 0, length, ascii);
    }

    static boolean startsWith(byte[] b, int off, int len, String ascii) {
        if (len < ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (b[off + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    String text() {
        return new String(content, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
