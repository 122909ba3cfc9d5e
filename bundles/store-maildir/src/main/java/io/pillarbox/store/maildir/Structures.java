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

    /** What one read of a message file found. */
    record Scan(byte[] structure, long bareLfs) {
    }

    /** Parses the message in {@code file}; null if it cannot be read (the structure is then derived on demand). */
    static byte[] parse(Path file) {
        return parse(file, false);
    }

    /**
     * Parses the message in {@code file}, as served: with {@code crlf}, as converted to CRLF line ends; null if it
     * cannot be read.
     */
    static byte[] parse(Path file, boolean crlf) {
        Scan s = scan(file, crlf);
        return s == null ? null : s.structure();
    }

    /**
     * Reads the message in {@code file} once: counts its bare LFs (LF not after CR) and parses its structure, from
     * the CRLF-converted bytes if {@code crlf}, from the bytes as they are otherwise. Null if the file cannot be
     * read; a structure of null if it cannot be parsed.
     */
    static Scan scan(Path file, boolean crlf) {
        try (CrlfInputStream conv = new CrlfInputStream(new BufferedInputStream(Files.newInputStream(file), 65536),
                crlf)) {
            byte[] structure = parseQuietly(file, conv);
            byte[] buf = new byte[65536];
            while (conv.read(buf, 0, buf.length) >= 0) {
                // the rest of the file, for the count
            }
            return new Scan(structure, conv.inserted);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read message {}: {}", file, e.toString());
            return null;
        }
    }

    private static byte[] parseQuietly(Path file, InputStream in) throws IOException {
        try {
            return StructureCodec.toBytes(MessageParser.parse(in));
        } catch (RuntimeException e) {
            LOG.warn("cannot parse message {}: {}", file, e.toString());
            return null;
        }
    }

    static MessageStructure decode(byte[] bytes) throws IOException {
        return StructureCodec.fromBytes(bytes);
    }
}
