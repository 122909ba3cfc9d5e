package io.pillarbox.imap;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Modified UTF-7 for mailbox names (RFC 3501 section 5.1.3). */
final class MUtf7 {

    private static final Base64.Encoder ENC = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getDecoder();

    private MUtf7() {
    }

    static String encode(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= 0x20 && c <= 0x7e) {
                out.append(c == '&' ? "&-" : String.valueOf(c));
                i++;
                continue;
            }
            int j = i;
            while (j < s.length() && (s.charAt(j) < 0x20 || s.charAt(j) > 0x7e)) {
                j++;
            }
            byte[] utf16 = s.substring(i, j).getBytes(StandardCharsets.UTF_16BE);
            out.append('&').append(ENC.encodeToString(utf16).replace('/', ',')).append('-');
            i = j;
        }
        return out.toString();
    }

    /** @throws IllegalArgumentException for names that are not valid modified UTF-7 */
    static String decode(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c > 0x7e || (c < 0x20)) {
                throw new IllegalArgumentException("8-bit or control character in mailbox name");
            }
            if (c != '&') {
                out.append(c);
                i++;
                continue;
            }
            int end = s.indexOf('-', i + 1);
            if (end < 0) {
                throw new IllegalArgumentException("Unterminated modified UTF-7 shift");
            }
            if (end == i + 1) {
                out.append('&');
                i = end + 1;
                continue;
            }
            String b64 = s.substring(i + 1, end).replace(',', '/');
            byte[] bytes;
            try {
                bytes = DEC.decode(b64);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid modified UTF-7");
            }
            if (bytes.length == 0 || bytes.length % 2 != 0) {
                throw new IllegalArgumentException("Invalid modified UTF-7");
            }
            String decoded = new String(bytes, StandardCharsets.UTF_16BE);
            for (int k = 0; k < decoded.length(); k++) {
                char d = decoded.charAt(k);
                if (d >= 0x20 && d <= 0x7e) {
                    throw new IllegalArgumentException("Printable ASCII must not be encoded in modified UTF-7");
                }
            }
            out.append(decoded);
            i = end + 1;
        }
        return out.toString();
    }
}
