package io.pillarbox.store.maildir;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.FlagOp;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.api.store.StoreMaintenance;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.store.maildir.migration.MaildirImporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interoperation with a real Dovecot 2.3 (Debian's {@code dovecot-imapd}): Dovecot, started on a loopback port with a
 * throwaway configuration, writes a Maildir over IMAP and Pillarbox reads it with the same UIDVALIDITY, UIDs, flags
 * and keywords; then Pillarbox changes it and Dovecot sees the same. The test fails (it is not skipped) where
 * Dovecot is not installed.
 */
class DovecotInteropTest {

    private static final Path DOVECOT = Path.of("/usr/sbin/dovecot");

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void dovecotAndPillarboxReadEachOthersMaildir() throws Exception {
        assertTrue(Files.isExecutable(DOVECOT),
                "this test needs Dovecot 2.3: apt-get install dovecot-imapd (Debian/Ubuntu)");
        boolean root = "root".equals(System.getProperty("user.name"));
        Path home = tmp.resolve("home");
        Files.createDirectories(home);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = writeConfig(port, home, root);
        if (root) {
            // Dovecot refuses to access mail as root: its mail processes run as nobody
            chownTree(tmp, "nobody");
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Process dovecot = new ProcessBuilder(DOVECOT.toString(), "-F", "-c", conf.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("dovecot.out").toFile()).start();
        try {
            waitForPort(port, dovecot);
            byte[] m1 = crlf("From: a@example.org\nSubject: one\n\nfirst\n");
            byte[] m2 = crlf("From: a@example.org\nSubject: two\n\nsecond\n");
            byte[] m3 = crlf("From: a@example.org\nSubject: three\n\nthird\n");
            byte[] m4 = crlf("From: a@example.org\nSubject: four\n\nfourth\n");
            byte[] m5 = crlf("From: a@example.org\nSubject: sent\n\nfifth\n");
            long dovecotValidity;
            Map<Long, Set<String>> dovecotFlags;
            byte[] dovecotBody1;
            long dovecotSize1;
            try (Imap c = new Imap(port)) {
                c.ok("LOGIN alice secret");
                c.ok("CREATE Sent");
                c.append("INBOX", "(\\Seen)", m1);
                c.append("INBOX", "(\\Flagged $Label1)", m2);
                c.append("INBOX", "()", m3);
                c.append("INBOX", "(\\Deleted)", m4);
                c.append("Sent", "(\\Seen)", m5);
                dovecotValidity = c.uidValidity(c.ok("SELECT INBOX"));
                c.ok("UID STORE 3 +FLAGS (\\Answered NonJunk)");
                c.ok("EXPUNGE");
                dovecotFlags = c.flags();
                dovecotBody1 = c.body(1);
                dovecotSize1 = c.rfc822Size(1);
                c.ok("LOGOUT");
            }
            assertEquals(Set.of(1L, 2L, 3L), dovecotFlags.keySet(), dovecotFlags.toString());

            MailPrincipal alice = MailPrincipal.of("alice", "test");
            MaildirMaintenance maintenance = new MaildirMaintenance(home + "/{user}/Maildir", true);
            // mail:check of a tree only Dovecot has written: nothing is wrong, Pillarbox's index is just not built
            assertEquals(List.of(new StoreMaintenance.Finding("INBOX", "pillarbox.index is missing; it is built from "
                            + "the message files", false), new StoreMaintenance.Finding("Sent", "pillarbox.index is "
                            + "missing; it is built from the message files", false)),
                    maintenance.check(alice, false));

            // the importer moves Dovecot's tree elsewhere with UIDs and flags kept
            MaildirImporter.Result imported = MaildirImporter.importMaildir(home.resolve("alice/Maildir"),
                    tmp.resolve("imported/alice/Maildir"), false, true);
            assertEquals(new MaildirImporter.Result(1, 4), imported);
            try (StoreSession s = new MaildirStore(tmp + "/imported/{user}/Maildir", true).open(alice);
                 Mailbox inbox = s.open("INBOX", true)) {
                assertEquals(dovecotValidity, inbox.uidValidity());
                assertEquals(dovecotFlags, flagsOf(inbox));
                assertEquals(5, inbox.uidNext());
                assertEquals(1, s.status("Sent").messages());
            }

            // Pillarbox reads what Dovecot wrote, in place
            MaildirStore store = new MaildirStore(home + "/{user}/Maildir", true);
            try (StoreSession s = store.open(alice)) {
                try (Mailbox inbox = s.open("INBOX", false)) {
                    assertEquals(dovecotValidity, inbox.uidValidity());
                    Map<Long, Set<String>> ours = flagsOf(inbox);
                    assertEquals(dovecotFlags, ours);
                    // Dovecot stores LF line ends (S= the file's size, W= the CRLF size) and serves CRLF; so does
                    // Pillarbox, byte for byte, with the same size and structure offsets into the CRLF form
                    Path f1 = fileWith(home.resolve("alice/Maildir/cur"), ",S=" + lf(m1).length + ",W=" + m1.length);
                    assertArrayEquals(lf(m1), Files.readAllBytes(f1), "Dovecot stores LF line ends");
                    assertArrayEquals(m1, dovecotBody1);
                    assertEquals(m1.length, dovecotSize1);
                    assertArrayEquals(dovecotBody1, read(inbox, 1));
                    assertEquals(dovecotSize1, inbox.content(1).size());
                    assertEquals(dovecotSize1, inbox.messages().get(0).size());
                    assertTrue(inbox.content(1).file().isEmpty(), "no zero-copy of a file that is not served as is");
                    MessageStructure st1 = inbox.structure(1);
                    assertArrayEquals("first\r\n".getBytes(StandardCharsets.US_ASCII),
                            inbox.content(1).open(st1.root().bodyOffset(), st1.root().bodySize()).readAllBytes());
                    assertEquals(5, inbox.uidNext(), "UID 4 was used (and expunged) by Dovecot");
                    assertEquals("two", inbox.structure(2).envelope().subject());
                    // Pillarbox changes things
                    inbox.updateFlags(List.of(1L), FlagOp.ADD, Set.of(Flags.FLAGGED), -1);
                    inbox.updateFlags(List.of(2L), FlagOp.REPLACE, Set.of(Flags.SEEN, "Project"), -1);
                    inbox.updateFlags(List.of(3L), FlagOp.ADD, Set.of(Flags.DELETED), -1);
                    assertEquals(List.of(3L), inbox.expunge(null));
                }
                List<MailboxInfo> list = s.list();
                assertTrue(list.contains(new MailboxInfo("Sent", SpecialUse.SENT, true)), list.toString());
                assertEquals(1, s.status("Sent").messages());
                byte[] m6 = crlf("From: p@example.org\nSubject: from pillarbox\n\nsixth\n");
                assertEquals(5, s.append("INBOX", MessageSource.of(m6), Set.of(Flags.DRAFT, "Project"), null).uid());
                s.create("Work/2024", null);
                s.create("Caf\u00e9 & Bar", null);
                // a message appended with bare LFs is stored and served by Pillarbox as given, marked so in its name
                s.create("Raw", null);
                s.append("Raw", MessageSource.of(lf(m6)), Set.of(), null);
                s.append("Work/2024", MessageSource.of(m2), Set.of(Flags.SEEN), null);
                s.subscribe("Work/2024");
                try (Mailbox inbox = s.open("INBOX", true)) {
                    dovecotFlags = flagsOf(inbox);
                }
                assertEquals(Map.of(1L, Set.of(Flags.SEEN, Flags.FLAGGED), 2L, Set.of(Flags.SEEN, "Project"),
                        5L, Set.of(Flags.DRAFT, "Project")), dovecotFlags);
                if (root) {
                    chownTree(home, "nobody");
                }

                // Dovecot reads what Pillarbox wrote
                try (Imap c = new Imap(port)) {
                    c.ok("LOGIN alice secret");
                    assertEquals(dovecotValidity, c.uidValidity(c.ok("SELECT INBOX")));
                    assertEquals(dovecotFlags, c.flags());
                    assertArrayEquals(m6, c.body(5));
                    List<String> listed = c.ok("LIST \"\" \"*\"");
                    assertTrue(listed.stream().anyMatch(l -> l.endsWith("\"Work.2024\"") || l.endsWith(" Work.2024")),
                            listed.toString());
                    assertTrue(listed.stream().anyMatch(l -> l.endsWith("\"Caf&AOk- &- Bar\"")),
                            "modified UTF-7 folder names as Dovecot writes them: " + listed);
                    List<String> lsub = c.ok("LSUB \"\" \"*\"");
                    assertTrue(lsub.stream().anyMatch(l -> l.contains("Work.2024")), lsub.toString());
                    assertArrayEquals(m1, c.body(1), "the file Dovecot wrote is left as it was");
                    c.ok("SELECT Work.2024");
                    assertEquals(Map.of(1L, Set.of(Flags.SEEN)), c.flags());
                    c.ok("SELECT Raw");
                    assertArrayEquals(m6, c.body(1), "Dovecot reads a file with Pillarbox's mark in its name");
                    // and Dovecot goes on from where Pillarbox left off
                    c.append("INBOX", "(\\Answered)", m3);
                    c.ok("LOGOUT");
                }
                try (Mailbox inbox = s.open("INBOX", false)) {
                    inbox.sync();
                    MessageInfo last = inbox.messages().get(inbox.messages().size() - 1);
                    assertEquals(6, last.uid());
                    assertEquals(Set.of(Flags.ANSWERED), last.flags());
                }
                // nor in a tree both have written
                assertEquals(List.of(), maintenance.check(alice, false));
            }
        } finally {
            dovecot.destroy();
            if (!dovecot.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                dovecot.destroyForcibly();
            }
        }
    }

    private Path writeConfig(int port, Path home, boolean root) throws IOException {
        String user = root ? "nobody" : System.getProperty("user.name");
        String mailUid = root ? "65534" : user;
        String group = root ? "nogroup" : groupOf();
        Path passwd = tmp.resolve("passwd");
        Files.writeString(passwd, "alice:{PLAIN}secret::::::\n");
        Files.createDirectories(tmp.resolve("run"));
        Files.createDirectories(tmp.resolve("state"));
        String conf = """
                base_dir = %1$s/run
                state_dir = %1$s/state
                log_path = %1$s/dovecot.log
                protocols = imap
                listen = 127.0.0.1
                ssl = no
                disable_plaintext_auth = no
                auth_mechanisms = plain
                passdb {
                  driver = passwd-file
                  args = scheme=PLAIN username_format=%%u %2$s
                }
                userdb {
                  driver = static
                  args = uid=%3$s gid=%6$s home=%4$s/%%u
                }
                mail_location = maildir:~/Maildir
                first_valid_uid = 0
                first_valid_gid = 0
                default_internal_user = %5$s
                default_login_user = %5$s
                default_internal_group = %6$s
                namespace inbox {
                  inbox = yes
                  separator = .
                }
                service imap-login {
                  chroot =
                  inet_listener imap {
                    address = 127.0.0.1
                    port = %7$d
                  }
                  inet_listener imaps {
                    port = 0
                  }
                }
                service anvil {
                  chroot =
                }
                """.formatted(tmp, passwd, mailUid, home, user, group, port);
        Path f = tmp.resolve("dovecot.conf");
        Files.writeString(f, conf);
        return f;
    }

    private static String groupOf() throws IOException {
        Process p = new ProcessBuilder("id", "-gn").start();
        try (InputStream in = p.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
    }

    private static void chownTree(Path dir, String user) throws IOException {
        UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
        var owner = lookup.lookupPrincipalByName(user);
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                Files.setOwner(p, owner);
            }
        }
    }

    private static void waitForPort(int port, Process p) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("dovecot exited with " + p.exitValue());
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("dovecot did not start listening on " + port);
    }

    static byte[] crlf(String s) {
        return s.replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] lf(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1).replace("\r\n", "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Path fileWith(Path dir, String part) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            List<Path> l = s.filter(p -> p.getFileName().toString().contains(part)).toList();
            assertEquals(1, l.size(), part + " in " + dir);
            return l.get(0);
        }
    }

    private static byte[] read(Mailbox m, long uid) throws Exception {
        try (InputStream in = m.content(uid).open()) {
            return in.readAllBytes();
        }
    }

    private static Map<Long, Set<String>> flagsOf(Mailbox m) throws Exception {
        Map<Long, Set<String>> out = new TreeMap<>();
        for (MessageInfo i : m.messages()) {
            out.put(i.uid(), i.flags());
        }
        return out;
    }

    /** Just enough IMAP to drive Dovecot. */
    static final class Imap implements AutoCloseable {
        private static final Pattern UID = Pattern.compile("UID (\\d+)");
        private static final Pattern FLAGS = Pattern.compile("FLAGS \\(([^)]*)\\)");
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private int tag;

        Imap(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(20_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            String greeting = line();
            assertTrue(greeting.startsWith("* OK"), greeting);
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    break;
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            if (c < 0 && b.size() == 0) {
                throw new IOException("connection closed");
            }
            return b.toString(StandardCharsets.UTF_8);
        }

        /** Sends a command, returns the untagged lines; fails unless the answer is OK. */
        List<String> ok(String command) throws IOException {
            return send(command.getBytes(StandardCharsets.UTF_8), null);
        }

        private List<String> send(byte[] command, byte[] literal) throws IOException {
            String t = "t" + (++tag);
            out.write((t + " ").getBytes(StandardCharsets.US_ASCII));
            out.write(command);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            if (literal != null) {
                out.write(literal);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            List<String> lines = new ArrayList<>();
            while (true) {
                String l = line();
                if (l.startsWith(t + " ")) {
                    assertTrue(l.startsWith(t + " OK"), new String(command, StandardCharsets.UTF_8) + " -> " + l);
                    return lines;
                }
                lines.add(l);
                Matcher lit = Pattern.compile("\\{(\\d+)}$").matcher(l);
                if (lit.find()) {
                    byte[] data = in.readNBytes(Integer.parseInt(lit.group(1)));
                    lines.add(new String(data, StandardCharsets.ISO_8859_1));
                }
            }
        }

        void append(String mailbox, String flags, byte[] message) throws IOException {
            send(("APPEND " + mailbox + " " + flags + " {" + message.length + "+}").getBytes(StandardCharsets.US_ASCII),
                    message);
        }

        long uidValidity(List<String> selectLines) {
            for (String l : selectLines) {
                Matcher m = Pattern.compile("UIDVALIDITY (\\d+)").matcher(l);
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
            }
            throw new AssertionError("no UIDVALIDITY in " + selectLines);
        }

        Map<Long, Set<String>> flags() throws IOException {
            Map<Long, Set<String>> out = new TreeMap<>();
            for (String l : ok("UID FETCH 1:* (UID FLAGS)")) {
                Matcher u = UID.matcher(l);
                Matcher f = FLAGS.matcher(l);
                if (l.contains(" FETCH ") && u.find() && f.find()) {
                    Set<String> flags = new LinkedHashSet<>();
                    for (String x : f.group(1).split(" ")) {
                        if (!x.isEmpty() && !x.equalsIgnoreCase("\\Recent")) {
                            flags.add(x);
                        }
                    }
                    out.put(Long.parseLong(u.group(1)), Set.copyOf(flags));
                }
            }
            return out;
        }

        long rfc822Size(long uid) throws IOException {
            for (String l : ok("UID FETCH " + uid + " RFC822.SIZE")) {
                Matcher m = Pattern.compile("RFC822\\.SIZE (\\d+)").matcher(l);
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
            }
            throw new AssertionError("no RFC822.SIZE for " + uid);
        }

        byte[] body(long uid) throws IOException {
            List<String> lines = ok("UID FETCH " + uid + " BODY.PEEK[]");
            for (int i = 0; i < lines.size() - 1; i++) {
                if (lines.get(i).contains("BODY[]")) {
                    return lines.get(i + 1).getBytes(StandardCharsets.ISO_8859_1);
                }
            }
            throw new AssertionError("no body in " + lines);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
