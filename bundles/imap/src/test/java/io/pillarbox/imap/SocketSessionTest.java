package io.pillarbox.imap;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestConnection;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole sessions over a real loopback socket, with a real event loop and a worker pool: threads for real. */
class SocketSessionTest {

    @TempDir
    Path spool;
    EventLoopGroup group;
    ExecutorService worker;
    Channel server;

    @BeforeEach
    void start() throws Exception {
        TestAuth auth = new TestAuth(Map.of("alice", "secret"));
        ImapServer imap = new ImapServer(ImapSettings.defaults().withSpool(4096, spool), auth, auth,
                new TestStores(new MemoryMailStore()), new RecentTracker());
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        // one worker thread: a test fails if a session holds it while waiting for its client
        worker = Executors.newFixedThreadPool(1);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        TestConnection c = new TestConnection("imap", 143, worker);
                        c.channel = ch;
                        ImapProtocol.install(ch, c, imap);
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void stop() throws Exception {
        server.close().sync();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        worker.shutdownNow();
    }

    /** A tiny IMAP client: sends lines, reads responses (literals included) up to the tagged one. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Client(InetSocketAddress addr) throws IOException {
            socket = new Socket(addr.getAddress(), addr.getPort());
            socket.setSoTimeout(10000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                b.write(c);
                if (c == '\n') {
                    break;
                }
            }
            return b.toString(StandardCharsets.UTF_8);
        }

        /** One response, with the octets of its literals, up to a line starting with {@code tag}. */
        byte[] until(String tag) throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            while (true) {
                String l = line();
                if (l.isEmpty()) {
                    throw new IOException("connection closed; got " + all);
                }
                all.writeBytes(l.getBytes(StandardCharsets.UTF_8));
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{(\\d+)\\}\r\n$").matcher(l);
                if (m.find()) {
                    all.writeBytes(in.readNBytes(Integer.parseInt(m.group(1))));
                    continue;
                }
                if (l.startsWith(tag + " ")) {
                    return all.toByteArray();
                }
            }
        }

        String cmd(String tag, String rest) throws IOException {
            send(tag + " " + rest + "\r\n");
            return new String(until(tag), StandardCharsets.UTF_8);
        }

        void send(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void largeMessageIsSpooledAndStreamedBack() throws Exception {
        StringBuilder sb = new StringBuilder("From: a@example.org\r\nSubject: big\r\n\r\n");
        for (int i = 0; sb.length() < 300_000; i++) {
            sb.append("line ").append(i).append(" of a large message body, to be streamed\r\n");
        }
        byte[] msg = sb.toString().getBytes(StandardCharsets.US_ASCII);
        try (Client c = new Client((InetSocketAddress) server.localAddress())) {
            assertTrue(c.line().startsWith("* OK [CAPABILITY IMAP4rev1"));
            assertTrue(c.cmd("a", "LOGIN alice secret").contains("a OK"));
            c.send("b APPEND INBOX {" + msg.length + "}\r\n");
            assertEquals("+ Ready for literal data\r\n", c.line());
            c.out.write(msg);
            c.send("\r\n");
            assertTrue(new String(c.until("b"), StandardCharsets.UTF_8).contains("b OK [APPENDUID"));
            try (var files = Files.list(spool)) {
                assertEquals(0, files.count(), "spool file left behind");
            }
            c.cmd("s", "SELECT INBOX");
            c.send("f FETCH 1 BODY.PEEK[]\r\n");
            byte[] resp = c.until("f");
            String head = "* 1 FETCH (BODY[] {" + msg.length + "}\r\n";
            byte[] expected = new byte[head.length() + msg.length];
            System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, expected, 0, head.length());
            System.arraycopy(msg, 0, expected, head.length(), msg.length);
            byte[] got = java.util.Arrays.copyOf(resp, expected.length);
            assertArrayEquals(expected, got);
            assertTrue(new String(resp, StandardCharsets.US_ASCII).endsWith(")\r\nf OK FETCH completed\r\n"));
            // a synchronizing literal pipelined behind a streamed body: its continuation comes after the body
            c.send("g FETCH 1 BODY.PEEK[]\r\nh APPEND INBOX {5}\r\n");
            resp = c.until("g");
            assertArrayEquals(expected, java.util.Arrays.copyOf(resp, expected.length));
            assertEquals("+ Ready for literal data\r\n", c.line());
            c.send("hello\r\n");
            assertTrue(new String(c.until("h"), StandardCharsets.US_ASCII).contains("h OK [APPENDUID"));
        }
    }

