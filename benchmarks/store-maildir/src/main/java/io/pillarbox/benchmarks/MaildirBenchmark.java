package io.pillarbox.benchmarks;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxStatus;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.store.maildir.MaildirStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Append and open costs of the Maildir store as a mailbox grows. For each size it fills INBOX (fsync off, to keep
 * the fill short), then measures, with the mailbox open:
 * <ul>
 * <li>appending 200 more messages with fsync off (CPU and page cache) and 200 with fsync on (median latency of one
 * append);</li>
 * <li>STATUS (median of 5);</li>
 * <li>opening the mailbox in a fresh store, as after a restart (index read from {@code pillarbox.index}, UID list
 * read, directories not listed since unchanged, no message file opened or stat'ed; median of 5);</li>
 * <li>the same with the index deleted (full rebuild: every file parsed).</li>
 * </ul>
 * Usage: {@code MaildirBenchmark [dir] [sizes...]}, default sizes 1000 10000 100000. Each measurement runs in this
 * JVM; "fresh store" means the JVM-wide mailbox cache is dropped by {@link MaildirStore#dropCaches()}.
 */
public final class MaildirBenchmark {

    private MaildirBenchmark() {
    }

    public static byte[] message(int n) {
        StringBuilder sb = new StringBuilder();
        sb.append("From: Sender ").append(n % 97).append(" <s").append(n % 97).append("@example.org>\r\n")
                .append("To: alice@example.org\r\nSubject: benchmark message ").append(n).append("\r\n")
                .append("Date: Tue, 03 Mar 2026 10:00:00 +0100\r\nMessage-ID: <").append(n)
                .append("@bench.example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
        for (int i = 0; i < 30; i++) {
            sb.append("Line ").append(i).append(" of a typical short message body, around seventy octets.\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) throws Exception {
        Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("pillarbox-bench");
        int[] sizes = args.length > 1 ? Stream.of(args).skip(1).mapToInt(Integer::parseInt).toArray()
                : new int[]{1000, 10_000, 100_000};
        System.out.printf("%-9s %10s %16s %13s %12s %16s %18s %11s%n", "messages", "fill (s)",
                "append nosync", "append fsync", "status (ms)", "open fresh (ms)", "open rebuild (ms)", "index (MB)");
        for (int size : sizes) {
            Path dir = base.resolve("n" + size);
            deleteTree(dir);
            String template = dir + "/{user}/Maildir";
            MailPrincipal user = MailPrincipal.of("alice", "bench");
            long t0 = System.nanoTime();
            try (StoreSession s = new MaildirStore(template, false).open(user)) {
                for (int i = 0; i < size; i++) {
                    s.append("INBOX", MessageSource.of(message(i)), i % 2 == 0 ? Set.of(Flags.SEEN) : Set.of(),
                            null);
                }
            }
            double fill = (System.nanoTime() - t0) / 1e6;
            MaildirStore.dropCaches();

            double appendNoSync;
            try (StoreSession s = new MaildirStore(template, false).open(user); Mailbox inbox = s.open("INBOX", false)) {
                int n = 200;
                double[] t = new double[n];
                for (int i = 0; i < n; i++) {
                    long a0 = System.nanoTime();
                    s.append("INBOX", MessageSource.of(message(size + i)), Set.of(), null);
                    t[i] = (System.nanoTime() - a0) / 1e6;
                }
                appendNoSync = median(t);
            }
            MaildirStore.dropCaches();
            MaildirStore store = new MaildirStore(template, true);
            double append;
            double status;
            try (StoreSession s = store.open(user); Mailbox inbox = s.open("INBOX", false)) {
                int n = 200;
                double[] t = new double[n];
                for (int i = 0; i < n; i++) {
                    long a0 = System.nanoTime();
                    s.append("INBOX", MessageSource.of(message(size + i)), Set.of(), null);
                    t[i] = (System.nanoTime() - a0) / 1e6;
                }
                append = median(t);
                Thread.sleep(2100);
                s.status("INBOX"); // the first STATUS after the burst lists the folder once
                double[] st5 = new double[5];
                MailboxStatus st = null;
                for (int i = 0; i < st5.length; i++) {
                    long s0 = System.nanoTime();
                    st = s.status("INBOX");
                    st5[i] = (System.nanoTime() - s0) / 1e6;
                }
                status = median(st5);
                if (st.messages() != size + 2 * n || inbox.messages().size() != size + 2 * n) {
                    throw new IllegalStateException("lost messages: " + st);
                }
            }
            // a mailbox opened after a restart has usually been quiet for a while: let the directory times age so
            // the index can vouch for the folder (changes within 2 s of a directory time are never trusted)
            Thread.sleep(2100);
            MaildirStore.dropCaches();

            double[] opens = new double[5];
            for (int i = 0; i < opens.length; i++) {
                MaildirStore.dropCaches();
                opens[i] = timeOpen(template, user, size + 400);
            }
            double open = median(opens);
            Path index = dir.resolve("alice/Maildir/pillarbox.index");
            double indexMb = Files.size(index) / 1048576.0;
            Files.delete(index);
            MaildirStore.dropCaches();
            double rebuild = timeOpen(template, user, size + 400);
            MaildirStore.dropCaches();
            System.out.printf("%-9d %10.1f %13.3f ms %10.3f ms %12.2f %16.1f %18.1f %11.1f%n", size, fill / 1000,
                    appendNoSync, append, status, open, rebuild, indexMb);
            deleteTree(dir);
        }
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }

    private static double timeOpen(String template, MailPrincipal user, int expected) throws Exception {
        long t0 = System.nanoTime();
        try (StoreSession s = new MaildirStore(template, true).open(user); Mailbox inbox = s.open("INBOX", true)) {
            List<?> msgs = inbox.messages();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (msgs.size() != expected) {
                throw new IllegalStateException("expected " + expected + " messages, found " + msgs.size());
            }
            return ms;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
