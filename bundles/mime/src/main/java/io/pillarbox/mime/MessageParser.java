package io.pillarbox.mime;

import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.MessageStructure.BodyPart;
import io.pillarbox.api.store.MessageStructure.Envelope;
import org.apache.james.mime4j.stream.NameValuePair;
import org.apache.james.mime4j.stream.RawBody;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.stream.RawFieldParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses a message once, streaming, into its {@link MessageStructure}: the envelope and the MIME tree with exact
 * octet offsets of every entity's header and body, for IMAP FETCH ENVELOPE, BODYSTRUCTURE and BODY[section].
 * <p>
 * Offsets are for the bytes exactly as given (CRLF or bare LF line ends alike). The line end before a boundary
 * belongs to the boundary (RFC 2046), so it is not part of the preceding body. A line that begins with {@code --}
 * and a boundary of an enclosing multipart is a delimiter (RFC 2046 forbids boundaries even as prefixes of content
 * lines); where several match, the longest wins. {@code lines} counts the body's line ends plus a last line without
 * one (Dovecot counts only LF octets, so a part ending without a line end before its boundary has one line more
 * here). Defaults follow RFC 2045/3501: a missing or unusable Content-Type is
 * {@code text/plain; charset=us-ascii} ({@code message/rfc822} inside {@code multipart/digest}), a text part without
 * a charset gets {@code charset=us-ascii}, a missing Content-Transfer-Encoding is {@code 7bit}. Types, subtypes,
 * encodings and parameter names are lower-case; other values are as in the header (RFC 2047 words undecoded),
 * unfolded and trimmed. Header fields are read with Mime4j's field parser.
 * <p>
 * Garbage never makes it throw: anything that is not valid MIME gives a best-effort structure. Only an
 * {@link IOException} of the stream itself escapes.
 */
public final class MessageParser {

    /**
     * Changes whenever the structure given for the same bytes changes (offsets, defaults, address parsing). A store
     * that keeps structures in an index can record it and re-parse messages whose structure came from another
     * version.
     */
    public static final int VERSION = 5;

    /** Nesting deeper than this is kept as opaque leaves. */
    private static final int MAX_DEPTH = 64;
    /** MIME entities per message; boundaries beyond are kept as content of the enclosing multipart. */
    static final int MAX_ENTITIES = 10_000;
    /** Octets of one header field that are kept. */
    private static final int MAX_FIELD = 64 * 1024;

    private final LineReader r;
    private final List<byte[]> boundaries = new ArrayList<>();
    private int entities;
    /**
     * The last consumed line was the blank line ending a header or a delimiter line opening a part: its line end
     * belongs to it, not to a boundary that follows.
     */
    private boolean headerEnded;

    private MessageParser(InputStream in) {
        this.r = new LineReader(in);
    }

    /** Parses a whole message from {@code in} (read to its end, not closed). */
    public static MessageStructure parse(InputStream in) throws IOException {
        MessageParser p = new MessageParser(in);
        Entity e = p.entity(false, 0);
        // a top-level message ends at the end of input: read whatever a stray boundary left unread
        while (p.r.peek()) {
            p.r.consume();
        }
        BodyPart root = e.part;
        if (root.bodyOffset() + root.bodySize() != p.r.position()) {
            long size = p.r.position() - root.bodyOffset();
            long lines = e.linesAtBody < 0 ? 0 : p.r.consumedLines - e.linesAtBody;
            root = withSize(root, size, lines);
        }
        return new MessageStructure(envelope(e.header), root);
    }

    private static BodyPart withSize(BodyPart p, long size, long lines) {
        return new BodyPart(p.type(), p.subtype(), p.parameters(), p.id(), p.description(), p.encoding(),
                p.headerOffset(), p.bodyOffset(), size, lines, p.md5(), p.disposition(), p.dispositionParameters(),
                p.language(), p.location(), p.parts(), p.message());
    }

    private record Entity(BodyPart part, Header header, long linesAtBody) {
    }

