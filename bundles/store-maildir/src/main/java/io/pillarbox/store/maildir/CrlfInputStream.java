package io.pillarbox.store.maildir;

import java.io.IOException;
import java.io.InputStream;

/**
 * Serves a stream with bare LF line ends (as Dovecot, procmail, maildrop and Postfix's local(8) write Maildir files)
 * with CRLF line ends: a CR is inserted before every LF that does not follow a CR. Everything else passes unchanged,
 * so a stream that already has CRLF line ends comes out identical. {@link #skip} reads through the converted stream.
 */
final class CrlfInputStream extends InputStream {

    private final InputStream in;
    /** False: pass the bytes through unchanged, only counting the CRs a conversion would insert. */
    private final boolean convert;
    private int prev = -1;
    /** An LF owed after an inserted CR. */
    private boolean pendingLf;
    /** CRs inserted so far (or, without conversion, bare LFs seen so far). */
    long inserted;

    CrlfInputStream(InputStream in) {
        this(in, true);
    }

    CrlfInputStream(InputStream in, boolean convert) {
        this.in = in;
        this.convert = convert;
    }

    @Override
    public int read() throws IOException {
        if (pendingLf) {
            pendingLf = false;
            prev = '\n';
            return '\n';
        }
        int b = in.read();
        if (b == '\n' && prev != '\r' && !convert) {
            inserted++;
        } else if (b == '\n' && prev != '\r') {
            pendingLf = true;
            inserted++;
            prev = '\r';
            return '\r';
        }
        prev = b;
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!convert) {
            int r = in.read(buf, off, len);
            for (int i = off; i < off + r; i++) {
                if (buf[i] == '\n' && prev != '\r') {
                    inserted++;
                }
                prev = buf[i];
            }
            return r;
        }
        int n = 0;
        if (pendingLf) {
            pendingLf = false;
            prev = '\n';
            buf[off + n++] = '\n';
        }
        if (n == len) {
            return n;
        }
        // read raw bytes into the tail half of the room left (each may grow to two), then expand in place
        int room = len - n;
        int want = Math.max(1, room / 2);
        int start = off + len - want;
        int r = in.read(buf, start, want);
        if (r < 0) {
            return n == 0 ? -1 : n;
        }
        int p = off + n;
        for (int i = start; i < start + r; i++) {
            byte b = buf[i];
            if (b == '\n' && prev != '\r') {
                inserted++;
                buf[p++] = '\r';
                if (p == off + len) {
                    // room for one byte only (then exactly one raw byte was read): owe the LF
                    pendingLf = true;
                    prev = '\r';
                    return p - off;
                }
            }
            buf[p++] = b;
            prev = b;
        }
        return p - off;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(65536, Math.max(1, n))];
        long left = n;
        while (left > 0) {
            int r = read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                break;
            }
            left -= r;
        }
        return n - left;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
