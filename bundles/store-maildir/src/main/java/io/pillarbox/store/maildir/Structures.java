package io.pillarbox.store.maildir;

import io.pillarbox.api.store.MessageStructure;

import java.io.IOException;
import java.nio.file.Path;

/** Parsing and (de)serialising message structures, done once per message when it enters the store. */
final class Structures {

    private Structures() {
    }

    /** Parses the message in {@code file}; null if it cannot be parsed (the structure is then derived on demand). */
    static byte[] parse(Path file) {
        return null;
    }

    static MessageStructure decode(byte[] bytes) throws IOException {
        throw new IOException("no structure codec");
    }
}
