package io.pillarbox.queue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.pillarbox.transport.codec.LineDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An SMTP client connection on Netty. The Netty event loop only decodes reply lines into a queue and writes what it
 * is given; the calling (worker) thread waits for replies and write completions with timeouts, so a slow server
 * holds a worker, never an event loop, and a message body is written one bounded chunk at a time.
 */
final class SmtpClient implements AutoCloseable {

    /** The connection failed (closed, reset, timed out) rather than the server replying. */
    static class ConnectionException extends IOException {
        ConnectionException(String message) {
            super(message);
        }

        ConnectionException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The TLS handshake failed. */
    static final class TlsException extends ConnectionException {
        TlsException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Object CLOSED = new Object();
    private static final int MAX_LINE = 8192;
    private static final int CHUNK = 65536;
    /** Most reply lines buffered, and most lines in one reply. */
    private static final int MAX_PENDING = 1000;

    private final Channel channel;
    private final LineDecoder decoder;
    private final BlockingQueue<Object> input;
    private final Duration commandTimeout;
    private volatile boolean closed;
    private boolean tls;

    private SmtpClient(Channel channel, LineDecoder decoder, BlockingQueue<Object> input, Duration commandTimeout) {
        this.channel = channel;
        this.decoder = decoder;
        this.input = input;
        this.commandTimeout = commandTimeout;
    }

