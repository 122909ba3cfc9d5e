package io.pillarbox.migration;

import io.pillarbox.api.store.MessageSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Collects one message: in memory while small, in a temporary file beyond {@code threshold} octets. */
final class Spool implements AutoCloseable {

    private final int threshold;
    private ByteArrayOutputStream mem = new ByteArrayOutputStream();
    private Path file;
    private OutputStream out;
    private long size;

    Spool(int threshold) {
        this.threshold = threshold;
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (file == null && mem.size() + len > threshold) {
            file = Files.createTempFile("pillarbox-import", ".eml");
            out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
            mem.writeTo(out);
            mem = null;
        }
        if (file != null) {
            out.write(b, off, len);
        } else {
            mem.write(b, off, len);
        }
        size += len;
    }

    void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    long size() {
        return size;
    }

    /** The bytes written so far; the spool must not be written afterwards. */
    MessageSource source() throws IOException {
        if (file == null) {
            return MessageSource.of(mem.toByteArray());
        }
        out.flush();
        return MessageSource.of(file);
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }
}
