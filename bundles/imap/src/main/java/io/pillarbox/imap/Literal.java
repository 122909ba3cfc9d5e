package io.pillarbox.imap;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * The octets of one IMAP literal: small ones in heap, large ones spooled to a temporary file (written on the worker;
 * {@link #ready()} completes when the last chunk is on disk).
 */
interface Literal {

    long size();

    /** Whether it was sent as {@code ~{n}} (literal8, binary content allowed). */
    boolean binary();

    InputStream open() throws IOException;

    /** Completes when all octets are available to {@link #open()}. */
    CompletableFuture<Void> ready();

    /** Frees the spool file, if any. */
    void release();

    /** The content as UTF-8 text (for strings given as literals; those are small). */
    default String text() {
        try (InputStream in = open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Literal of(byte[] bytes, boolean binary) {
        return new Heap(bytes, binary);
    }

    record Heap(byte[] bytes, boolean binary) implements Literal {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public InputStream open() {
            return new ByteArrayInputStream(bytes);
        }

        @Override
        public CompletableFuture<Void> ready() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void release() {
        }

        @Override
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** A literal spooled to a file. */
    final class Spooled implements Literal {
        private final Path file;
        private final long size;
        private final boolean binary;
        private final CompletableFuture<Void> ready;

        Spooled(Path file, long size, boolean binary, CompletableFuture<Void> ready) {
            this.file = file;
            this.size = size;
            this.binary = binary;
            this.ready = ready;
        }

        Path file() {
            return file;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public boolean binary() {
            return binary;
        }

        @Override
        public InputStream open() throws IOException {
            ready.join();
            return Files.newInputStream(file);
        }

        @Override
        public CompletableFuture<Void> ready() {
            return ready;
        }

        @Override
        public void release() {
            ready.whenComplete((v, e) -> {
                try {
                    if (file != null) {
                        Files.deleteIfExists(file);
                    }
                } catch (IOException ignored) {
                    // best effort
                }
            });
        }
    }
}
