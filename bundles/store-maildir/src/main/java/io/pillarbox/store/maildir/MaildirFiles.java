package io.pillarbox.store.maildir;

import io.pillarbox.api.store.Flags;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Maildir file names (Dovecot style), flag letters and small file helpers. */
final class MaildirFiles {

    static final String INFO_SEP = ":2,";
    private static final AtomicLong COUNTER = new AtomicLong();
    static final long PID = ProcessHandle.current().pid();
    static final String HOST = hostName();

    private static final boolean POSIX = java.nio.file.FileSystems.getDefault().supportedFileAttributeViews()
            .contains("posix");

    private MaildirFiles() {
    }

    /** Attributes for new files: readable by the owner only (mail is private), where the file system has them. */
    static java.nio.file.attribute.FileAttribute<?>[] privateFile() {
        return POSIX ? new java.nio.file.attribute.FileAttribute<?>[]{
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))}
                : new java.nio.file.attribute.FileAttribute<?>[0];
    }

    /** Creates a directory and its missing parents, new ones accessible by the owner only. */
    static void createPrivateDirs(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (POSIX) {
            Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(dir);
        }
    }

    /** Opens a new file for writing, private to the owner. */
    static FileChannel createPrivate(Path file) throws IOException {
        return FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.READ), privateFile());
    }

    /** Writes a small new file, private to the owner. */
    static void writePrivate(Path file, byte[] content) throws IOException {
        try (FileChannel ch = createPrivate(file)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = Files.readString(Path.of("/etc/hostname")).trim();
            } catch (IOException | RuntimeException e) {
                h = null;
            }
        }
        if (h == null || h.isBlank()) {
            h = "localhost";
        }
        StringBuilder sb = new StringBuilder();
        for (char c : h.toCharArray()) {
            if (c == '/') {
                sb.append("\\057");
            } else if (c == ':') {
                sb.append("\\072");
            } else if (c == ',') {
                sb.append("\\054");
            } else if (c > 0x20 && c < 0x7f) {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A new unique base name, e.g. {@code 1700000000.M123456P42Q7.host,S=1234,W=1260}. */
    static String newBaseName(long size, long vsize) {
        long nowMicros = System.currentTimeMillis() * 1000 + ThreadLocalRandom.current().nextInt(1000);
        long secs = nowMicros / 1_000_000;
        long usecs = nowMicros % 1_000_000;
        return secs + ".M" + usecs + "P" + PID + "Q" + COUNTER.incrementAndGet() + "." + HOST
                + ",S=" + size + ",W=" + vsize;
    }

    /**
     * Marks, in the base name, a file that Pillarbox wrote with bare LF line ends as the client gave them: such a
     * file is served as it is, while a file with bare LFs from another program (Dovecot, procmail, maildrop,
     * local(8)) is served converted to CRLF.
     */
    static final String RAW_MARK = ",X=raw";

    /** As {@link #newBaseName(long, long)}, with {@link #RAW_MARK} if {@code raw}. */
    static String newBaseName(long size, long vsize, boolean raw) {
        String base = newBaseName(size, vsize);
        if (!raw) {
            return base;
        }
        int i = base.indexOf(",S=");
        return base.substring(0, i) + RAW_MARK + base.substring(i);
    }

    /** True if the base name (or file name) carries {@link #RAW_MARK}. */
    static boolean rawMarked(String name) {
        String base = baseName(name);
        int i = base.indexOf(RAW_MARK);
        int end = i + RAW_MARK.length();
        return i > 0 && (end == base.length() || base.charAt(end) == ',');
    }

    /** The part of a file name before the info ({@code :2,...}). */
    static String baseName(String fileName) {
        int i = fileName.indexOf(':');
        return i < 0 ? fileName : fileName.substring(0, i);
    }

    /** The flag letters of a file name (after {@code :2,}), or "". */
    static String flagLetters(String fileName) {
        int i = fileName.indexOf(INFO_SEP);
        return i < 0 ? "" : fileName.substring(i + INFO_SEP.length());
    }

    /** {@code S=} from a base name, or -1. */
    static long sizeField(String base, char key) {
        String marker = "," + key + "=";
        int i = base.indexOf(marker);
        if (i < 0) {
            return -1;
        }
        int start = i + marker.length();
        int end = start;
        while (end < base.length() && Character.isDigit(base.charAt(end))) {
            end++;
        }
        if (end == start) {
            return -1;
        }
        try {
            return Long.parseLong(base.substring(start, end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Flags and keywords from letters; unknown keyword letters are skipped. */
    static Set<String> flagsOf(String letters, List<String> keywords) {
        Set<String> flags = new LinkedHashSet<>();
        for (int i = 0; i < letters.length(); i++) {
            char c = letters.charAt(i);
            switch (c) {
                case 'D' -> flags.add(Flags.DRAFT);
                case 'F' -> flags.add(Flags.FLAGGED);
                case 'R' -> flags.add(Flags.ANSWERED);
                case 'S' -> flags.add(Flags.SEEN);
                case 'T' -> flags.add(Flags.DELETED);
                default -> {
                    if (c >= 'a' && c <= 'z' && c - 'a' < keywords.size()) {
                        flags.add(keywords.get(c - 'a'));
                    }
                }
            }
        }
        return flags;
    }

    /**
     * Letters for a flag set, sorted; letters in {@code keep} that the API does not model (e.g. {@code P}) are kept.
     * Keywords beyond the 26 letters are not representable and are left out (the index keeps them).
     */
    static String lettersOf(Set<String> flags, List<String> keywords, String keep) {
        boolean[] on = new boolean[128];
        for (int i = 0; i < keep.length(); i++) {
            char c = keep.charAt(i);
            if (c < 128 && !(c >= 'a' && c <= 'z') && "DFRST".indexOf(c) < 0 && c > 0x20) {
                on[c] = true;
            }
        }
        for (String f : flags) {
            switch (Flags.canonical(f)) {
                case Flags.DRAFT -> on['D'] = true;
                case Flags.FLAGGED -> on['F'] = true;
                case Flags.ANSWERED -> on['R'] = true;
                case Flags.SEEN -> on['S'] = true;
                case Flags.DELETED -> on['T'] = true;
                default -> {
                    int idx = keywords.indexOf(f);
                    if (idx >= 0 && idx < 26) {
                        on['a' + idx] = true;
                    }
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < 128; c++) {
            if (on[c]) {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    static String fileName(String base, String letters) {
        return base + INFO_SEP + letters;
    }

    /**
     * The folders (not INBOX) under a Maildir++ root, from its {@code .Name} directories: mailbox name to directory,
     * in the order the directory listing gives.
     */
    static Map<String, Path> folderDirs(Path root) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (f.length() < 2 || f.charAt(0) != '.' || !Files.isDirectory(p)) {
                    continue;
                }
                String name = MailboxNames.fromDirName(f);
                if (name != null && !MailboxNames.isInbox(name)) {
                    out.put(name, p);
                }
            }
        }
        return out;
    }

    /** Reads a dovecot-keywords file: index to name, {@code $unused<i>} for an index the file does not define. */
    static List<String> readKeywords(Path file) throws IOException {
        List<String> out = readKeywordIndex(file);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) == null) {
                out.set(i, "$unused" + i);
            }
        }
        return out;
    }

    /**
     * Reads a dovecot-keywords file as written: index to name, null for an index the file does not define; empty
     * when the file does not exist. Damaged lines define nothing.
     *
     * @throws java.nio.charset.MalformedInputException when the file is not UTF-8
     */
    static List<String> readKeywordIndex(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        }
        for (String line : lines) {
            int sp = line.indexOf(' ');
            if (sp <= 0) {
                continue;
            }
            try {
                int idx = Integer.parseInt(line.substring(0, sp));
                if (idx < 0 || idx > 1000) {
                    continue;
                }
                while (out.size() <= idx) {
                    out.add(null);
                }
                out.set(idx, line.substring(sp + 1));
            } catch (NumberFormatException e) {
                // a damaged line defines nothing
            }
        }
        return out;
    }

    static void writeKeywords(Path file, List<String> keywords, boolean fsync) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < keywords.size(); i++) {
            sb.append(i).append(' ').append(keywords.get(i)).append('\n');
        }
        writeAtomically(file, sb.toString().getBytes(StandardCharsets.UTF_8), fsync);
    }

    /** Writes a file through a temporary file and a rename, so readers see the old or the new content. */
    static void writeAtomically(Path file, byte[] content, boolean fsync) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp." + PID + "." + COUNTER.incrementAndGet());
        try (FileChannel ch = createPrivate(tmp)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            if (fsync) {
                ch.force(true);
            }
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        if (fsync) {
            fsyncDir(file.getParent());
        }
    }

    /** Makes a directory's entries (creations, renames) durable. */
    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems do not allow opening directories; nothing more we can do there
            if (Files.isDirectory(dir)) {
                return;
            }
            throw e;
        }
    }
}
