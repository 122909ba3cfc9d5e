package io.pillarbox.api.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/** Read access to one stored message's bytes. */
public interface MessageContent {

    long size();

    /** The whole message. */
    InputStream open() throws IOException;

    /** {@code length} octets from {@code offset} (clipped to the message). */
    InputStream open(long offset, long length) throws IOException;

    /** The file holding exactly these bytes, where the store has one, for zero-copy transfer. */
    default Optional<Path> file() {
        return Optional.empty();
    }
}
