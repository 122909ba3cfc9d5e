package io.pillarbox.store.maildir;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two other JVMs and this one append to the same Maildir at the same time: the UID list lock keeps UIDs distinct
 * across processes, and this JVM's open mailbox learns of the others' messages.
 */
class MultiProcessTest {

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void appendsFromSeveralProcessesGetDistinctUids() throws Exception {
        Path root = tmp.resolve("Maildir");
        int each = 60;
        Map<Long, Long> byUid = new ConcurrentHashMap<>();
        List<String> duplicates = new ArrayList<>();
        MaildirStore store = new MaildirStore(root.toString(), true);
        try (StoreSession s = store.open(MailPrincipal.of("crash", "test"));
             Mailbox open = s.open("INBOX", false)) {
            List<Process> children = new ArrayList<>();
            List<Thread> readers = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                        CrashAppender.class.getName(), root.toString(), Long.toString(100_000L * (c + 1)),
                        Integer.toString(each)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                children.add(p);
                Thread t = new Thread(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                            StandardCharsets.US_ASCII))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            if (line.startsWith("ACK ")) {
                                String[] f = line.split(" ");
                                Long prev = byUid.put(Long.parseLong(f[1]), Long.parseLong(f[2]));
                                if (prev != null) {
                                    synchronized (duplicates) {
                                        duplicates.add(line);
                                    }
                                }
                            }
                        }
                    } catch (Exception e) {
                        // ends with the process
                    }
                });
                t.start();
                readers.add(t);
            }
            for (long n = 0; n < each; n++) {
                long uid = s.append("INBOX", MessageSource.of(CrashAppender.message(n)), Set.of(), null).uid();
                Long prev = byUid.put(uid, n);
                if (prev != null) {
                    synchronized (duplicates) {
                        duplicates.add("local " + uid);
                    }
                }
            }
            for (Process p : children) {
                assertEquals(0, p.waitFor(), "child exit code");
            }
            for (Thread t : readers) {
                t.join(10_000);
            }
            assertEquals(List.of(), duplicates, "UIDs given twice");
            assertEquals(3 * each, byUid.size());

            open.sync();
            Map<Long, MessageInfo> seen = new TreeMap<>();
            for (MessageInfo m : open.messages()) {
                assertNull(seen.put(m.uid(), m));
            }
            assertEquals(byUid.keySet(), seen.keySet());
            for (Map.Entry<Long, Long> e : byUid.entrySet()) {
                try (InputStream in = open.content(e.getKey()).open()) {
                    assertArrayEquals(CrashAppender.message(e.getValue()), in.readAllBytes());
                }
            }
        }
        StateRegistry.dropIdle();
        try (StoreSession s = new MaildirStore(root.toString(), true).open(MailPrincipal.of("crash", "test"));
             Mailbox again = s.open("INBOX", true)) {
            assertEquals(3 * each, again.messages().size());
            assertTrue(again.uidNext() > again.messages().get(3 * each - 1).uid());
        }
    }
}
