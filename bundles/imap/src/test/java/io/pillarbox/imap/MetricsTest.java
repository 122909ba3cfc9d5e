package io.pillarbox.imap;

import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.RecordingMetrics;
import io.pillarbox.testkit.TestConnection;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {

    final TestAuth auth = new TestAuth(Map.of("alice", "secret"));
    final RecordingMetrics metrics = new RecordingMetrics();
    final AtomicReference<MailMetrics> current = new AtomicReference<>(metrics);

    ImapServer server() {
        return new ImapServer(ImapSettings.defaults(), auth, auth, new TestStores(new MemoryMailStore()),
                new RecentTracker(), ImapServer.newTrace(), current::get);
    }

    static String msg(String subject) {
        return "Subject: " + subject + "\r\n\r\nbody\r\n";
    }

    static int octets(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void everyCommandIsTimedUnderItsNameAndAppendsAreCounted() throws Exception {
        ImapTester t = new ImapTester(server());
        t.login("alice", "secret");
        String m1 = msg("one");
        String m2 = msg("two");
        String m3 = msg("three");
        t.write("a1 APPEND INBOX {" + octets(m1) + "+}\r\n");
        assertTrue(t.send(m1).contains("a1 OK"));
        // MULTIAPPEND: two messages in one command
        t.write("a2 APPEND INBOX {" + octets(m2) + "+}\r\n" + m2 + " {" + octets(m3) + "+}\r\n");
        assertTrue(t.send(m3).contains("a2 OK"));
        assertEquals(3, metrics.counter("imap", MailMetrics.MESSAGES_RECEIVED));
        // a refused APPEND counts nothing
        assertTrue(t.send("a3 APPEND Nowhere {1+}\r\nx").contains("a3 NO"));
        assertEquals(3, metrics.counter("imap", MailMetrics.MESSAGES_RECEIVED));

        assertTrue(t.send("s1 SELECT INBOX").contains("s1 OK"));
        assertTrue(t.send("f1 FETCH 1 FLAGS").contains("f1 OK"));
        assertTrue(t.send("f2 UID FETCH 1:* (FLAGS UID)").contains("f2 OK"));
        assertTrue(t.send("f3 uid search all").contains("f3 OK"));
        assertTrue(t.send("f4 SEARCH ALL").contains("f4 OK"));
        assertTrue(t.send("f5 UID STORE 1 +FLAGS (\\Seen)").contains("f5 OK"));
        assertTrue(t.send("f6 UID COPY 1 INBOX").contains("f6 OK"));
        assertTrue(t.send("n1 NOOP").contains("n1 OK"));
        assertTrue(t.send("x1 FROBNICATE secret-looking-input").contains("x1 BAD"));
        assertTrue(t.send("x2 UID FROB 1").contains("x2 BAD"));
        assertTrue(t.send("x3 FETCH").contains("x3 BAD")); // known command, malformed: still its name
        assertTrue(t.send("x4").contains("BAD"));
        assertTrue(t.send("l1 LOGOUT").contains("l1 OK"));
        t.close();

        assertEquals(List.of("LOGIN", "APPEND", "APPEND", "APPEND", "SELECT", "FETCH", "UID FETCH", "UID SEARCH",
                "SEARCH", "UID STORE", "UID COPY", "NOOP", "UNKNOWN", "UNKNOWN", "FETCH", "UNKNOWN", "LOGOUT"),
                metrics.names());
        for (RecordingMetrics.Timed r : metrics.commands) {
            assertEquals("imap", r.protocol());
            assertTrue(r.nanos() > 0, r.toString());
            assertTrue(r.command().equals(MailMetrics.UNKNOWN_COMMAND)
                    || ImapSession.COMMAND_NAMES.contains(r.command()), r.toString());
        }
    }

    @Test
    void commandsRefusedInTheirStateAreTimedToo() {
        ImapTester t = new ImapTester(server());
        assertTrue(t.send("a FETCH 1 FLAGS").contains("a BAD"));
        assertTrue(t.send("b SELECT INBOX").contains("b BAD"));
        t.close();
        assertEquals(List.of("FETCH", "SELECT"), metrics.names());
    }

    @Test
    void idleAndAuthenticateAreTimedFromTheirLastInput() throws Exception {
        ImapTester t = new ImapTester(server());
        t.output();
        assertTrue(t.send("a AUTHENTICATE PLAIN").startsWith("+"));
        Thread.sleep(150); // the client thinking: not the server's latency
        assertTrue(t.send(Base64.getEncoder().encodeToString("\0alice\0secret".getBytes(StandardCharsets.UTF_8)))
                .contains("a OK"));
        assertTrue(t.send("s SELECT INBOX").contains("s OK"));
        assertTrue(t.send("i IDLE").startsWith("+"));
        Thread.sleep(150); // idling
        assertTrue(t.send("DONE").contains("i OK"));
        t.close();
        assertEquals(List.of("AUTHENTICATE", "SELECT", "IDLE"), metrics.names());
        assertTrue(metrics.last("AUTHENTICATE") < 100_000_000L, "from the response: " + metrics.last("AUTHENTICATE"));
        assertTrue(metrics.last("IDLE") < 100_000_000L, "from DONE: " + metrics.last("IDLE"));
        assertTrue(metrics.last("IDLE") > 0);
    }

    @Test
    void theMetricsServiceMayComeAndGoWhileASessionRuns() {
        current.set(MailMetrics.NONE);
        ImapTester t = new ImapTester(server());
        t.login("alice", "secret");
        assertTrue(t.send("n1 NOOP").contains("n1 OK"));
        current.set(metrics);
        assertTrue(t.send("n2 NOOP").contains("n2 OK"));
        current.set(MailMetrics.NONE);
        assertTrue(t.send("n3 NOOP").contains("n3 OK"));
        current.set(metrics);
        assertTrue(t.send("n4 CAPABILITY").contains("n4 OK"));
        t.close();
        assertEquals(List.of("NOOP", "CAPABILITY"), metrics.names());
    }

    @Test
    void theProtocolServiceReadsItsDynamicReference() throws Exception {
        ImapProtocol p = new ImapProtocol(auth, auth, new TestStores(new MemoryMailStore()), config());
        assertTrue(p.metrics() == MailMetrics.NONE);
        java.lang.reflect.Field f = ImapProtocol.class.getDeclaredField("metrics");
        f.setAccessible(true);
        f.set(p, metrics);
        assertTrue(p.metrics() == metrics);
        f.set(p, null);
        assertTrue(p.metrics() == MailMetrics.NONE);
    }

    @Test
    void commandsCompletedOnTheWorkerAreTimedToTheirTaggedResponse() throws Exception {
        ImapServer imap = server();
        io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.nio.NioIoHandler.newFactory());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(1);
        // a slow store: every worker task waits 40 ms before it runs
        java.util.concurrent.Executor slow = r -> pool.execute(() -> {
            try {
                Thread.sleep(40);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            r.run();
        });
        io.netty.channel.Channel listener = new io.netty.bootstrap.ServerBootstrap().group(group)
                .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
                .childHandler(new io.netty.channel.ChannelInitializer<io.netty.channel.Channel>() {
                    @Override
                    protected void initChannel(io.netty.channel.Channel ch) {
                        TestConnection c = new TestConnection("imap", 143, slow);
                        c.channel = ch;
                        ImapProtocol.install(ch, c, imap);
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        try (SocketSessionTest.Client c = new SocketSessionTest.Client(
                (java.net.InetSocketAddress) listener.localAddress())) {
            c.line();
            c.out.write("a LOGIN alice secret\r\nb SELECT INBOX\r\nc NOOP\r\nd LOGOUT\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            assertTrue(new String(c.until("d"), StandardCharsets.UTF_8).contains("d OK"));
        } finally {
            listener.close().sync();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
            pool.shutdownNow();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (metrics.names().size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of("LOGIN", "SELECT", "NOOP", "LOGOUT"), metrics.names());
        assertTrue(metrics.last("SELECT") >= 40_000_000L, "SELECT waited for the worker: " + metrics.last("SELECT"));
        assertTrue(metrics.last("NOOP") >= 40_000_000L, "NOOP waited for the worker: " + metrics.last("NOOP"));
    }

    static ImapConfig config() {
        return (ImapConfig) java.lang.reflect.Proxy.newProxyInstance(ImapConfig.class.getClassLoader(),
                new Class<?>[] {ImapConfig.class}, (proxy, m, args) -> m.getDefaultValue());
    }
}
