package io.pillarbox.store.maildir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out UIDVALIDITY values for new mailboxes of one user: the current time in seconds, but always above the last
 * value given, which is kept (as Dovecot does) in hex in the root's {@code dovecot-uidvalidity} file. A mailbox
 * deleted and created again within the same second still gets a new UIDVALIDITY.
 */
final class UidValidity {

    static final String FILE = "dovecot-uidvalidity";
    private static final ConcurrentHashMap<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private UidValidity() {
    }

    static long next(Path root, boolean fsync) throws IOException {
        Object lock = LOCKS.computeIfAbsent(root.toAbsolutePath().normalize(), k -> new Object());
        synchronized (lock) {
            try (DotLock l = DotLock.acquire(root.resolve(FILE + ".lock"), 30_000)) {
                Path f = root.resolve(FILE);
                long last = 0;
                try {
                    String s = Files.readString(f, StandardCharsets.US_ASCII).trim();
                    if (!s.isEmpty()) {
                        last = Long.parseUnsignedLong(s, 16);
                    }
                } catch (NoSuchFileException | NumberFormatException e) {
                    last = 0;
                }
                long now = System.currentTimeMillis() / 1000;
                long next = Math.max(now, last + 1) & 0xffffffffL;
                if (next == 0) {
                    next = 1;
                }
                MaildirFiles.writeAtomically(f, Long.toHexString(next).getBytes(StandardCharsets.US_ASCII),
                        fsync);
                return next;
            }
        }
    }
}
