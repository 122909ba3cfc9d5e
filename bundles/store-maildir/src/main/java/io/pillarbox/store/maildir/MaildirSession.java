package io.pillarbox.store.maildir;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.AppendResult;
import io.pillarbox.api.store.CopyResult;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MailboxStatus;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreException.Reason;
import io.pillarbox.api.store.StoreSession;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** One user's Maildir++ tree: INBOX at the root, folders as {@code .Name} directories. */
final class MaildirSession implements StoreSession {

    /** The largest IMAP UID and UIDVALIDITY (an unsigned 32-bit number). */
    private static final long MAX_UID = 0xFFFFFFFFL;

    static final String SPECIAL_USE_FILE = "pillarbox-special-use";
    static final String SUBSCRIPTIONS = "subscriptions";
    private static final ConcurrentHashMap<Path, Object> ROOT_LOCKS = new ConcurrentHashMap<>();
    private static final AtomicLong TMP_COUNTER = new AtomicLong();

    private final MailPrincipal principal;
    final Path root;
    final boolean fsync;
    private final Object rootLock;
    private final List<MaildirMailbox> openMailboxes = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    MaildirSession(MailPrincipal principal, Path root, boolean fsync) throws IOException {
        this.principal = principal;
        this.root = root.toAbsolutePath().normalize();
        this.fsync = fsync;
        this.rootLock = ROOT_LOCKS.computeIfAbsent(this.root, k -> new Object());
        for (String sub : new String[]{"cur", "new", "tmp"}) {
            MaildirFiles.createPrivateDirs(this.root.resolve(sub));
        }
    }

    @Override
    public MailPrincipal principal() {
        return principal;
    }

    Path dirFor(String canonical) {
        return MailboxNames.isInbox(canonical) ? root : root.resolve(MailboxNames.dirName(canonical));
    }

    private boolean exists(String canonical) {
        return MailboxNames.isInbox(canonical) || Files.isDirectory(dirFor(canonical));
    }

    private void checkOpen() throws StoreException {
        if (closed) {
            throw new StoreException(Reason.UNAVAILABLE, "store session is closed");
        }
    }

    private static StoreException io(IOException e) {
        return new StoreException(Reason.IO, "I/O error: " + e.getMessage(), e);
    }

    // ------------------------------------------------------------------ hierarchy

    /** Names of existing folders (not INBOX), from the root's {@code .Name} directories. */
    private List<String> folderNames() throws IOException {
        return new ArrayList<>(MaildirFiles.folderDirs(root).keySet());
    }

    @Override
    public List<MailboxInfo> list() throws StoreException {
        checkOpen();
        try {
            TreeMap<String, MailboxInfo> out = new TreeMap<>();
            out.put(INBOX, new MailboxInfo(INBOX, null, true));
            for (String name : folderNames()) {
                out.put(name, new MailboxInfo(name, specialUse(name), true));
            }
            for (String name : new ArrayList<>(out.keySet())) {
                for (String p = MailboxNames.parent(name); p != null; p = MailboxNames.parent(p)) {
                    out.putIfAbsent(p, new MailboxInfo(p, null, false));
                }
            }
            return List.copyOf(out.values());
        } catch (IOException e) {
            throw io(e);
        }
    }

    private SpecialUse specialUse(String name) {
        Path f = dirFor(name).resolve(SPECIAL_USE_FILE);
        try {
            String s = Files.readString(f, StandardCharsets.UTF_8).trim();
            SpecialUse u = SpecialUse.fromAttribute(s);
            if (u != null) {
                return u;
            }
        } catch (IOException e) {
            // no explicit role: guess from the name as Dovecot's default configuration names them
        }
        if (name.indexOf(DELIMITER) >= 0) {
            return null;
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sent", "sent messages", "sent items", "sent mail" -> SpecialUse.SENT;
            case "drafts", "draft" -> SpecialUse.DRAFTS;
            case "trash", "deleted messages", "deleted items", "bin" -> SpecialUse.TRASH;
            case "junk", "spam", "junk e-mail", "junk email" -> SpecialUse.JUNK;
            case "archive", "archives" -> SpecialUse.ARCHIVE;
            case "all mail", "all" -> SpecialUse.ALL;
            case "flagged", "starred" -> SpecialUse.FLAGGED;
            default -> null;
        };
    }

