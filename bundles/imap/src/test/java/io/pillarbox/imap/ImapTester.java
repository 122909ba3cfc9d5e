package io.pillarbox.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pillarbox.testkit.TestConnection;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Drives one IMAP session in an {@link EmbeddedChannel} as a protocol script: a client line in, the server's lines
 * out, checked against patterns. The worker is a queue this class runs on the test thread, so runs are deterministic.
 */
final class ImapTester implements AutoCloseable {

    final EmbeddedChannel ch;
    final TestConnection conn;
    final ImapSession session;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final StringBuilder pending = new StringBuilder();

    ImapTester(ImapServer server) {
        this(server, c -> {
        });
    }

    ImapTester(ImapServer server, java.util.function.Consumer<TestConnection> setup) {
        conn = new TestConnection("imap", 143, tasks::add);
        setup.accept(conn);
        ch = new EmbeddedChannel();
        conn.channel = ch;
        session = ImapProtocol.install(ch, conn, server);
        settle();
    }

    /** Runs worker tasks and event-loop tasks until nothing is left. */
    void settle() {
        for (int i = 0; i < 10000; i++) {
            boolean did = false;
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
                did = true;
            }
            ch.runPendingTasks();
            if (!did && tasks.isEmpty()) {
                return;
            }
        }
        fail("session does not settle");
    }

    /** Sends raw octets (no CRLF added). */
    void write(String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.UTF_8));
        settle();
    }

    void write(byte[] raw) {
        ch.writeInbound(Unpooled.wrappedBuffer(raw));
        settle();
    }

    /** Everything the server wrote since the last call. */
    String output() {
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            pending.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        String s = pending.toString();
        pending.setLength(0);
        return s;
    }

    /** Sends a line and returns the complete output. */
    String send(String line) {
        write(line + "\r\n");
        return output();
    }

    /**
     * Sends a client line and checks the server's lines against regular expressions, one per line, in order, and
     * no more lines than that.
     */
    List<String> expect(String clientLine, String... patterns) {
        String out = send(clientLine);
        return check(clientLine, out, patterns);
    }

    /** Checks the output so far (e.g. after an asynchronous event). */
    List<String> expectNow(String... patterns) {
        return check("(no input)", output(), patterns);
    }

    static List<String> check(String clientLine, String out, String... patterns) {
        List<String> lines = new ArrayList<>(Arrays.asList(out.split("\r\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        if (lines.size() != patterns.length) {
            fail("After " + clientLine + ": expected " + patterns.length + " lines " + Arrays.toString(patterns)
                    + " but got " + lines.size() + ":\n" + out);
        }
        for (int i = 0; i < patterns.length; i++) {
            if (!Pattern.compile(patterns[i], Pattern.DOTALL).matcher(lines.get(i)).matches()) {
                fail("After " + clientLine + ": line " + (i + 1) + " \"" + lines.get(i) + "\" does not match \""
                        + patterns[i] + "\"; whole output:\n" + out);
            }
        }
        return lines;
    }

    void login(String user, String password) {
        String out = send("L1 LOGIN " + user + " " + password);
        assertTrue(out.contains("L1 OK"), out);
    }

    @Override
    public void close() {
        ch.finishAndReleaseAll();
        settle();
    }
}
