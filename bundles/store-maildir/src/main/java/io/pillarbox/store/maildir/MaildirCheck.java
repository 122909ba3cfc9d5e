package io.pillarbox.store.maildir;

import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreMaintenance.Finding;
import io.pillarbox.api.store.StoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * {@code mail:check} for one user's Maildir: compares, per folder, {@code dovecot-uidlist}, {@code pillarbox.index},
 * {@code dovecot-keywords} and the message files in {@code cur/} and {@code new/} with each other, looks for crash
 * leftovers in {@code tmp/} and stale lock files, and with {@code repair} fixes what can be fixed without losing mail.
 * <p>
 * A folder is looked at under its JVM lock without loading it (the store's own loading would silently repair part of
 * what is to be reported); message files are then read without any lock (a Maildir file's content never changes, only
 * its name). A repair takes the JVM lock and {@code dovecot-uidlist.lock}, looks again, rewrites the UID list through
 * the store's {@link Uidlist}, removes a bad index, and lets the folder's {@link MailboxState} reload from disk: the
 * store's own path when another process changed the folder, which rebuilds a missing index from the files, gives
 * files without UIDs new UIDs above the next UID, and tells open mailboxes what changed.
 */
final class MaildirCheck {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirCheck.class);
    /** Dovecot deletes files in {@code tmp/} older than this. */
    static final long TMP_MAX_AGE_MILLIS = 36L * 3600 * 1000;
    /** Lock files of Dovecot and Pillarbox that a folder or the root may hold. */
    private static final String[] LOCKS = {Uidlist.FILE + ".lock", "dovecot-keywords.lock",
            MaildirSession.SUBSCRIPTIONS + ".lock", UidValidity.FILE + ".lock"};
    private static final int LISTED_MAX = 5;

    private final Path root;
    private final boolean fsync;
    private final LongSupplier clock;

    MaildirCheck(Path root, boolean fsync, LongSupplier clock) {
        this.root = root.toAbsolutePath().normalize();
        this.fsync = fsync;
        this.clock = clock;
    }

    /** What a repair of a finding takes. */
    private enum Fix {
        NONE, DIRS, LOCK, TMP, UIDLIST, INDEX, SYNC
    }

    /** A finding before it is known whether its repair worked. */
    private static final class Item {
        final String problem;
        final Fix fix;
        boolean repaired;

        Item(String problem, Fix fix) {
            this.problem = problem;
            this.fix = fix;
        }
    }

    List<Finding> check(boolean repair) throws StoreException {
        List<Finding> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out; // nothing stored yet
        }
        TreeMap<String, Path> folders = new TreeMap<>((a, b) -> a.equals(b) ? 0
                : MailboxNames.isInbox(a) ? -1 : MailboxNames.isInbox(b) ? 1 : a.compareTo(b));
        folders.put(StoreSession.INBOX, root);
        try {
            folders.putAll(MaildirFiles.folderDirs(root));
        } catch (IOException e) {
            throw new StoreException(StoreException.Reason.IO, "cannot list " + root + ": " + e.getMessage(), e);
        }
        for (Map.Entry<String, Path> f : folders.entrySet()) {
            String name = f.getKey();
            List<Item> items = new ArrayList<>();
            try {
                checkFolder(name, f.getValue(), repair, items);
            } catch (IOException | StoreException | RuntimeException e) {
                LOG.warn("checking {} of {} failed", name, root, e);
                items.add(new Item("could not be checked completely: " + e, Fix.NONE));
            }
            for (Item i : items) {
                out.add(new Finding(name, i.problem, repair && i.repaired));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ one folder

    private void checkFolder(String name, Path dir, boolean repair, List<Item> items)
            throws IOException, StoreException {
        MailboxState s = StateRegistry.acquire(dir, root, name, fsync);
        try {
            Snapshot snap = s.exclusive(false, () -> snapshot(dir, !repair));
            Map<String, Facts> facts = new HashMap<>();
            readFiles(dir, snap, facts);
            if (!repair) {
                items.addAll(snap.lockItems);
                analyse(snap, facts, items);
                return;
            }
            boolean[] reopen = new boolean[1];
            try {
                s.exclusive(false, () -> {
                    for (Path lock : staleLocks(dir, items)) {
                        deleteLock(lock, items);
                    }
                    return s.exclusive(true, () -> {
                        Snapshot now = snapshot(dir, false);
                        readFiles(dir, now, facts);
                        Plan plan = analyse(now, facts, items);
                        reopen[0] = apply(s, dir, now, plan, items);
                        return null;
                    });
                });
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("timed out waiting for lock")) {
                    items.removeIf(i -> i.fix != Fix.LOCK);
                    analyse(snap, facts, items);
                    items.add(new Item("not repaired: " + Uidlist.FILE + ".lock stays held by a live process",
                            Fix.NONE));
                    return;
                }
                throw e;
            }
            if (reopen[0]) {
                // a new UIDVALIDITY: sessions that had the folder open were told it is gone; load it afresh now
                MailboxState fresh = StateRegistry.acquire(dir, root, name, fsync);
                try {
                    fresh.locked(true, () -> null);
                } finally {
                    StateRegistry.release(fresh);
                }
            }
        } finally {
            StateRegistry.release(s);
        }
    }

    /** A file in {@code cur/} or {@code new/}. */
    private record Listed(String file, boolean inNew) {
    }

    /** One line of {@code dovecot-uidlist}. */
    private record Line(long uid, String ext, String base) {
    }

    /** What reading a message file found. */
    private record Facts(boolean vanished, String error, long size, long bareLfs) {
    }

    /** The folder as found on disk. */
    private static final class Snapshot {
        final List<String> missingDirs = new ArrayList<>();
        final List<Item> lockItems = new ArrayList<>();
        final Map<String, Listed> files = new HashMap<>();
        final List<Path> oldTmp = new ArrayList<>();
        // dovecot-uidlist
        boolean uidlistExists;
        String headerProblem;
        long v = -1;
        long n = -1;
        String guid;
        String headerExtra = "";
        boolean version1;
        final List<Line> lines = new ArrayList<>();
        int damagedLines;
        boolean torn;
        // dovecot-keywords: index to name, null for an index the file does not define
        final List<String> keywords = new ArrayList<>();
        // pillarbox.index
        boolean indexExists;
        String indexProblem;
        long indexV = -1;
        long damagedAt = -1;
        long damagedBytes;
        final TreeMap<Long, Entry> live = new TreeMap<>();
        final Set<Long> expunged = new HashSet<>();
        final Map<Long, Long> structEnd = new HashMap<>();
        long indexMaxUid;
    }

    private Snapshot snapshot(Path dir, boolean withLocks) throws IOException {
        Snapshot s = new Snapshot();
        for (String sub : new String[]{"cur", "new", "tmp"}) {
            if (!Files.isDirectory(dir.resolve(sub))) {
                s.missingDirs.add(sub);
            }
        }
        if (withLocks) {
            staleLocks(dir, s.lockItems);
        }
        list(dir, s.files);
        readUidlist(dir.resolve(Uidlist.FILE), s);
        // a file renamed while cur/ and new/ were listed may have been missed: look again before calling it gone
        for (Line l : s.lines) {
            if (!s.files.containsKey(l.base())) {
                list(dir, s.files);
                break;
            }
        }
        readKeywords(dir.resolve("dovecot-keywords"), s.keywords);
        readIndex(dir.resolve(IndexLog.FILE), s);
        if (!s.missingDirs.contains("tmp")) {
            long limit = clock.getAsLong() - TMP_MAX_AGE_MILLIS;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.resolve("tmp"))) {
                for (Path p : ds) {
                    if (lastTouched(p) < limit) {
                        s.oldTmp.add(p);
                    }
                }
            }
            s.oldTmp.sort(null);
        }
        return s;
    }

    private static void list(Path dir, Map<String, Listed> files) throws IOException {
        for (String sub : new String[]{"cur", "new"}) {
            Path d = dir.resolve(sub);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
                for (Path p : ds) {
                    String f = p.getFileName().toString();
                    if (f.startsWith(".")) {
                        continue;
                    }
                    String base = MaildirFiles.baseName(f);
                    Listed prev = files.get(base);
                    if (prev != null && !prev.inNew()) {
                        continue;
                    }
                    files.put(base, new Listed(f, sub.equals("new")));
                }
            }
        }
    }

    /** The latest of modification, access and (where the file system tells) change time, as Dovecot judges. */
    private static long lastTouched(Path p) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Long.MAX_VALUE;
        }
        long t = Math.max(a.lastModifiedTime().toMillis(), a.lastAccessTime().toMillis());
        try {
            Object c = Files.getAttribute(p, "unix:ctime", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (c instanceof FileTime ft) {
                t = Math.max(t, ft.toMillis());
            }
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            // no change time here
        }
        return t;
    }

    private List<Path> staleLocks(Path dir, List<Item> items) throws IOException {
        List<Path> stale = new ArrayList<>();
        for (String name : LOCKS) {
            Path lock = dir.resolve(name);
            String why;
            try {
                why = DotLock.staleness(lock, clock.getAsLong());
            } catch (NoSuchFileException e) {
                continue;
            }
            if (why != null) {
                items.add(new Item("stale lock file " + name + ": " + why, Fix.LOCK));
                stale.add(lock);
            }
        }
        return stale;
    }

    private void deleteLock(Path lock, List<Item> items) throws IOException {
        String name = lock.getFileName().toString();
        try {
            // only if it is still stale: not a lock another process has taken since
            if (DotLock.staleness(lock, clock.getAsLong()) != null) {
                Files.delete(lock);
            }
        } catch (NoSuchFileException e) {
            // gone meanwhile
        }
        for (Item i : items) {
            if (i.fix == Fix.LOCK && i.problem.startsWith("stale lock file " + name + ":")) {
                i.repaired = true;
            }
        }
    }

    private static void readUidlist(Path file, Snapshot s) throws IOException {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        }
        s.uidlistExists = true;
        int pos = 0;
        boolean header = true;
        while (pos < data.length) {
            int nl = pos;
            while (nl < data.length && data[nl] != '\n') {
                nl++;
            }
            String line = new String(data, pos, nl - pos, StandardCharsets.UTF_8);
            if (nl >= data.length) {
                if (header) {
                    s.headerProblem = "has an incomplete header line";
                    salvageHeader(line, s);
                    return;
                }
                s.torn = true;
                break;
            }
            pos = nl + 1;
            if (header) {
                parseHeader(line, s);
                header = false;
            } else if (!line.isBlank()) {
                Line l = parseLine(line);
                if (l == null) {
                    s.damagedLines++;
                } else {
                    s.lines.add(l);
                }
            }
        }
        if (header) {
            s.headerProblem = "is empty";
        }
    }

    private static void parseHeader(String line, Snapshot s) {
        String[] f = line.trim().split(" ");
        try {
            if (f[0].equals("1") && f.length >= 3) {
                s.v = Long.parseLong(f[1]);
                s.n = Long.parseLong(f[2]);
                s.version1 = true;
                return;
            }
            if (!f[0].equals("3")) {
                s.headerProblem = "has a header of unknown version ('" + shorten(line) + "')";
                salvageHeader(line, s);
                return;
            }
            StringBuilder extra = new StringBuilder();
            for (int i = 1; i < f.length; i++) {
                if (f[i].isEmpty()) {
                    continue;
                }
                String v = f[i].substring(1);
                switch (f[i].charAt(0)) {
                    case 'V' -> s.v = Long.parseLong(v);
                    case 'N' -> s.n = Long.parseLong(v);
                    case 'G' -> s.guid = v;
                    default -> extra.append(' ').append(f[i]);
                }
            }
            s.headerExtra = extra.toString();
            if (s.v <= 0) {
                s.headerProblem = "has no UIDVALIDITY in its header ('" + shorten(line) + "')";
            }
        } catch (NumberFormatException e) {
            s.headerProblem = "has a damaged header ('" + shorten(line) + "')";
            s.v = -1;
            s.n = -1;
            salvageHeader(line, s);
        }
    }

    /** Keeps a UIDVALIDITY (and next UID) that can still be read from a damaged header. */
    private static void salvageHeader(String line, Snapshot s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|\\s)V(\\d{1,10})(?=\\s|$)").matcher(line);
        if (m.find()) {
            s.v = Long.parseLong(m.group(1));
        }
        m = java.util.regex.Pattern.compile("(?:^|\\s)N(\\d{1,10})(?=\\s|$)").matcher(line);
        if (m.find()) {
            s.n = Long.parseLong(m.group(1));
        }
        if (s.v <= 0 || s.v > 0xFFFFFFFFL) {
            s.v = -1;
        }
    }

    private static String shorten(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 60 ? t.substring(0, 60) + "..." : t;
    }

    /** {@code <uid> [ext] :<base>}, or Dovecot's version 1 {@code <uid> <base>}; null if damaged. */
    private static Line parseLine(String line) {
        int sp = line.indexOf(' ');
        if (sp <= 0) {
            return null;
        }
        long uid;
        try {
            uid = Long.parseLong(line.substring(0, sp));
        } catch (NumberFormatException e) {
            return null;
        }
        int colon = line.indexOf(" :");
        String ext;
        String base;
        if (colon >= sp) {
            ext = colon > sp ? line.substring(sp + 1, colon).trim() : "";
            base = line.substring(colon + 2);
        } else {
            ext = "";
            base = line.substring(sp + 1).trim();
        }
        if (uid <= 0 || uid > 0xFFFFFFFFL || base.isEmpty() || base.indexOf('/') >= 0) {
            return null;
        }
        return new Line(uid, ext, base);
    }

    private static void readKeywords(Path file, List<String> out) throws IOException {
        try {
            out.addAll(MaildirFiles.readKeywordIndex(file));
        } catch (java.nio.charset.MalformedInputException e) {
            // a file that is not UTF-8 defines nothing
        }
    }

    private static void readIndex(Path file, Snapshot s) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        s.indexExists = true;
        long v = s.v > 0 && s.headerProblem == null ? s.v : IndexLog.headerUidValidity(file);
        s.indexProblem = IndexLog.headerProblem(file, v);
        if (s.indexProblem != null) {
            return;
        }
        s.indexV = v;
        IndexLog log = IndexLog.open(file, false, v);
        if (log == null) {
            s.indexProblem = "cannot be opened";
            return;
        }
        try {
            log.replay(new IndexLog.Replay() {
                @Override
                public void add(Entry e) {
                    s.live.put(e.uid, e);
                    s.expunged.remove(e.uid);
                    s.indexMaxUid = Math.max(s.indexMaxUid, e.uid);
                }

                @Override
                public void flags(long uid, long modSeq, String f, boolean inNew, Set<String> flags) {
                    Entry e = s.live.get(uid);
                    if (e != null) {
                        e.file = f;
                        e.inNew = inNew;
                        e.setFlags(flags, Math.max(e.modSeq, modSeq));
                    }
                }

                @Override
                public void expunge(long uid, long modSeq) {
                    s.live.remove(uid);
                    s.expunged.add(uid);
                    s.indexMaxUid = Math.max(s.indexMaxUid, uid);
                }

                @Override
                public void highest(long modSeq) {
                }

                @Override
                public void structure(long uid, long pos, int len) {
                    Entry e = s.live.get(uid);
                    if (e != null) {
                        e.structPos = pos;
                        e.structLen = len;
                    }
                }

                @Override
                public void synced(long curStamp, long newStamp) {
                }
            }, false);
            long size = log.diskSize();
            if (log.end < size) {
                s.damagedAt = log.end;
                s.damagedBytes = size - log.end;
            }
            for (Entry e : s.live.values()) {
                if (e.structPos < 0) {
                    continue;
                }
                long end;
                try {
                    io.pillarbox.api.store.MessageStructure st =
                            Structures.decode(log.readStructure(e.structPos, e.structLen));
                    end = st.root().bodyOffset() + st.root().bodySize();
                } catch (IOException | RuntimeException x) {
                    end = -2;
                }
                s.structEnd.put(e.uid, end);
            }
        } finally {
            log.close();
        }
    }

    /** Reads every listed file not read yet: readable to its end, its size, its bare LFs. */
    private static void readFiles(Path dir, Snapshot s, Map<String, Facts> facts) {
        byte[] buf = new byte[65536];
        for (Map.Entry<String, Listed> f : s.files.entrySet()) {
            Facts known = facts.get(f.getKey());
            if (known != null && !known.vanished()) {
                continue; // a Maildir file's content never changes
            }
            Path p = dir.resolve(f.getValue().inNew() ? "new" : "cur").resolve(f.getValue().file());
            long size = 0;
            long bare = 0;
            int prev = -1;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(p), 65536)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n' && prev != '\r') {
                            bare++;
                        }
                        prev = buf[i];
                    }
                    size += n;
                }
                facts.put(f.getKey(), new Facts(false, null, size, bare));
            } catch (NoSuchFileException e) {
                // renamed or expunged by a session meanwhile: not judged now
                facts.put(f.getKey(), new Facts(true, null, -1, 0));
            } catch (IOException | RuntimeException e) {
                facts.put(f.getKey(), new Facts(false, e.getMessage() == null ? e.toString() : e.getMessage(), -1,
                        0));
            }
        }
    }

    // ------------------------------------------------------------------ judging

    /** What a repair would do. */
    private static final class Plan {
        final Set<Fix> fixes = EnumSet.noneOf(Fix.class);
        /** The UID list to write, if it is rewritten. */
        long v;
        long n;
        String guid;
        String extra;
        final TreeMap<Long, Line> keep = new TreeMap<>();
        boolean newValidity;
    }

    private Plan analyse(Snapshot s, Map<String, Facts> facts, List<Item> items) {
        Plan plan = new Plan();
        for (String d : s.missingDirs) {
            add(items, plan, d + "/ is missing", Fix.DIRS);
        }
        if (!s.oldTmp.isEmpty()) {
            add(items, plan, s.oldTmp.size() + " leftover(s) in tmp/ older than 36 hours (an interrupted delivery or "
                    + "copy): " + names(s.oldTmp.stream().map(p -> p.getFileName().toString()).toList()), Fix.TMP);
        }
        boolean indexSound = s.indexExists && s.indexProblem == null && s.damagedAt < 0;

        // ---- dovecot-uidlist
        Map<Long, Line> byUid = new LinkedHashMap<>();
        Map<String, Long> byBase = new HashMap<>();
        List<String> uidProblems = new ArrayList<>();
        long prev = 0;
        int disorder = 0;
        String firstDisorder = null;
        long maxUid = 0;
        for (Line l : s.lines) {
            if (l.uid() <= prev) {
                disorder++;
                if (firstDisorder == null) {
                    firstDisorder = "UID " + l.uid() + " follows UID " + prev;
                }
            }
            prev = Math.max(prev, l.uid());
            Line other = byUid.get(l.uid());
            if (other != null) {
                if (!other.base().equals(l.base())) {
                    uidProblems.add("UID " + l.uid() + " is listed twice (" + other.base() + " and " + l.base()
                            + "); the second file gets a new UID");
                }
                continue;
            }
            Long otherUid = byBase.get(l.base());
            if (otherUid != null) {
                uidProblems.add("file " + l.base() + " is listed under UIDs " + otherUid + " and " + l.uid()
                        + "; UID " + l.uid() + " is dropped");
                continue;
            }
            byUid.put(l.uid(), l);
            byBase.put(l.base(), l.uid());
            maxUid = Math.max(maxUid, l.uid());
        }
        if (!s.uidlistExists) {
            if (!s.files.isEmpty()) {
                add(items, plan, Uidlist.FILE + " is missing: " + s.files.size() + " message file(s) have no UID"
                        + (indexSound ? " (UIDs and UIDVALIDITY are taken back from " + IndexLog.FILE + ")"
                        : " (they get new UIDs under a new UIDVALIDITY)"), Fix.UIDLIST);
                if (indexSound) {
                    // the index still knows which file had which UID
                    for (Entry e : s.live.values()) {
                        if (s.files.containsKey(e.base()) && !byBase.containsKey(e.base())) {
                            byUid.put(e.uid, new Line(e.uid, "", e.base()));
                            byBase.put(e.base(), e.uid);
                            maxUid = Math.max(maxUid, e.uid);
                        }
                    }
                }
            }
        } else if (s.headerProblem != null) {
            add(items, plan, Uidlist.FILE + " " + s.headerProblem + (s.v > 0 ? "; its UIDVALIDITY " + s.v
                    + " is kept" : s.indexV > 0 ? "; UIDVALIDITY " + s.indexV + " is taken back from "
                    + IndexLog.FILE : "; the folder gets a new UIDVALIDITY (clients download it again)"),
                    Fix.UIDLIST);
        }
        if (s.damagedLines > 0) {
            add(items, plan, s.damagedLines + " line(s) of " + Uidlist.FILE + " cannot be read and are dropped",
                    Fix.UIDLIST);
        }
        if (s.torn) {
            add(items, plan, Uidlist.FILE + " ends in an incomplete line (a write cut short)", Fix.UIDLIST);
        }
        if (disorder > 0) {
            add(items, plan, "UIDs in " + Uidlist.FILE + " are not ascending: " + firstDisorder
                    + (disorder > 1 ? " (" + disorder + " lines out of order)" : ""), Fix.UIDLIST);
        }
        for (String p : uidProblems) {
            add(items, plan, p, Fix.UIDLIST);
        }
        if (s.uidlistExists && s.headerProblem == null) {
            // version 3 (Dovecot 2.x, Pillarbox) appends lines after the header, so they may pass its N; the next
            // UID is then the larger of N and the last UID + 1. Version 1 had to keep every UID below N.
            long next = s.version1 ? s.n : Math.max(s.n, maxUid + 1);
            if (s.version1 && maxUid >= s.n) {
                add(items, plan, "UID " + maxUid + " in " + Uidlist.FILE + " is not below its next UID " + s.n,
                        Fix.UIDLIST);
            } else if (indexSoundFor(s) && s.indexMaxUid >= next) {
                add(items, plan, "the next UID of " + Uidlist.FILE + " (" + next + ") would hand out UID "
                        + s.indexMaxUid + " again (" + IndexLog.FILE + " has seen it)", Fix.UIDLIST);
            }
        }
        // lines whose file is gone: normal after an expunge (Pillarbox and Dovecot keep the line until they rewrite
        // the list) unless the index still has the message, or the index is damaged and cannot tell. Without any
        // index (a folder Pillarbox has not opened yet, e.g. Dovecot's) such lines are taken as expunges.
        TreeSet<Long> gone = new TreeSet<>();
        TreeSet<Long> goneUnknown = new TreeSet<>();
        for (Line l : byUid.values()) {
            if (s.files.containsKey(l.base()) || s.expunged.contains(l.uid())
                    || (indexSound && !s.live.containsKey(l.uid())) || !s.indexExists) {
                continue;
            }
            (s.live.containsKey(l.uid()) ? gone : goneUnknown).add(l.uid());
        }
        if (!gone.isEmpty()) {
            add(items, plan, "the message file(s) of " + gone.size() + " message(s) are gone (UID " + uidSet(gone)
                    + "): deleted outside the store, or lost; their UIDs are dropped", Fix.UIDLIST);
            plan.fixes.add(Fix.SYNC);
        }
        if (!goneUnknown.isEmpty()) {
            add(items, plan, Uidlist.FILE + " names " + goneUnknown.size() + " message(s) whose files are gone (UID "
                    + uidSet(goneUnknown) + "): expunged, deleted outside the store, or lost (the index cannot "
                    + "tell); their UIDs are dropped", Fix.UIDLIST);
            plan.fixes.add(Fix.SYNC);
        }
        // files without a UID
        List<String> noUidCur = new ArrayList<>();
        List<String> noUidNew = new ArrayList<>();
        for (Map.Entry<String, Listed> f : s.files.entrySet()) {
            if (!byBase.containsKey(f.getKey())) {
                (f.getValue().inNew() ? noUidNew : noUidCur).add(f.getValue().file());
            }
        }
        if (!noUidCur.isEmpty()) {
            noUidCur.sort(null);
            add(items, plan, noUidCur.size() + " message file(s) in cur/ have no UID (" + names(noUidCur)
                    + "); they get new UIDs", Fix.SYNC);
        }
        if (!noUidNew.isEmpty()) {
            noUidNew.sort(null);
            add(items, plan, noUidNew.size() + " message file(s) in new/ have no UID yet (delivered by another "
                    + "program: " + names(noUidNew) + "); they get new UIDs", Fix.SYNC);
        }
        if (plan.fixes.contains(Fix.UIDLIST)) {
            plan.v = s.v > 0 ? s.v : s.indexV;
            plan.newValidity = plan.v <= 0;
            plan.n = Math.max(Math.max(s.n, maxUid + 1), 1);
            if (!plan.newValidity && s.indexV == plan.v) {
                plan.n = Math.max(plan.n, s.indexMaxUid + 1);
            }
            plan.guid = s.guid;
            plan.extra = s.headerExtra;
            for (Line l : byUid.values()) {
                if (s.files.containsKey(l.base())) {
                    plan.keep.put(l.uid(), l);
                }
            }
        }

        // ---- pillarbox.index
        boolean hasMail = !s.files.isEmpty() || !byUid.isEmpty();
        if (!s.indexExists) {
            if (hasMail) {
                add(items, plan, IndexLog.FILE + " is missing; it is built from the message files", Fix.INDEX);
            }
        } else if (s.indexProblem != null) {
            add(items, plan, IndexLog.FILE + " " + s.indexProblem + "; it is rebuilt from the message files",
                    Fix.INDEX);
        } else if (s.damagedAt >= 0) {
            add(items, plan, IndexLog.FILE + ": the record at offset " + s.damagedAt + " fails its checksum; the "
                    + s.damagedBytes + " octets from there on cannot be read; it is rebuilt from the message files",
                    Fix.INDEX);
        } else {
            List<String> wrong = new ArrayList<>();
            int stale = 0;
            TreeSet<Long> missing = new TreeSet<>();
            for (Entry e : s.live.values()) {
                Line l = byUid.get(e.uid);
                Facts f = facts.get(e.base());
                if (l == null) {
                    if (s.files.containsKey(e.base())) {
                        wrong.add("UID " + e.uid + " is not in " + Uidlist.FILE);
                    } else {
                        stale++; // expunged by another program: gone from the UID list and the folder
                    }
                } else if (!l.base().equals(e.base())) {
                    wrong.add("UID " + e.uid + " is file " + e.base() + " in the index, " + l.base() + " in "
                            + Uidlist.FILE);
                } else if (f != null && !f.vanished() && f.error() == null) {
                    boolean lf = !MaildirFiles.rawMarked(e.base()) && f.bareLfs() > 0;
                    long served = f.size() + (lf ? f.bareLfs() : 0);
                    Long end = s.structEnd.get(e.uid);
                    if (e.lf != lf) {
                        wrong.add("UID " + e.uid + " is served " + (e.lf ? "converted to CRLF" : "as stored")
                                + " by the index, but the file has " + (lf ? "bare LF" : "CRLF") + " line ends");
                    } else if (e.size != served) {
                        wrong.add("UID " + e.uid + " has " + e.size + " octets in the index, " + served
                                + " in its file");
                    } else if (end != null && end == -2) {
                        wrong.add("the stored structure of UID " + e.uid + " cannot be decoded");
                    } else if (end != null && end != e.size) {
                        wrong.add("the stored structure of UID " + e.uid + " describes " + end + " octets, the "
                                + "message has " + e.size);
                    }
                }
            }
            for (Line l : byUid.values()) {
                if (!s.live.containsKey(l.uid()) && s.files.containsKey(l.base())) {
                    missing.add(l.uid());
                }
            }
            if (!wrong.isEmpty()) {
                add(items, plan, IndexLog.FILE + " disagrees with the message files: "
                        + String.join("; ", wrong.subList(0, Math.min(LISTED_MAX, wrong.size())))
                        + (wrong.size() > LISTED_MAX ? "; ... (" + wrong.size() + " in all)" : "")
                        + "; it is rebuilt from the message files", Fix.INDEX);
            }
            if (!missing.isEmpty()) {
                add(items, plan, IndexLog.FILE + " lacks " + missing.size() + " message(s) that have UIDs (UID "
                        + uidSet(missing) + "; added by another program)", Fix.SYNC);
            }
            if (stale > 0) {
                add(items, plan, IndexLog.FILE + " still lists " + stale + " message(s) expunged by another "
                        + "program", Fix.SYNC);
            }
        }
        if (plan.newValidity) {
            plan.fixes.add(Fix.INDEX);
        }

        // ---- the message files themselves (reported, never changed)
        List<String> sorted = new ArrayList<>(s.files.keySet());
        sorted.sort((a, b) -> {
            Long ua = byBase.get(a);
            Long ub = byBase.get(b);
            return ua != null && ub != null ? Long.compare(ua, ub) : ua != null ? -1 : ub != null ? 1
                    : a.compareTo(b);
        });
        Map<Character, Integer> undefined = new TreeMap<>();
        int withUndefined = 0;
        for (String base : sorted) {
            Listed l = s.files.get(base);
            Facts f = facts.get(base);
            Long uid = byBase.get(base);
            String who = (uid != null ? "UID " + uid + ": " : "") + "message file " + (l.inNew() ? "new/" : "cur/")
                    + l.file();
            if (f == null || f.vanished()) {
                continue;
            }
            if (f.error() != null) {
                items.add(new Item(who + " cannot be read (" + f.error() + "); left as it is", Fix.NONE));
            } else {
                long sField = MaildirFiles.sizeField(base, 'S');
                long wField = MaildirFiles.sizeField(base, 'W');
                if (sField >= 0 && sField != f.size()) {
                    items.add(new Item(who + " has " + f.size() + " octets, its name says S=" + sField
                            + (f.size() < sField ? " (truncated)" : " (longer than written)")
                            + "; left as it is", Fix.NONE));
                } else if (wField >= 0 && wField != f.size() + f.bareLfs()) {
                    items.add(new Item(who + " has " + (f.size() + f.bareLfs()) + " octets with CRLF line ends, its "
                            + "name says W=" + wField + "; left as it is", Fix.NONE));
                }
            }
            boolean any = false;
            String letters = MaildirFiles.flagLetters(l.file());
            for (int i = 0; i < letters.length(); i++) {
                char c = letters.charAt(i);
                if (c >= 'a' && c <= 'z' && (c - 'a' >= s.keywords.size() || s.keywords.get(c - 'a') == null)) {
                    undefined.merge(c, 1, Integer::sum);
                    any = true;
                }
            }
            if (any) {
                withUndefined++;
            }
        }
        if (withUndefined > 0) {
            StringBuilder sb = new StringBuilder();
            for (char c : undefined.keySet()) {
                sb.append(sb.length() == 0 ? "" : ", ").append(c);
            }
            items.add(new Item(withUndefined + " message(s) carry keyword letter(s) " + sb + " that dovecot-keywords"
                    + " does not define; left as they are (the keywords' names are unknown)", Fix.NONE));
        }
        return plan;
    }

    private static boolean indexSoundFor(Snapshot s) {
        return s.indexExists && s.indexProblem == null && s.indexV == s.v;
    }

    private static void add(List<Item> items, Plan plan, String problem, Fix fix) {
        items.add(new Item(problem, fix));
        plan.fixes.add(fix);
    }

    private static String names(List<String> names) {
        return String.join(", ", names.subList(0, Math.min(LISTED_MAX, names.size())))
                + (names.size() > LISTED_MAX ? ", ..." : "");
    }

    /** IMAP-style UID set: {@code 2:4,7}. */
    static String uidSet(Set<Long> uids) {
        StringBuilder sb = new StringBuilder();
        long start = -1;
        long last = -1;
        for (long u : new TreeSet<>(uids)) {
            if (start >= 0 && u == last + 1) {
                last = u;
                continue;
            }
            if (start >= 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(start == last ? "" + start : start + ":" + last);
            }
            start = u;
            last = u;
        }
        if (start >= 0) {
            sb.append(sb.length() == 0 ? "" : ",").append(start == last ? "" + start : start + ":" + last);
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ repairing

    /**
     * Carries out the plan (inside the folder's JVM lock and {@code dovecot-uidlist.lock}) and marks the items
     * repaired.
     *
     * @return true if the folder got a new UIDVALIDITY and must be loaded afresh after the locks are released
     */
    private boolean apply(MailboxState state, Path dir, Snapshot s, Plan plan, List<Item> items)
            throws IOException, StoreException {
        Set<Fix> done = EnumSet.noneOf(Fix.class);
        if (plan.fixes.contains(Fix.DIRS)) {
            for (String sub : s.missingDirs) {
                MaildirFiles.createPrivateDirs(dir.resolve(sub));
            }
            done.add(Fix.DIRS);
        }
        if (plan.fixes.contains(Fix.TMP)) {
            long limit = clock.getAsLong() - TMP_MAX_AGE_MILLIS;
            for (Path p : s.oldTmp) {
                if (lastTouched(p) < limit) {
                    if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        MaildirSession.deleteTree(p);
                    } else {
                        Files.deleteIfExists(p);
                    }
                }
            }
            done.add(Fix.TMP);
        }
        boolean reopen = false;
        if (plan.fixes.contains(Fix.UIDLIST)) {
            Uidlist u = new Uidlist(dir.resolve(Uidlist.FILE), fsync);
            u.uidValidity = plan.newValidity ? UidValidity.next(root, fsync) : plan.v;
            u.nextUid = plan.n;
            u.guid = plan.guid != null ? plan.guid : Uidlist.newGuid();
            u.headerExtra = plan.extra == null ? "" : plan.extra;
            for (Line l : plan.keep.values()) {
                u.byUid.put(l.uid(), new Uidlist.Rec(l.uid(), l.ext(), l.base()));
            }
            u.rewrite();
            reopen = plan.newValidity;
            done.add(Fix.UIDLIST);
        }
        if (plan.fixes.contains(Fix.INDEX)) {
            Files.deleteIfExists(dir.resolve(IndexLog.FILE));
            done.add(Fix.INDEX);
        }
        if (reopen) {
            // UIDs of the old UIDVALIDITY mean nothing now: sessions are told the mailbox is gone
            StateRegistry.removed(List.of(dir), null);
            done.add(Fix.SYNC);
        } else if (plan.fixes.contains(Fix.UIDLIST) || plan.fixes.contains(Fix.INDEX)
                || plan.fixes.contains(Fix.SYNC)) {
            state.reloadFromDisk();
            done.add(Fix.SYNC);
        }
        for (Item i : items) {
            if (i.fix == Fix.NONE || i.fix == Fix.LOCK) {
                continue;
            }
            // a UID list or index repair is complete once the folder has been loaded again from disk
            boolean reloaded = done.contains(Fix.SYNC);
            i.repaired = done.contains(i.fix) && (i.fix == Fix.DIRS || i.fix == Fix.TMP || reloaded);
        }
        return reopen;
    }
}
