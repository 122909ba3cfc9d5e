package io.pillarbox.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Counts the {@code Received:} headers of a message (its hop count), as Postfix's {@code hopcount_limit} does. */
final class Hops {

    /** A message that arrives with this many {@code Received:} headers is refused: a mail loop (Postfix: 50). */
    static final int LIMIT = 50;
    /** Header octets read at most while counting. */
    static final int MAX_HEADER_OCTETS = 1024 * 1024;

    private Hops() {
    }

    /** The number of header fields named {@code Received} in the header section (up to the empty line). */
    static int count(InputStream in) throws IOException {
        int count = 0;
        int read = 0;
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && read++ < MAX_HEADER_OCTETS) {
            if (c == '\n') {
                int len = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1
                        : line.length();
                if (len == 0) {
                    break;
                }
                if (isReceived(line)) {
                    count++;
                }
                line.setLength(0);
            } else if (line.length() < 64) {
                line.append((char) c);
            }
        }
        return count;
    }

    private static boolean isReceived(CharSequence line) {
        String name = "received";
        if (line.length() < name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.toLowerCase(line.charAt(i)) != name.charAt(i)) {
                return false;
            }
        }
        for (int i = name.length(); i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == ':') {
                return true;
            }
            if (ch != ' ' && ch != '\t') {
                return false;
            }
        }
        return false;
    }

    /** RFC 3461 4.2 xtext: {@code +XX} for '+', '=', controls, space and non-ASCII octets (UTF-8). */
    static String xtext(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int v = x & 0xFF;
            if (v < 33 || v > 126 || v == '+' || v == '=') {
                b.append('+').append(String.format("%02X", v));
            } else {
                b.append((char) v);
            }
        }
        return b.toString();
    }

}
