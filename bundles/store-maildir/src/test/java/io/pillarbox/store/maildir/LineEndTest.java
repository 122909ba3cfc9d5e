package io.pillarbox.store.maildir;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageContent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.mime.MessageParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Message files with bare LF line ends (Dovecot, procmail, maildrop, local(8)) are served with CRLF line ends. */
class LineEndTest {

    @TempDir
    Path tmp;
    Path root;
    MaildirStore store;
    MailPrincipal alice = MailPrincipal.of("alice@example.org", "test");
    final List<StoreSession> sessions = new ArrayList<>();

    /** A multipart message with LF line ends, as Dovecot's LDA stores it. */
    static final byte[] LF = ("Return-Path: <bob@example.org>\nFrom: Bob <bob@example.org>\nTo: alice@example.org\n"
            + "Subject: lf stored\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"
            + "preamble\n--b1\nContent-Type: text/plain\n\nline one\nline two\n\n--b1\n"
            + "Content-Type: message/rfc822\n\nSubject: inner\n\ninner body\n--b1--\nepilogue\n")
            .getBytes(StandardCharsets.US_ASCII);

    @BeforeEach
    void setUp() {
        store = new MaildirStore(tmp + "/mail/{domain}/{user}/Maildir", true);
        root = tmp.resolve("mail/example.org/alice/Maildir");
    }

    @AfterEach
    void tearDown() {
        sessions.forEach(StoreSession::close);
        StateRegistry.dropIdle();
    }

    StoreSession session() throws StoreException {
        StoreSession s = store.open(alice);
        sessions.add(s);
        return s;
    }

    void restart() {
        sessions.forEach(StoreSession::close);
        sessions.clear();
        StateRegistry.dropIdle();
        store = new MaildirStore(tmp + "/mail/{domain}/{user}/Maildir", true);
    }

    /** The reference conversion: CR before every LF not after a CR. */
    static byte[] crlf(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int prev = -1;
        for (byte b : in) {
            if (b == '\n' && prev != '\r') {
                out.write('\r');
            }
            out.write(b);
            prev = b;
        }
        return out.toByteArray();
    }

    static byte[] read(MessageContent c) throws Exception {
        try (InputStream in = c.open()) {
            return in.readAllBytes();
        }
    }

    static byte[] read(MessageContent c, long off, long len) throws Exception {
        try (InputStream in = c.open(off, len)) {
            return in.readAllBytes();
        }
    }

    /** Delivers a file into {@code cur/} the way another MDA would, with a Dovecot-style name. */
    Path deliver(String folder, String base, byte[] bytes) throws Exception {
        Path dir = folder.equals("INBOX") ? root : root.resolve("." + folder);
        Path f = dir.resolve("cur").resolve(base + ",S=" + bytes.length + ",W=" + crlf(bytes).length + ":2,S");
        Files.write(f, bytes);
        return f;
    }

    MessageInfo only(Mailbox m) throws Exception {
        List<MessageInfo> l = m.messages();
        assertEquals(1, l.size());
        return l.get(0);
    }

    /** Everything a client can see of a message, against the expected served bytes. */
    static void assertServed(byte[] expected, Mailbox m, MessageInfo i, boolean hasFile) throws Exception {
        MessageContent c = m.content(i.uid());
        assertEquals(expected.length, i.size());
        assertEquals(expected.length, c.size());
        assertArrayEquals(expected, read(c));
        assertEquals(hasFile, c.file().isPresent());
        if (hasFile) {
            assertArrayEquals(expected, Files.readAllBytes(c.file().get()));
        }
        for (int off = 0; off <= expected.length + 2; off += 7) {
            for (int len : new int[]{0, 1, 2, 5, 13, 100, 10_000}) {
                int from = Math.min(off, expected.length);
                int to = (int) Math.min((long) from + len, expected.length);
                assertArrayEquals(Arrays.copyOfRange(expected, from, to), read(c, off, len),
                        "range " + off + "+" + len);
            }
        }
        // skip() inside a range goes through the served bytes too
        try (InputStream in = c.open(3, expected.length)) {
            assertEquals(10, in.skip(10));
            assertEquals(expected[13], (byte) in.read());
        }
        MessageStructure st = m.structure(i.uid());
        assertEquals(MessageParser.parse(new ByteArrayInputStream(expected)), st);
        // offsets point into the served bytes
        MessageStructure.BodyPart text = st.root().parts().get(0);
        assertArrayEquals("line one\r\nline two\r\n".getBytes(StandardCharsets.US_ASCII),
                read(c, text.bodyOffset(), text.bodySize()));
    }

    @Test
    void lfFileFromAnotherMdaIsServedAsCrlf() throws Exception {
        StoreSession s = session();
        s.status("INBOX"); // creates the Maildir
        Path f = deliver("INBOX", "1700000000.M1P2.mx", LF);
        byte[] expected = crlf(LF);
        assertNotEquals(LF.length, expected.length);
        try (Mailbox m = s.open("INBOX", true)) {
            assertServed(expected, m, only(m), false);
        }
        assertEquals(expected.length, s.status("INBOX").size());
        // the file itself is left exactly as the MDA wrote it
        assertArrayEquals(LF, Files.readAllBytes(f));
    }

