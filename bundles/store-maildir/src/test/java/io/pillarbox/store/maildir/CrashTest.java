package io.pillarbox.store.maildir;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.StoreSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 during appends: a separate JVM appends in a loop and is killed (SIGKILL) at random moments; afterwards
 * every acknowledged message is there, intact, under the UID it was given, no UID is used twice and nothing partial
 * shows up.
 */
class CrashTest {

    private static final Pattern SUBJECT = Pattern.compile("Subject: crash (\\d+)\r\n");

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void acknowledgedAppendsSurviveKillDashNine() throws Exception {
        Path root = tmp.resolve("Maildir");
        Map<Long, Long> acked = new ConcurrentHashMap<>(); // uid -> n
        Random random = new Random();
        long next = 0;
        int rounds = 4;
        for (int round = 0; round < rounds; round++) {
            long roundStart = next;
            List<String> lines = runAndKill(random, 4, root.toString(), Long.toString(next));
            long seen = 0;
            for (String line : lines) {
                if (line.startsWith("ACK ")) {
                    String[] f = line.split(" ");
                    long uid = Long.parseLong(f[1]);
                    Long prev = acked.put(uid, Long.parseLong(f[2]));
                    if (prev != null) {
                        acked.put(-uid, prev); // marks a UID given twice; checked below
                    }
                    seen++;
                }
            }
            next = roundStart + seen + 1000; // never reuse message numbers of a killed round
        }
        assertTrue(acked.keySet().stream().noneMatch(k -> k < 0), "a UID was acknowledged twice");
        assertTrue(acked.size() >= rounds * 3, "the appender made progress: " + acked.size());

        StateRegistry.dropIdle();
        MaildirStore store = new MaildirStore(root.toString(), true);
        try (StoreSession s = store.open(MailPrincipal.of("crash", "test"));
             Mailbox mb = s.open("INBOX", false)) {
            List<MessageInfo> msgs = mb.messages();
            System.out.println("crash test: " + rounds + " kills, " + acked.size() + " acknowledged, "
                    + msgs.size() + " in the mailbox");
            Map<Long, MessageInfo> byUid = new TreeMap<>();
            for (MessageInfo m : msgs) {
                assertTrue(byUid.put(m.uid(), m) == null, "UID listed twice: " + m.uid());
            }
            for (Map.Entry<Long, Long> a : acked.entrySet()) {
                MessageInfo m = byUid.get(a.getKey());
                assertTrue(m != null, "acknowledged UID " + a.getKey() + " is missing");
                byte[] expected = CrashAppender.message(a.getValue());
                byte[] got;
                try (InputStream in = mb.content(a.getKey()).open()) {
                    got = in.readAllBytes();
                }
                assertArrayEquals(expected, got, "content of UID " + a.getKey());
                assertEquals(a.getValue() % 3 == 0, m.has(Flags.SEEN), "flags of UID " + a.getKey());
            }
            // anything else there (appended but killed before the ACK was printed) must be whole too
            for (MessageInfo m : msgs) {
                byte[] got;
                try (InputStream in = mb.content(m.uid()).open()) {
                    got = in.readAllBytes();
                }
                Matcher matcher = SUBJECT.matcher(new String(got, StandardCharsets.US_ASCII));
                assertTrue(matcher.find(), "unexpected message " + m.uid());
                assertArrayEquals(CrashAppender.message(Long.parseLong(matcher.group(1))), got,
                        "partial message under UID " + m.uid());
            }
            // the UID list on disk names no UID and no file twice
            Set<String> uids = new HashSet<>();
            Set<String> bases = new HashSet<>();
            List<String> lines = Files.readAllLines(root.resolve("dovecot-uidlist"));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(" :", 2);
                assertTrue(uids.add(f[0].split(" ")[0]), "UID twice in dovecot-uidlist: " + line);
                assertTrue(bases.add(f[1]), "file twice in dovecot-uidlist: " + line);
            }
            // and the store goes on giving new UIDs above all of them
            long max = byUid.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
            assertTrue(mb.uidNext() > max);
        }
    }

    @Test
    @Timeout(120)
    void flagChangesAndExpungesSurviveKillDashNineToo() throws Exception {
        Path root = tmp.resolve("Mixed");
        Map<Long, Long> acked = new ConcurrentHashMap<>();
        Set<Long> flagged = ConcurrentHashMap.newKeySet();
        Set<Long> expunged = ConcurrentHashMap.newKeySet();
        Set<Long> expunging = ConcurrentHashMap.newKeySet();
        List<String> allLines = java.util.Collections.synchronizedList(new ArrayList<>());
        Random random = new Random();
        for (int round = 0; round < 3; round++) {
            List<String> lines = runAndKill(random, 10, root.toString(), Long.toString(round * 1_000_000L), "mixed");
            for (String line : lines) {
                allLines.add(line);
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "ACK" -> assertTrue(acked.put(Long.parseLong(f[1]), Long.parseLong(f[2])) == null,
                            "UID given twice: " + line);
                    case "FLAG" -> flagged.add(Long.parseLong(f[1]));
                    case "EXP" -> expunged.add(Long.parseLong(f[1]));
                    case "EXPUNGING" -> expunging.add(Long.parseLong(f[1]));
                    default -> {
                    }
                }
            }
            allLines.add("KILLED");
        }
        assertTrue(!flagged.isEmpty() && !expunged.isEmpty(), "the child flagged and expunged: " + flagged.size()
                + " / " + expunged.size());
        StateRegistry.dropIdle();
        try (StoreSession s = new MaildirStore(root.toString(), true).open(MailPrincipal.of("crash", "test"));
             Mailbox mb = s.open("INBOX", false)) {
            Map<Long, MessageInfo> byUid = new TreeMap<>();
            for (MessageInfo m : mb.messages()) {
                assertTrue(byUid.put(m.uid(), m) == null);
            }
            for (Map.Entry<Long, Long> a : acked.entrySet()) {
                long uid = a.getKey();
                if (expunged.contains(uid)) {
                    assertTrue(!byUid.containsKey(uid), "expunged UID " + uid + " is back");
                    continue;
                }
                MessageInfo m = byUid.get(uid);
                if (m == null && expunging.contains(uid)) {
                    continue; // killed after the expunge took effect, before it was acknowledged
                }
                if (m == null) {
                    // keep the evidence for a post-mortem
                    Path keep = Path.of(System.getProperty("java.io.tmpdir"), "pillarbox-crash-" + System.nanoTime());
                    try (java.util.stream.Stream<Path> w = Files.walk(root)) {
                        for (Path f : w.toList()) {
                            Path t = keep.resolve(root.relativize(f).toString());
                            if (Files.isDirectory(f)) {
                                Files.createDirectories(t);
                            } else {
                                Files.copy(f, t);
                            }
                        }
                    }
                    Files.write(keep.resolve("child-output.txt"), allLines);
                }
                assertTrue(m != null, "acknowledged UID " + uid + " is missing");
                try (InputStream in = mb.content(uid).open()) {
                    assertArrayEquals(CrashAppender.message(a.getValue()), in.readAllBytes());
                }
                if (flagged.contains(uid)) {
                    assertTrue(m.has(Flags.FLAGGED), "flag change on UID " + uid + " lost");
                }
            }
            // MODSEQs are distinct per change and the mailbox's is the highest
            long highest = mb.highestModSeq();
            for (MessageInfo m : byUid.values()) {
                assertTrue(m.modSeq() <= highest);
            }
            assertTrue(mb.expungedSince(0).containsAll(expunged), "expunges remembered for QRESYNC");
        }
    }

    /**
     * Runs {@link CrashAppender} with {@code args}, its output going straight to a file (a pipe's unread bytes can
     * be lost when the process is killed), and kills it with SIGKILL at a random moment once it has printed
     * {@code minLines} lines. Returns the complete lines it printed.
     */
    private List<String> runAndKill(Random random, int minLines, String... args) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-cp", System.getProperty("java.class.path"),
                CrashAppender.class.getName()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "child", ".out");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(out.toFile()).start();
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline && completeLines(out).size() < minLines && p.isAlive()) {
            Thread.sleep(20);
        }
        Thread.sleep(200 + random.nextInt(900));
        p.destroyForcibly();
        p.waitFor();
        return completeLines(out);
    }

    private static List<String> completeLines(Path file) throws java.io.IOException {
        String s = Files.readString(file, StandardCharsets.US_ASCII);
        int end = s.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(s.substring(0, end).split("\n"));
    }
}