    @Override
    public MailboxInfo create(String name, SpecialUse specialUse) throws StoreException {
        return createWith(name, specialUse, 0);
    }

    /** UIDVALIDITY and UIDs given by a migration go to {@code dovecot-uidlist} as they are. */
    @Override
    public boolean canKeepUids() {
        return true;
    }

    @Override
    public MailboxInfo create(String name, SpecialUse specialUse, long uidValidity) throws StoreException {
        if (uidValidity < 1 || uidValidity > MAX_UID) {
            throw new StoreException(Reason.NOT_ALLOWED, "UIDVALIDITY out of range: " + uidValidity);
        }
        return createWith(name, specialUse, uidValidity);
    }

    /** {@code uidValidity} 0: a new one. */
    private MailboxInfo createWith(String name, SpecialUse specialUse, long uidValidity) throws StoreException {
        checkOpen();
        String canonical = MailboxNames.canonical(name);
        synchronized (rootLock) {
            if (exists(canonical)) {
                if (uidValidity == 0) {
                    throw new StoreException(Reason.ALREADY_EXISTS, "mailbox exists: " + canonical);
                }
                adopt(canonical, uidValidity);
                return new MailboxInfo(canonical, specialUse != null ? specialUse : specialUse(canonical), true);
            }
            try {
                createWithParents(canonical, specialUse, uidValidity);
            } catch (IOException e) {
                throw io(e);
            }
        }
        return new MailboxInfo(canonical, specialUse != null ? specialUse : specialUse(canonical), true);
    }

    /**
     * Gives an existing folder that has never held a message (UIDNEXT 1) the UIDVALIDITY {@code uidValidity}: the
     * {@code dovecot-uidlist} header is rewritten under the folder lock, and the folder's state is marked removed, so
     * sessions that have it open get {@link io.pillarbox.api.store.MailboxEvent.MailboxRemoved} and the next open
     * loads it afresh (its index, written for the old UIDVALIDITY, is rebuilt). ALREADY_EXISTS if it has or had
     * messages. The special use of an existing folder is not changed.
     */
    private void adopt(String canonical, long uidValidity) throws StoreException {
        Path dir = dirFor(canonical);
        MailboxState s = StateRegistry.acquire(dir, root, canonical, fsync);
        try {
            s.locked(true, () -> {
                if (!s.adoptUidValidity(uidValidity)) {
                    throw new StoreException(Reason.ALREADY_EXISTS, "mailbox exists: " + canonical);
                }
                StateRegistry.removed(List.of(dir), null);
                return null;
            });
        } finally {
            StateRegistry.release(s);
        }
    }

    private void createWithParents(String canonical, SpecialUse specialUse, long uidValidity)
            throws IOException, StoreException {
        List<String> chain = new ArrayList<>();
        for (String p = MailboxNames.parent(canonical); p != null; p = MailboxNames.parent(p)) {
            chain.add(0, p);
        }
        for (String p : chain) {
            if (!exists(p)) {
                createFolder(p, null);
            }
        }
        createFolder(canonical, specialUse, uidValidity);
    }

    private void createFolder(String canonical, SpecialUse specialUse) throws IOException, StoreException {
        createFolder(canonical, specialUse, 0);
    }

