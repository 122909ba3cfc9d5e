package io.pillarbox.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Frames IMAP client input into {@link RawCommand}s: CRLF lines with embedded {@code {n}}, {@code {n+}} and
 * {@code ~{n}} literals. Sends the continuation request for synchronizing literals, enforces the line and literal
 * limits (answering {@link DecodeError}s instead of buffering), and spools literals above a threshold to a temporary
 * file written on the worker, pausing reads while the disk lags behind.
 */
final class ImapDecoder extends ByteToMessageDecoder {

    private static final byte[] CONTINUE = "+ Ready for literal data\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long PAUSE_ABOVE = 4 << 20;
    private static final long RESUME_BELOW = 1 << 20;

    private enum Mode { LINE, LITERAL, DISCARD_LITERAL, DISCARD_LINE }

    private final ImapSettings settings;
    private final Executor worker;
    private volatile long literalLimit;
    private java.util.function.Consumer<ChannelHandlerContext> continuation =
            ctx -> ctx.writeAndFlush(Unpooled.wrappedBuffer(CONTINUE));
    private Mode mode = Mode.LINE;
    private List<byte[]> lines = new ArrayList<>();
    private List<Literal> literals = new ArrayList<>();
    private long commandBytes;
    private long heapLiteralBytes;
    private long commandLiteralBytes;
    private long remaining;
    private boolean literalBinary;
    private byte[] heapLiteral;
    private int heapPos;
    private Spool spool;
    private String errorTag;
    private String error;

    ImapDecoder(ImapSettings settings, Executor worker) {
        this.settings = settings;
        this.worker = worker;
        this.literalLimit = settings.maxPreAuthLiteral();
    }

    /** Who sends the continuation request for a synchronizing literal (the session defers it behind responses). */
    void continuation(java.util.function.Consumer<ChannelHandlerContext> c) {
        this.continuation = c;
    }

    static ByteBuf continueRequest() {
        return Unpooled.wrappedBuffer(CONTINUE);
    }

    /** The largest literal accepted now (smaller before login). */
    void literalLimit(long limit) {
        this.literalLimit = limit;
    }

    /**
     * Drops every octet received so far and not yet framed, and any command in progress: the input a client
     * pipelined after STARTTLS (RFC 3207 section 4.2 / CVE-2011-0411). Input that arrives later is framed again.
     */
    void discardBuffered() {
        ByteBuf b = internalBuffer();
        b.skipBytes(b.readableBytes());
        resetCommand();
        mode = Mode.LINE;
    }

    private Runnable activity = () -> { };