    @Test
    void pipelinedCommandsAnswerInOrderAndIdleSeesOtherSession() throws Exception {
        InetSocketAddress addr = (InetSocketAddress) server.localAddress();
        try (Client a = new Client(addr); Client b = new Client(addr)) {
            a.line();
            b.line();
            a.send("1 LOGIN alice secret\r\n2 SELECT INBOX\r\n3 NOOP\r\n4 CAPABILITY\r\n5 STATUS INBOX (MESSAGES)\r\n");
            String out = new String(a.until("5"), StandardCharsets.UTF_8);
            int i1 = out.indexOf("1 OK");
            int i2 = out.indexOf("2 OK");
            int i3 = out.indexOf("3 OK");
            int i4 = out.indexOf("4 OK");
            assertTrue(i1 >= 0 && i1 < i2 && i2 < i3 && i3 < i4, out);
            a.send("6 IDLE\r\n");
            assertEquals("+ idling\r\n", a.line());
            assertTrue(b.cmd("x", "LOGIN alice secret").contains("x OK"));
            long t0 = System.nanoTime();
            assertTrue(b.cmd("y", "APPEND INBOX {8+}\r\nSubject:").contains("y OK"));
            assertEquals("* 1 EXISTS\r\n", a.line());
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "IDLE told within a second");
            assertEquals("* 1 RECENT\r\n", a.line());
            a.send("DONE\r\n");
            assertEquals("6 OK IDLE terminated\r\n", a.line());
            assertTrue(a.cmd("7", "LOGOUT").contains("* BYE"));
        }
    }

    /**
     * Several clients change one mailbox at once. Each keeps the message count the server's EXISTS and EXPUNGE
     * responses imply; no EXPUNGE may name a number beyond it, and in the end every client's view matches the
     * mailbox.
     */
    @Test
    void concurrentClientsKeepConsistentViews() throws Exception {
        InetSocketAddress addr = (InetSocketAddress) server.localAddress();
        int clients = 6;
        java.util.List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        java.util.concurrent.CyclicBarrier done = new java.util.concurrent.CyclicBarrier(clients);
        try {
            for (int k = 0; k < clients; k++) {
                int seed = k;
                results.add(pool.submit(() -> {
                    java.util.Random rnd = new java.util.Random(seed);
                    try (Client c = new Client(addr)) {
                        c.line();
                        c.cmd("l", "LOGIN alice secret");
                        int[] count = {0};
                        if (seed % 2 == 1) {
                            c.cmd("q", "ENABLE QRESYNC");
                        }
                        String sel = c.cmd("s", "SELECT INBOX");
                        track(sel, count);
                        for (int i = 0; i < 60; i++) {
                            String out;
                            switch (rnd.nextInt(8)) {
                                case 0 -> out = c.cmd("a" + i, "APPEND INBOX {19+}\r\nSubject: m" + (i % 10)
                                        + "\r\n\r\nbody");
                                case 1 -> out = count[0] == 0 ? c.cmd("n" + i, "NOOP")
                                        : c.cmd("t" + i, "STORE " + (1 + rnd.nextInt(count[0])) + " +FLAGS (\\Deleted)");
                                case 2 -> out = c.cmd("e" + i, "EXPUNGE");
                                case 3 -> out = count[0] == 0 ? c.cmd("n" + i, "NOOP")
                                        : c.cmd("f" + i, "FETCH 1:* (UID FLAGS)");
                                case 5 -> out = count[0] == 0 ? c.cmd("n" + i, "NOOP")
                                        : c.cmd("m" + i, "MOVE " + (1 + rnd.nextInt(count[0])) + " Trash");
                                case 6 -> out = c.cmd("u" + i, "UID EXPUNGE 1:*");
                                default -> out = c.cmd("n" + i, "NOOP");
                            }
                            track(out, count);
                        }
                        done.await(30, java.util.concurrent.TimeUnit.SECONDS);
                        track(c.cmd("z", "NOOP"), count);
                        String all = c.cmd("y", "UID SEARCH ALL");
                        int listed = all.split("\r\n")[0].trim().split(" ").length - 2;
                        assertEquals(count[0], listed, "view of client " + seed + ": " + all);
                        return count[0];
                    }
                }));
            }
            java.util.Set<Integer> counts = new java.util.HashSet<>();
            for (var f : results) {
                counts.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertEquals(1, counts.size(), "all clients see the same number of messages: " + counts);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Applies EXISTS and EXPUNGE responses to a count, checking that EXPUNGE never names an unknown message. */
    static void track(String out, int[] count) {
        for (String l : out.split("\r\n")) {
            String[] w = l.split(" ");
            if (w.length >= 3 && w[0].equals("*") && w[2].equals("EXISTS")) {
                int n = Integer.parseInt(w[1]);
                assertTrue(n >= count[0], "EXISTS may not shrink: " + l);
                count[0] = n;
            } else if (w.length >= 3 && w[0].equals("*") && w[2].equals("EXPUNGE")) {
                int n = Integer.parseInt(w[1]);
                assertTrue(n >= 1 && n <= count[0], "EXPUNGE " + n + " of " + count[0]);
                count[0]--;
            } else if (w.length == 3 && w[0].equals("*") && w[1].equals("VANISHED")) {
                for (String r : w[2].split(",")) {
                    String[] ab = r.split(":");
                    count[0] -= ab.length == 1 ? 1 : Integer.parseInt(ab[1]) - Integer.parseInt(ab[0]) + 1;
                }
                assertTrue(count[0] >= 0, "VANISHED more than known: " + l);
            } else if (w.length >= 4 && w[0].equals("*") && w[2].equals("FETCH")) {
                int n = Integer.parseInt(w[1]);
                assertTrue(n >= 1 && n <= count[0], "FETCH " + n + " of " + count[0]);
            }
        }
    }

    /** Far more pipelined commands than the queue holds: reading pauses and resumes, every one is answered in order. */
    @Test
    void deepPipelineIsAnsweredInOrder() throws Exception {
        try (Client c = new Client((InetSocketAddress) server.localAddress())) {
            c.line();
            StringBuilder sb = new StringBuilder("l LOGIN alice secret\r\ns SELECT INBOX\r\n");
            for (int i = 0; i < 1000; i++) {
                sb.append("n").append(i).append(i % 3 == 0 ? " STATUS INBOX (MESSAGES)\r\n" : " NOOP\r\n");
            }
            c.send(sb.toString());
            String out = new String(c.until("n999"), StandardCharsets.UTF_8);
            int last = -1;
            for (int i = 0; i < 1000; i++) {
                int at = out.indexOf("\r\nn" + i + " OK");
                assertTrue(at > last, "n" + i + " answered out of order");
                last = at;
            }
        }
    }

    /** A client that stops reading in the middle of a large body: the server waits, then finishes when it reads. */
    @Test
    void slowReaderGetsTheWholeBodyLater() throws Exception {
        byte[] msg = new byte[8 << 20];
        byte[] head = "Subject: huge\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, msg, 0, head.length);
        for (int i = head.length; i < msg.length; i++) {
            msg[i] = (byte) ((i % 78 == 76) ? '\r' : (i % 78 == 77) ? '\n' : 'a' + (i % 26));
        }
        try (Client c = new Client((InetSocketAddress) server.localAddress())) {
            c.line();
            c.cmd("l", "LOGIN alice secret");
            c.send("a APPEND INBOX {" + msg.length + "+}\r\n");
            c.out.write(msg);
            c.send("\r\n");
            assertTrue(new String(c.until("a"), StandardCharsets.US_ASCII).contains("a OK"));
            c.cmd("s", "SELECT INBOX");
            c.send("f FETCH 1 BODY.PEEK[]\r\nn NOOP\r\n");
            Thread.sleep(800); // not reading: the server must wait, not buffer 8 MB
            byte[] resp = c.until("f");
            String prefix = "* 1 FETCH (BODY[] {" + msg.length + "}\r\n";
            assertEquals(prefix, new String(resp, 0, prefix.length(), StandardCharsets.US_ASCII));
            assertArrayEquals(msg, java.util.Arrays.copyOfRange(resp, prefix.length(), prefix.length() + msg.length));
            assertTrue(new String(c.until("n"), StandardCharsets.US_ASCII).contains("n OK"));
        }
    }

    /** A client that disconnects in the middle of a large literal leaves no spool file behind. */
    @Test
    void abandonedLiteralLeavesNoSpoolFile() throws Exception {
        try (Client c = new Client((InetSocketAddress) server.localAddress())) {
            c.line();
            c.cmd("l", "LOGIN alice secret");
            c.send("a APPEND INBOX {100000+}\r\n");
            c.out.write(new byte[50000]);
            c.out.flush();
            Thread.sleep(300);
            try (var files = Files.list(spool)) {
                assertEquals(1, files.count(), "the literal is being spooled");
            }
        }
        long deadline = System.currentTimeMillis() + 5000;
        long left;
        do {
            Thread.sleep(50);
            try (var files = Files.list(spool)) {
                left = files.count();
            }
        } while (left > 0 && System.currentTimeMillis() < deadline);
        assertEquals(0, left, "spool file left behind");
    }

    /** While one client does not read a large body, another is served: the waiting costs no worker thread. */
    @Test
    void aStalledReaderHoldsNoWorker() throws Exception {
        byte[] msg = new byte[8 << 20];
        java.util.Arrays.fill(msg, (byte) 'x');
        byte[] head = "Subject: huge\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, msg, 0, head.length);
        InetSocketAddress addr = (InetSocketAddress) server.localAddress();
        try (Client a = new Client(addr); Client b = new Client(addr)) {
            a.line();
            b.line();
            a.cmd("l", "LOGIN alice secret");
            a.send("p APPEND INBOX {" + msg.length + "+}\r\n");
            a.out.write(msg);
            a.send("\r\n");
            a.until("p");
            a.cmd("s", "SELECT INBOX");
            a.send("f FETCH 1 BODY.PEEK[]\r\n"); // and read nothing
            Thread.sleep(300);
            long t0 = System.nanoTime();
            assertTrue(b.cmd("l", "LOGIN alice secret").contains("l OK"));
            assertTrue(b.cmd("s", "SELECT INBOX").contains("s OK"));
            assertTrue(b.cmd("n", "STATUS INBOX (MESSAGES)").contains("MESSAGES 1"));
            assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "the other session waited for the stalled one");
            byte[] resp = a.until("f");
            assertTrue(resp.length > msg.length);
        }
    }

    /** A long FETCH of many messages to a client that does not read gives the worker back until it reads. */
    @Test
    void aStalledReaderOfManyMessagesHoldsNoWorker() throws Exception {
        byte[] body = new byte[20000];
        java.util.Arrays.fill(body, (byte) 'y');
        byte[] head = "Subject: many\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, body, 0, head.length);
        InetSocketAddress addr = (InetSocketAddress) server.localAddress();
        int count = 300;
        try (Client a = new Client(addr); Client b = new Client(addr)) {
            a.line();
            b.line();
            a.cmd("l", "LOGIN alice secret");
            a.send("p APPEND INBOX");
            for (int i = 0; i < count; i++) {
                a.send(" {" + body.length + "+}\r\n");
                a.out.write(body);
            }
            a.send("\r\n");
            assertTrue(new String(a.until("p"), StandardCharsets.US_ASCII).contains("p OK [APPENDUID"));
            a.cmd("s", "SELECT INBOX");
            long suspended = ImapSession.SUSPENSIONS.get();
            a.send("f FETCH 1:* BODY.PEEK[]\r\n"); // about 6 MB, and read nothing
            Thread.sleep(300);
            assertTrue(ImapSession.SUSPENSIONS.get() > suspended, "the FETCH did not wait for the reader");
            long t0 = System.nanoTime();
            assertTrue(b.cmd("l", "LOGIN alice secret").contains("l OK"));
            assertTrue(b.cmd("n", "STATUS INBOX (MESSAGES)").contains("MESSAGES " + count));
            assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "the other session waited for the stalled one");
            String resp = new String(a.until("f"), StandardCharsets.US_ASCII);
            int fetches = resp.split("\\* \\d+ FETCH \\(BODY\\[\\] \\{20000\\}", -1).length - 1;
            assertEquals(count, fetches);
            assertTrue(resp.endsWith("f OK FETCH completed\r\n"), resp.substring(resp.length() - 100));
        }
    }
}
