package io.pillarbox.store.maildir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

/**
 * A lock file the way Dovecot's dotlocks work ({@code dovecot-uidlist.lock}): created exclusively, holding
 * {@code pid:host}; a lock whose process is gone (same host) or that has not been touched for two minutes is stale
 * and taken over. Guards the UID list (and Pillarbox's index) against other processes; threads of this JVM are
 * serialised before they get here.
 */
final class DotLock implements AutoCloseable {

    private static final long STALE_MILLIS = 120_000;
    /** A lock without a readable owner (another program mid-write, or killed then) is stale after this long. */
    private static final long EMPTY_STALE_MILLIS = 10_000;
    private static final java.util.concurrent.atomic.AtomicLong SEQ = new java.util.concurrent.atomic.AtomicLong();

    private final Path file;

    private DotLock(Path file) {
        this.file = file;
    }

    static DotLock acquire(Path file, long timeoutMillis) throws IOException {
        byte[] content = (MaildirFiles.PID + ":" + MaildirFiles.HOST).getBytes(StandardCharsets.US_ASCII);
        // the lock appears with its content or not at all: written aside (in tmp/, which Dovecot cleans), then
        // hard-linked into place, which fails if the lock exists; a process killed in between leaves no empty lock
        Path dir = file.getParent();
        Path tmpDir = Files.isDirectory(dir.resolve("tmp")) ? dir.resolve("tmp") : dir;
        Path tmp = tmpDir.resolve("." + file.getFileName() + "." + MaildirFiles.PID + "." + SEQ.incrementAndGet());
        Files.write(tmp, content, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        try {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            long sleep = 1;
            boolean links = true;
            while (true) {
                try {
                    if (links) {
                        Files.createLink(file, tmp);
                    } else {
                        Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    }
                    return new DotLock(file);
                } catch (FileAlreadyExistsException e) {
                    if (breakIfStale(file)) {
                        continue;
                    }
                } catch (UnsupportedOperationException e) {
                    links = false; // no hard links here: exclusive create
                    continue;
                } catch (java.nio.file.FileSystemException e) {
                    if (links && !Files.exists(file)) {
                        links = false;
                        continue;
                    }
                    if (!Files.exists(file)) {
                        throw e;
                    }
                    if (breakIfStale(file)) {
                        continue;
                    }
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("timed out waiting for lock " + file);
                }
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted waiting for lock " + file);
                }
                sleep = Math.min(50, sleep * 2);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean breakIfStale(Path file) throws IOException {
        Object key;
        String why;
        try {
            key = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            why = staleness(file, System.currentTimeMillis());
        } catch (NoSuchFileException e) {
            return true;
        }
        if (why != null) {
            try {
                // only the lock judged stale: not one another process has taken meanwhile
                Object now = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
                if (key != null && !key.equals(now)) {
                    return true;
                }
                Files.delete(file);
            } catch (NoSuchFileException e) {
                // someone else broke it first
            }
            return true;
        }
        return false;
    }

    /** Age after which a lock is stale whoever holds it (the store's lock timeout). */
    static long staleMillis() {
        return STALE_MILLIS;
    }

    /**
     * Why the lock file is stale, as {@link #acquire} judges it (its process on this host is gone; untouched for two
     * minutes; without a readable owner for ten seconds), or null if it looks live.
     *
     * @throws NoSuchFileException if there is no lock
     */
    static String staleness(Path file, long nowMillis) throws IOException {
        FileTime mtime = Files.getLastModifiedTime(file);
        String content = Files.readString(file, StandardCharsets.US_ASCII).trim();
        int colon = content.indexOf(':');
        if (colon > 0 && content.substring(colon + 1).equals(MaildirFiles.HOST)) {
            try {
                long pid = Long.parseLong(content.substring(0, colon));
                Optional<ProcessHandle> ph = ProcessHandle.of(pid);
                if (pid != MaildirFiles.PID && (ph.isEmpty() || !ph.get().isAlive())) {
                    return "held by process " + pid + " on this host, which is gone";
                }
            } catch (NumberFormatException e) {
                // not ours to judge; fall back to the age check
            }
        }
        long age = nowMillis - mtime.toMillis();
        if (age > STALE_MILLIS) {
            return (content.isEmpty() ? "empty" : "held by " + content) + ", untouched for " + age / 1000
                    + " s (stale after " + STALE_MILLIS / 1000 + " s)";
        }
        if (colon <= 0 && age > EMPTY_STALE_MILLIS) {
            return "without an owner (" + (content.isEmpty() ? "empty" : "'" + content + "'") + ") for " + age / 1000
                    + " s";
        }
        return null;
    }

    /** Keeps a long-held lock from looking stale. */
    void touch() {
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // harmless
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the next locker will find it stale
        }
    }
}
