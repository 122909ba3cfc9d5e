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

    private final Path file;

    private DotLock(Path file) {
        this.file = file;
    }

    static DotLock acquire(Path file, long timeoutMillis) throws IOException {
        byte[] content = (MaildirFiles.PID + ":" + MaildirFiles.HOST).getBytes(StandardCharsets.US_ASCII);
        long deadline = System.currentTimeMillis() + timeoutMillis;
        long sleep = 1;
        while (true) {
            try {
                Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return new DotLock(file);
            } catch (FileAlreadyExistsException e) {
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
    }

    private static boolean breakIfStale(Path file) throws IOException {
        String content;
        FileTime mtime;
        try {
            content = Files.readString(file, StandardCharsets.US_ASCII).trim();
            mtime = Files.getLastModifiedTime(file);
        } catch (NoSuchFileException e) {
            return true;
        }
        boolean stale = false;
        int colon = content.indexOf(':');
        if (colon > 0 && content.substring(colon + 1).equals(MaildirFiles.HOST)) {
            try {
                long pid = Long.parseLong(content.substring(0, colon));
                Optional<ProcessHandle> ph = ProcessHandle.of(pid);
                stale = pid != MaildirFiles.PID && (ph.isEmpty() || !ph.get().isAlive());
            } catch (NumberFormatException e) {
                // not ours to judge; fall back to the age check
            }
        }
        if (!stale && System.currentTimeMillis() - mtime.toMillis() > STALE_MILLIS) {
            stale = true;
        }
        if (stale) {
            try {
                Files.delete(file);
            } catch (NoSuchFileException e) {
                // someone else broke it first
            }
            return true;
        }
        return false;
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
