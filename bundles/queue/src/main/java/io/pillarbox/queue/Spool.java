package io.pillarbox.queue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The queue on disk: {@code msg/<id>} holds the message, {@code env/<id>} its envelope (the envelope's presence
 * makes the message queued), {@code tmp/} files being written. Every file is written to {@code tmp/}, forced to
 * disk, renamed atomically into place, and the directory is forced too, so a crash leaves either the old or the new
 * file. Deletion removes the envelope first; a message file without an envelope is a leftover and is removed on load.
 */
final class Spool {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

    /** Result of copying a message in. */
    record Stored(long size, boolean eightBit) {
    }

    private final Path root;
    private final Path msg;
    private final Path env;
    private final Path tmp;

    Spool(Path root) throws IOException {
        this.root = root;
        this.msg = root.resolve("msg");
        this.env = root.resolve("env");
        this.tmp = root.resolve("tmp");
        Files.createDirectories(msg);
        Files.createDirectories(env);
        Files.createDirectories(tmp);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp)) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        }
    }

    Path root() {
        return root;
    }

    Path message(String id) {
        return msg.resolve(id);
    }

    boolean exists(String id) {
        return Files.exists(msg.resolve(id)) || Files.exists(env.resolve(id));
    }

    /** Copies a message into {@code msg/<id>} durably. */
    Stored storeMessage(String id, InputStream in) throws IOException {
        Path t = tmp.resolve(id + ".msg");
        long size = 0;
        boolean eightBit = false;
        try (FileChannel ch = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             OutputStream out = Channels.newOutputStream(ch)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (!eightBit) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] < 0) {
                            eightBit = true;
                            break;
                        }
                    }
                }
                out.write(buf, 0, n);
                size += n;
            }
            out.flush();
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(t);
            throw e;
        }
        moveInto(t, msg.resolve(id), msg);
        return new Stored(size, eightBit);
    }

    /** Writes (or replaces) {@code env/<id>} durably. */
    void storeEnvelope(String id, byte[] content) throws IOException {
        Path t = tmp.resolve(id + ".env");
        try (FileChannel ch = FileChannel.open(t, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(t);
            throw e;
        }
        moveInto(t, env.resolve(id), env);
    }

    /** Removes a message: the envelope first (then it is no longer queued), then the message file. */
    void delete(String id) throws IOException {
        Files.deleteIfExists(env.resolve(id));
        forceDirectory(env);
        Files.deleteIfExists(msg.resolve(id));
    }

    /** Every envelope with a message; leftovers (a message file without envelope) are removed. */
    List<QueueEntry> load() throws IOException {
        List<QueueEntry> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(env)) {
            for (Path p : ds) {
                String id = p.getFileName().toString();
                try {
                    QueueEntry e = QueueEntry.parse(Files.readAllBytes(p));
                    if (!e.id.equals(id)) {
                        throw new IOException("envelope names id " + e.id);
                    }
                    if (!Files.isRegularFile(msg.resolve(id))) {
                        throw new NoSuchFileException(msg.resolve(id).toString());
                    }
                    out.add(e);
                } catch (IOException | RuntimeException e) {
                    Path aside = root.resolve("corrupt");
                    Files.createDirectories(aside);
                    LOG.error("Queue envelope {} cannot be used ({}); moved to {}", p, e.toString(), aside);
                    Files.move(p, aside.resolve(id + ".env"), StandardCopyOption.REPLACE_EXISTING);
                    Path m = msg.resolve(id);
                    if (Files.exists(m)) {
                        Files.move(m, aside.resolve(id + ".msg"), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(msg)) {
            for (Path p : ds) {
                if (!Files.exists(env.resolve(p.getFileName().toString()))) {
                    LOG.info("Removing {}: a message whose enqueue did not complete", p);
                    Files.deleteIfExists(p);
                }
            }
        }
        return out;
    }

    /** Checks that a file can be created in the spool (for the health check and the log). */
    void probe() throws IOException {
        Path p = Files.createTempFile(tmp, "probe", ".tmp");
        Files.delete(p);
    }

    private static void moveInto(Path from, Path to, Path dir) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(from);
            throw e;
        }
        forceDirectory(dir);
    }

    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every file system lets a directory be opened (Windows); the rename itself is atomic
            LOG.debug("Cannot force directory {}: {}", dir, e.toString());
        }
    }
}
