package io.pillarbox.smtp;

import io.pillarbox.api.store.MessageSource;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A message arriving, in a temporary file. Used on the session's serial worker only. */
final class Spool implements AutoCloseable {

    private final Path file;
    private OutputStream out;

    private Spool(Path file) throws IOException {
        this.file = file;
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 65536);
    }

    static Spool create(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new Spool(Files.createTempFile(dir, "pillarbox-smtp-", ".eml"));
    }

    void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    /** Ends writing and gives the message to read (as often as there are recipients). */
    MessageSource finish() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
        return MessageSource.of(file);
    }

    /** The message without its first {@code skip} octets (the Return-Path: header, which a relay must not pass on). */
    static MessageSource skipping(MessageSource source, long skip) {
        return new MessageSource() {
            @Override
            public java.io.InputStream open() throws IOException {
                java.io.InputStream in = source.open();
                try {
                    in.skipNBytes(skip);
                } catch (IOException | RuntimeException e) {
                    in.close();
                    throw e;
                }
                return in;
            }

            @Override
            public long size() {
                return source.size() - skip;
            }
        };
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            if (out != null) {
                out.close();
                out = null;
            }
        } catch (IOException ignored) {
            // deleting anyway
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temp file left behind
        }
    }
}