    @Test
    void crlfFileIsServedAsItIsWithItsFile() throws Exception {
        StoreSession s = session();
        s.status("INBOX");
        byte[] crlf = crlf(LF);
        deliver("INBOX", "1700000000.M1P3.mx", crlf);
        try (Mailbox m = s.open("INBOX", true)) {
            assertServed(crlf, m, only(m), true);
        }
    }

    @Test
    void conversionSurvivesARestartFromTheIndex() throws Exception {
        StoreSession s = session();
        s.status("INBOX");
        deliver("INBOX", "1700000000.M1P4.mx", LF);
        long modSeq;
        try (Mailbox m = s.open("INBOX", true)) {
            modSeq = only(m).modSeq();
        }
        restart();
        try (Mailbox m = session().open("INBOX", true)) {
            MessageInfo i = only(m);
            // the same MODSEQ: read back from the index, not rebuilt
            assertEquals(modSeq, i.modSeq());
            assertServed(crlf(LF), m, i, false);
        }
    }

    @Test
    void anOldFormatIndexIsRebuilt() throws Exception {
        StoreSession s = session();
        s.status("INBOX");
        deliver("INBOX", "1700000000.M1P5.mx", LF);
        long modSeq;
        try (Mailbox m = s.open("INBOX", true)) {
            modSeq = only(m).modSeq();
        }
        restart();
        // turn the header into version 01's (valid checksum): that version had no line-end data
        Path index = root.resolve(IndexLog.FILE);
        try (FileChannel ch = FileChannel.open(index, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.allocate(IndexLog.HEADER);
            ch.read(h, 0);
            assertEquals('2', h.get(7));
            h.put(7, (byte) '1');
            CRC32 c = new CRC32();
            c.update(h.array(), 0, 24);
            h.putInt(24, (int) c.getValue());
            h.flip();
            ch.write(h, 0);
        }
        try (Mailbox m = session().open("INBOX", true)) {
            MessageInfo i = only(m);
            assertNotEquals(modSeq, i.modSeq(), "rebuilt: MODSEQs continue above anything handed out");
            assertServed(crlf(LF), m, i, false);
        }
        byte[] header = new byte[8];
        try (InputStream in = Files.newInputStream(index)) {
            assertEquals(8, in.read(header));
        }
        assertEquals("PBXIDX02", new String(header, StandardCharsets.US_ASCII));
        restart();
        try (Mailbox m = session().open("INBOX", true)) {
            assertServed(crlf(LF), m, only(m), false);
        }
    }

    @Test
    void appendedBareLfStaysExactEvenAfterTheIndexIsLost() throws Exception {
        StoreSession s = session();
        long uid = s.append("INBOX", MessageSource.of(LF), Set.of(), null).uid();
        try (Mailbox m = s.open("INBOX", true)) {
            MessageInfo i = only(m);
            assertEquals(uid, i.uid());
            assertEquals(LF.length, i.size());
            assertArrayEquals(LF, read(m.content(uid)));
            assertTrue(m.content(uid).file().isPresent());
        }
        List<String> cur = list(root.resolve("cur"));
        assertTrue(MaildirFiles.rawMarked(cur.get(0)), cur.get(0));
        assertTrue(cur.get(0).contains(",W=" + crlf(LF).length + ":"), cur.get(0));
        restart();
        Files.delete(root.resolve(IndexLog.FILE));
        try (Mailbox m = session().open("INBOX", true)) {
            MessageInfo i = only(m);
            assertEquals(LF.length, i.size());
            assertArrayEquals(LF, read(m.content(uid)));
            assertEquals(MessageParser.parse(new ByteArrayInputStream(LF)), m.structure(uid));
        }
    }

    @Test
    void copiesKeepTheirForm() throws Exception {
        StoreSession s = session();
        s.create("Copies", null);
        s.status("INBOX");
        deliver("INBOX", "1700000000.M1P6.mx", LF);
        long appended = s.append("INBOX", MessageSource.of(LF), Set.of(), null).uid();
        try (Mailbox m = s.open("INBOX", false)) {
            m.copy(m.messages().stream().map(MessageInfo::uid).toList(), "Copies");
        }
        for (int round = 0; round < 2; round++) {
            try (Mailbox m = session().open("Copies", true)) {
                List<MessageInfo> l = m.messages();
                assertEquals(2, l.size());
                int exact = 0;
                for (MessageInfo i : l) {
                    byte[] served = read(m.content(i.uid()));
                    if (served.length == LF.length) {
                        exact++;
                        assertArrayEquals(LF, served);
                    } else {
                        assertServed(crlf(LF), m, i, false);
                    }
                }
                assertEquals(1, exact, "only the appended message (UID " + appended + ") is served as stored");
            }
            // the second round: from the files alone
            restart();
            Files.delete(root.resolve(".Copies").resolve(IndexLog.FILE));
        }
        for (String f : list(root.resolve(".Copies/cur"))) {
            long s1 = MaildirFiles.sizeField(MaildirFiles.baseName(f), 'S');
            long w = MaildirFiles.sizeField(MaildirFiles.baseName(f), 'W');
            assertEquals(LF.length, s1, f);
            assertEquals(crlf(LF).length, w, f);
            assertEquals(LF.length, Files.size(root.resolve(".Copies/cur").resolve(f)));
        }
    }

    @Test
    void compactionAndRenamesKeepTheConversion() throws Exception {
        long old = IndexLog.compactionMinBytes;
        IndexLog.compactionMinBytes = 2000;
        try {
            StoreSession s = session();
            s.status("INBOX");
            // delivered to new/ without info, as an MDA does
            Path f = root.resolve("new").resolve("1700000000.M1P7.mx,S=" + LF.length + ",W=" + crlf(LF).length);
            Files.write(f, LF);
            long before = Files.size(root.resolve(IndexLog.FILE));
            long modSeq;
            try (Mailbox m = s.open("INBOX", false)) {
                MessageInfo i = only(m);
                MessageContent c = m.content(i.uid());
                for (int round = 0; round < 100; round++) {
                    m.updateFlags(List.of(i.uid()), round % 2 == 0 ? io.pillarbox.api.store.FlagOp.ADD
                            : io.pillarbox.api.store.FlagOp.REMOVE, Set.of("$Round"), -1);
                }
                // content opened before the renames follows the file
                assertArrayEquals(crlf(LF), read(c));
                modSeq = only(m).modSeq();
                assertServed(crlf(LF), m, only(m), false);
            }
            assertTrue(Files.size(root.resolve(IndexLog.FILE)) < before + 100 * 40, "compacted");
            restart();
            try (Mailbox m = session().open("INBOX", true)) {
                MessageInfo i = only(m);
                assertEquals(modSeq, i.modSeq());
                assertServed(crlf(LF), m, i, false);
            }
            assertArrayEquals(LF, Files.readAllBytes(root.resolve("cur").resolve(list(root.resolve("cur")).get(0))));
        } finally {
            IndexLog.compactionMinBytes = old;
        }
    }

    @Test
    void converterMatchesTheReferenceForAnyReadPattern() throws Exception {
        Random r = new Random(42);
        for (int round = 0; round < 300; round++) {
            byte[] in = new byte[r.nextInt(300)];
            for (int i = 0; i < in.length; i++) {
                int k = r.nextInt(5);
                in[i] = (byte) (k == 0 ? '\n' : k == 1 ? '\r' : 'a' + r.nextInt(3));
            }
            byte[] want = crlf(in);
            CrlfInputStream c = new CrlfInputStream(new TrickleStream(in, r));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            while (true) {
                int mode = r.nextInt(3);
                if (mode == 0) {
                    int b = c.read();
                    if (b < 0) {
                        break;
                    }
                    got.write(b);
                } else {
                    byte[] buf = new byte[1 + r.nextInt(9)];
                    int off = r.nextInt(2);
                    int n = c.read(buf, off, buf.length - off);
                    if (n < 0) {
                        break;
                    }
                    got.write(buf, off, n);
                }
            }
            assertArrayEquals(want, got.toByteArray(), "round " + round);
            assertEquals(want.length - in.length, c.inserted);
            // counting only: the bytes pass unchanged
            CrlfInputStream count = new CrlfInputStream(new ByteArrayInputStream(in), false);
            assertArrayEquals(in, count.readAllBytes());
            assertEquals(want.length - in.length, count.inserted);
            // skipping through the converted stream
            int skip = r.nextInt(want.length + 1);
            CrlfInputStream sk = new CrlfInputStream(new TrickleStream(in, r));
            assertEquals(skip, sk.skip(skip));
            assertArrayEquals(Arrays.copyOfRange(want, skip, want.length), sk.readAllBytes());
        }
        assertFalse(MaildirFiles.rawMarked("1.M1P1.h,S=1,W=2:2,S"));
        assertTrue(MaildirFiles.rawMarked(MaildirFiles.newBaseName(1, 2, true) + ":2,S"));
    }

    /** Returns at most a few bytes per read, as a pipe might. */
    static final class TrickleStream extends InputStream {
        private final byte[] data;
        private final Random r;
        private int p;

        TrickleStream(byte[] data, Random r) {
            this.data = data;
            this.r = r;
        }

        @Override
        public int read() {
            return p < data.length ? data[p++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (p >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + r.nextInt(4)), data.length - p);
            System.arraycopy(data, p, b, off, n);
            p += n;
            return n;
        }
    }

    static List<String> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
