package io.pillarbox.store.maildir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Dovecot's {@code dovecot-uidlist} (version 3): a header {@code 3 V<uidvalidity> N<nextuid> G<guid>} and one line
 * per message {@code <uid> [ext fields] :<base name>}. Read incrementally (new lines appended by anyone are picked
 * up from the last offset); new UIDs are appended in place and fsynced, a torn last line left by a crash is cut off
 * before the next append; a rewrite (dropping lines of expunged messages) goes through a temporary file and a rename.
 * Callers hold the mailbox lock.
 */
final class Uidlist {

    static final String FILE = "dovecot-uidlist";

    /** The file cannot be understood (its header is damaged or of an unknown version). */
    static final class Damaged extends IOException {
        private static final long serialVersionUID = 1L;

        Damaged(String message) {
            super(message);
        }
    }

    /** One line. */
    record Rec(long uid, String ext, String base) {
    }

    private final Path file;
    private final boolean fsync;

    long uidValidity;
    long nextUid = 1;
    String guid;
    String headerExtra = "";
    /** uid to record, ascending. */
    final LinkedHashMap<Long, Rec> byUid = new LinkedHashMap<>();
    final Map<String, Long> byBase = new HashMap<>();

    private Object fileKey;
    private long readOffset;
    private long lastModified = -1;
    private long knownSize = -1;
    /** Lines whose message is gone, counted to decide when to rewrite. */
    int dead;

    Uidlist(Path file, boolean fsync) {
        this.file = file;
        this.fsync = fsync;
    }

    boolean exists() {
        return Files.exists(file);
    }

    /** Creates a fresh file (no messages). */
    void create(long validity, long next) throws IOException {
        uidValidity = validity;
        nextUid = Math.max(1, next);
        guid = newGuid();
        headerExtra = "";
        byUid.clear();
        byBase.clear();
        dead = 0;
        rewrite();
    }

