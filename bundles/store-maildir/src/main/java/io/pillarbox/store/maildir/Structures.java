package io.pillarbox.store.maildir;

import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.mime.MessageParser;
import io.pillarbox.mime.StructureCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Parsing and (de)serialising message structures, done once per message when it enters the store. */
final class Structures {

    private static final Logger LOG = LoggerFactory.getLogger(Structures.class);

    private Structures() {
    }

    /** Parses the message in {@code file}; null if it cannot be read (the structure is then derived on demand). */
    static byte[] parse(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 65536)) {
            return StructureCodec.toBytes(MessageParser.parse(in));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot parse message {}: {}", file, e.toString());
            return null;
        }
    }

    static MessageStructure decode(byte[] bytes) throws IOException {
        return StructureCodec.fromBytes(bytes);
    }
}