    /** Opens a TCP connection (blocking, on the caller's thread). */
    static SmtpClient connect(EventLoopGroup group, InetSocketAddress address, Duration connectTimeout,
                              Duration commandTimeout) throws IOException {
        BlockingQueue<Object> input = new LinkedBlockingQueue<>();
        LineDecoder decoder = new LineDecoder(MAX_LINE);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("lines", decoder);
                        ch.pipeline().addLast("replies", new SimpleChannelInboundHandler<Object>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                                if (input.size() >= MAX_PENDING) {
                                    // a server that talks without being asked: stop listening to it
                                    input.add(new IOException("more than " + MAX_PENDING + " unread reply lines"));
                                    ctx.close();
                                    return;
                                }
                                input.add(msg);
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                input.add(CLOSED);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                input.add(cause);
                                ctx.close();
                            }
                        });
                    }
                });
        ChannelFuture f = b.connect(address);
        boolean done;
        try {
            done = f.await(connectTimeout.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.channel().close();
            throw new ConnectionException("interrupted while connecting to " + address);
        }
        if (!done || !f.isSuccess()) {
            f.channel().close();
            Throwable c = f.cause();
            throw new ConnectionException(c == null ? "connect to " + hostPort(address) + ": timed out"
                    : "connect to " + hostPort(address) + ": " + describe(c), c);
        }
        return new SmtpClient(f.channel(), decoder, input, commandTimeout);
    }

    static String hostPort(InetSocketAddress a) {
        String h = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    boolean tls() {
        return tls;
    }

    /** Reads one (possibly multi-line) reply. */
    Reply read() throws IOException {
        return read(commandTimeout);
    }

    Reply read(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> lines = new ArrayList<>();
        while (true) {
            Object o;
            if (closed) {
                o = input.poll();
                if (o == null) {
                    throw new ConnectionException("connection closed by the server");
                }
            } else {
                long left = deadline - System.nanoTime();
                try {
                    o = left <= 0 ? null : input.poll(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ConnectionException("interrupted");
                }
            }
            if (o == null) {
                throw new ConnectionException("timeout after " + Durations.format(timeout) + " waiting for a reply",
                        new SocketTimeoutException());
            }
            if (o == CLOSED) {
                closed = true;
                throw new ConnectionException(lines.isEmpty() ? "connection closed by the server"
                        : "connection closed by the server inside a reply");
            }
            if (o instanceof Throwable t) {
                for (Throwable c = t; c != null; c = c.getCause()) {
                    if (c instanceof javax.net.ssl.SSLException) {
                        throw new TlsException("TLS failure: " + describe(c), t);
                    }
                }
                throw new ConnectionException(describe(t), t);
            }
            if (o == LineDecoder.TOO_LONG) {
                throw new ConnectionException("reply line longer than " + MAX_LINE + " octets");
            }
            String line = (String) o;
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                    || !Character.isDigit(line.charAt(2)) || (line.length() > 3 && line.charAt(3) != ' '
                    && line.charAt(3) != '-')) {
                throw new ConnectionException("malformed reply: " + (line.length() > 200 ? line.substring(0, 200) : line));
            }
            int code = Integer.parseInt(line.substring(0, 3));
            if (!lines.isEmpty() && !lines.get(0).startsWith(line.substring(0, 3))) {
                throw new ConnectionException("reply lines with different codes: " + lines.get(0) + " / " + line);
            }
            lines.add(line);
            if (lines.size() > MAX_PENDING) {
                throw new ConnectionException("reply of more than " + MAX_PENDING + " lines");
            }
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new Reply(code, lines);
            }
        }
    }

    /** Sends a command line (CRLF added) and reads its reply. */
    Reply command(String line) throws IOException {
        return command(line, commandTimeout);
    }

    Reply command(String line, Duration timeout) throws IOException {
        write(line + "\r\n");
        return read(timeout);
    }

    void write(String text) throws IOException {
        ByteBuf b = channel.alloc().buffer(text.length() * 3);
        b.writeCharSequence(text, StandardCharsets.UTF_8);
        await(channel.writeAndFlush(b), "write");
    }

    private void await(Future<?> f, String what) throws IOException {
        boolean done;
        try {
            done = f.await(commandTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionException("interrupted during " + what);
        }
        if (!done) {
            throw new ConnectionException("timeout after " + Durations.format(commandTimeout) + " during " + what);
        }
        if (!f.isSuccess()) {
            if (f.cause() instanceof javax.net.ssl.SSLException) {
                throw new TlsException("TLS failure during " + what + ": " + describe(f.cause()), f.cause());
            }
            throw new ConnectionException(what + " failed: " + describe(f.cause()), f.cause());
        }
    }

    /**
     * Starts TLS after the server's 220 to STARTTLS: anything received but not yet read is dropped (it cannot have
     * come over TLS), then the handshake runs.
     */
    void startTls(SslContext context, String peerHost, int peerPort) throws IOException {
        SslHandler ssl = context.newHandler(channel.alloc(), peerHost, peerPort);
        try {
            channel.eventLoop().submit(() -> {
                decoder.discardBuffered();
                channel.pipeline().addFirst("tls", ssl);
            }).await(commandTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionException("interrupted");
        }
        input.removeIf(o -> o instanceof String);
        Future<Channel> hs = ssl.handshakeFuture();
        boolean done;
        try {
            done = hs.await(commandTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionException("interrupted during the TLS handshake");
        }
        if (!done) {
            throw new TlsException("TLS handshake timed out", null);
        }
        if (!hs.isSuccess()) {
            throw new TlsException("TLS handshake failed: " + describe(hs.cause()), hs.cause());
        }
        input.removeIf(o -> o instanceof Throwable);
        tls = true;
    }

    /**
     * Sends a message body after the 354: lines starting with a dot get another dot (RFC 5321 4.5.2), a bare LF
     * becomes CRLF, a last line without its end gets one, then the terminating {@code .CRLF}.
     */
    void sendData(InputStream in) throws IOException {
        byte[] chunk = new byte[CHUNK];
        boolean lineStart = true;
        int prev = -1;
        ByteBuf out = channel.alloc().buffer(CHUNK + CHUNK / 2);
        try {
            int n;
            while ((n = in.read(chunk)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte c = chunk[i];
                    if (lineStart && c == '.') {
                        out.writeByte('.');
                    }
                    if (c == '\n' && prev != '\r') {
                        out.writeByte('\r');
                    }
                    out.writeByte(c);
                    lineStart = c == '\n';
                    prev = c;
                }
                if (out.readableBytes() >= CHUNK) {
                    ByteBuf full = out;
                    out = null;
                    await(channel.writeAndFlush(full), "DATA");
                    out = channel.alloc().buffer(CHUNK + CHUNK / 2);
                }
            }
            if (!lineStart) {
                if (prev != '\r') {
                    out.writeByte('\r');
                }
                out.writeByte('\n');
            }
            out.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
            ByteBuf last = out;
            out = null;
            await(channel.writeAndFlush(last), "DATA");
        } finally {
            if (out != null) {
                out.release();
            }
        }
    }

    /** Says QUIT and closes, waiting briefly for the reply; errors are ignored (the work is done). */
    void quit() {
        if (!closed && channel.isActive()) {
            try {
                write("QUIT\r\n");
                read(Duration.ofSeconds(Math.min(10, commandTimeout.toSeconds() + 1)));
            } catch (IOException e) {
                // the server may close first
            }
        }
        close();
    }

    @Override
    public void close() {
        channel.close();
    }
}
