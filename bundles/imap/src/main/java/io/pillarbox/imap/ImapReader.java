package io.pillarbox.imap;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A cursor over one {@link RawCommand}: the tokens of RFC 9051's formal syntax. */
final class ImapReader {

    private final RawCommand raw;
    private int seg;
    private byte[] line;
    private int pos;

    ImapReader(RawCommand raw) {
        this.raw = raw;
        this.line = raw.lines().get(0);
    }

    /** The next octet, or -1 at the end of the command. */
    int peek() {
        return pos < line.length ? line[pos] & 0xff : -1;
    }

    int peek(int ahead) {
        return pos + ahead < line.length ? line[pos + ahead] & 0xff : -1;
    }

    boolean atEnd() {
        return pos >= line.length && seg >= raw.lines().size() - 1;
    }

    void end() throws ParseException {
        if (!atEnd()) {
            throw new ParseException("Unexpected characters at the end of the command");
        }
    }

    void sp() throws ParseException {
        expect(' ');
    }

    void expect(char c) throws ParseException {
        if (peek() != c) {
            throw new ParseException(peek() < 0 ? "Missing '" + c + "' at the end of the command"
                    : "Expected '" + c + "' at \"" + rest() + "\"");
        }
        pos++;
    }

    boolean tryChar(char c) {
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** Whether the next text equals {@code word} case-insensitively (not consumed). */
    boolean lookingAt(String word) {
        if (pos + word.length() > line.length) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (Character.toUpperCase((char) line[pos + i]) != Character.toUpperCase(word.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    String rest() {
        int end = Math.min(line.length, pos + 20);
        return new String(line, pos, end - pos, StandardCharsets.UTF_8);
    }

    static boolean isAtomChar(int c) {
        return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '%' && c != '*' && c != '"'
                && c != '\\' && c != ']';
    }

    static boolean isTagChar(int c) {
        return (isAtomChar(c) || c == ']') && c != '+';
    }

    static boolean isAstringChar(int c) {
        return isAtomChar(c) || c == ']';
    }

    static boolean isListChar(int c) {
        return isAstringChar(c) || c == '%' || c == '*';
    }

    private String run(java.util.function.IntPredicate ok, String what) throws ParseException {
        int start = pos;
        while (pos < line.length && ok.test(line[pos] & 0xff)) {
            pos++;
        }
        if (pos == start) {
            throw new ParseException(peek() < 0 ? "Missing " + what : "Invalid " + what + " at \"" + rest() + "\"");
        }
        return new String(line, start, pos - start, StandardCharsets.UTF_8);
    }

    String tag() throws ParseException {
        return run(ImapReader::isTagChar, "tag");
    }

    String atom() throws ParseException {
        return run(ImapReader::isAtomChar, "atom");
    }

    /** An atom in upper case: command names, keywords. */
    String keyword() throws ParseException {
        return atom().toUpperCase(Locale.ROOT);
    }

    /** A flag: an atom, or a backslash and an atom ({@code \*} too when allowed). */
    String flag(boolean allowStar) throws ParseException {
        if (tryChar('\\')) {
            if (allowStar && tryChar('*')) {
                return "\\*";
            }
            return "\\" + atom();
        }
        return atom();
    }

    /** {@code "(" [flag *(SP flag)] ")"}. */
    List<String> flagList() throws ParseException {
        expect('(');
        List<String> flags = new ArrayList<>();
        if (tryChar(')')) {
            return flags;
        }
        do {
            flags.add(flag(false));
        } while (tryChar(' '));
        expect(')');
        return flags;
    }

    long number() throws ParseException {
        int start = pos;
        long n = 0;
        while (pos < line.length && line[pos] >= '0' && line[pos] <= '9') {
            n = n * 10 + (line[pos] - '0');
            if (n > 0xffffffffL * 0xffffffL) {
                throw new ParseException("Number too large");
            }
            pos++;
        }
        if (pos == start) {
            throw new ParseException(peek() < 0 ? "Missing number" : "Expected a number at \"" + rest() + "\"");
        }
        return n;
    }

    /** A 32-bit unsigned number (message numbers, UIDs, sizes). */
    long number32() throws ParseException {
        long n = number();
        if (n > 0xffffffffL) {
            throw new ParseException("Number out of range: " + n);
        }
        return n;
    }

    long nzNumber() throws ParseException {
        long n = number32();
        if (n == 0) {
            throw new ParseException("Zero is not allowed here");
        }
        return n;
    }

    /** A quoted string, with {@code \"} and {@code \\} escapes; UTF-8 allowed. */
    String quoted() throws ParseException {
        expect('"');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int c = peek();
            if (c < 0) {
                throw new ParseException("Unterminated quoted string");
            }
            pos++;
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                int d = peek();
                if (d != '"' && d != '\\') {
                    throw new ParseException("Invalid escape in quoted string");
                }
                pos++;
                c = d;
            }
            out.write(c);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    boolean atLiteral() {
        int c = peek();
        return c == '{' || (c == '~' && peek(1) == '{');
    }

    /** A literal at the end of the current line: moves on to the line after it. */
    Literal literal() throws ParseException {
        if (!atLiteral()) {
            throw new ParseException("Expected a literal at \"" + rest() + "\"");
        }
        if (line[line.length - 1] != '}' || !isMarkerAt(pos)) {
            throw new ParseException("Invalid literal");
        }
        if (seg >= raw.literals().size()) {
            throw new ParseException("Literal data missing");
        }
        Literal lit = raw.literals().get(seg);
        seg++;
        line = raw.lines().get(seg);
        pos = 0;
        return lit;
    }

    /** Whether the literal marker that ends this line starts at {@code p}. */
    private boolean isMarkerAt(int p) {
        int brace = line[p] == '~' ? p + 1 : p;
        for (int i = brace + 1; i < line.length - 1; i++) {
            int c = line[i];
            if (!(c >= '0' && c <= '9') && !(c == '+' && i == line.length - 2)) {
                return false;
            }
        }
        return true;
    }

    /** string = quoted / literal, as text. */
    String string() throws ParseException {
        if (peek() == '"') {
            return quoted();
        }
        if (atLiteral()) {
            Literal l = literal();
            if (l.size() > 65536) {
                throw new ParseException("String literal too long");
            }
            return l.text();
        }
        throw new ParseException(peek() < 0 ? "Missing string" : "Expected a string at \"" + rest() + "\"");
    }

    String astring() throws ParseException {
        int c = peek();
        if (c == '"' || atLiteral()) {
            return string();
        }
        return run(ImapReader::isAstringCharOr8bit, "astring");
    }

    private static boolean isAstringCharOr8bit(int c) {
        return isAstringChar(c) || c >= 0x80;
    }

    /** nstring = string / NIL; returns null for NIL. */
    String nstring() throws ParseException {
        if (lookingAt("NIL") && !isAstringChar(peek(3))) {
            pos += 3;
            return null;
        }
        return string();
    }

    /** list-mailbox = 1*list-char / string. */
    String listMailbox() throws ParseException {
        int c = peek();
        if (c == '"' || atLiteral()) {
            return string();
        }
        return run(ch -> isListChar(ch) || ch >= 0x80, "mailbox pattern");
    }

    /** A sequence set ({@code 1:3,5,7:*}, or {@code $}). */
    SequenceSet sequenceSet() throws ParseException {
        if (tryChar('$')) {
            return SequenceSet.SAVED;
        }
        List<SequenceSet.Range> ranges = new ArrayList<>();
        do {
            long a = seqNumber();
            long b = a;
            if (tryChar(':')) {
                b = seqNumber();
            }
            ranges.add(new SequenceSet.Range(Math.min(a, b), Math.max(a, b)));
        } while (tryChar(','));
        return new SequenceSet(ranges, false);
    }

    private long seqNumber() throws ParseException {
        if (tryChar('*')) {
            return SequenceSet.STAR;
        }
        if (peek() < '0' || peek() > '9') {
            throw new ParseException(peek() < 0 ? "Missing sequence set"
                    : "Invalid sequence set at \"" + rest() + "\"");
        }
        return nzNumber();
    }

    /** Whether the next token could start a sequence set. */
    boolean atSequenceSet() {
        int c = peek();
        return (c >= '0' && c <= '9') || c == '*' || c == '$';
    }

    /** Base64 data or "=" (AUTHENTICATE initial response). */
    String base64OrEquals() throws ParseException {
        return run(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
                || c == '/' || c == '=', "base64 data");
    }
}