    /** The header fields this parser needs, first occurrence of each. */
    static final class Header {
        final Map<String, String> fields = new LinkedHashMap<>();
        private String name;
        private final java.io.ByteArrayOutputStream value = new java.io.ByteArrayOutputStream();

        void line(byte[] b, int len) {
            if (len > 0 && (b[0] == ' ' || b[0] == '\t')) {
                if (name != null && value.size() < MAX_FIELD) {
                    value.write(b, 0, Math.min(len, MAX_FIELD - value.size()));
                }
                return;
            }
            finish();
            int colon = -1;
            for (int i = 0; i < len; i++) {
                if (b[i] == ':') {
                    colon = i;
                    break;
                }
            }
            if (colon <= 0) {
                return;
            }
            int end = colon;
            while (end > 0 && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
                end--;
            }
            for (int i = 0; i < end; i++) {
                if (b[i] <= 32 || b[i] >= 127) {
                    return;
                }
            }
            if (end == 0) {
                return;
            }
            String n = new String(b, 0, end, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
            if (!WANTED.contains(n) || fields.containsKey(n)) {
                return;
            }
            name = n;
            value.reset();
            value.write(b, colon + 1, Math.min(len - colon - 1, MAX_FIELD));
        }

        void finish() {
            if (name != null) {
                fields.put(name, text(value.toByteArray()).strip());
                name = null;
            }
        }

        String get(String n) {
            return fields.get(n);
        }
    }

    private static final java.util.Set<String> WANTED = java.util.Set.of("date", "subject", "from", "sender",
            "reply-to", "to", "cc", "bcc", "in-reply-to", "message-id", "content-type", "content-id",
            "content-description", "content-transfer-encoding", "content-md5", "content-disposition",
            "content-language", "content-location");