    /**
     * Builds the folder in {@code tmp/} and renames it into place, so it appears complete or not at all.
     * {@code uidValidity} 0: a new one.
     */
    private void createFolder(String canonical, SpecialUse specialUse, long uidValidity)
            throws IOException, StoreException {
        Path target = dirFor(canonical);
        Path build = root.resolve("tmp").resolve(".pbx-create-" + MaildirFiles.PID + "-"
                + TMP_COUNTER.incrementAndGet() + "-" + System.nanoTime());
        MaildirFiles.createPrivateDirs(build);
        try {
            for (String sub : new String[]{"cur", "new", "tmp"}) {
                MaildirFiles.createPrivateDirs(build.resolve(sub));
            }
            MaildirFiles.writePrivate(build.resolve("maildirfolder"), new byte[0]);
            Uidlist u = new Uidlist(build.resolve(Uidlist.FILE), fsync);
            u.create(uidValidity != 0 ? uidValidity : UidValidity.next(root, fsync), 1);
            if (specialUse != null) {
                MaildirFiles.writePrivate(build.resolve(SPECIAL_USE_FILE),
                        (specialUse.attribute() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            try {
                Files.move(build, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileSystemException e) {
                if (Files.exists(target)) {
                    throw new StoreException(Reason.ALREADY_EXISTS, "mailbox exists: " + canonical);
                }
                throw e;
            }
            if (fsync) {
                MaildirFiles.fsyncDir(root);
            }
        } finally {
            if (Files.exists(build)) {
                deleteTree(build);
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // removed concurrently
        }
    }

    @Override
    public void delete(String name) throws StoreException {
        checkOpen();
        String canonical = MailboxNames.canonical(name);
        if (MailboxNames.isInbox(canonical)) {
            throw new StoreException(Reason.NOT_ALLOWED, "INBOX cannot be deleted");
        }
        synchronized (rootLock) {
            Path dir = dirFor(canonical);
            if (!Files.isDirectory(dir)) {
                throw new StoreException(Reason.NONEXISTENT, "no such mailbox: " + canonical);
            }
            try {
                Path trash = root.resolve("tmp").resolve(".pbx-delete-" + MaildirFiles.PID + "-"
                        + TMP_COUNTER.incrementAndGet() + "-" + System.nanoTime());
                Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
                if (fsync) {
                    MaildirFiles.fsyncDir(root);
                }
                StateRegistry.removed(List.of(dir), null);
                deleteTree(trash);
            } catch (IOException e) {
                throw io(e);
            }
        }
    }

    @Override
    public void rename(String from, String to) throws StoreException {
        checkOpen();
        String src = MailboxNames.canonical(from);
        String dst = MailboxNames.canonical(to);
        if (MailboxNames.isInbox(src)) {
            renameInbox(dst);
            return;
        }
        synchronized (rootLock) {
            try {
                if (exists(dst)) {
                    throw new StoreException(Reason.ALREADY_EXISTS, "mailbox exists: " + dst);
                }
                Map<String, String> moves = new LinkedHashMap<>();
                if (exists(src)) {
                    moves.put(src, dst);
                }
                for (String n : folderNames()) {
                    if (MailboxNames.isInferior(n, src)) {
                        moves.put(n, dst + n.substring(src.length()));
                    }
                }
                if (moves.isEmpty()) {
                    throw new StoreException(Reason.NONEXISTENT, "no such mailbox: " + src);
                }
                for (String target : moves.values()) {
                    MailboxNames.canonical(target);
                    if (exists(target)) {
                        throw new StoreException(Reason.ALREADY_EXISTS, "mailbox exists: " + target);
                    }
                }
                List<String> parents = new ArrayList<>();
                for (String p = MailboxNames.parent(dst); p != null; p = MailboxNames.parent(p)) {
                    parents.add(0, p);
                }
                for (String p : parents) {
                    if (!exists(p) && !moves.containsKey(p)) {
                        createFolder(p, null);
                    }
                }
                List<Path> old = new ArrayList<>();
                for (Map.Entry<String, String> m : moves.entrySet()) {
                    Path a = dirFor(m.getKey());
                    Files.move(a, dirFor(m.getValue()), StandardCopyOption.ATOMIC_MOVE);
                    old.add(a);
                }
                if (fsync) {
                    MaildirFiles.fsyncDir(root);
                }
                StateRegistry.removed(old, null);
            } catch (IOException e) {
                throw io(e);
            }
        }
    }

    /** RFC 3501: renaming INBOX moves its messages to a new mailbox and leaves INBOX empty. */
    private void renameInbox(String dst) throws StoreException {
        if (MailboxNames.isInbox(dst)) {
            throw new StoreException(Reason.ALREADY_EXISTS, "mailbox exists: INBOX");
        }
        create(dst, null);
        try (Mailbox inbox = open(INBOX, false)) {
            List<Long> uids = new ArrayList<>();
            for (var m : inbox.messages()) {
                uids.add(m.uid());
            }
            if (!uids.isEmpty()) {
                inbox.move(uids, dst);
            }
        }
    }

    // ------------------------------------------------------------------ subscriptions

    @Override
    public Set<String> subscriptions() throws StoreException {
        checkOpen();
        synchronized (rootLock) {
            try {
                return Set.copyOf(readSubscriptions());
            } catch (IOException e) {
                throw io(e);
            }
        }
    }

    /** Dovecot's file: {@code "V\t2\n\n"} then one name per line, levels separated by tabs (tab-escaped). */
    private Set<String> readSubscriptions() throws IOException {
        Set<String> out = new LinkedHashSet<>();
        String content;
        try {
            content = Files.readString(root.resolve(SUBSCRIPTIONS), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        }
        boolean v2 = content.startsWith("V\t2\n\n");
        if (v2) {
            content = content.substring(5);
        }
        for (String line : content.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String name;
            if (v2) {
                StringBuilder sb = new StringBuilder();
                for (String level : line.split("\t", -1)) {
                    if (sb.length() > 0) {
                        sb.append(DELIMITER);
                    }
                    sb.append(tabUnescape(level));
                }
                name = sb.toString();
            } else {
                name = line.replace('.', DELIMITER);
            }
            try {
                out.add(MailboxNames.canonical(name));
            } catch (StoreException e) {
                // a name we cannot represent: skip it
            }
        }
        return out;
    }

    private void writeSubscriptions(Set<String> names) throws IOException {
        StringBuilder sb = new StringBuilder("V\t2\n\n");
        for (String n : names) {
            List<String> levels = MailboxNames.split(n);
            for (int i = 0; i < levels.size(); i++) {
                if (i > 0) {
                    sb.append('\t');
                }
                sb.append(tabEscape(levels.get(i)));
            }
            sb.append('\n');
        }
        MaildirFiles.writeAtomically(root.resolve(SUBSCRIPTIONS), sb.toString().getBytes(StandardCharsets.UTF_8),
                fsync);
    }

    static String tabEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\001' -> sb.append("\0011");
                case '\t' -> sb.append("\001t");
                case '\r' -> sb.append("\001r");
                case '\n' -> sb.append("\001n");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String tabUnescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\001' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(switch (n) {
                    case '1' -> '\001';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case 'n' -> '\n';
                    default -> n;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public void subscribe(String name) throws StoreException {
        checkOpen();
        String canonical = MailboxNames.canonical(name);
        synchronized (rootLock) {
            try {
                Set<String> s = readSubscriptions();
                if (s.add(canonical)) {
                    writeSubscriptions(s);
                }
            } catch (IOException e) {
                throw io(e);
            }
        }
    }

    @Override
    public void unsubscribe(String name) throws StoreException {
        checkOpen();
        String canonical = MailboxNames.canonical(name);
        synchronized (rootLock) {
            try {
                Set<String> s = readSubscriptions();
                if (s.remove(canonical)) {
                    writeSubscriptions(s);
                }
            } catch (IOException e) {
                throw io(e);
            }
        }
    }

    // ------------------------------------------------------------------ mailboxes

    private MailboxState acquire(String canonical) throws StoreException {
        if (!exists(canonical)) {
            throw new StoreException(Reason.NONEXISTENT, "no such mailbox: " + canonical);
        }
        return StateRegistry.acquire(dirFor(canonical), root, canonical, fsync);
    }

    @Override
    public MailboxStatus status(String name) throws StoreException {
        checkOpen();
        String canonical = MailboxNames.canonical(name);
        MailboxState s = acquire(canonical);
        try {
            return s.locked(true, () -> {
                long[] c = s.counts();
                return new MailboxStatus(canonical, c[0], c[1], c[2], s.uidNext(), s.uidValidity(),
                        s.highestModSeq(), c[3]);
            });
        } finally {
            StateRegistry.release(s);
        }
    }

    @Override
    public Mailbox open(String name, boolean readOnly) throws StoreException {
        checkOpen();
        String canonical = MailboxNames.canonical(name);
        MailboxState s = acquire(canonical);
        try {
            MaildirMailbox m = new MaildirMailbox(this, s, readOnly);
            s.locked(true, () -> {
                s.addOpen(m);
                return null;
            });
            openMailboxes.add(m);
            return m;
        } catch (StoreException | RuntimeException e) {
            StateRegistry.release(s);
            throw e;
        }
    }

    void closed(MaildirMailbox m) {
        openMailboxes.remove(m);
        StateRegistry.release(m.state);
    }

    /** Flags as stored: system flags canonical, {@code \Recent} and malformed names dropped. */
    static Set<String> cleanFlags(Set<String> flags) {
        Set<String> out = new LinkedHashSet<>();
        if (flags == null) {
            return out;
        }
        for (String f : flags) {
            if (f == null || f.isEmpty()) {
                continue;
            }
            String c = Flags.canonical(f);
            if (c.startsWith("\\")) {
                if (Flags.SYSTEM.contains(c)) {
                    out.add(c);
                }
                continue;
            }
            boolean ok = true;
            for (int i = 0; i < c.length(); i++) {
                char ch = c.charAt(i);
                if (ch <= 0x20 || ch == 0x7f || "(){%*\"\\]".indexOf(ch) >= 0) {
                    ok = false;
                    break;
                }
            }
            if (ok && !Flags.contains(out, c)) {
                out.add(c);
            }
        }
        return out;
    }

    @Override
    public AppendResult append(String mailbox, MessageSource message, Set<String> flags, Instant internalDate)
            throws StoreException {
        return appendWith(mailbox, message, flags, internalDate, 0);
    }

    @Override
    public AppendResult append(String mailbox, MessageSource message, Set<String> flags, Instant internalDate,
                               long uid) throws StoreException {
        if (uid < 1 || uid > MAX_UID) {
            throw new StoreException(Reason.NOT_ALLOWED, "UID out of range: " + uid);
        }
        return appendWith(mailbox, message, flags, internalDate, uid);
    }

    /** {@code uid} 0: the next UID; otherwise checked again under the lock when the message is committed. */
    private AppendResult appendWith(String mailbox, MessageSource message, Set<String> flags, Instant internalDate,
                                    long uid) throws StoreException {
        checkOpen();
        String canonical = MailboxNames.canonical(mailbox);
        MailboxState s = acquire(canonical);
        try {
            if (uid != 0 && uid < s.locked(false, s::uidNext)) {
                throw new StoreException(Reason.NOT_ALLOWED, "UID " + uid + " is below UIDNEXT of " + canonical);
            }
            MailboxState.Pending p;
            try {
                p = writeTmp(s.dir, message, cleanFlags(flags), internalDate);
            } catch (IOException e) {
                throw io(e);
            }
            try {
                List<Long> uids = s.locked(false, () -> s.commit(List.of(p), null, uid));
                return new AppendResult(canonical, s.locked(false, s::uidValidity), uids.get(0));
            } finally {
                deleteQuietly(p.tmpFile());
            }
        } finally {
            StateRegistry.release(s);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // left in tmp/, cleaned by Dovecot or a later run
        }
    }

    private Path newTmpName(Path dir) {
        return dir.resolve("tmp").resolve("pbx." + MaildirFiles.PID + "." + TMP_COUNTER.incrementAndGet() + "."
                + System.nanoTime());
    }

    /** Writes the message to {@code tmp/}, fsyncs it and parses its structure. */
    MailboxState.Pending writeTmp(Path dir, MessageSource message, Set<String> flags, Instant internalDate)
            throws IOException {
        Path tmp = newTmpName(dir);
        long size = 0;
        long vsize = 0;
        try (FileChannel ch = MaildirFiles.createPrivate(tmp); InputStream in = message.open()) {
            byte[] buf = new byte[65536];
            int prev = -1;
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == '\n' && prev != '\r') {
                        vsize++;
                    }
                    prev = b;
                }
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
                size += n;
            }
            vsize += size;
            if (fsync) {
                ch.force(true);
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
        long date = internalDate != null ? internalDate.toEpochMilli() : System.currentTimeMillis();
        // the internal date is the file's mtime, as Dovecot has it
        Files.setLastModifiedTime(tmp, FileTime.fromMillis(date));
        byte[] structure = Structures.parse(tmp);
        // stored and served exactly as given; bare LFs (not what APPEND or SMTP give) get a mark in the name so that
        // a rebuilt index does not take the file for one from another MDA and convert it
        String base = MaildirFiles.newBaseName(size, vsize, vsize != size);
        return new MailboxState.Pending(tmp, base, flags, size, Files.getLastModifiedTime(tmp).toMillis(),
                structure);
    }

    /** Copies messages (hard links where possible) with their flags and internal dates. */
    CopyResult copy(MaildirMailbox source, Collection<Long> uids, String targetMailbox) throws StoreException {
        checkOpen();
        String target = MailboxNames.canonical(targetMailbox);
        record Src(long uid, Path file, Set<String> flags, long size, long date, String base, byte[] structure,
                boolean lf) {
        }
        MailboxState ss = source.state;
        List<Src> srcs = ss.locked(false, () -> {
            List<Src> out = new ArrayList<>();
            for (Long uid : new TreeSet<>(uids)) {
                Entry e = ss.entry(uid);
                if (e != null) {
                    out.add(new Src(uid, ss.path(e), e.flags, e.size, e.date, e.base(), ss.structureBytesIfKnown(e),
                            e.lf));
                }
            }
            return out;
        });
        MailboxState ts = acquire(target);
        List<MailboxState.Pending> pending = new ArrayList<>();
        try {
            List<Long> srcUids = new ArrayList<>();
            for (Src s : srcs) {
                Path tmp = newTmpName(ts.dir);
                try {
                    try {
                        Files.createLink(tmp, s.file());
                    } catch (NoSuchFileException e) {
                        Path now = ss.locked(false, () -> {
                            Entry e2 = ss.entry(s.uid());
                            return e2 == null ? null : ss.path(e2);
                        });
                        if (now == null) {
                            continue; // expunged meanwhile
                        }
                        Files.createLink(tmp, now);
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(s.file(), tmp, StandardCopyOption.COPY_ATTRIBUTES);
                        if (fsync) {
                            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                                ch.force(true);
                            }
                        }
                    }
                } catch (IOException e) {
                    throw io(e);
                }
                String base;
                try {
                    if (s.lf()) {
                        // a bare-LF file from another MDA: S= is the file's size, W= the served (CRLF) size
                        base = MaildirFiles.newBaseName(Files.size(tmp), s.size());
                    } else {
                        long vsize = MaildirFiles.sizeField(s.base(), 'W');
                        base = MaildirFiles.newBaseName(s.size(), vsize < 0 ? s.size() : vsize,
                                MaildirFiles.rawMarked(s.base()));
                    }
                } catch (IOException e) {
                    deleteQuietly(tmp);
                    throw io(e);
                }
                byte[] structure = s.structure() != null ? s.structure() : Structures.parse(tmp, s.lf());
                pending.add(new MailboxState.Pending(tmp, base, s.flags(), s.size(), s.date(), structure, s.lf()));
                srcUids.add(s.uid());
            }
            List<Long> tgtUids = pending.isEmpty() ? List.of() : ts.locked(false, () -> ts.commit(pending, null));
            long validity = ts.locked(false, ts::uidValidity);
            return new CopyResult(validity, srcUids, tgtUids);
        } finally {
            for (MailboxState.Pending p : pending) {
                deleteQuietly(p.tmpFile());
            }
            StateRegistry.release(ts);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (MaildirMailbox m : openMailboxes) {
            m.close();
        }
    }
}
