package io.pillarbox.store.maildir;

import io.pillarbox.api.store.MessageInfo;

import java.time.Instant;
import java.util.Set;

/** What the index holds for one message. Guarded by its mailbox's lock. */
final class Entry {

    final long uid;
    /** Current file name (base name plus {@code :2,} info) in {@code cur/} or, if {@link #inNew}, {@code new/}. */
    String file;
    boolean inNew;
    Set<String> flags;
    /** The served size: the file's size, or with {@link #lf} its size with CRLF line ends. */
    long size;
    /** The file has bare LF line ends and is served converted to CRLF (not written by Pillarbox). */
    boolean lf;
    long date;
    long modSeq;
    /** Where the serialized structure sits in the index file, or -1. */
    long structPos = -1;
    int structLen;
    /** Bytes of this message's records in the index log (for compaction decisions). */
    int recBytes;
    private MessageInfo info;

    Entry(long uid, String file, boolean inNew, Set<String> flags, long size, long date, long modSeq) {
        this.uid = uid;
        this.file = file;
        this.inNew = inNew;
        this.flags = Set.copyOf(flags);
        this.size = size;
        this.date = date;
        this.modSeq = modSeq;
    }

    String base() {
        return MaildirFiles.baseName(file);
    }

    void setFlags(Set<String> f, long modSeq) {
        this.flags = Set.copyOf(f);
        this.modSeq = modSeq;
        this.info = null;
    }

    MessageInfo info() {
        MessageInfo i = info;
        if (i == null) {
            i = new MessageInfo(uid, flags, Instant.ofEpochMilli(date), size, modSeq);
            info = i;
        }
        return i;
    }
}