    /** Told whenever input arrives (the session's autologout counts from the last octet, not the last command). */
    void activity(Runnable r) {
        this.activity = r;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        activity.run();
        super.channelRead(ctx, msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // one command per call, so that the handler sees it (and may discard the rest) before more is framed
        while (in.isReadable() && out.isEmpty()) {
            switch (mode) {
                case LINE -> {
                    if (!line(ctx, in, out)) {
                        return;
                    }
                }
                case LITERAL -> literal(ctx, in);
                case DISCARD_LITERAL -> {
                    int n = (int) Math.min(remaining, in.readableBytes());
                    in.skipBytes(n);
                    remaining -= n;
                    if (remaining == 0) {
                        mode = Mode.DISCARD_LINE;
                    }
                }
                case DISCARD_LINE -> {
                    int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
                    if (lf < 0) {
                        in.skipBytes(in.readableBytes());
                        return;
                    }
                    in.readerIndex(lf + 1);
                    out.add(new DecodeError(errorTag, error));
                    resetCommand();
                    mode = Mode.LINE;
                }
            }
        }
    }

    private boolean line(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
        int max = settings.maxLineLength();
        if (lf < 0) {
            if (in.readableBytes() > max) {
                fail(tagOf(lines.isEmpty() ? bytes(in, start, Math.min(64, in.readableBytes())) : lines.get(0)),
                        "Line too long");
                in.skipBytes(in.readableBytes());
                mode = Mode.DISCARD_LINE;
            }
            return false;
        }
        int len = lf - start;
        if (len > max) {
            String tag = tagOf(lines.isEmpty() ? bytes(in, start, Math.min(64, len)) : lines.get(0));
            in.readerIndex(lf + 1);
            out.add(new DecodeError(tag, "Line too long"));
            resetCommand();
            return true;
        }
        int end = len > 0 && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        byte[] line = bytes(in, start, end - start);
        in.readerIndex(lf + 1);
        commandBytes += line.length;
        lines.add(line);
        if (commandBytes > (long) max * 4 || lines.size() > 1000) {
            out.add(new DecodeError(tagOf(lines.get(0)), "Command too long"));
            resetCommand();
            return true;
        }
        long[] spec = literalSpec(line);
        if (spec == null) {
            out.add(new RawCommand(lines, literals));
            lines = new ArrayList<>();
            literals = new ArrayList<>();
            commandBytes = 0;
            heapLiteralBytes = 0;
            commandLiteralBytes = 0;
            return true;
        }
        long size = spec[0];
        boolean nonSync = spec[1] != 0;
        literalBinary = spec[2] != 0;
        long perCommand = literalLimit > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : literalLimit * 4;
        if (size > literalLimit || commandLiteralBytes + size > perCommand) {
            String tag = tagOf(lines.get(0));
            String why = size > literalLimit
                    ? "[TOOBIG] Literal of " + size + " octets is over the limit of " + literalLimit
                    : "[TOOBIG] The literals of one command may total at most " + perCommand + " octets";
            if (nonSync) {
                fail(tag, why);
                remaining = size;
                mode = size == 0 ? Mode.DISCARD_LINE : Mode.DISCARD_LITERAL;
            } else {
                out.add(new DecodeError(tag, why));
                resetCommand();
            }
            return true;
        }
        if (!nonSync) {
            continuation.accept(ctx);
        }
        commandLiteralBytes += size;
        remaining = size;
        if (size <= settings.spoolThreshold() && heapLiteralBytes + size <= settings.maxLineLength() * 16L) {
            heapLiteral = new byte[(int) size];
            heapPos = 0;
            heapLiteralBytes += size;
        } else {
            spool = new Spool(ctx, size, literalBinary);
        }
        mode = Mode.LITERAL;
        if (size == 0) {
            finishLiteral();
        }
        return true;
    }

    private void literal(ChannelHandlerContext ctx, ByteBuf in) {
        int n = (int) Math.min(remaining, in.readableBytes());
        if (heapLiteral != null) {
            in.readBytes(heapLiteral, heapPos, n);
            heapPos += n;
        } else {
            spool.write(in.readRetainedSlice(n));
        }
        remaining -= n;
        if (remaining == 0) {
            finishLiteral();
        }
    }

    private void finishLiteral() {
        if (heapLiteral != null) {
            literals.add(Literal.of(heapLiteral, literalBinary));
            heapLiteral = null;
        } else {
            literals.add(spool.finish());
            spool = null;
        }
        mode = Mode.LINE;
    }

    private void fail(String tag, String why) {
        errorTag = tag;
        error = why;
    }

    private void resetCommand() {
        for (Literal l : literals) {
            l.release();
        }
        if (spool != null) {
            spool.finish().release();
            spool = null;
        }
        heapLiteral = null;
        lines = new ArrayList<>();
        literals = new ArrayList<>();
        commandBytes = 0;
        heapLiteralBytes = 0;
        commandLiteralBytes = 0;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        resetCommand();
    }

    private static byte[] bytes(ByteBuf in, int from, int len) {
        byte[] b = new byte[len];
        in.getBytes(from, b);
        return b;
    }

    /** The tag of a command line, or {@code *} when it has none that is usable. */
    static String tagOf(byte[] line) {
        int i = 0;
        while (i < line.length && line[i] != ' ' && ImapReader.isTagChar(line[i] & 0xff)) {
            i++;
        }
        if (i == 0 || (i < line.length && line[i] != ' ')) {
            return "*";
        }
        return new String(line, 0, i, StandardCharsets.US_ASCII);
    }

    /**
     * If the line ends with a literal marker: {size, nonSync?1:0, binary?1:0}; else null. Sizes that do not fit a
     * long are reported as {@link Long#MAX_VALUE} (over every limit).
     */
    static long[] literalSpec(byte[] line) {
        int n = line.length;
        if (n < 3 || line[n - 1] != '}') {
            return null;
        }
        int i = n - 2;
        boolean nonSync = false;
        if (line[i] == '+' || line[i] == '-') {
            // {n-} is not valid syntax; only '+' is (LITERAL+ / LITERAL-)
            if (line[i] == '-') {
                return null;
            }
            nonSync = true;
            i--;
        }
        int digitsEnd = i;
        while (i >= 0 && line[i] >= '0' && line[i] <= '9') {
            i--;
        }
        if (i < 0 || i == digitsEnd || line[i] != '{') {
            return null;
        }
        boolean binary = i > 0 && line[i - 1] == '~';
        long size = 0;
        for (int k = i + 1; k <= digitsEnd; k++) {
            if (size > (Long.MAX_VALUE - 9) / 10) {
                size = Long.MAX_VALUE;
                break;
            }
            size = size * 10 + (line[k] - '0');
        }
        return new long[]{size, nonSync ? 1 : 0, binary ? 1 : 0};
    }

    /** Writes one large literal to a temporary file, chunk by chunk, on the worker, in order. */
    private final class Spool {
        private final ChannelHandlerContext ctx;
        private final long size;
        private final boolean binary;
        private final AtomicLong pending = new AtomicLong();
        private final Path file;
        private CompletableFuture<OutputStream> chain;
        private IOException failure;

        Spool(ChannelHandlerContext ctx, long size, boolean binary) {
            this.ctx = ctx;
            this.size = size;
            this.binary = binary;
            Path f;
            try {
                f = Files.createTempFile(settings.spoolDirectory(), "imap-literal-", ".tmp");
            } catch (IOException e) {
                f = null;
                failure = e;
            }
            this.file = f;
            chain = CompletableFuture.supplyAsync(() -> {
                if (file == null) {
                    return null;
                }
                try {
                    return Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                } catch (IOException e) {
                    failure = e;
                    return null;
                }
            }, worker);
        }

        void write(ByteBuf chunk) {
            int n = chunk.readableBytes();
            if (pending.addAndGet(n) > PAUSE_ABOVE) {
                ctx.channel().config().setAutoRead(false);
            }
            chain = chain.thenApplyAsync(os -> {
                try {
                    if (os != null) {
                        chunk.readBytes(os, n);
                    }
                } catch (IOException e) {
                    failure = e;
                } finally {
                    chunk.release();
                }
                if (pending.addAndGet(-n) < RESUME_BELOW && !ctx.channel().config().isAutoRead()) {
                    ctx.channel().eventLoop().execute(() -> {
                        ctx.channel().config().setAutoRead(true);
                        ctx.read();
                    });
                }
                return os;
            }, worker);
        }

        Literal finish() {
            CompletableFuture<Void> done = chain.thenApplyAsync(os -> {
                try {
                    if (os != null) {
                        os.close();
                    }
                } catch (IOException e) {
                    failure = e;
                }
                if (failure != null) {
                    throw new java.io.UncheckedIOException(failure);
                }
                return (Void) null;
            }, worker);
            return new Literal.Spooled(file, size, binary, done);
        }
    }
}
