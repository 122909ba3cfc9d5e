package io.pillarbox.pop3;

import io.netty.channel.Channel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Streams one message to the client in chunks on the worker, never holding more than a chunk: it writes while the
 * channel is writable and otherwise parks itself in {@code parked}, from where the session resubmits it to the
 * worker when the channel becomes writable again (or closes). No thread waits for a slow reader.
 */
final class ContentStreamer implements Runnable {

    private final Channel ch;
    private final InputStream in;
    private final DotStuffer stuffer;
    private final byte[] buf;
    private final AtomicReference<Runnable> parked;
    private final Consumer<Throwable> done;

    ContentStreamer(Channel ch, InputStream in, DotStuffer stuffer, int chunkSize, AtomicReference<Runnable> parked,
                    Consumer<Throwable> done) {
        this.ch = ch;
        this.in = in;
        this.stuffer = stuffer;
        this.buf = new byte[chunkSize];
        this.parked = parked;
        this.done = done;
    }

    /** Resubmits a parked streamer; called by the session when the channel's writability changes or it closes. */
    static void resume(AtomicReference<Runnable> parked, Executor worker) {
        Runnable r = parked.getAndSet(null);
        if (r != null) {
            worker.execute(r);
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                if (!ch.isActive()) {
                    finish(new ClosedChannelException());
                    return;
                }
                if (!ch.isWritable()) {
                    parked.set(this);
                    // the channel may have become writable (or closed) before we parked: then nobody resumes us
                    if ((ch.isWritable() || !ch.isActive()) && parked.compareAndSet(this, null)) {
                        continue;
                    }
                    return;
                }
                int n = stuffer.finished() ? -1 : in.read(buf);
                if (n < 0) {
                    ch.writeAndFlush(stuffer.finish(ch.alloc()));
                    finish(null);
                    return;
                }
                if (n > 0) {
                    ch.writeAndFlush(stuffer.feed(ch.alloc(), buf, 0, n));
                }
            }
        } catch (IOException | RuntimeException e) {
            finish(e);
        }
    }

    private void finish(Throwable failure) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
        done.accept(failure);
    }
}
