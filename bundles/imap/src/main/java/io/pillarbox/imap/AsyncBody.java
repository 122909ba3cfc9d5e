package io.pillarbox.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A large literal's octets for the {@link ChunkedWriteHandler}: the message content is opened only when the literal's
 * turn comes, and read on the worker one 64 KB chunk ahead of what the client has taken. While the client does not
 * read, nothing is read and no thread waits: the handler asks for the next chunk when the channel is writable again.
 */
final class AsyncBody implements ChunkedInput<ByteBuf> {

    /** Opens the content (on the worker). */
    interface Opener {
        InputStream open() throws IOException;
    }

    static final int CHUNK = 64 * 1024;

    private final Opener opener;
    private final long size;
    private final Executor worker;
    private final Channel ch;
    // the fields below are touched on the event loop only, except `in`, used by one worker read at a time
    private InputStream in;
    private long produced;
    private long requested;
    private ByteBuf ready;
    private boolean reading;
    private boolean closed;
    private Exception failure;

    AsyncBody(Opener opener, long size, Executor worker, Channel ch) {
        this.opener = opener;
        this.size = size;
        this.worker = worker;
        this.ch = ch;
    }

    @Override
    public boolean isEndOfInput() {
        return produced >= size;
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
        if (failure != null) {
            throw failure;
        }
        ByteBuf b = ready;
        if (b != null) {
            ready = null;
            produced += b.readableBytes();
        }
        fetch();
        return b;
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(io.netty.channel.ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    /** Starts reading the next chunk on the worker, unless one is on its way or all are read. */
    private void fetch() {
        if (reading || ready != null || closed || requested >= size) {
            return;
        }
        int n = (int) Math.min(CHUNK, size - requested);
        requested += n;
        reading = true;
        try {
            worker.execute(() -> read(n));
        } catch (RejectedExecutionException e) {
            reading = false;
            failure = e;
            ch.close();
        }
    }

    private void read(int n) {
        ByteBuf b = ch.alloc().buffer(n);
        Exception err = null;
        try {
            if (in == null) {
                in = opener.open();
            }
            while (b.readableBytes() < n) {
                int r = b.writeBytes(in, n - b.readableBytes());
                if (r < 0) {
                    // content shorter than announced: pad, so that the literal never lies about its length
                    b.writeZero(n - b.readableBytes());
                }
            }
        } catch (IOException | RuntimeException e) {
            err = e;
        }
        Exception failed = err;
        try {
            ch.eventLoop().execute(() -> arrived(b, failed));
        } catch (RejectedExecutionException e) {
            b.release();
        }
    }

    private void arrived(ByteBuf b, Exception err) {
        reading = false;
        if (closed || err != null) {
            b.release();
            if (err != null && !closed) {
                failure = err;
                ch.close(); // half a literal cannot be taken back
            }
            return;
        }
        ready = b;
        ChunkedWriteHandler h = ch.pipeline().get(ChunkedWriteHandler.class);
        if (h != null) {
            h.resumeTransfer();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (ready != null) {
            ready.release();
            ready = null;
        }
        InputStream s = in;
        if (s != null) {
            Runnable r = () -> {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            };
            try {
                worker.execute(r);
            } catch (RejectedExecutionException e) {
                r.run();
            }
        }
    }

    @Override
    public long length() {
        return size;
    }

    @Override
    public long progress() {
        return produced;
    }
}