    /** Header bytes as text: UTF-8 where valid (RFC 6532), else ISO-8859-1. */
    static String text(byte[] b) {
        boolean ascii = true;
        for (byte x : b) {
            if (x < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(b, StandardCharsets.US_ASCII);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }
    }

    /** Which boundary the loaded line is: its index in the stack (innermost first), or -1; close in closeFlag. */
    private boolean close;

    private int matchBoundary() {
        if (r.kept < 2 || r.content[0] != '-' || r.content[1] != '-' || boundaries.isEmpty()) {
            return -1;
        }
        // RFC 2046: a boundary may not even begin a content line, so a line that begins with "--" and a boundary
        // is a delimiter whatever follows; where several boundaries match, the longest wins (as in Dovecot)
        int best = -1;
        for (int i = boundaries.size() - 1; i >= 0; i--) {
            byte[] bd = boundaries.get(i);
            if (r.kept < bd.length + 2 || (best >= 0 && boundaries.get(best).length >= bd.length)) {
                continue;
            }
            boolean eq = true;
            for (int k = 0; k < bd.length; k++) {
                if (r.content[k + 2] != bd[k]) {
                    eq = false;
                    break;
                }
            }
            if (eq) {
                best = i;
            }
        }
        if (best >= 0) {
            int p = boundaries.get(best).length + 2;
            close = p + 1 < r.kept && r.content[p] == '-' && r.content[p + 1] == '-';
        }
        return best;
    }

    /** True if the loaded line ends the current entity (a boundary of any enclosing multipart, or the end). */
    private boolean atEntityEnd() throws IOException {
        return !r.peek() || matchBoundary() >= 0;
    }

    private void consume() {
        r.consume();
        headerEnded = false;
    }

    /** Where a body that ends now ends. */
    private long bodyEnd(long bodyOffset) {
        if (r.atEnd() || headerEnded) {
            return r.position();
        }
        return Math.max(bodyOffset, r.position() - r.lastNewline);
    }

    /** Lines of the body that ends now: its line ends, plus a last line without one. */
    private long lines(long bodyOffset, long end, long linesAtBody) {
        if (end <= bodyOffset) {
            return 0;
        }
        long n = r.consumedLines - linesAtBody;
        if (!r.atEnd() && !headerEnded && r.lastContentLength == 0) {
            n--; // the last line was empty and its line end belongs to the boundary
        }
        return Math.max(0, n);
    }

    private Entity entity(boolean inDigest, int depth) throws IOException {
        entities++;
        long headerOffset = r.position();
        Header h = new Header();
        long bodyOffset;
        boolean hasBody;
        while (true) {
            if (atEntityEnd()) {
                bodyOffset = Math.max(headerOffset, bodyEnd(headerOffset));
                hasBody = false;
                break;
            }
            if (r.contentLength == 0) {
                bodyOffset = r.lineEnd();
                r.consume();
                headerEnded = true;
                hasBody = true;
                break;
            }
            h.line(r.content, r.kept);
            consume();
        }
        h.finish();

        // Content-Type
        String type = "text";
        String subtype = "plain";
        Map<String, String> params = new LinkedHashMap<>();
        boolean typed = false;
        String ct = h.get("content-type");
        if (ct != null) {
            RawBody rb = rawBody("Content-Type", ct);
            String v = rb.getValue() == null ? "" : rb.getValue().strip();
            int slash = v.indexOf('/');
            if (slash > 0 && slash < v.length() - 1 && isToken(v.substring(0, slash).strip())
                    && isToken(v.substring(slash + 1).strip())) {
                type = v.substring(0, slash).strip().toLowerCase(Locale.ROOT);
                subtype = v.substring(slash + 1).strip().toLowerCase(Locale.ROOT);
                typed = true;
                params = params(rb);
            }
        }
        if (!typed && inDigest) {
            type = "message";
            subtype = "rfc822";
        }
        String encoding = "7bit";
        String cte = h.get("content-transfer-encoding");
        if (cte != null) {
            String v = stripComments(cte).strip().toLowerCase(Locale.ROOT);
            if (!v.isEmpty()) {
                encoding = v;
            }
        }
        byte[] boundary = null;
        if (type.equals("multipart")) {
            String b = params.get("boundary");
            if (b != null && !b.isEmpty() && b.length() <= 200 && depth < MAX_DEPTH) {
                boundary = b.getBytes(StandardCharsets.UTF_8);
            } else {
                // RFC 2046 has no multipart without a boundary: treat it as plain text
                type = "text";
                subtype = "plain";
                params = new LinkedHashMap<>();
            }
        }
        if (type.equals("text") && !params.containsKey("charset")) {
            LinkedHashMap<String, String> p = new LinkedHashMap<>();
            p.put("charset", "us-ascii");
            p.putAll(params);
            params = p;
        }
        // always parsed as a message, even when (against RFC 2046) transfer-encoded: IMAP's BODYSTRUCTURE grammar
        // needs an envelope and a body for message/rfc822, and Dovecot does the same
        boolean embedded = type.equals("message") && (subtype.equals("rfc822") || subtype.equals("global"))
                && depth < MAX_DEPTH;

        long linesAtBody = r.consumedLines;
        List<BodyPart> parts = List.of();
        MessageStructure message = null;
        if (hasBody) {
            if (boundary != null) {
                parts = multipartBody(boundary, subtype.equals("digest"), depth, bodyOffset);
            } else if (embedded) {
                Entity inner = entity(false, depth + 1);
                message = new MessageStructure(envelope(inner.header), inner.part);
            } else {
                while (!atEntityEnd()) {
                    consume();
                }
            }
        } else if (boundary != null) {
            parts = List.of(emptyPart(bodyOffset));
        } else if (embedded) {
            message = new MessageStructure(envelope(new Header()), emptyPart(bodyOffset));
        }
        long end = hasBody ? bodyEnd(bodyOffset) : bodyOffset;
        long lines = hasBody ? lines(bodyOffset, end, linesAtBody) : 0;

        String disposition = null;
        Map<String, String> dispParams = Map.of();
        String cd = h.get("content-disposition");
        if (cd != null) {
            RawBody rb = rawBody("Content-Disposition", cd);
            String v = rb.getValue() == null ? "" : rb.getValue().strip();
            if (!v.isEmpty()) {
                disposition = v;
                dispParams = params(rb);
            }
        }
        List<String> language = List.of();
        String cl = h.get("content-language");
        if (cl != null) {
            List<String> l = new ArrayList<>();
            for (String s : stripComments(cl).split("[,\\s]+")) {
                if (!s.isEmpty()) {
                    l.add(s);
                }
            }
            language = List.copyOf(l);
        }
        BodyPart part = new BodyPart(type, subtype, Collections.unmodifiableMap(params), emptyToNull(h.get("content-id")),
                emptyToNull(h.get("content-description")), encoding, headerOffset, bodyOffset, end - bodyOffset, lines,
                emptyToNull(h.get("content-md5")), disposition, Collections.unmodifiableMap(dispParams), language,
                emptyToNull(h.get("content-location")), parts, message);
        return new Entity(part, h, hasBody ? linesAtBody : -1);
    }

    private List<BodyPart> multipartBody(byte[] boundary, boolean digest, int depth, long bodyOffset)
            throws IOException {
        boundaries.add(boundary);
        int mine = boundaries.size() - 1;
        List<BodyPart> parts = new ArrayList<>();
        boolean closed = false;
        while (r.peek()) {
            int m = closed ? -1 : matchBoundary();
            if (m == mine) {
                consume();
                if (entities >= MAX_ENTITIES) {
                    continue; // too many parts: the rest is content of this multipart
                }
                if (close) {
                    closed = true;
                    boundaries.remove(mine); // the epilogue runs to the enclosing boundary
                    continue;
                }
                headerEnded = true;
                parts.add(entity(digest, depth + 1).part);
                continue;
            }
            if (closed ? matchBoundary() >= 0 : m >= 0) {
                break; // an enclosing boundary: this multipart ends here, unclosed
            }
            consume(); // preamble, epilogue
        }
        if (!closed) {
            boundaries.remove(mine);
        }
        if (parts.isEmpty()) {
            parts.add(emptyPart(bodyOffset));
        }
        return List.copyOf(parts);
    }

    /** Stands in where MIME requires a part that the message lacks. */
    private static BodyPart emptyPart(long offset) {
        return new BodyPart("text", "plain", Map.of("charset", "us-ascii"), null, null, "7bit", offset, offset, 0, 0,
                null, null, Map.of(), List.of(), null, List.of(), null);
    }

    private static RawBody rawBody(String name, String value) {
        return RawFieldParser.DEFAULT.parseRawBody(new RawField(name, value));
    }

    private static Map<String, String> params(RawBody rb) {
        Map<String, String> m = new LinkedHashMap<>();
        for (NameValuePair p : rb.getParams()) {
            if (p.getName() == null || p.getName().isBlank()) {
                continue;
            }
            m.putIfAbsent(p.getName().strip().toLowerCase(Locale.ROOT), p.getValue() == null ? "" : p.getValue());
        }
        return m;
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 32 || c >= 127 || "()<>@,;:\\\"/[]?=".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    static String stripComments(String s) {
        if (s.indexOf('(') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (quoted || depth > 0)) {
                if (depth == 0) {
                    b.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else if (quoted) {
                b.append(c);
                if (c == '"') {
                    quoted = false;
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (depth == 0) {
                if (c == '"') {
                    quoted = true;
                }
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static Envelope envelope(Header h) {
        return new Envelope(emptyToNull(h.get("date")), h.get("subject"), addresses(h.get("from")),
                addresses(h.get("sender")), addresses(h.get("reply-to")), addresses(h.get("to")),
                addresses(h.get("cc")), addresses(h.get("bcc")), emptyToNull(h.get("in-reply-to")),
                emptyToNull(h.get("message-id")));
    }

    private static List<MessageStructure.Address> addresses(String value) {
        return value == null ? null : AddressParser.parse(value);
    }
}
