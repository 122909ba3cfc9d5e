package io.pillarbox.pop2;

import io.pillarbox.testkit.TestConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Drives one POP2 session in an {@link EmbeddedChannel}; the worker is a queue run on the test thread. */
final class Pop2Tester implements AutoCloseable {

    final EmbeddedChannel ch;
    final TestConnection conn;
    final Pop2Session session;
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    Pop2Tester(Pop2Server server, Consumer<TestConnection> setup) {
        conn = new TestConnection("pop2", 109, tasks::add);
        setup.accept(conn);
        ch = new EmbeddedChannel();
        conn.channel = ch;
        session = Pop2Protocol.install(ch, conn, server);
        settle();
    }

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

    void write(String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.UTF_8));
        settle();
    }

    String output() {
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            pending.writeBytes(a);
            b.release();
        }
        String s = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return s;
    }

    String send(String line) {
        write(line + "\r\n");
        return output();
    }

    /** Sends a line and expects exactly this output. */
    void expect(String line, String output) {
        assertEquals(output, send(line), "after " + line);
    }

    @Override
    public void close() {
        ch.finishAndReleaseAll();
        settle();
    }
}
