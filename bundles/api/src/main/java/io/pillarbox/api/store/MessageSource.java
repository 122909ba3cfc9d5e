package io.pillarbox.api.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Bytes of a message to store, which can be read more than once (one delivery to several recipients). */
public interface MessageSource {

    InputStream open() throws IOException;

    /** Size in octets. */
    long size();

    static MessageSource of(byte[] bytes) {
        return new MessageSource() {
            @Override
            public InputStream open() {
                return new ByteArrayInputStream(bytes);
            }

            @Override
            public long size() {
                return bytes.length;
            }
        };
    }

    static MessageSource of(Path file) throws IOException {
        long size = Files.size(file);
        return new MessageSource() {
            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }

            @Override
            public long size() {
                return size;
            }
        };
    }
}
