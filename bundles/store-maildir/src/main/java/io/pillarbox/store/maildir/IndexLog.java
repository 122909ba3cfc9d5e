package io.pillarbox.store.maildir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;

/**
 * Pillarbox's own per-mailbox index, {@code pillarbox.index}: an append-only log of checksummed records (message
 * added with its flags, size, internal date, MODSEQ and serialized structure; flags changed; expunged; highest
 * MODSEQ), compacted by rewriting when it has grown well beyond its live content. It is a cache: a missing or
 * damaged file is rebuilt from the Maildir; a damaged tail is cut off and what it described is re-derived.
 */
final class IndexLog implements AutoCloseable {

    static final String FILE = "pillarbox.index";
    /**
     * Version 02: the ADD record's {@code inNew} byte also carries bit 1, "bare LF file served as CRLF" (with the
     * served size). An index of another version is not read: it is rebuilt from the Maildir.
     */
    private static final byte[] MAGIC = {'P', 'B', 'X', 'I', 'D', 'X', '0', '2'};
    static final int HEADER = 28;

    static final byte ADD = 1;
    static final byte FLAGS = 2;
    static final byte EXPUNGE = 3;
    static final byte HIGHEST = 4;
    static final byte STRUCT = 5;
    static final byte SYNC = 6;

    /** Receives replayed records. */
    interface Replay {
        void add(Entry e);

        void flags(long uid, long modSeq, String file, boolean inNew, Set<String> flags);

        void expunge(long uid, long modSeq);

        void highest(long modSeq);

        void structure(long uid, long pos, int len);

        /** The index matched the folder when {@code cur/} and {@code new/} had these modification times. */
        void synced(long curStamp, long newStamp);
    }

    private final Path file;
    private final boolean fsync;
    private FileChannel ch;
    private Object fileKey;
    long uidValidity;
    long generation;
    /** End of the last valid record. */
    long end;
    /** Bytes of records that describe the current state (for compaction decisions). */
    long liveBytes;

    private IndexLog(Path file, boolean fsync) {
        this.file = file;
        this.fsync = fsync;
    }

