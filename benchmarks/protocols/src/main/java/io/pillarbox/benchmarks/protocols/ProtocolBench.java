package io.pillarbox.benchmarks.protocols;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Protocol-level load generator for comparing mail servers on loopback (used by {@code run.sh}: Pillarbox against
 * Dovecot 2.3 and Postfix 3.7). Plain blocking {@code java.net.Socket}s, one platform thread per simulated client,
 * closed loop (each client starts its next session as soon as the previous one ends). Every scenario runs a warm-up
 * first whose numbers are thrown away, then measures for a fixed time.
 *
 * <pre>
 * fill DIR COUNT                          write a Maildir (cur/ new/ tmp/) with COUNT messages of about 4 KB, CRLF
 * imap  LABEL HOST PORT USERS PASS CONC WARMUP SECONDS
 *       per session: connect, LOGIN, SELECT INBOX, FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE),
 *       3 x UID FETCH uid BODY.PEEK[] (random UIDs), LOGOUT
 * pop3  LABEL HOST PORT USERS PASS CONC WARMUP SECONDS
 *       per session: connect, USER, PASS, LIST, RETR every message, QUIT (client i uses user i: POP3 locks the drop)
 * smtp  LABEL HOST PORT RCPTS CONC WARMUP SECONDS [MAILDIR]
 *       per message: connect, EHLO, MAIL FROM, RCPT TO, DATA (about 4 KB), QUIT; client i sends to recipient i
 *       (RCPTS as USERS below); with MAILDIR (%n: the recipient's local part), waits afterwards until every accepted
 *       message is a file in new/ or cur/ (delivery behind a queue) and reports how long, and the rate end to end
 * idle  LABEL HOST PORT USERS PASS N PID[,PID...] [tree]
 *       reads the RSS and PSS of the given processes (and, with "tree", all their descendants) from /proc, opens N
 *       sessions one after another (LOGIN, SELECT INBOX, IDLE), waits 10 s, reads them again, then ends every IDLE
 *       with DONE (each must answer OK) and logs out
 * </pre>
 * While the idle sessions are held, the shell command in the environment variable {@code BENCH_IDLE_HOOK} (if any)
 * runs after the second reading, e.g. {@code jcmd PID GC.heap_info}.
 * USERS is a comma-separated list of logins, or {@code PREFIX@DOMAIN*K} for PREFIX1@DOMAIN ... PREFIXK@DOMAIN;
 * client i logs in as user i modulo K. Results are printed as lines starting with {@code |} (Markdown table rows)
 * that run.sh collects; everything else is commentary.
 */
public final class ProtocolBench {

    private ProtocolBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: ProtocolBench fill|imap|pop3|smtp|idle ... (see the class comment)");
            System.exit(2);
        }
        switch (args[0]) {
            case "fill" -> fill(Path.of(args[1]), Integer.parseInt(args[2]));
            case "imap", "pop3" -> {
                Target t = new Target(args[1], args[2], Integer.parseInt(args[3]), users(args[4]), args[5]);
                int conc = Integer.parseInt(args[6]);
                Scenario s = args[0].equals("imap") ? ProtocolBench::imapSession : ProtocolBench::pop3Session;
                Result r = load(t, s, conc, Integer.parseInt(args[7]), Integer.parseInt(args[8]));
                r.print(args[0].toUpperCase(Locale.ROOT), t.label, conc, "sessions/s", "session");
            }
            case "smtp" -> smtp(args);
            case "idle" -> idle(args);
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
    }

    // ---- messages --------------------------------------------------------------------------------------------------

    /** A plain-text message of about 4 KB with CRLF line ends; n makes headers differ. */
    static byte[] message(int n) {
        StringBuilder sb = new StringBuilder(4300);
        sb.append("Return-Path: <sender").append(n % 53).append("@example.net>\r\n")
                .append("From: Sender ").append(n % 53).append(" <sender").append(n % 53)
                .append("@example.net>\r\n")
                .append("To: Alice Example <alice@example.org>\r\n")
                .append("Cc: team@example.org\r\n")
                .append("Subject: Benchmark message number ").append(n).append(" about the quarterly numbers\r\n")
                .append("Date: Tue, 03 Mar 2026 10:").append(String.format("%02d", n % 60)).append(":00 +0100\r\n")
                .append("Message-ID: <").append(n).append(".").append(System.nanoTime() % 100000)
                .append("@bench.example.net>\r\n")
                .append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Transfer-Encoding: 7bit\r\n\r\n");
        int line = 0;
        while (sb.length() < 4000) {
            sb.append("Line ").append(line++).append(" of a plain benchmark body; seventy-odd octets of text here.\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes COUNT messages into DIR/cur as a Maildir delivery agent would (Dovecot's name format, seen). */
    static void fill(Path dir, int count) throws IOException {
        for (String d : new String[]{"cur", "new", "tmp"}) {
            Files.createDirectories(dir.resolve(d));
        }
        long now = System.currentTimeMillis() / 1000 - count;
        for (int i = 0; i < count; i++) {
            byte[] m = message(i);
            String name = (now + i) + ".M" + i + "P1Q" + i + ".bench,S=" + m.length + ",W=" + m.length + ":2,S";
            Path f = dir.resolve("cur").resolve(name);
            Files.write(f, m);
            Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(now + i, TimeUnit.SECONDS));
        }
        System.out.println("filled " + dir + " with " + count + " messages");
    }

    static List<String> users(String spec) {
        Matcher m = Pattern.compile("(.*)@(.*)\\*(\\d+)").matcher(spec);
        if (m.matches()) {
            List<String> u = new ArrayList<>();
            for (int i = 1; i <= Integer.parseInt(m.group(3)); i++) {
                u.add(m.group(1) + i + "@" + m.group(2));
            }
            return u;
        }
        return List.of(spec.split(","));
    }

    // ---- measurement -----------------------------------------------------------------------------------------------

    record Target(String label, String host, int port, List<String> users, String password) {
    }

    /** Latencies per step of one client thread; merged at the end. */
    static final class Recorder {
        final Map<String, long[]> data = new LinkedHashMap<>();
        final Map<String, Integer> sizes = new HashMap<>();
        boolean on;

        void add(String name, long nanos) {
            if (!on) {
                return;
            }
            long[] a = data.computeIfAbsent(name, k -> new long[1024]);
            int n = sizes.getOrDefault(name, 0);
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
                data.put(name, a);
            }
            a[n] = nanos;
            sizes.put(name, n + 1);
        }

        long[] get(String name) {
            return Arrays.copyOf(data.get(name), sizes.get(name));
        }
    }

    /** Times one step: {@code t.step("LOGIN", () -> ...)}. */
    interface Step {
        void run() throws IOException;
    }

    static void timed(Recorder r, String name, Step s) throws IOException {
        long t0 = System.nanoTime();
        s.run();
        r.add(name, System.nanoTime() - t0);
    }

    interface Scenario {
        /** One session (or message) of client {@code client}; records its steps and "session" overall. */
        void run(Target t, int client, Recorder r) throws IOException;
    }

    static final class Result {
        final Map<String, List<long[]>> parts = new LinkedHashMap<>();
        long done;
        long errors;
        String firstError;
        double seconds;
        String extra = "";

        void print(String scenario, String label, int conc, String unit, String whole) {
            System.out.printf(Locale.ROOT, "%s %s c=%d: %d done in %.1f s, %d errors%s%n", scenario, label, conc, done,
                    seconds, errors, firstError == null ? "" : " (first: " + firstError + ")");
            if (!parts.containsKey(whole)) {
                System.out.printf(Locale.ROOT, "| %s | %s | %d | %s | 0 %s | 0 | | | | | %d (%s) |%n", scenario, label,
                        conc, whole, unit, errors, firstError);
            }
            for (var e : parts.entrySet()) {
                long[] all = e.getValue().stream().flatMapToLong(Arrays::stream).sorted().toArray();
                if (all.length == 0) {
                    continue;
                }
                String rate = e.getKey().equals(whole)
                        ? String.format(Locale.ROOT, "%.1f %s", done / seconds, unit) : "";
                // | scenario | server | concurrency | step | rate | count | p50 | p90 | p99 | max | errors |
                System.out.printf(Locale.ROOT, "| %s | %s | %d | %s | %s | %d | %s | %s | %s | %s | %s |%n", scenario,
                        label, conc, e.getKey(), rate, all.length, ms(pct(all, 50)), ms(pct(all, 90)),
                        ms(pct(all, 99)), ms(all[all.length - 1]),
                        e.getKey().equals(whole) ? errors + extra : "");
            }
        }
    }

    static long pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static String ms(long nanos) {
        double v = nanos / 1e6;
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Runs CONC client threads in a closed loop: WARMUP seconds unrecorded, then SECONDS recorded. */
    static Result load(Target t, Scenario s, int conc, int warmup, int seconds) throws InterruptedException {
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
        long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        String[] firstError = new String[1];
        Recorder[] recs = new Recorder[conc];
        Thread[] threads = new Thread[conc];
        for (int i = 0; i < conc; i++) {
            int client = i;
            recs[i] = new Recorder();
            threads[i] = new Thread(() -> {
                Recorder r = recs[client];
                while (true) {
                    long now = System.nanoTime();
                    if (now >= end) {
                        return;
                    }
                    r.on = now >= measureFrom;
                    try {
                        s.run(t, client, r);
                        if (r.on && System.nanoTime() <= end) {
                            done.incrementAndGet();
                        }
                    } catch (IOException | RuntimeException e) {
                        if (r.on) {
                            errors.incrementAndGet();
                        }
                        synchronized (firstError) {
                            if (firstError[0] == null) {
                                firstError[0] = e.toString();
                            }
                        }
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException ie) {
                            return;
                        }
                    }
                }
            }, "client-" + i);
            threads[i].start();
        }
        for (Thread th : threads) {
            th.join();
        }
        Result res = new Result();
        res.done = done.get();
        res.errors = errors.get();
        res.firstError = firstError[0];
        res.seconds = seconds;
        for (Recorder r : recs) {
            for (String name : r.data.keySet()) {
                res.parts.computeIfAbsent(name, k -> new ArrayList<>()).add(r.get(name));
            }
        }
        return res;
    }

    // ---- a line-oriented connection -----------------------------------------------------------------------------

    static final class Conn implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        long bytesIn;

        Conn(String host, int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(120_000);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            in = new BufferedInputStream(socket.getInputStream(), 65536);
            out = new BufferedOutputStream(socket.getOutputStream(), 8192);
        }

        String readLine() throws IOException {
            StringBuilder sb = new StringBuilder(128);
            int prev = -1;
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new EOFException("connection closed after: " + sb);
                }
                bytesIn++;
                if (c == '\n' && prev == '\r') {
                    sb.setLength(sb.length() - 1);
                    return sb.toString();
                }
                sb.append((char) c);
                prev = c;
            }
        }

        void skip(long n) throws IOException {
            byte[] buf = new byte[8192];
            while (n > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, n));
                if (r < 0) {
                    throw new EOFException("connection closed inside a literal");
                }
                n -= r;
                bytesIn += r;
            }
        }

        void send(String line) throws IOException {
            out.write(line.getBytes(StandardCharsets.US_ASCII));
            out.write('\r');
            out.write('\n');
            out.flush();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    // ---- IMAP ------------------------------------------------------------------------------------------------------

    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)\\+?}$");
    private static final Pattern UID = Pattern.compile("^\\* \\d+ FETCH .*?\\bUID (\\d+)");
    private static final Pattern EXISTS = Pattern.compile("^\\* (\\d+) EXISTS");

    /** Sends a command and reads until its tagged answer, which must be OK; returns the untagged lines. */
    static List<String> imap(Conn c, String tag, String command) throws IOException {
        c.send(tag + " " + command);
        return imapResponse(c, tag, command);
    }

    static List<String> imapResponse(Conn c, String tag, String command) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = c.readLine();
            // a line with literals: consume each literal and the rest of the line
            StringBuilder whole = new StringBuilder(line);
            Matcher m = LITERAL.matcher(line);
            while (m.find()) {
                c.skip(Long.parseLong(m.group(1)));
                line = c.readLine();
                whole.append("<lit>").append(line);
                m = LITERAL.matcher(line);
            }
            String w = whole.toString();
            if (w.startsWith(tag + " ")) {
                if (!w.startsWith(tag + " OK")) {
                    throw new IOException(command.split(" ")[0] + " failed: " + w);
                }
                return lines;
            }
            lines.add(w);
        }
    }

    /** Reads the server's greeting, which must start with {@code expected}. */
    static void greeting(Conn c, String expected) throws IOException {
        String g = c.readLine();
        if (!g.startsWith(expected)) {
            throw new IOException("greeting: " + g);
        }
    }

    static void imapSession(Target t, int client, Recorder r) throws IOException {
        long s0 = System.nanoTime();
        String user = t.users.get(client % t.users.size());
        try (Conn c = new Conn(t.host, t.port)) {
            timed(r, "connect+greeting", () -> greeting(c, "* OK"));
            timed(r, "LOGIN", () -> imap(c, "a1", "LOGIN \"" + user + "\" \"" + t.password + "\""));
            int[] exists = new int[1];
            timed(r, "SELECT", () -> {
                for (String l : imap(c, "a2", "SELECT INBOX")) {
                    Matcher m = EXISTS.matcher(l);
                    if (m.find()) {
                        exists[0] = Integer.parseInt(m.group(1));
                    }
                }
            });
            List<Long> uids = new ArrayList<>();
            timed(r, "FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)", () -> {
                if (exists[0] == 0) {
                    return;
                }
                for (String l : imap(c, "a3", "FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)")) {
                    Matcher m = UID.matcher(l);
                    if (m.find()) {
                        uids.add(Long.parseLong(m.group(1)));
                    }
                }
            });
            if (uids.size() != exists[0]) {
                throw new IOException("FETCH returned " + uids.size() + " UIDs for " + exists[0] + " messages");
            }
            for (int i = 0; i < 3 && !uids.isEmpty(); i++) {
                long uid = uids.get(ThreadLocalRandom.current().nextInt(uids.size()));
                long before = c.bytesIn;
                timed(r, "UID FETCH uid BODY.PEEK[]", () -> imap(c, "b" + uid, "UID FETCH " + uid + " BODY.PEEK[]"));
                if (c.bytesIn - before < 4000) {
                    throw new IOException("UID FETCH " + uid + " returned only " + (c.bytesIn - before) + " bytes");
                }
            }
            timed(r, "LOGOUT", () -> imap(c, "z", "LOGOUT"));
        }
        r.add("session", System.nanoTime() - s0);
    }

    // ---- POP3 ------------------------------------------------------------------------------------------------------

    static String pop(Conn c, String command) throws IOException {
        c.send(command);
        String l = c.readLine();
        if (!l.startsWith("+OK")) {
            throw new IOException(command.split(" ")[0] + " failed: " + l);
        }
        return l;
    }

    /** Reads a multi-line answer up to the lone dot; returns its lines (dot-stuffing not undone). */
    static List<String> popMulti(Conn c) throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String l = c.readLine();
            if (l.equals(".")) {
                return lines;
            }
            lines.add(l);
        }
    }

    static void pop3Session(Target t, int client, Recorder r) throws IOException {
        long s0 = System.nanoTime();
        String user = t.users.get(client % t.users.size());
        try (Conn c = new Conn(t.host, t.port)) {
            timed(r, "connect+greeting", () -> greeting(c, "+OK"));
            timed(r, "USER+PASS", () -> {
                pop(c, "USER " + user);
                pop(c, "PASS " + t.password);
            });
            List<String> list = new ArrayList<>();
            timed(r, "LIST", () -> {
                pop(c, "LIST");
                list.addAll(popMulti(c));
            });
            for (String entry : list) {
                String n = entry.split(" ")[0];
                timed(r, "RETR", () -> {
                    pop(c, "RETR " + n);
                    if (popMulti(c).size() < 40) {
                        throw new IOException("RETR " + n + " too short");
                    }
                });
            }
            timed(r, "QUIT", () -> pop(c, "QUIT"));
        }
        r.add("session", System.nanoTime() - s0);
    }

    // ---- SMTP ------------------------------------------------------------------------------------------------------

    /** Reads a (possibly multi-line) reply and checks its code class. */
    static String smtpReply(Conn c, char expect, String what) throws IOException {
        while (true) {
            String l = c.readLine();
            if (l.length() < 4 || l.charAt(3) != '-') {
                if (l.isEmpty() || l.charAt(0) != expect) {
                    throw new IOException(what + ": " + l);
                }
                return l;
            }
        }
    }

    static void smtpMessage(Target t, String rcpt, Recorder r, byte[] body) throws IOException {
        long s0 = System.nanoTime();
        try (Conn c = new Conn(t.host, t.port)) {
            timed(r, "connect+greeting", () -> smtpReply(c, '2', "greeting"));
            timed(r, "EHLO", () -> {
                c.send("EHLO client.example.net");
                smtpReply(c, '2', "EHLO");
            });
            timed(r, "MAIL FROM", () -> {
                c.send("MAIL FROM:<sender@example.net>");
                smtpReply(c, '2', "MAIL");
            });
            timed(r, "RCPT TO", () -> {
                c.send("RCPT TO:<" + rcpt + ">");
                smtpReply(c, '2', "RCPT");
            });
            timed(r, "DATA (354 to 250)", () -> {
                c.send("DATA");
                smtpReply(c, '3', "DATA");
                c.out.write(body);
                c.out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
                c.out.flush();
                smtpReply(c, '2', "end of data");
            });
            timed(r, "QUIT", () -> {
                c.send("QUIT");
                smtpReply(c, '2', "QUIT");
            });
        }
        r.add("message", System.nanoTime() - s0);
    }

    static long countMessages(Path maildir) throws IOException {
        long n = 0;
        for (String d : new String[]{"new", "cur"}) {
            Path p = maildir.resolve(d);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    n += s.count();
                }
            }
        }
        return n;
    }

    static void smtp(String[] args) throws Exception {
        List<String> rcpts = users(args[4]);
        Target t = new Target(args[1], args[2], Integer.parseInt(args[3]), rcpts, "");
        int conc = Integer.parseInt(args[5]);
        // MAILDIR may name the recipient's local part as %n: every recipient's Maildir is counted
        List<Path> maildirs = new ArrayList<>();
        if (args.length > 8) {
            for (String r : rcpts) {
                Path p = Path.of(args[8].replace("%n", r.substring(0, r.indexOf('@'))));
                if (!maildirs.contains(p)) {
                    maildirs.add(p);
                }
            }
        }
        long before = countMessages(maildirs);
        AtomicLong sent = new AtomicLong();
        long t0 = System.nanoTime();
        Result r = load(t, (tt, client, rec) -> {
            smtpMessage(tt, rcpts.get(client % rcpts.size()), rec,
                    message(ThreadLocalRandom.current().nextInt(100000)));
            sent.incrementAndGet();
        }, conc, Integer.parseInt(args[6]), Integer.parseInt(args[7]));
        long lastAccepted = System.nanoTime();
        if (!maildirs.isEmpty()) {
            long want = before + sent.get();
            long have = countMessages(maildirs);
            while (have < want && System.nanoTime() - lastAccepted < TimeUnit.SECONDS.toNanos(300)) {
                Thread.sleep(20);
                have = countMessages(maildirs);
            }
            long delivered = System.nanoTime();
            r.extra = String.format(Locale.ROOT, "; in the Maildir%s: %d of %d accepted (warm-up included), the last "
                            + "%.1f s after the last 250: %.0f messages/s end to end", maildirs.size() > 1 ? "s" : "",
                    have - before, sent.get(), (delivered - lastAccepted) / 1e9,
                    (have - before) / ((delivered - t0) / 1e9));
        }
        r.print(rcpts.size() > 1 ? "SMTP to " + rcpts.size() + " mailboxes" : "SMTP", t.label, conc, "messages/s",
                "message");
    }

    static long countMessages(List<Path> maildirs) throws IOException {
        long n = 0;
        for (Path p : maildirs) {
            n += countMessages(p);
        }
        return n;
    }

    // ---- idle sessions and memory -----------------------------------------------------------------------------

    record Mem(int processes, long threads, long rssKb, long pssKb) {
    }

    static Mem memory(List<Long> roots, boolean tree) throws IOException {
        List<Long> pids = new ArrayList<>(roots);
        if (tree) {
            Map<Long, List<Long>> children = new HashMap<>();
            try (Stream<Path> s = Files.list(Path.of("/proc"))) {
                for (Path p : s.toList()) {
                    String name = p.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    try {
                        String stat = Files.readString(p.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        children.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>())
                                .add(Long.parseLong(name));
                    } catch (IOException gone) {
                        // the process ended meanwhile
                    }
                }
            }
            for (int i = 0; i < pids.size(); i++) {
                pids.addAll(children.getOrDefault(pids.get(i), List.of()));
            }
        }
        long rss = 0;
        long pss = 0;
        long threads = 0;
        int n = 0;
        for (long pid : pids) {
            try {
                List<String> status = Files.readAllLines(Path.of("/proc/" + pid + "/status"));
                rss += field(status, "VmRSS:");
                threads += field(status, "Threads:");
                pss += field(Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup")), "Pss:");
                n++;
            } catch (IOException gone) {
                // the process ended meanwhile
            }
        }
        return new Mem(n, threads, rss, pss);
    }

    static long field(List<String> lines, String name) {
        for (String l : lines) {
            if (l.startsWith(name)) {
                return Long.parseLong(l.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        return 0;
    }

    static void idle(String[] args) throws Exception {
        Target t = new Target(args[1], args[2], Integer.parseInt(args[3]), users(args[4]), args[5]);
        int n = Integer.parseInt(args[6]);
        List<Long> roots = Stream.of(args[7].split(",")).map(Long::parseLong).toList();
        boolean tree = args.length > 8 && args[8].equals("tree");
        Mem before = memory(roots, tree);
        List<Conn> conns = new ArrayList<>(n);
        long t0 = System.nanoTime();
        String failure = null;
        try {
            for (int i = 0; i < n; i++) {
                Conn c = new Conn(t.host, t.port);
                conns.add(c);
                String g = c.readLine();
                if (!g.startsWith("* OK")) {
                    throw new IOException("greeting: " + g);
                }
                imap(c, "a", "LOGIN \"" + t.users.get(i % t.users.size()) + "\" \"" + t.password + "\"");
                imap(c, "b", "SELECT INBOX");
                c.send("c IDLE");
                String l = c.readLine();
                if (!l.startsWith("+")) {
                    throw new IOException("IDLE: " + l);
                }
            }
        } catch (IOException e) {
            failure = "after " + conns.size() + " connections: " + e;
            System.out.println("idle: failed " + failure);
        }
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(10_000);
        Mem after = memory(roots, tree);
        String hook = System.getenv("BENCH_IDLE_HOOK");
        if (hook != null && !hook.isBlank()) {
            // e.g. a heap summary or thread dump of the server while the sessions are held
            new ProcessBuilder("sh", "-c", hook).inheritIO().start().waitFor();
        }
        int ok = 0;
        for (Conn c : conns) {
            try {
                c.send("DONE");
                imapResponse(c, "c", "IDLE");
                ok++;
            } catch (IOException e) {
                if (failure == null) {
                    failure = "DONE: " + e;
                }
            }
        }
        for (Conn c : conns) {
            try {
                imap(c, "z", "LOGOUT");
            } catch (IOException ignored) {
                // counted by the DONE check already
            }
            c.close();
        }
        int held = conns.size() - (failure != null && failure.startsWith("after") ? 1 : 0);
        // | server | sessions asked | held in IDLE, answered DONE | open time | processes (threads) | RSS before ->
        //   after | PSS before -> after | per session (RSS, PSS) |
        System.out.printf(Locale.ROOT, "| %s | %d | %d, %d | %.1f s | %d (%d) -> %d (%d) | %.0f -> %.0f MB | "
                        + "%.0f -> %.0f MB | %.1f KB | %.1f KB |%s%n",
                t.label, n, held, ok, openSeconds, before.processes, before.threads, after.processes, after.threads,
                before.rssKb / 1024.0,
                after.rssKb / 1024.0, before.pssKb / 1024.0, after.pssKb / 1024.0,
                held == 0 ? 0.0 : (after.rssKb - before.rssKb) / (double) held,
                held == 0 ? 0.0 : (after.pssKb - before.pssKb) / (double) held,
                failure == null ? "" : " " + failure + " |");
    }
}
