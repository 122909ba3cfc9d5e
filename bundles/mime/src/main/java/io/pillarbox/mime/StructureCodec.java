package io.pillarbox.mime;

import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.MessageStructure.Address;
import io.pillarbox.api.store.MessageStructure.BodyPart;
import io.pillarbox.api.store.MessageStructure.Envelope;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compact, versioned binary form of {@link MessageStructure} for store indexes. {@code read(write(s))} equals
 * {@code s}, nulls and the order of parameters included. The first byte is the format version; a reader refuses
 * versions it does not know with an {@link IOException}, so a store can rebuild its index from the messages.
 * <p>
 * Version 1: numbers as unsigned LEB128 varints; a string, list or map as varint {@code 0} for {@code null} or
 * {@code length + 1} followed by UTF-8 octets / elements / name-value pairs.
 */
public final class StructureCodec {

    /** The format version this class writes. */
    public static final int VERSION = 1;

    private static final int MAX_DEPTH = 200;
    private static final int MAX_LENGTH = 64 * 1024 * 1024;

    private StructureCodec() {
    }

    public static void write(MessageStructure s, DataOutput out) throws IOException {
        out.writeByte(VERSION);
        structure(s, out, 0);
    }

    public static MessageStructure read(DataInput in) throws IOException {
        int v = in.readUnsignedByte();
        if (v != VERSION) {
            throw new IOException("unknown MessageStructure format version " + v);
        }
        return structure(in, 0);
    }

    /** Encodes to a byte array. */
    public static byte[] toBytes(MessageStructure s) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(256);
        try {
            write(s, new java.io.DataOutputStream(b));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    /** Decodes from a byte array. */
    public static MessageStructure fromBytes(byte[] bytes) throws IOException {
        return read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes)));
    }

    // ---- writing

    private static void structure(MessageStructure s, DataOutput out, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("structure too deep");
        }
        Envelope e = s.envelope();
        if (e == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            string(e.date(), out);
            string(e.subject(), out);
            addresses(e.from(), out);
            addresses(e.sender(), out);
            addresses(e.replyTo(), out);
            addresses(e.to(), out);
            addresses(e.cc(), out);
            addresses(e.bcc(), out);
            string(e.inReplyTo(), out);
            string(e.messageId(), out);
        }
        part(s.root(), out, depth);
    }

    private static void part(BodyPart p, DataOutput out, int depth) throws IOException {
        if (p == null) {
            out.writeByte(0);
            return;
        }
        out.writeByte(1);
        string(p.type(), out);
        string(p.subtype(), out);
        map(p.parameters(), out);
        string(p.id(), out);
        string(p.description(), out);
        string(p.encoding(), out);
        varint(p.headerOffset(), out);
        varint(p.bodyOffset(), out);
        varint(p.bodySize(), out);
        varint(p.lines(), out);
        string(p.md5(), out);
        string(p.disposition(), out);
        map(p.dispositionParameters(), out);
        strings(p.language(), out);
        string(p.location(), out);
        if (p.parts() == null) {
            varint(0, out);
        } else {
            varint(p.parts().size() + 1L, out);
            for (BodyPart c : p.parts()) {
                part(c, out, depth + 1);
            }
        }
        if (p.message() == null) {
            out.writeByte(0);
        } else {
            out.writeByte(1);
            structure(p.message(), out, depth + 1);
        }
    }

    private static void addresses(List<Address> l, DataOutput out) throws IOException {
        if (l == null) {
            varint(0, out);
            return;
        }
        varint(l.size() + 1L, out);
        for (Address a : l) {
            string(a.name(), out);
            string(a.route(), out);
            string(a.mailbox(), out);
            string(a.host(), out);
        }
    }

    private static void strings(List<String> l, DataOutput out) throws IOException {
        if (l == null) {
            varint(0, out);
            return;
        }
        varint(l.size() + 1L, out);
        for (String s : l) {
            string(s, out);
        }
    }

    private static void map(Map<String, String> m, DataOutput out) throws IOException {
        if (m == null) {
            varint(0, out);
            return;
        }
        varint(m.size() + 1L, out);
        for (Map.Entry<String, String> e : m.entrySet()) {
            string(e.getKey(), out);
            string(e.getValue(), out);
        }
    }

    private static void string(String s, DataOutput out) throws IOException {
        if (s == null) {
            varint(0, out);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varint(b.length + 1L, out);
        out.write(b);
    }

    private static void varint(long v, DataOutput out) throws IOException {
        if (v < 0) {
            throw new IOException("negative number " + v);
        }
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    // ---- reading

    private static MessageStructure structure(DataInput in, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("structure too deep");
        }
        Envelope e = null;
        if (flag(in)) {
            e = new Envelope(string(in), string(in), addresses(in), addresses(in), addresses(in), addresses(in),
                    addresses(in), addresses(in), string(in), string(in));
        }
        return new MessageStructure(e, part(in, depth));
    }

    private static BodyPart part(DataInput in, int depth) throws IOException {
        if (!flag(in)) {
            return null;
        }
        String type = string(in);
        String subtype = string(in);
        Map<String, String> params = map(in);
        String id = string(in);
        String description = string(in);
        String encoding = string(in);
        long headerOffset = varint(in);
        long bodyOffset = varint(in);
        long bodySize = varint(in);
        long lines = varint(in);
        String md5 = string(in);
        String disposition = string(in);
        Map<String, String> dispParams = map(in);
        List<String> language = strings(in);
        String location = string(in);
        List<BodyPart> parts = null;
        long n = varint(in);
        if (n > 0) {
            List<BodyPart> l = new ArrayList<>();
            for (long k = 0; k < n - 1; k++) {
                l.add(part(in, depth + 1));
            }
            parts = Collections.unmodifiableList(l);
        }
        MessageStructure message = flag(in) ? structure(in, depth + 1) : null;
        return new BodyPart(type, subtype, params, id, description, encoding, headerOffset, bodyOffset, bodySize,
                lines, md5, disposition, dispParams, language, location, parts, message);
    }

    private static boolean flag(DataInput in) throws IOException {
        int b = in.readUnsignedByte();
        if (b > 1) {
            throw new IOException("corrupt MessageStructure");
        }
        return b == 1;
    }

    private static List<Address> addresses(DataInput in) throws IOException {
        int n = count(in);
        if (n < 0) {
            return null;
        }
        List<Address> l = new ArrayList<>(Math.min(n, 1024));
        for (int k = 0; k < n; k++) {
            l.add(new Address(string(in), string(in), string(in), string(in)));
        }
        return Collections.unmodifiableList(l);
    }

    private static List<String> strings(DataInput in) throws IOException {
        int n = count(in);
        if (n < 0) {
            return null;
        }
        List<String> l = new ArrayList<>(Math.min(n, 1024));
        for (int k = 0; k < n; k++) {
            l.add(string(in));
        }
        return Collections.unmodifiableList(l);
    }

    private static Map<String, String> map(DataInput in) throws IOException {
        int n = count(in);
        if (n < 0) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            m.put(string(in), string(in));
        }
        return Collections.unmodifiableMap(m);
    }

    private static int count(DataInput in) throws IOException {
        long n = varint(in);
        if (n > MAX_LENGTH) {
            throw new IOException("corrupt MessageStructure");
        }
        return (int) n - 1;
    }

    private static String string(DataInput in) throws IOException {
        int n = count(in);
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static long varint(DataInput in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("corrupt MessageStructure");
    }
}
