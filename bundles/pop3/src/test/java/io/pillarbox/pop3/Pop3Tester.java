package io.pillarbox.pop3;

import io.pillarbox.testkit.TestConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayOutputStream;
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
 * Drives one POP3 session in an {@link EmbeddedChannel} as a protocol script: client lines in, the server's lines
 * out, checked against patterns. The worker is a queue this class runs on the test thread; answers of the real
 * authenticator (which completes on its own threads) come back through that queue.
 */
final class Pop3Tester implements AutoCloseable {

    final EmbeddedChannel ch;
    final TestConnection conn;
    final Pop3Session session;
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    /** Makes the worker refuse tasks, as an overloaded pool does. */
    volatile boolean rejectWork;

    Pop3Tester(Pop3Server server) {
        this(server, c -> {
        });
    }

    Pop3Tester(Pop3Server server, Consumer<TestConnection> setup) {
        conn = new TestConnection("pop3", 110, r -> {
            if (rejectWork) {
                throw new java.util.concurrent.RejectedExecutionException("test: worker full");
            }
            tasks.add(r);
        });
        setup.accept(conn);
        ch = new EmbeddedChannel();
        conn.channel = ch;
        session = Pop3Protocol.install(ch, conn, server);
        settle();
    }

    /** Runs worker and event-loop tasks until the session waits for the client. */
    void settle() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            boolean did = false;
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
                did = true;
            }
            ch.runPendingTasks();
            if (!did && tasks.isEmpty() && session.idle()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("session does not settle");
            }
            if (!did) {
                try {
                    r = tasks.poll(10, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                if (r != null) {
                    r.run();
                }
            }
        }
    }

    /** Sends raw text (no CRLF added). */
    void write(String raw) {
        write(raw.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] raw) {
        ch.writeInbound(Unpooled.wrappedBuffer(raw));
        settle();
    }

    /** Everything the server wrote since the last call, as octets. */
    byte[] outputBytes() {
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            pending.writeBytes(a);
            b.release();
        }
        byte[] out = pending.toByteArray();
        pending.reset();
        return out;
    }

    String output() {
        return new String(outputBytes(), StandardCharsets.UTF_8);
    }

    /** Sends a line and returns the complete output. */
    String send(String line) {
        write(line + "\r\n");
        return output();
    }

    /** Sends a line and returns the complete output as octets. */
    byte[] outputBytesOf(String line) {
        write(line + "\r\n");
        return outputBytes();
    }

    /** Sends a client line and checks the server's lines against regular expressions, one per line, and no more. */
    List<String> expect(String clientLine, String... patterns) {
        return check(clientLine, send(clientLine), patterns);
    }

    /** Checks the output so far. */
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
        expect("USER " + user, "\\+OK");
        expect("PASS " + password, "\\+OK Logged in.*");
    }

    @Override
    public void close() {
        ch.finishAndReleaseAll();
        settle();
    }
}
