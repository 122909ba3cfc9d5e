package io.pillarbox.auth.file;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Dovecot's {@code {CRAM-MD5}} scheme: the two MD5 states of HMAC-MD5 after the key's opad and ipad blocks
 * (Dovecot's {@code hmac_md5_get_cram_context}: outer a,b,c,d then inner a,b,c,d, each a little-endian 32-bit word,
 * 32 bytes, stored as 64 hex digits). With those states HMAC-MD5 of any challenge can be computed without the
 * password, which is what CRAM-MD5 needs. A small MD5 whose state can be set makes that possible.
 */
final class CramMd5 {

    private static final int[] K = new int[64];
    private static final int[] S = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    private static final int[] INIT = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};

    static {
        for (int i = 0; i < 64; i++) {
            K[i] = (int) (long) Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296.0);
        }
    }

    private CramMd5() {
    }

    /** The 32-byte context of a password (as UTF-8 bytes). */
    static byte[] context(byte[] key) {
        byte[] k = key;
        if (k.length > 64) {
            try {
                k = MessageDigest.getInstance("MD5").digest(k);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        byte[] ipad = new byte[64];
        byte[] opad = new byte[64];
        for (int i = 0; i < 64; i++) {
            byte b = i < k.length ? k[i] : 0;
            ipad[i] = (byte) (b ^ 0x36);
            opad[i] = (byte) (b ^ 0x5c);
        }
        int[] inner = INIT.clone();
        int[] outer = INIT.clone();
        block(inner, ipad, 0);
        block(outer, opad, 0);
        Arrays.fill(ipad, (byte) 0);
        Arrays.fill(opad, (byte) 0);
        byte[] out = new byte[32];
        putWords(outer, out, 0);
        putWords(inner, out, 16);
        return out;
    }

    /** HMAC-MD5 of {@code data} from a 32-byte context. */
    static byte[] hmac(byte[] context, byte[] data) {
        if (context.length != 32) {
            throw new IllegalArgumentException("CRAM-MD5 context must be 32 bytes");
        }
        int[] outer = getWords(context, 0);
        int[] inner = getWords(context, 16);
        byte[] innerDigest = finish(inner, data, 64);
        return finish(outer, innerDigest, 64);
    }

    /** Continues an MD5 whose state has consumed {@code done} bytes (a multiple of 64) with {@code data}. */
    private static byte[] finish(int[] state, byte[] data, long done) {
        int full = data.length / 64 * 64;
        for (int off = 0; off < full; off += 64) {
            block(state, data, off);
        }
        int rest = data.length - full;
        byte[] tail = new byte[rest + 1 + 8 <= 64 ? 64 : 128];
        System.arraycopy(data, full, tail, 0, rest);
        tail[rest] = (byte) 0x80;
        long bits = (done + data.length) * 8;
        for (int i = 0; i < 8; i++) {
            tail[tail.length - 8 + i] = (byte) (bits >>> (8 * i));
        }
        for (int off = 0; off < tail.length; off += 64) {
            block(state, tail, off);
        }
        byte[] out = new byte[16];
        putWords(state, out, 0);
        return out;
    }

    private static void block(int[] st, byte[] buf, int off) {
        int[] m = new int[16];
        for (int i = 0; i < 16; i++) {
            int p = off + 4 * i;
            m[i] = (buf[p] & 0xff) | (buf[p + 1] & 0xff) << 8 | (buf[p + 2] & 0xff) << 16 | (buf[p + 3] & 0xff) << 24;
        }
        int a = st[0];
        int b = st[1];
        int c = st[2];
        int d = st[3];
        for (int i = 0; i < 64; i++) {
            int f;
            int g;
            if (i < 16) {
                f = (b & c) | (~b & d);
                g = i;
            } else if (i < 32) {
                f = (d & b) | (~d & c);
                g = (5 * i + 1) & 15;
            } else if (i < 48) {
                f = b ^ c ^ d;
                g = (3 * i + 5) & 15;
            } else {
                f = c ^ (b | ~d);
                g = (7 * i) & 15;
            }
            int tmp = d;
            d = c;
            c = b;
            b = b + Integer.rotateLeft(a + f + K[i] + m[g], S[i]);
            a = tmp;
        }
        st[0] += a;
        st[1] += b;
        st[2] += c;
        st[3] += d;
    }

    private static void putWords(int[] w, byte[] out, int off) {
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                out[off + 4 * i + j] = (byte) (w[i] >>> (8 * j));
            }
        }
    }

    private static int[] getWords(byte[] in, int off) {
        int[] w = new int[4];
        for (int i = 0; i < 4; i++) {
            int p = off + 4 * i;
            w[i] = (in[p] & 0xff) | (in[p + 1] & 0xff) << 8 | (in[p + 2] & 0xff) << 16 | (in[p + 3] & 0xff) << 24;
        }
        return w;
    }
}
