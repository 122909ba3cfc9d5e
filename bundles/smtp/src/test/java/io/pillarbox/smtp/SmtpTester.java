package io.pillarbox.smtp;

import io.pillarbox.testkit.TestConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Drives one SMTP/LMTP session in an {@link EmbeddedChannel}: the worker is a queue run on the test thread (other
 * threads, such as the authenticator's, may add to it), so the event loop stays single-threaded.
 */
final class SmtpTester implements AutoCloseable {

    final EmbeddedChannel ch;
    final TestConnection conn;
    final SmtpSession session;
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final StringBuilder pending = new StringBuilder();

    SmtpTester(SmtpServer server, String protocol, Consumer<TestConnection> setup) {
        conn = new TestConnection(protocol, "lmtp".equals(protocol) ? 24 : 25, tasks::add);
        setup.accept(conn);
        ch = new EmbeddedChannel();
        conn.channel = ch;
        session = server.install(ch, conn);
        settle();
    }

    /** Runs worker and event-loop tasks until nothing is left and the session waits for nothing. */
    void settle() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            boolean did = false;
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
                did = true;
            }
            ch.runPendingTasks();
            if (!did && tasks.isEmpty() && !session.busy()) {
                return;
            }
            if (!did) {
                try {
                    Runnable next = tasks.poll(50, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        next.run();
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }
        fail("session does not settle");
    }

    void write(String raw) {
        write(raw.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] raw) {
        ch.writeInbound(Unpooled.wrappedBuffer(raw));
        settle();
    }

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

    List<String> expect(String clientLine, String... patterns) {
        write(clientLine + "\r\n");
        return check(clientLine, output(), patterns);
    }

    List<String> expectRaw(String raw, String... patterns) {
        write(raw);
        return check(raw.length() > 60 ? raw.substring(0, 60) + "..." : raw, output(), patterns);
    }

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

    @Override
    public void close() {
        ch.finishAndReleaseAll();
        settle();
    }
}
