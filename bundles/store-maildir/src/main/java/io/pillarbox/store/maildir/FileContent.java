package io.pillarbox.store.maildir;

import io.pillarbox.api.store.MessageContent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/** A message file's bytes. The file is opened when read, so a later rename only matters if it happens first. */
final class FileContent implements MessageContent {

    private final Path file;
    private final long size;

    FileContent(Path file, long size) {
        this.file = file;
        this.size = size;
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
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ch.position(from);
        InputStream raw = Channels.newInputStream(ch);
        return new InputStream() {
            long left = len;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = raw.read();
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
                int r = raw.read(b, off, (int) Math.min(n, left));
                if (r > 0) {
                    left -= r;
                }
                return r;
            }

            @Override
            public long skip(long n) throws IOException {
                long k = Math.min(n, left);
                ch.position(ch.position() + k);
                left -= k;
                return k;
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, left);
            }

            @Override
            public void close() throws IOException {
                raw.close();
            }
        };
    }

    @Override
    public Optional<Path> file() {
        return Optional.of(file);
    }

    static ByteBuffer unused() {
        return null;
    }
}