    /** Opens the log, or returns null if it is missing or its header is damaged or for another UIDVALIDITY. */
    static IndexLog open(Path file, boolean fsync, long uidValidity) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        IndexLog log = new IndexLog(file, fsync);
        log.ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ByteBuffer h = ByteBuffer.allocate(HEADER);
        while (h.hasRemaining() && log.ch.read(h, h.position()) > 0) {
            // read the header
        }
        boolean ok = !h.hasRemaining();
        if (ok) {
            byte[] magic = new byte[8];
            h.flip();
            h.get(magic);
            long v = h.getLong();
            long g = h.getLong();
            int crc = h.getInt();
            CRC32 c = new CRC32();
            c.update(h.array(), 0, 24);
            ok = java.util.Arrays.equals(magic, MAGIC) && (int) c.getValue() == crc && v == uidValidity;
            log.uidValidity = v;
            log.generation = g;
        }
        if (!ok) {
            log.ch.close();
            return null;
        }
        log.fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        log.end = HEADER;
        return log;
    }

    /**
     * What is wrong with the header of the index file, for maintenance: null if it is a readable index of this format
     * version for {@code uidValidity} (the file {@link #open} would use).
     */
    static String headerProblem(Path file, long uidValidity) throws IOException {
        byte[] h;
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(HEADER);
            while (b.hasRemaining() && c.read(b, b.position()) > 0) {
                // read the header
            }
            if (b.hasRemaining()) {
                return "is shorter than its header (" + b.position() + " octets)";
            }
            h = b.array();
        }
        if (!(h[0] == 'P' && h[1] == 'B' && h[2] == 'X' && h[3] == 'I' && h[4] == 'D' && h[5] == 'X')) {
            return "is not a Pillarbox index (its header is garbled)";
        }
        if (!java.util.Arrays.equals(java.util.Arrays.copyOf(h, 8), MAGIC)) {
            return "has format version " + (char) h[6] + (char) h[7] + ", this store writes "
                    + (char) MAGIC[6] + (char) MAGIC[7];
        }
        ByteBuffer b = ByteBuffer.wrap(h);
        long v = b.getLong(8);
        CRC32 c = new CRC32();
        c.update(h, 0, 24);
        if ((int) c.getValue() != b.getInt(24)) {
            return "has a header that fails its checksum";
        }
        if (v != uidValidity) {
            return "belongs to UIDVALIDITY " + v + ", the folder has " + uidValidity;
        }
        return null;
    }

    /** The UIDVALIDITY in a sound index header, or -1 (for salvaging a damaged UID list). */
    static long headerUidValidity(Path file) {
        try {
            byte[] h = new byte[HEADER];
            try (java.io.InputStream in = Files.newInputStream(file)) {
                if (in.readNBytes(h, 0, HEADER) < HEADER) {
                    return -1;
                }
            }
            CRC32 c = new CRC32();
            c.update(h, 0, 24);
            ByteBuffer b = ByteBuffer.wrap(h);
            if (!java.util.Arrays.equals(java.util.Arrays.copyOf(h, 8), MAGIC) || (int) c.getValue() != b.getInt(24)) {
                return -1;
            }
            return b.getLong(8);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Creates a fresh, empty log (replacing any old file). */
    static IndexLog create(Path file, boolean fsync, long uidValidity) throws IOException {
        Path tmp = file.resolveSibling(FILE + ".new." + MaildirFiles.PID + "." + System.nanoTime());
        try (FileChannel c = MaildirFiles.createPrivate(tmp)) {
            writeFully(c, header(uidValidity, ThreadLocalRandom.current().nextLong()), 0);
        }
        move(tmp, file);
        IndexLog log = open(file, fsync, uidValidity);
        if (log == null) {
            throw new IOException("cannot create index " + file);
        }
        return log;
    }

    private static ByteBuffer header(long uidValidity, long generation) {
        ByteBuffer h = ByteBuffer.allocate(HEADER);
        h.put(MAGIC).putLong(uidValidity).putLong(generation);
        CRC32 c = new CRC32();
        c.update(h.array(), 0, 24);
        h.putInt((int) c.getValue());
        h.flip();
        return h;
    }

    /** True if the file on disk is no longer the one this object has open (compacted or replaced elsewhere). */
    boolean replacedOnDisk() {
        try {
            return !Objects.equals(Files.readAttributes(file, BasicFileAttributes.class).fileKey(), fileKey);
        } catch (IOException e) {
            return true;
        }
    }

    long diskSize() throws IOException {
        return ch.size();
    }

    /**
     * Replays records from {@link #end} to the end of the file. A damaged or torn record ends the replay and is
     * cut off.
     *
     * @return true if a damaged tail was cut off
     */
    boolean replay(Replay r) throws IOException {
        return replay(r, true);
    }

    /**
     * As {@link #replay(Replay)}; without {@code mayCut} (the caller does not hold the folder lock, so another
     * process may be writing the last record right now) a bad record only ends the replay.
     */
    boolean replay(Replay r, boolean mayCut) throws IOException {
        long size = ch.size();
        long pos = end;
        boolean damaged = false;
        // read sequentially through a large buffer: one read per megabyte, not two per record
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(64, size - pos)));
        long bufStart = pos;
        buf.limit(0);
        CRC32 c = new CRC32();
        while (pos < size) {
            if (size - pos < 9) {
                damaged = true;
                break;
            }
            int off = (int) (pos - bufStart);
            if (buf.limit() - off < 5) {
                buf = refill(buf, pos, 5, size);
                bufStart = pos;
                off = 0;
            }
            int len = buf.getInt(off);
            byte type = buf.get(off + 4);
            if (len < 0 || len > 64 * 1024 * 1024 || pos + 9 + len > size) {
                damaged = true;
                break;
            }
            if (buf.limit() - off < 9 + len) {
                buf = refill(buf, pos, 9 + len, size);
                bufStart = pos;
                off = 0;
            }
            c.reset();
            c.update(type);
            c.update(buf.array(), off + 5, len);
            if ((int) c.getValue() != buf.getInt(off + 5 + len)) {
                damaged = true;
                break;
            }
            try {
                apply(r, type, buf.array(), off + 5, len, pos + 5);
            } catch (IOException | RuntimeException e) {
                damaged = true;
                break;
            }
            pos += 9 + len;
        }
        end = pos;
        if (damaged && mayCut) {
            ch.truncate(pos);
        }
        return damaged && mayCut;
    }

    /** A buffer holding at least {@code need} bytes from {@code pos} (as far as the file has them). */
    private ByteBuffer refill(ByteBuffer buf, long pos, int need, long size) throws IOException {
        int cap = Math.max(buf.capacity(), need);
        ByteBuffer b = cap == buf.capacity() ? buf : ByteBuffer.allocate(cap);
        b.clear();
        b.limit((int) Math.min(cap, size - pos));
        readFully(b, pos);
        b.flip();
        return b;
    }

    /** Reads the ADD record without stream objects: it is most of a large index. */
    private static final class Cursor {
        final byte[] d;
        int p;

        Cursor(byte[] d, int p) {
            this.d = d;
            this.p = p;
        }

        long readLong() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[p++] & 0xff);
            }
            return v;
        }

        int readInt() {
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 8) | (d[p++] & 0xff);
            }
            return v;
        }

        String readUTF() throws IOException {
            int len = ((d[p] & 0xff) << 8) | (d[p + 1] & 0xff);
            for (int i = p + 2; i < p + 2 + len; i++) {
                if (d[i] <= 0) {
                    // beyond ASCII (or an encoded NUL): modified UTF-8, decoded the standard way
                    DataInputStream in = new DataInputStream(new ByteArrayInputStream(d, p, len + 2));
                    String s = in.readUTF();
                    p += 2 + len;
                    return s;
                }
            }
            String s = new String(d, p + 2, len, java.nio.charset.StandardCharsets.ISO_8859_1);
            p += 2 + len;
            return s;
        }
    }

    private void apply(Replay r, byte type, byte[] data, int from, int len, long payloadPos) throws IOException {
        if (type == ADD) {
            Cursor c = new Cursor(data, from);
            long uid = c.readLong();
            long modSeq = c.readLong();
            long date = c.readLong();
            long size = c.readLong();
            String f = c.readUTF();
            int form = data[c.p++];
            boolean inNew = (form & 1) != 0;
            boolean lf = (form & 2) != 0;
            int n = ((data[c.p] & 0xff) << 8) | (data[c.p + 1] & 0xff);
            c.p += 2;
            Set<String> flags;
            if (n == 0) {
                flags = Set.of();
            } else {
                flags = new LinkedHashSet<>();
                for (int i = 0; i < n; i++) {
                    flags.add(c.readUTF());
                }
            }
            int slen = c.readInt();
            if (c.p + slen != from + len) {
                throw new IOException("malformed index record");
            }
            Entry e = new Entry(uid, f, inNew, flags, size, date, modSeq);
            e.lf = lf;
            if (slen > 0) {
                e.structPos = payloadPos + (len - slen);
                e.structLen = slen;
            }
            liveBytes += 9 + len;
            e.recBytes = 9 + len;
            r.add(e);
            return;
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, from, len));
        switch (type) {
            case ADD -> {
                long uid = in.readLong();
                long modSeq = in.readLong();
                long date = in.readLong();
                long size = in.readLong();
                String f = in.readUTF();
                int form = in.readUnsignedByte();
                Set<String> flags = readFlags(in);
                int slen = in.readInt();
                Entry e = new Entry(uid, f, (form & 1) != 0, flags, size, date, modSeq);
                e.lf = (form & 2) != 0;
                if (slen > 0) {
                    e.structPos = payloadPos + (len - slen);
                    e.structLen = slen;
                }
                liveBytes += 9 + len;
                e.recBytes = 9 + len;
                r.add(e);
            }
            case FLAGS -> {
                long uid = in.readLong();
                long modSeq = in.readLong();
                String f = in.readUTF();
                boolean inNew = in.readBoolean();
                r.flags(uid, modSeq, f, inNew, readFlags(in));
            }
            case EXPUNGE -> {
                long uid = in.readLong();
                long modSeq = in.readLong();
                r.expunge(uid, modSeq);
            }
            case HIGHEST -> r.highest(in.readLong());
            case STRUCT -> {
                long uid = in.readLong();
                int slen = in.readInt();
                r.structure(uid, payloadPos + 12, slen);
            }
            case SYNC -> r.synced(in.readLong(), in.readLong());
            default -> {
                // unknown record types from a newer version are skipped
            }
        }
    }

    private static Set<String> readFlags(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        Set<String> flags = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            flags.add(in.readUTF());
        }
        return flags;
    }

    private static void writeFlags(DataOutputStream out, Collection<String> flags) throws IOException {
        out.writeShort(flags.size());
        for (String f : flags) {
            out.writeUTF(f);
        }
    }

    /** Appends an ADD record; sets the entry's structure position. */
    void add(Entry e, byte[] structure) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128 + (structure == null ? 0 : structure.length));
        DataOutputStream out = new DataOutputStream(b);
        out.writeLong(e.uid);
        out.writeLong(e.modSeq);
        out.writeLong(e.date);
        out.writeLong(e.size);
        out.writeUTF(e.file);
        out.writeByte((e.inNew ? 1 : 0) | (e.lf ? 2 : 0));
        writeFlags(out, e.flags);
        int slen = structure == null ? 0 : structure.length;
        out.writeInt(slen);
        if (slen > 0) {
            out.write(structure);
        }
        byte[] payload = b.toByteArray();
        long pos = append(ADD, payload);
        if (slen > 0) {
            e.structPos = pos + 5 + (payload.length - slen);
            e.structLen = slen;
        }
        liveBytes += 9 + payload.length;
        e.recBytes = 9 + payload.length;
    }

    void flags(Entry e) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        DataOutputStream out = new DataOutputStream(b);
        out.writeLong(e.uid);
        out.writeLong(e.modSeq);
        out.writeUTF(e.file);
        out.writeBoolean(e.inNew);
        writeFlags(out, e.flags);
        append(FLAGS, b.toByteArray());
    }

    /** A message's records no longer describe the current state. */
    void dead(Entry e) {
        liveBytes -= e.recBytes;
    }

    void expunge(long uid, long modSeq) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).putLong(uid).putLong(modSeq);
        append(EXPUNGE, b.array());
    }

    void synced(long curStamp, long newStamp) throws IOException {
        append(SYNC, ByteBuffer.allocate(16).putLong(curStamp).putLong(newStamp).array());
    }

    void highest(long modSeq) throws IOException {
        append(HIGHEST, ByteBuffer.allocate(8).putLong(modSeq).array());
    }

    void structure(Entry e, byte[] structure) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12 + structure.length).putLong(e.uid).putInt(structure.length)
                .put(structure);
        long pos = append(STRUCT, b.array());
        e.structPos = pos + 5 + 12;
        e.structLen = structure.length;
    }

    private long append(byte type, byte[] payload) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(9 + payload.length);
        buf.putInt(payload.length).put(type).put(payload);
        CRC32 c = new CRC32();
        c.update(type);
        c.update(payload);
        buf.putInt((int) c.getValue());
        buf.flip();
        long pos = end;
        writeFully(ch, buf, pos);
        end = pos + buf.limit();
        return pos;
    }

    /** Makes appended records durable (used after crash-sensitive changes when fsync is on). */
    void force() throws IOException {
        if (fsync) {
            ch.force(false);
        }
    }

    byte[] readStructure(long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        readFully(b, pos);
        return b.array();
    }

    /** The log is compacted once it is this big and three times its live content (lowered by tests). */
    static long compactionMinBytes = 4L * 1024 * 1024;

    boolean wantsCompaction() {
        return end > compactionMinBytes && end > 3 * (liveBytes + HEADER);
    }

    /** Rewrites the log with one ADD per live entry plus the remembered expunges; returns the new log. */
    IndexLog compact(Collection<Entry> entries, long[][] expunged, long highest) throws IOException {
        Path tmp = file.resolveSibling(FILE + ".new." + MaildirFiles.PID + "." + System.nanoTime());
        IndexLog n = new IndexLog(tmp, fsync);
        n.ch = MaildirFiles.createPrivate(tmp);
        n.uidValidity = uidValidity;
        n.generation = ThreadLocalRandom.current().nextLong();
        writeFully(n.ch, header(uidValidity, n.generation), 0);
        n.end = HEADER;
        try {
            long[] newPos = new long[entries.size()];
            int i = 0;
            for (Entry e : entries) {
                byte[] s = e.structPos >= 0 ? readStructure(e.structPos, e.structLen) : null;
                long oldPos = e.structPos;
                int oldLen = e.structLen;
                n.add(e, s);
                newPos[i++] = e.structPos;
                e.structPos = oldPos; // restored below once the new file is in place
                e.structLen = oldLen;
            }
            for (long[] x : expunged) {
                n.expunge(x[0], x[1]);
            }
            n.highest(highest);
            if (fsync) {
                n.ch.force(true);
            }
            move(tmp, file);
            n.fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            i = 0;
            for (Entry e : entries) {
                e.structPos = newPos[i++];
                if (e.structPos < 0) {
                    e.structLen = 0;
                }
            }
        } catch (IOException | RuntimeException ex) {
            n.ch.close();
            Files.deleteIfExists(tmp);
            throw ex;
        }
        close();
        return new IndexLog(file, fsync).adopt(n);
    }

    private IndexLog adopt(IndexLog n) {
        this.ch = n.ch;
        this.fileKey = n.fileKey;
        this.uidValidity = n.uidValidity;
        this.generation = n.generation;
        this.end = n.end;
        this.liveBytes = n.liveBytes;
        return this;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void readFully(ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) {
                throw new IOException("short read in " + file);
            }
        }
    }

    private static void writeFully(FileChannel c, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            pos += c.write(b, pos);
        }
    }

    static void deleteQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(FILE));
        } catch (IOException e) {
            // best effort
        }
    }

    @Override
    public void close() {
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException e) {
            // nothing to do
        }
    }

    static boolean missing(Path file) {
        return !Files.exists(file);
    }

    static void ignore(NoSuchFileException e) {
        // helper for readability at call sites
    }
}
