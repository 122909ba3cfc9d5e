package io.pillarbox.mime;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;

/** Decodes RFC 2047 encoded words in header text to Unicode (for SEARCH, SORT, display). */
public final class HeaderDecoder {

    private HeaderDecoder() {
    }

    /**
     * Decodes the encoded words of an (unfolded or folded) header value; text that is not a valid encoded word, or
     * names an unknown charset, is kept as it is. {@code null} gives {@code null}.
     */
    public static String decode(String rfc2047Text) {
        if (rfc2047Text == null) {
            return null;
        }
        String s = rfc2047Text.indexOf('\r') >= 0 || rfc2047Text.indexOf('\n') >= 0
                ? rfc2047Text.replaceAll("\r?\n(?=[ \t])", "").replace("\r", "").replace("\n", "")
                : rfc2047Text;
        if (!s.contains("=?")) {
            return s;
        }
        try {
            return DecoderUtil.decodeEncodedWords(s, DecodeMonitor.SILENT);
        } catch (RuntimeException e) {
            return s;
        }
    }
}
