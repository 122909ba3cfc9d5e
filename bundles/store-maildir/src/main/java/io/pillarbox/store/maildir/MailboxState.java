package io.pillarbox.store.maildir;

import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.MailboxEvent;
import io.pillarbox.api.store.MailboxListener;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shared state of one Maildir folder within this JVM: the index held in memory, the UID list, the keywords, the
 * open {@link MaildirMailbox} instances to tell of changes. One instance per folder path (see {@link StateRegistry});
 * every access holds {@link #lock}; changes also hold the folder's {@code dovecot-uidlist.lock} against other
 * processes.
 */
final class MailboxState {

    private static final Logger LOG = LoggerFactory.getLogger(MailboxState.class);
    private static final long LOCK_TIMEOUT_MILLIS = 60_000;
    private static final int MAX_EXPUNGED_REMEMBERED = 200_000;

    final Path dir;
    final Path root;
    final boolean fsync;
    volatile String name;
    final ReentrantLock lock = new ReentrantLock();
    final List<MaildirMailbox> open = new CopyOnWriteArrayList<>();
    int refs;
    volatile boolean removed;

    private boolean loaded;
    private Uidlist uidlist;
    private IndexLog index;
    private List<String> keywords = new ArrayList<>();
    private long keywordsStamp = Long.MIN_VALUE;
    private final TreeMap<Long, Entry> entries = new TreeMap<>();
    private final Map<String, Entry> byBase = new HashMap<>();
    private long highestModSeq = 1;
    private final ArrayDeque<long[]> expunged = new ArrayDeque<>();
    private long curStamp = Long.MIN_VALUE;
    private long newStamp = Long.MIN_VALUE;
    /**
     * When the directory times last taken were fresh (another program's change in the same clock tick would not have
     * moved them), the folder is listed once more at this time (epoch ms); Long.MAX_VALUE if nothing is pending.
     */
    private long verifyAt = Long.MAX_VALUE;
    private List<MessageInfo> snapshot;
    /** Messages, unseen, deleted, size: computed on demand, dropped with {@link #snapshot} on any change. */
    private long[] counts;
    private DotLock dotLock;
    /** Directory times of the last SYNC record read from or written to the index. */
    private long syncedCur = Long.MIN_VALUE;
    private long syncedNew = Long.MIN_VALUE;
    /** A change within this many milliseconds of a directory time may share that time: do not trust it. */
    private static final long MTIME_SLACK_MILLIS = 2000;

    MailboxState(Path dir, Path root, String name, boolean fsync) {
        this.dir = dir;
        this.root = root;
        this.name = name;
        this.fsync = fsync;
    }

    // ------------------------------------------------------------------ locking

    interface Op<T> {
        T run() throws IOException, StoreException;
    }

    /** Runs {@code op} holding the JVM lock, with the state brought up to date first. */
    <T> T locked(boolean scan, Op<T> op) throws StoreException {
        lock.lock();
        try {
            if (removed) {
                throw new StoreException(Reason.NONEXISTENT, "mailbox no longer exists: " + name);
            }
            refresh(scan);
            return op.run();
        } catch (NoSuchFileException e) {
            if (!Files.isDirectory(dir)) {
                removed = true;
                throw new StoreException(Reason.NONEXISTENT, "mailbox no longer exists: " + name, e);
            }
            throw new StoreException(Reason.IO, "file vanished: " + e.getMessage(), e);
        } catch (IOException | UncheckedIOException e) {
            throw new StoreException(Reason.IO, "I/O error in " + dir + ": " + e.getMessage(), e);
        } finally {
            if (lock.getHoldCount() == 1 && dotLock != null) {
                dotLock.close();
                dotLock = null;
            }
            lock.unlock();
        }
    }

    /** Takes the folder's lock against other processes (held until the outermost {@link #locked} returns). */
    private void writeLock() throws IOException, StoreException {
        if (dotLock == null) {
            dotLock = DotLock.acquire(dir.resolve(Uidlist.FILE + ".lock"), LOCK_TIMEOUT_MILLIS);
            // another process may have changed things before we got the lock
            if (loaded) {
                refreshFiles();
            }
        }
    }

    /**
     * For maintenance ({@code mail:check}): runs {@code op} holding this folder's JVM lock, without loading or
     * refreshing the state (a check must see the folder as it is on disk, before the store's own loading repairs
     * anything), and with {@code dotlock} also the folder's {@code dovecot-uidlist.lock} against other processes.
     */
    <T> T exclusive(boolean dotlock, Op<T> op) throws IOException, StoreException {
        lock.lock();
        try {
            if (dotlock && dotLock == null) {
                dotLock = DotLock.acquire(dir.resolve(Uidlist.FILE + ".lock"), LOCK_TIMEOUT_MILLIS);
            }
            return op.run();
        } finally {
            if (lock.getHoldCount() == 1 && dotLock != null) {
                dotLock.close();
                dotLock = null;
            }
            lock.unlock();
        }
    }

    /**
     * After maintenance changed the folder on disk (call inside {@link #exclusive} with the dotlock): the state is
     * loaded again from disk exactly as when another process replaced the index (a missing index is rebuilt from the
     * files), the folder is listed and matched with the UID list (files without UIDs get new ones, messages whose
     * files are gone are expunged), and open mailboxes are told what changed.
     */
    void reloadFromDisk() throws IOException, StoreException {
        if (removed) {
            return;
        }
        if (loaded) {
            reloadIndex();
        } else {
            load();
        }
        curStamp = Long.MIN_VALUE;
        scan(null);
    }

    // ------------------------------------------------------------------ loading and syncing

    private void refresh(boolean scan) throws IOException, StoreException {
        if (!loaded) {
            load();
            return;
        }
        refreshFiles();
        if (scan && dirsChanged()) {
            scan(null);
        }
    }

    private void refreshFiles() throws IOException, StoreException {
        if (index.replacedOnDisk()) {
            reloadIndex();
        } else if (index.diskSize() > index.end) {
            Changes ch = new Changes();
            index.replay(replayer(ch), dotLock != null);
            ch.fire(null);
        }
        boolean full;
        try {
            full = uidlist.refresh();
        } catch (Uidlist.Damaged e) {
            // repaired (with a new UIDVALIDITY) when the mailbox is next opened; sessions must leave it now
            LOG.error("{} while in use", e.getMessage());
            resetIndex();
            return;
        }
        if (full && uidlist.uidValidity != index.uidValidity) {
            LOG.warn("UIDVALIDITY of {} changed on disk; rebuilding its index", dir);
            resetIndex();
        }
        refreshKeywords();
    }

    private void refreshKeywords() throws IOException {
        Path kf = dir.resolve("dovecot-keywords");
        // java.io.File answers 0 for a missing file instead of throwing: most mailboxes have no keywords file, and
        // this runs at every open and sync (an exception each time showed in profiles)
        java.io.File f = kf.toFile();
        long modified = f.lastModified();
        long stamp = modified == 0 && !f.exists() ? -1 : modified ^ f.length() * 31;
        if (stamp != keywordsStamp) {
            List<String> kw = MaildirFiles.readKeywords(kf);
            // keep keywords only the index knows (beyond the file) at the end
            for (String k : keywords) {
                if (!kw.contains(k)) {
                    kw.add(k);
                }
            }
            keywords = kw;
            keywordsStamp = stamp;
        }
    }

    private void load() throws IOException, StoreException {
        if (!Files.isDirectory(dir)) {
            removed = true;
            throw new StoreException(Reason.NONEXISTENT, "no such mailbox: " + name);
        }
        for (String sub : new String[]{"cur", "new", "tmp"}) {
            MaildirFiles.createPrivateDirs(dir.resolve(sub));
        }
        // loading may write (a new UID list or index, a cut-off damaged tail, UIDs for new files): all of it
        // under the lock other processes respect
        writeLock();
        uidlist = new Uidlist(dir.resolve(Uidlist.FILE), fsync);
        if (!uidlist.exists()) {
            uidlist.create(UidValidity.next(root, fsync), 1);
        }
        long t0 = System.nanoTime();
        try {
            uidlist.refresh();
        } catch (Uidlist.Damaged e) {
            // as Dovecot does: start a new UID list (new UIDVALIDITY, clients resynchronise), keep the old one aside
            Path aside = dir.resolve(Uidlist.FILE + ".damaged." + System.currentTimeMillis());
            LOG.error("{}; moved to {} and starting a new UID list", e.getMessage(), aside);
            Files.move(dir.resolve(Uidlist.FILE), aside);
            uidlist = new Uidlist(dir.resolve(Uidlist.FILE), fsync);
            uidlist.create(UidValidity.next(root, fsync), 1);
            uidlist.refresh();
        }
        long t1 = System.nanoTime();
        refreshKeywords();
        entries.clear();
        byBase.clear();
        expunged.clear();
        highestModSeq = 1;
        syncedCur = Long.MIN_VALUE;
        syncedNew = Long.MIN_VALUE;
        Path file = dir.resolve(IndexLog.FILE);
        index = IndexLog.open(file, fsync, uidlist.uidValidity);
        boolean jump;
        if (index != null) {
            jump = index.replay(replayer(null));
        } else {
            // a missing or damaged index of a mailbox that has messages: MODSEQs handed out before are unknown
            jump = !uidlist.byUid.isEmpty();
            index = IndexLog.create(file, fsync, uidlist.uidValidity);
        }
        long t2 = System.nanoTime();
        loaded = true;
        snapshot = null;
        counts = null;
        if (jump) {
            bumpModSeqAfterLoss();
        }
        // an index written when the folder looked exactly as it does now needs no directory listing
        if (!jump && syncedCur != Long.MIN_VALUE && syncedCur == dirStamp("cur") && syncedNew == dirStamp("new")) {
            curStamp = syncedCur;
            newStamp = syncedNew;
        } else {
            scan(null);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("loaded {} ({} messages): uidlist {} ms, index {} ms, directory check {} ms", dir,
                    entries.size(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        }
    }



    /** After losing index records, continue MODSEQs above anything that may have been handed out. */
    private void bumpModSeqAfterLoss() throws IOException {
        highestModSeq = Math.max(highestModSeq + 1, System.currentTimeMillis() * 1000);
        index.highest(highestModSeq);
    }

    private void reloadIndex() throws IOException, StoreException {
        index.close();
        loaded = false;
        Map<Long, Entry> before = new TreeMap<>(entries);
        load();
        Changes ch = new Changes();
        for (Entry old : before.values()) {
            Entry now = entries.get(old.uid);
            if (now == null) {
                ch.expunged.add(old.uid);
            } else if (!now.flags.equals(old.flags)) {
                ch.flags.add(now.info());
            }
        }
        for (Entry now : entries.values()) {
            if (!before.containsKey(now.uid)) {
                ch.added.add(now.info());
            }
        }
        ch.fire(null);
    }

    private void resetIndex() throws IOException {
        index.close();
        IndexLog.deleteQuietly(dir);
        removed = true;
        for (MaildirMailbox m : open) {
            m.fire(new MailboxEvent.MailboxRemoved(name, null));
        }
        throw new UncheckedIOException(new IOException("UIDVALIDITY changed under " + dir));
    }

    private IndexLog.Replay replayer(Changes ch) {
        return new IndexLog.Replay() {
            @Override
            public void add(Entry e) {
                Entry old = entries.put(e.uid, e);
                if (old != null) {
                    byBase.remove(old.base());
                }
                byBase.put(e.base(), e);
                highestModSeq = Math.max(highestModSeq, e.modSeq);
                if (ch != null) {
                    ch.added.add(e.info());
                }
                snapshot = null;
                counts = null;
            }

            @Override
            public void flags(long uid, long modSeq, String file, boolean inNew, Set<String> flags) {
                Entry e = entries.get(uid);
                highestModSeq = Math.max(highestModSeq, modSeq);
                if (e == null) {
                    return;
                }
                byBase.remove(e.base());
                e.file = file;
                e.inNew = inNew;
                boolean changed = !e.flags.equals(flags);
                e.setFlags(flags, Math.max(e.modSeq, modSeq));
                byBase.put(e.base(), e);
                if (ch != null && changed) {
                    ch.flags.add(e.info());
                }
                snapshot = null;
                counts = null;
            }

            @Override
            public void expunge(long uid, long modSeq) {
                Entry e = entries.remove(uid);
                highestModSeq = Math.max(highestModSeq, modSeq);
                if (e != null) {
                    index.dead(e);
                    byBase.remove(e.base());
                    if (ch != null) {
                        ch.expunged.add(uid);
                    }
                }
                rememberExpunged(uid, modSeq);
                snapshot = null;
                counts = null;
            }

            @Override
            public void highest(long modSeq) {
                highestModSeq = Math.max(highestModSeq, modSeq);
            }

            @Override
            public void synced(long cur, long nw) {
                syncedCur = cur;
                syncedNew = nw;
            }

            @Override
            public void structure(long uid, long pos, int len) {
                Entry e = entries.get(uid);
                if (e != null) {
                    e.structPos = pos;
                    e.structLen = len;
                }
            }
        };
    }

    private void rememberExpunged(long uid, long modSeq) {
        expunged.addLast(new long[]{uid, modSeq});
        while (expunged.size() > MAX_EXPUNGED_REMEMBERED) {
            expunged.removeFirst();
        }
    }

    private long dirStamp(String sub) throws IOException {
        FileTime t = Files.getLastModifiedTime(dir.resolve(sub));
        return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Directory times before one of our own changes. */
    private long[] stampsBefore() throws IOException {
        return new long[]{dirStamp("cur"), dirStamp("new")};
    }

    /**
     * After our own change: if nobody else had changed the folder before it, the new directory times are ours and
     * need no listing now; the folder is still listed once when they are old enough, in case another program changed
     * it in the same clock tick.
     */
    private void ownChangeDone(long[] before) throws IOException {
        if (before[0] == curStamp && before[1] == newStamp) {
            curStamp = dirStamp("cur");
            newStamp = dirStamp("new");
            verifyAt = Math.min(verifyAt, Math.max(curStamp, newStamp) / 1_000_000 + MTIME_SLACK_MILLIS + 1);
        } else {
            curStamp = Long.MIN_VALUE;
            newStamp = Long.MIN_VALUE;
        }
    }

    private static boolean trustworthy(long curNanos, long newNanos) {
        long newest = Math.max(curNanos, newNanos) / 1_000_000;
        return System.currentTimeMillis() - newest > MTIME_SLACK_MILLIS;
    }

    /** Notes in the index that it matches the folder at the current directory times. */
    private void recordSync() throws IOException, StoreException {
        if (curStamp != Long.MIN_VALUE && (curStamp != syncedCur || newStamp != syncedNew)) {
            writeLock();
            index.synced(curStamp, newStamp);
            syncedCur = curStamp;
            syncedNew = newStamp;
        }
    }

    private boolean dirsChanged() throws IOException {
        return dirStamp("cur") != curStamp || dirStamp("new") != newStamp
                || System.currentTimeMillis() >= verifyAt;
    }

    /** A file seen in the folder. */
    private record Listed(String file, boolean inNew) {
    }

    /**
     * Lists {@code cur/} and {@code new/} and matches them with the UID list and the index: new files get UIDs,
     * vanished ones are expunged, renamed ones (flags changed by another program) are updated.
     */
    private void scan(Changes outer) throws IOException, StoreException {
        writeLock(); // matching may write the UID list and the index
        Changes ch = outer != null ? outer : new Changes();
        long cs = dirStamp("cur");
        long ns = dirStamp("new");
        Map<String, Listed> listing = new HashMap<>();
        List<String> inNew = new ArrayList<>();
        list("cur", false, listing, inNew);
        list("new", true, listing, inNew);
        if (!inNew.isEmpty()) {
            writeLock();
            for (String f : inNew) {
                String target = f.contains(MaildirFiles.INFO_SEP) ? f : MaildirFiles.baseName(f) + MaildirFiles.INFO_SEP;
                try {
                    Files.move(dir.resolve("new").resolve(f), dir.resolve("cur").resolve(target),
                            StandardCopyOption.ATOMIC_MOVE);
                    listing.put(MaildirFiles.baseName(f), new Listed(target, false));
                } catch (NoSuchFileException e) {
                    listing.remove(MaildirFiles.baseName(f));
                } catch (IOException e) {
                    LOG.debug("cannot move {} to cur/: {}", f, e.toString());
                }
            }
            cs = dirStamp("cur");
            ns = dirStamp("new");
        }
        // messages with UIDs
        List<Uidlist.Rec> recs = new ArrayList<>(uidlist.byUid.values());
        Set<Long> listed = new java.util.HashSet<>();
        for (Uidlist.Rec r : recs) {
            Listed l = listing.remove(r.base());
            Entry e = entries.get(r.uid());
            if (l == null) {
                if (e != null) {
                    expungeEntry(e, ch);
                }
                uidlist.forget(r.uid());
                continue;
            }
            listed.add(r.uid());
            if (e == null) {
                Entry n = entryFromFile(r.uid(), l);
                if (n != null) {
                    addScanned(n, ch);
                }
            } else if (!e.file.equals(l.file()) || e.inNew != l.inNew()) {
                Set<String> fromName = MaildirFiles.flagsOf(MaildirFiles.flagLetters(l.file()), keywords);
                // keywords without a letter live only in the index
                for (String f : e.flags) {
                    if (!Flags.SYSTEM.contains(f) && keywords.indexOf(f) >= 26) {
                        fromName.add(f);
                    }
                }
                byBase.remove(e.base());
                e.file = l.file();
                e.inNew = l.inNew();
                byBase.put(e.base(), e);
                if (!fromName.equals(e.flags)) {
                    e.setFlags(fromName, ++highestModSeq);
                    ch.flags.add(e.info());
                }
                index.flags(e);
                snapshot = null;
                counts = null;
            }
        }
        // index entries the UID list no longer has
        for (Entry e : new ArrayList<>(entries.values())) {
            if (!listed.contains(e.uid)) {
                expungeEntry(e, ch);
            }
        }
        // files without UIDs: new arrivals
        if (!listing.isEmpty()) {
            writeLock();
            // the lock may have brought UID list lines for some of them
            for (String base : new ArrayList<>(listing.keySet())) {
                Long uid = uidlist.byBase.get(base);
                if (uid != null) {
                    Listed l = listing.remove(base);
                    if (!entries.containsKey(uid)) {
                        Entry n = entryFromFile(uid, l);
                        if (n != null) {
                            addScanned(n, ch);
                        }
                    }
                }
            }
            List<String> bases = new ArrayList<>(listing.keySet());
            Collections.sort(bases);
            List<Uidlist.Rec> add = new ArrayList<>();
            List<Entry> fresh = new ArrayList<>();
            long uid = uidlist.nextUid;
            for (String base : bases) {
                Entry n = entryFromFile(uid, listing.get(base));
                if (n == null) {
                    continue;
                }
                add.add(new Uidlist.Rec(uid, "", base));
                fresh.add(n);
                uid++;
            }
            uidlist.append(add);
            for (Entry n : fresh) {
                addScanned(n, ch);
            }
        }
        if (uidlist.wantsRewrite()) {
            writeLock();
            uidlist.rewrite();
        }
        curStamp = cs;
        newStamp = ns;
        if (trustworthy(cs, ns)) {
            verifyAt = Long.MAX_VALUE;
            recordSync();
        } else {
            // changed moments ago: another change in the same clock tick would not move the times, so look again
            // once they are old enough
            verifyAt = Math.max(cs, ns) / 1_000_000 + MTIME_SLACK_MILLIS + 1;
        }
        maybeCompact();
        if (outer == null) {
            ch.fire(null);
        }
    }

    private void list(String sub, boolean isNew, Map<String, Listed> listing, List<String> inNew)
            throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve(sub))) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (f.startsWith(".")) {
                    continue;
                }
                String base = MaildirFiles.baseName(f);
                Listed prev = listing.get(base);
                if (prev != null && !prev.inNew()) {
                    continue; // the same message in cur/ twice (a crash mid-rename): keep one
                }
                listing.put(base, new Listed(f, isNew));
                if (isNew) {
                    inNew.add(f);
                }
            }
        }
    }

    private Entry entryFromFile(long uid, Listed l) throws IOException {
        Path p = dir.resolve(l.inNew() ? "new" : "cur").resolve(l.file());
        long size;
        long date;
        try {
            size = Files.size(p);
            date = Files.getLastModifiedTime(p).toMillis();
        } catch (NoSuchFileException e) {
            return null;
        }
        Set<String> flags = MaildirFiles.flagsOf(MaildirFiles.flagLetters(l.file()), keywords);
        return new Entry(uid, l.file(), l.inNew(), flags, size, date, 0);
    }

    /**
     * Indexes a message found in the folder: one read of its file parses its structure and finds out whether it has
     * bare LF line ends. Such a file (written by Dovecot or another MDA) is served converted to CRLF, its structure
     * parsed from the converted bytes; a file Pillarbox wrote is served as it is.
     */
    private void addScanned(Entry n, Changes ch) throws IOException {
        Path p = path(n);
        boolean mayConvert = !MaildirFiles.rawMarked(n.file);
        Structures.Scan sc = Structures.scan(p, mayConvert);
        if (sc != null && mayConvert && sc.bareLfs() > 0) {
            n.lf = true;
            n.size += sc.bareLfs();
        }
        addEntry(n, sc == null ? null : sc.structure(), ch);
    }

    private void addEntry(Entry e, byte[] structure, Changes ch) throws IOException {
        e.modSeq = ++highestModSeq;
        Entry old = entries.put(e.uid, e);
        if (old != null) {
            byBase.remove(old.base());
        }
        byBase.put(e.base(), e);
        index.add(e, structure);
        ch.added.add(e.info());
        snapshot = null;
        counts = null;
    }

    private void expungeEntry(Entry e, Changes ch) throws IOException {
        index.dead(e);
        entries.remove(e.uid);
        byBase.remove(e.base());
        long ms = ++highestModSeq;
        index.expunge(e.uid, ms);
        rememberExpunged(e.uid, ms);
        ch.expunged.add(e.uid);
        ch.expungeModSeq = ms;
        snapshot = null;
        counts = null;
    }

    private void maybeCompact() throws IOException, StoreException {
        if (index.wantsCompaction()) {
            writeLock();
            index = index.compact(entries.values(), expunged.toArray(new long[0][]), highestModSeq);
        }
    }

    Path path(Entry e) {
        return dir.resolve(e.inNew ? "new" : "cur").resolve(e.file);
    }

    // ------------------------------------------------------------------ events

    /** Changes collected during one operation, fired together (expunges, flags, additions). */
    final class Changes {
        final List<Long> expunged = new ArrayList<>();
        final List<MessageInfo> flags = new ArrayList<>();
        final List<MessageInfo> added = new ArrayList<>();
        long expungeModSeq;

        void fire(MaildirMailbox origin) {
            String n = name;
            if (!expunged.isEmpty()) {
                List<Long> sorted = new ArrayList<>(new TreeSet<>(expunged));
                fireAll(new MailboxEvent.MessagesExpunged(n, origin, sorted, highestModSeq));
            }
            if (!flags.isEmpty()) {
                flags.sort((a, b) -> Long.compare(a.uid(), b.uid()));
                fireAll(new MailboxEvent.FlagsChanged(n, origin, List.copyOf(flags)));
            }
            if (!added.isEmpty()) {
                added.sort((a, b) -> Long.compare(a.uid(), b.uid()));
                fireAll(new MailboxEvent.MessagesAdded(n, origin, List.copyOf(added)));
            }
        }
    }

    void fireAll(MailboxEvent e) {
        for (MaildirMailbox m : open) {
            m.fire(e);
        }
    }

    /** The folder is gone (deleted or renamed away): open mailboxes are told and further use fails. */
    void markRemoved(MaildirMailbox origin) {
        lock.lock();
        try {
            removed = true;
            if (index != null) {
                index.close();
            }
            fireAll(new MailboxEvent.MailboxRemoved(name, origin));
        } finally {
            lock.unlock();
        }
    }

    void closeQuietly() {
        lock.lock();
        try {
            if (index != null) {
                try {
                    if (loaded && !removed) {
                        long cs = dirStamp("cur");
                        long ns = dirStamp("new");
                        if (trustworthy(cs, ns)) {
                            if (cs != curStamp || ns != newStamp || verifyAt != Long.MAX_VALUE) {
                                scan(null); // records the SYNC hint itself
                            } else {
                                recordSync();
                            }
                        }
                    }
                } catch (IOException | StoreException | RuntimeException e) {
                    // only a hint for the next load
                } finally {
                    if (dotLock != null) {
                        dotLock.close();
                        dotLock = null;
                    }
                }
                index.close();
            }
            loaded = false;
            removed = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets the UIDVALIDITY of a folder that has never held a message (UIDNEXT 1, no messages, nothing waiting in
     * {@code new/} or {@code cur/}): the UID list header is rewritten under the folder lock. Call inside
     * {@link #locked} with a scan; the caller then marks the state removed so it is loaded afresh.
     *
     * @return false (nothing changed) if the folder has or had messages
     */
    boolean adoptUidValidity(long validity) throws IOException, StoreException {
        writeLock();
        if (dirsChanged()) {
            scan(null);
        }
        if (uidlist.nextUid != 1 || !uidlist.byUid.isEmpty() || !entries.isEmpty()) {
            return false;
        }
        uidlist.uidValidity = validity;
        uidlist.rewrite();
        return true;
    }

    // ------------------------------------------------------------------ reading

    long uidValidity() {
        return uidlist.uidValidity;
    }

    long uidNext() {
        return uidlist.nextUid;
    }

    long highestModSeq() {
        return highestModSeq;
    }

    Set<String> keywords() {
        return Set.copyOf(keywords);
    }

    List<MessageInfo> messages() {
        List<MessageInfo> s = snapshot;
        if (s == null) {
            List<MessageInfo> l = new ArrayList<>(entries.size());
            for (Entry e : entries.values()) {
                l.add(e.info());
            }
            s = Collections.unmodifiableList(l);
            snapshot = s;
        }
        return s;
    }

    /** Messages held in memory (read without the lock: an estimate for cache decisions). */
    int size() {
        return entries.size();
    }

    Entry entry(long uid) {
        return entries.get(uid);
    }

    /** Finds a message's file again after another program renamed it. */
    Path relocate(Entry e) throws IOException, StoreException {
        curStamp = Long.MIN_VALUE;
        scan(null);
        Entry now = entries.get(e.uid);
        return now == null ? null : path(now);
    }

    byte[] structureBytesIfKnown(Entry e) throws IOException {
        return e.structPos >= 0 ? index.readStructure(e.structPos, e.structLen) : null;
    }

    byte[] structureBytes(Entry e) throws IOException, StoreException {
        if (e.structPos >= 0) {
            return index.readStructure(e.structPos, e.structLen);
        }
        byte[] s = Structures.parse(path(e), e.lf);
        if (s != null) {
            writeLock();
            index.structure(e, s);
        }
        return s;
    }

    /** POP3 UIDLs kept in the UID list's {@code P} fields (a mailbox migrated from another POP3 server). */
    java.util.Map<Long, String> pop3Uidls() {
        java.util.Map<Long, String> out = new TreeMap<>();
        for (Uidlist.Rec r : uidlist.byUid.values()) {
            if (r.ext().isEmpty() || !entries.containsKey(r.uid())) {
                continue;
            }
            for (String field : r.ext().split(" ")) {
                if (field.length() > 1 && field.charAt(0) == 'P') {
                    String uidl = field.substring(1);
                    boolean ok = uidl.length() <= 70;
                    for (int i = 0; ok && i < uidl.length(); i++) {
                        char c = uidl.charAt(i);
                        ok = c >= 0x21 && c <= 0x7e;
                    }
                    if (ok) {
                        out.put(r.uid(), uidl);
                    }
                }
            }
        }
        return out;
    }

    List<Long> expungedSince(long modSeq) {
        TreeSet<Long> out = new TreeSet<>();
        for (long[] x : expunged) {
            if (x[1] > modSeq) {
                out.add(x[0]);
            }
        }
        return new ArrayList<>(out);
    }

    long[] counts() {
        if (counts != null) {
            return counts.clone();
        }
        long unseen = 0;
        long deleted = 0;
        long size = 0;
        for (Entry e : entries.values()) {
            // system flags are stored in their canonical spelling
            if (!e.flags.contains(Flags.SEEN)) {
                unseen++;
            }
            if (e.flags.contains(Flags.DELETED)) {
                deleted++;
            }
            size += e.size;
        }
        counts = new long[]{entries.size(), unseen, deleted, size};
        return counts.clone();
    }

    // ------------------------------------------------------------------ writing

    /** A message written to {@code tmp/} (and fsynced), waiting for its UID. */
    record Pending(Path tmpFile, String base, Set<String> flags, long size, long date, byte[] structure, boolean lf) {
        /** A file served as it is ({@code size} is the file's). */
        Pending(Path tmpFile, String base, Set<String> flags, long size, long date, byte[] structure) {
            this(tmpFile, base, flags, size, date, structure, false);
        }
    }

    /**
     * Gives pending messages their UIDs: each is renamed into {@code cur/} with its flags, the directory is fsynced,
     * then the UID list gets their lines (fsynced) before this returns. Appended messages take the next UIDs in
     * order.
     */
    List<Long> commit(List<Pending> pending, MaildirMailbox origin) throws IOException, StoreException {
        return commit(pending, origin, 0);
    }

    /**
     * As {@link #commit(List, MaildirMailbox)}, the first message getting UID {@code firstUid} (0: the next UID);
     * a {@code firstUid} below the UID list's next UID is refused (NOT_ALLOWED) before any file moves.
     */
    List<Long> commit(List<Pending> pending, MaildirMailbox origin, long firstUid)
            throws IOException, StoreException {
        writeLock();
        if (firstUid != 0 && firstUid < uidlist.nextUid) {
            throw new StoreException(Reason.NOT_ALLOWED, "UID " + firstUid + " is below UIDNEXT " + uidlist.nextUid
                    + " of " + name);
        }
        long[] before = stampsBefore();
        Changes ch = new Changes();
        Set<String> wanted = new LinkedHashSet<>();
        for (Pending p : pending) {
            wanted.addAll(p.flags());
        }
        defineKeywords(wanted);
        long uid = firstUid != 0 ? firstUid : uidlist.nextUid;
        List<Uidlist.Rec> recs = new ArrayList<>();
        List<Entry> fresh = new ArrayList<>();
        for (Pending p : pending) {
            String file = MaildirFiles.fileName(p.base(), MaildirFiles.lettersOf(p.flags(), keywords, ""));
            Path target = dir.resolve("cur").resolve(file);
            try {
                Files.move(p.tmpFile(), target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(p.tmpFile(), target);
            }
            recs.add(new Uidlist.Rec(uid, "", p.base()));
            Entry e = new Entry(uid, file, false, p.flags(), p.size(), p.date(), 0);
            e.lf = p.lf();
            fresh.add(e);
            uid++;
        }
        if (fsync) {
            MaildirFiles.fsyncDir(dir.resolve("cur"));
        }
        uidlist.append(recs);
        for (int i = 0; i < fresh.size(); i++) {
            addEntry(fresh.get(i), pending.get(i).structure(), ch);
        }
        ownChangeDone(before);
        maybeCompact();
        ch.fire(origin);
        List<Long> uids = new ArrayList<>();
        for (Entry e : fresh) {
            uids.add(e.uid);
        }
        return uids;
    }

    /** Adds keywords not yet defined (in name order) and saves {@code dovecot-keywords} if any were new. */
    private void defineKeywords(Collection<String> flags) throws IOException {
        TreeSet<String> fresh = new TreeSet<>();
        for (String f : flags) {
            if (!Flags.SYSTEM.contains(f) && !keywords.contains(f)) {
                fresh.add(f);
            }
        }
        if (!fresh.isEmpty()) {
            keywords.addAll(fresh);
            saveKeywords();
        }
    }

    private void saveKeywords() throws IOException {
        List<String> stored = keywords;
        MaildirFiles.writeKeywords(dir.resolve("dovecot-keywords"), stored, fsync);
        Path kf = dir.resolve("dovecot-keywords");
        keywordsStamp = Files.getLastModifiedTime(kf).toMillis() ^ Files.size(kf) * 31;
    }

    /** Result of a flag change: updated infos and UIDs refused by UNCHANGEDSINCE. */
    record FlagResult(List<MessageInfo> updated, List<Long> failed) {
    }

    FlagResult updateFlags(Collection<Long> uids, io.pillarbox.api.store.FlagOp op, Set<String> flags,
                           long unchangedSince, MaildirMailbox origin) throws IOException, StoreException {
        writeLock();
        long[] before = stampsBefore();
        Set<String> given = new LinkedHashSet<>();
        for (String f : flags) {
            String c = Flags.canonical(f);
            if (c.equalsIgnoreCase("\\Recent")) {
                continue;
            }
            given.add(c);
        }
        if (op != io.pillarbox.api.store.FlagOp.REMOVE) {
            defineKeywords(given);
        }
        Changes ch = new Changes();
        List<MessageInfo> updated = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        long modSeq = -1;
        for (Long uid : new TreeSet<>(uids)) {
            Entry e = entries.get(uid);
            if (e == null) {
                continue;
            }
            if (unchangedSince >= 0 && e.modSeq > unchangedSince) {
                failed.add(uid);
                continue;
            }
            Set<String> now = new LinkedHashSet<>();
            switch (op) {
                case REPLACE -> now.addAll(given);
                case ADD -> {
                    now.addAll(e.flags);
                    for (String f : given) {
                        if (!Flags.contains(now, f)) {
                            now.add(f);
                        }
                    }
                }
                case REMOVE -> {
                    for (String f : e.flags) {
                        if (!Flags.contains(given, f)) {
                            now.add(f);
                        }
                    }
                }
            }
            if (Set.copyOf(now).equals(e.flags)) {
                updated.add(e.info());
                continue;
            }
            if (modSeq < 0) {
                modSeq = ++highestModSeq;
            }
            String letters = MaildirFiles.lettersOf(now, keywords, MaildirFiles.flagLetters(e.file));
            String newFile = MaildirFiles.fileName(e.base(), letters);
            if (!newFile.equals(e.file) || e.inNew) {
                Path from = path(e);
                Path to = dir.resolve("cur").resolve(newFile);
                try {
                    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
                } catch (NoSuchFileException x) {
                    Path again = relocate(e);
                    if (again == null || entries.get(uid) == null) {
                        continue; // expunged by someone else meanwhile
                    }
                    Files.move(again, to, StandardCopyOption.ATOMIC_MOVE);
                }
                e.file = newFile;
                e.inNew = false;
            }
            e.setFlags(now, modSeq);
            index.flags(e);
            updated.add(e.info());
            ch.flags.add(e.info());
            snapshot = null;
            counts = null;
        }
        ownChangeDone(before);
        maybeCompact();
        ch.fire(origin);
        return new FlagResult(updated, failed);
    }

    /** Removes messages; with {@code requireDeleted} only those flagged \Deleted. */
    List<Long> expunge(Collection<Long> uids, boolean requireDeleted, MaildirMailbox origin)
            throws IOException, StoreException {
        writeLock();
        long[] before = stampsBefore();
        Collection<Long> which = uids == null ? new ArrayList<>(entries.keySet()) : new TreeSet<>(uids);
        Changes ch = new Changes();
        for (Long uid : which) {
            Entry e = entries.get(uid);
            if (e == null || (requireDeleted && !Flags.contains(e.flags, Flags.DELETED))) {
                continue;
            }
            try {
                Files.delete(path(e));
            } catch (NoSuchFileException x) {
                Path again = relocate(e);
                if (again != null) {
                    Files.deleteIfExists(again);
                }
                if (entries.get(uid) == null) {
                    continue; // gone meanwhile, already reported by the rescan
                }
            }
            expungeEntry(e, ch);
            uidlist.forget(uid);
        }
        ownChangeDone(before);
        if (uidlist.wantsRewrite()) {
            uidlist.rewrite();
        }
        maybeCompact();
        ch.fire(origin);
        return new ArrayList<>(new TreeSet<>(ch.expunged));
    }

    /** Brings everything up to date with the disk (another program's changes) and fires the events. */
    void sync() throws IOException, StoreException {
        scan(null);
    }

    void addOpen(MaildirMailbox m) {
        open.add(m);
    }

    void removeOpen(MaildirMailbox m) {
        open.remove(m);
    }

    static void notifyListener(MailboxListener l, MailboxEvent e) {
        try {
            l.changed(e);
        } catch (RuntimeException x) {
            LOG.warn("mailbox listener failed", x);
        }
    }
}