    static String newGuid() {
        StringBuilder sb = new StringBuilder();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 16; i++) {
            sb.append(String.format("%02x", r.nextInt(256)));
        }
        return sb.toString();
    }

    /**
     * Brings the in-memory copy up to date with the file.
     *
     * @return true if the file was replaced or read afresh (callers re-match everything), false if only appended
     *         lines (if any) were read
     */
    boolean refresh() throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw e;
        }
        Object key = attrs.fileKey();
        long size = attrs.size();
        long mtime = attrs.lastModifiedTime().toMillis();
        if (fileKey != null && Objects.equals(key, fileKey) && size == knownSize && mtime == lastModified) {
            return false;
        }
        boolean full = fileKey == null || !Objects.equals(key, fileKey) || size < readOffset;
        byte[] data;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long from = full ? 0 : readOffset;
            long len = ch.size() - from;
            ByteBuffer buf = ByteBuffer.allocate((int) Math.max(0, len));
            while (buf.hasRemaining()) {
                if (ch.read(buf, from + buf.position()) < 0) {
                    break;
                }
            }
            data = buf.array();
            if (full) {
                byUid.clear();
                byBase.clear();
                dead = 0;
                readOffset = 0;
                parse(data, true);
            } else {
                parse(data, false);
            }
            knownSize = ch.size();
        }
        fileKey = key;
        lastModified = mtime;
        return full;
    }

    private void parse(byte[] data, boolean withHeader) throws IOException {
        int pos = 0;
        boolean header = withHeader;
        while (pos < data.length) {
            int nl = pos;
            while (nl < data.length && data[nl] != '\n') {
                nl++;
            }
            if (nl >= data.length) {
                break; // torn last line: ignored until completed
            }
            int from = pos;
            pos = nl + 1;
            if (header) {
                parseHeader(new String(data, from, nl - from, StandardCharsets.UTF_8));
                header = false;
            } else if (!parseRecordFast(data, from, nl)) {
                String line = new String(data, from, nl - from, StandardCharsets.UTF_8);
                if (!line.isBlank()) {
                    parseRecord(line);
                }
            }
        }
        readOffset += pos;
    }

    private void parseHeader(String line) throws IOException {
        String[] f = line.trim().split(" ");
        if (f.length == 0) {
            throw new Damaged("empty uidlist header in " + file);
        }
        if (f[0].equals("1") && f.length >= 3) {
            try {
                uidValidity = Long.parseLong(f[1]);
                nextUid = Long.parseLong(f[2]);
            } catch (NumberFormatException e) {
                throw new Damaged("damaged uidlist header in " + file);
            }
            if (guid == null) {
                guid = newGuid();
            }
            return;
        }
        if (!f[0].equals("3")) {
            throw new Damaged("unsupported uidlist version " + f[0] + " in " + file);
        }
        StringBuilder extra = new StringBuilder();
        for (int i = 1; i < f.length; i++) {
            if (f[i].isEmpty()) {
                continue;
            }
            char k = f[i].charAt(0);
            String v = f[i].substring(1);
            try {
                switch (k) {
                    case 'V' -> uidValidity = Long.parseLong(v);
                    case 'N' -> nextUid = Long.parseLong(v);
                    case 'G' -> guid = v;
                    default -> extra.append(' ').append(f[i]);
                }
            } catch (NumberFormatException e) {
                throw new Damaged("damaged uidlist header in " + file);
            }
        }
        headerExtra = extra.toString();
        if (guid == null) {
            guid = newGuid();
        }
    }

    /** The common line {@code <uid> [ext] :<base>} straight from the bytes; false to use the general parser. */
    private boolean parseRecordFast(byte[] d, int from, int end) {
        long uid = 0;
        int i = from;
        while (i < end && d[i] >= '0' && d[i] <= '9' && i - from < 18) {
            uid = uid * 10 + (d[i] - '0');
            i++;
        }
        if (i == from || i >= end || d[i] != ' ') {
            return false;
        }
        int sp = i;
        int colon = -1;
        for (int j = sp; j + 1 < end; j++) {
            if (d[j] == ' ' && d[j + 1] == ':') {
                colon = j;
                break;
            }
        }
        if (colon < 0 || colon + 2 >= end) {
            return false;
        }
        for (int j = colon + 2; j < end; j++) {
            if (d[j] < 0) {
                return false; // not ASCII: let the general parser decode it
            }
        }
        String ext = colon > sp ? new String(d, sp + 1, colon - sp - 1, StandardCharsets.US_ASCII).trim() : "";
        add(new Rec(uid, ext, new String(d, colon + 2, end - colon - 2, StandardCharsets.ISO_8859_1)));
        return true;
    }

    private void parseRecord(String line) {
        int sp = line.indexOf(' ');
        int colon = line.indexOf(" :");
        if (sp <= 0 || colon < sp) {
            // version 1 style "<uid> <base>" or damaged
            if (sp > 0) {
                try {
                    long uid = Long.parseLong(line.substring(0, sp));
                    add(new Rec(uid, "", line.substring(sp + 1).trim()));
                } catch (NumberFormatException e) {
                    // skip
                }
            }
            return;
        }
        try {
            long uid = Long.parseLong(line.substring(0, sp));
            String ext = colon > sp ? line.substring(sp + 1, colon).trim() : "";
            String base = line.substring(colon + 2);
            add(new Rec(uid, ext, base));
        } catch (NumberFormatException e) {
            // skip damaged line
        }
    }

    private void add(Rec r) {
        if (r.uid() <= 0 || r.base().isEmpty()) {
            return;
        }
        Rec old = byUid.put(r.uid(), r);
        if (old != null) {
            byBase.remove(old.base());
        }
        Long prev = byBase.put(r.base(), r.uid());
        if (prev != null && prev != r.uid()) {
            // the same file listed twice: keep the first UID
            byBase.put(r.base(), prev);
            byUid.remove(r.uid());
        }
        if (r.uid() >= nextUid) {
            nextUid = r.uid() + 1;
        }
    }

    /** Appends new records (UIDs from {@link #nextUid}) durably. */
    void append(List<Rec> recs) throws IOException {
        if (recs.isEmpty()) {
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Rec r : recs) {
            StringBuilder sb = new StringBuilder().append(r.uid());
            if (!r.ext().isEmpty()) {
                sb.append(' ').append(r.ext());
            }
            sb.append(" :").append(r.base()).append('\n');
            out.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            // cut a torn line (a crash mid-append) so the new lines start on a line of their own
            long end = size;
            if (size > 0) {
                ByteBuffer one = ByteBuffer.allocate(1);
                ch.read(one, size - 1);
                if (one.get(0) != '\n') {
                    end = lastNewline(ch, size);
                    ch.truncate(end);
                }
            }
            ByteBuffer buf = ByteBuffer.wrap(out.toByteArray());
            long pos = end;
            while (buf.hasRemaining()) {
                pos += ch.write(buf, pos);
            }
            if (fsync) {
                ch.force(false);
            }
            knownSize = pos;
            readOffset = pos;
        }
        for (Rec r : recs) {
            add(r);
        }
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        fileKey = attrs.fileKey();
        lastModified = attrs.lastModifiedTime().toMillis();
        knownSize = attrs.size();
    }

    private static long lastNewline(FileChannel ch, long size) throws IOException {
        long pos = size;
        ByteBuffer buf = ByteBuffer.allocate(4096);
        while (pos > 0) {
            int n = (int) Math.min(4096, pos);
            buf.clear().limit(n);
            ch.read(buf, pos - n);
            for (int i = n - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    return pos - n + i + 1;
                }
            }
            pos -= n;
        }
        return 0;
    }

    /** Forgets records of messages that are gone (kept in the file until the next rewrite). */
    void forget(long uid) {
        Rec r = byUid.remove(uid);
        if (r != null) {
            byBase.remove(r.base());
            dead++;
        }
    }

    /** Lines of gone messages tolerated before a rewrite (lowered by tests). */
    static int rewriteMinDead = 1000;

    boolean wantsRewrite() {
        return dead > rewriteMinDead && dead > byUid.size() / 4;
    }

    /** Writes the whole file anew (temporary file, rename, fsync). */
    void rewrite() throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("3 V").append(uidValidity).append(" N").append(nextUid).append(" G").append(guid)
                .append(headerExtra).append('\n');
        for (Rec r : byUid.values()) {
            sb.append(r.uid());
            if (!r.ext().isEmpty()) {
                sb.append(' ').append(r.ext());
            }
            sb.append(" :").append(r.base()).append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        MaildirFiles.writeAtomically(file, bytes, fsync);
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        fileKey = attrs.fileKey();
        lastModified = attrs.lastModifiedTime().toMillis();
        knownSize = attrs.size();
        readOffset = bytes.length;
        dead = 0;
    }
}
