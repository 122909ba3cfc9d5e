package io.pillarbox.store.maildir;

import io.pillarbox.api.store.MessageContent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A message file's bytes or, for a file with bare LF line ends from another MDA, its bytes converted to CRLF line
 * ends (streamed, never loaded whole; such content has no {@link #file()}). The file is opened when read; if it has
 * been renamed meanwhile (flags changed by another session or program) it is looked up again by UID.
 */
final class FileContent implements MessageContent {

    /** Finds the message's file now; null once the message is gone. */
    interface Locator {
        Path locate() throws IOException;
    }

    private volatile Path file;
    private final long size;
    private final boolean lf;
    private final Locator locator;

    FileContent(Path file, long size, Locator locator) {
        this(file, size, false, locator);
    }

    /** With {@code lf}, {@code size} is the CRLF size and the bytes are served converted. */
    FileContent(Path file, long size, boolean lf, Locator locator) {
        this.file = file;
        this.size = size;
        this.lf = lf;
        this.locator = locator;
    }

    private FileChannel openChannel() throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (java.nio.file.NoSuchFileException e) {
            Path now = locator == null ? null : locator.locate();
            if (now == null) {
                throw e;
            }
            file = now;
            return FileChannel.open(now, StandardOpenOption.READ);
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream open() throws IOException {
        return open(0, size);
    }

    @Override
    public InputStream open(long offset, long length) throws IOException {
        long from = Math.max(0, Math.min(offset, size));
        long len = Math.max(0, Math.min(length, size - from));
        FileChannel ch = openChannel();
        if (lf) {
            return converted(ch, from, len);
        }
        ch.position(from);
        return new Bounded(Channels.newInputStream(ch), len);
    }

    /** {@code len} octets from {@code from} of the CRLF form: reads through the converted stream up to the range. */
    private static InputStream converted(FileChannel ch, long from, long len) throws IOException {
        CrlfInputStream conv = new CrlfInputStream(new java.io.BufferedInputStream(Channels.newInputStream(ch), 65536));
        try {
            long skipped = conv.skip(from);
            if (skipped < from) {
                throw new IOException("message file shorter than indexed");
            }
        } catch (IOException | RuntimeException e) {
            conv.close();
            throw e;
        }
        return new Bounded(conv, len);
    }

    /** The next {@code len} octets of a stream (a message's range), closing the stream with it. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long len) {
            this.in = in;
            this.left = len;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int n) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int r = in.read(b, off, (int) Math.min(n, left));
            if (r > 0) {
                left -= r;
            }
            return r;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = in.skip(Math.min(Math.max(0, n), left));
            left -= k;
            return k;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(left, in.available());
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    @Override
    public Optional<Path> file() {
        // zero-copy only where the file holds exactly the served bytes
        return lf ? Optional.empty() : Optional.of(file);
    }

}
