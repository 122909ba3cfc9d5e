package io.pillarbox.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.SaslExchange;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.protocol.CloseRequest;
import io.pillarbox.api.protocol.Connection;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.transport.session.CommandTimer;
import io.pillarbox.transport.session.SessionTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One IMAP connection: the RFC 9051 state machine. Commands are parsed on the event loop, queued, and run one at a
 * time; anything that touches the store or a realm runs on the connection's worker, and responses are written back
 * through the event loop.
 */
final class ImapSession extends ChannelInboundHandlerAdapter {

    static final String CHUNKED = "imap-chunked";
    static final String DECODER = "imap-decoder";
    static final String HANDLER = "imap";

    private static final Logger LOG = LoggerFactory.getLogger(ImapSession.class);

    enum State { NOT_AUTHENTICATED, AUTHENTICATED, SELECTED, LOGOUT }

    /** How often a command gave its worker back to wait for a slow reader (for tests and diagnostics). */
    static final java.util.concurrent.atomic.AtomicLong SUSPENSIONS = new java.util.concurrent.atomic.AtomicLong();

    /** Failed logins on one connection before it is closed (the Authenticator also delays and locks out). */
    static final int MAX_AUTH_FAILURES = 5;

    /** Receives client lines while a command waits for them (AUTHENTICATE responses, IDLE's DONE). */
    private interface Continuation {
        void line(Object msg);
    }

    /** The body of a command that runs on the worker. */
    interface Task {
        void run(Out out) throws Exception;
    }

    /**
     * Thrown by a task whose output waits for the client to read: the worker thread is given back, and {@code next}
     * carries on (on the worker, with a fresh {@link Out}) once the channel is writable again.
     */
    static final class Suspend extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Task next;

        Suspend(Task next) {
            super(null, null, false, false);
            this.next = next;
        }
    }

    final ImapServer server;
    final ImapSettings settings;
    final Connection conn;
    final ImapDecoder decoder;
    private Channel ch;
    private boolean greeted;

    volatile State state = State.NOT_AUTHENTICATED;
    volatile MailPrincipal principal;
    volatile StoreSession store;
    volatile Selected selected;
    volatile boolean rev2;
    volatile boolean utf8Accept;
    volatile boolean condstore;
    volatile boolean qresync;
    volatile List<Long> savedSearch = List.of();

    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private boolean busy;
    private boolean workerRunning;
    /** A suspended command's continuation, submitted when the channel becomes writable (event loop only). */
    private Runnable resumeOnWritable;
    private boolean cleanupPending;
    private int authFailures;
    private boolean continuationPending;
    private Continuation cont;
    private volatile boolean closing;
    private int badInRow;
    private ScheduledFuture<?> autologout;
    private long lastReset;
    private State timerState;
    private final long started = System.nanoTime();

    long commands;
    volatile long fetched;
    volatile long appended;
    volatile long expunged;

    ImapSession(ImapServer server, Connection conn, ImapDecoder decoder) {
        this.server = server;
        this.settings = server.settings();
        this.conn = conn;
        this.decoder = decoder;
        this.timer = new CommandTimer(PROTOCOL, server.metrics());
        decoder.activity(this::resetTimer);
        decoder.continuation(ctx -> {
            // the literal belongs to the command being framed, which comes after every queued one: the request
            // goes out when those are done, never in the middle of their responses (a streamed literal, say)
            if (busy || !queue.isEmpty()) {
                continuationPending = true;
            } else {
                ctx.writeAndFlush(ImapDecoder.continueRequest());
            }
        });
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ch = ctx.channel();
        if (ch.isActive()) {
            greet();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        greet();
        super.channelActive(ctx);
    }

    private void greet() {
        if (greeted) {
            return;
        }
        greeted = true;
        conn.setState("not authenticated");
        writeNow("* OK [CAPABILITY " + capabilities() + "] " + settings.serverName() + " ready.\r\n");
        resetTimer();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            release(msg);
            return;
        }
        resetTimer();
        queue.add(msg);
        if (queue.size() > settings.maxQueuedCommands()) {
            ch.config().setAutoRead(false);
        }
        pump();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof CloseRequest req) {
            bye(req.cause() == CloseRequest.Cause.UNAVAILABLE ? "[UNAVAILABLE] " + req.reason() : req.reason());
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ch.isWritable() && resumeOnWritable != null) {
            Runnable r = resumeOnWritable;
            resumeOnWritable = null;
            r.run();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        if (autologout != null) {
            autologout.cancel(false);
        }
        Object o;
        while ((o = queue.poll()) != null) {
            release(o);
        }
        MailPrincipal p = principal;
        if (p != null) {
            LOG.info("imap logout user={} remote={} session={} duration={}s commands={} fetched={} appended={} "
                            + "expunged={}", p.user(), conn.remoteAddress(), conn.id(),
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), commands, fetched, appended,
                    expunged);
        }
        if (resumeOnWritable != null) {
            resumeOnWritable = null; // a suspended command ends with the connection
            workerRunning = false;
        }
        if (workerRunning) {
            cleanupPending = true; // after the running command, which still uses the mailbox
        } else {
            cleanup();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("IMAP session {} failed", conn.id(), cause);
        ctx.close();
    }

    /** Closes the selected mailbox and the store session, on the worker. */
    private void cleanup() {
        Selected s = selected;
        StoreSession st = store;
        selected = null;
        store = null;
        if (s == null && st == null) {
            return;
        }
        Runnable r = () -> {
            if (s != null) {
                s.close();
            }
            if (st != null) {
                st.close();
            }
        };
        try {
            conn.worker().execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    private static void release(Object o) {
        if (o instanceof RawCommand r) {
            r.release();
        }
        ReferenceCountUtil.release(o);
    }

    private void resetTimer() {
        if (ch == null) {
            return;
        }
        long now = System.nanoTime();
        if (autologout != null && now - lastReset < 1_000_000_000L && timerState == state) {
            return; // a long literal arriving in many reads: reschedule at most once a second
        }
        lastReset = now;
        timerState = state;
        if (autologout != null) {
            autologout.cancel(false);
        }
        Duration d = state == State.NOT_AUTHENTICATED ? settings.autologoutPreAuth()
                : settings.autologoutAuthenticated();
        autologout = ch.eventLoop().schedule(() -> bye("Autologout; idle for too long"), d.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Says goodbye and closes (on the event loop). */
    void bye(String text) {
        if (!ch.eventLoop().inEventLoop()) {
            try {
                ch.eventLoop().execute(() -> bye(text));
            } catch (RejectedExecutionException e) {
                ch.close();
            }
            return;
        }
        if (closing) {
            return;
        }
        closing = true;
        state = State.LOGOUT;
        if (traced()) {
            server.trace().log(conn.id(), traceName(), "S: " + SessionTrace.clip("* BYE " + text));
        }
        ch.writeAndFlush(Unpooled.copiedBuffer("* BYE " + text + "\r\n", StandardCharsets.UTF_8))
                .addListener(ChannelFutureListener.CLOSE);
    }

    // ---------------------------------------------------------------- queue

    private void pump() {
        while (!closing) {
            if (!busy && continuationPending && queue.isEmpty()) {
                continuationPending = false;
                ch.writeAndFlush(ImapDecoder.continueRequest());
            }
            if (cont != null) {
                Object o = queue.poll();
                if (o == null) {
                    break;
                }
                // the command's input goes on (an AUTHENTICATE response, IDLE's DONE): its latency is what
                // the server takes after the last of it, not the client's thinking or idling
                timer.restart();
                cont.line(o);
                continue;
            }
            if (busy) {
                break;
            }
            Object o = queue.poll();
            if (o == null) {
                break;
            }
            dispatch(o);
        }
        if (!ch.config().isAutoRead() && queue.size() <= settings.maxQueuedCommands() / 2 && !closing) {
            ch.config().setAutoRead(true);
            ch.read();
        }
    }

    private void done() {
        if (!ch.eventLoop().inEventLoop()) {
            ch.eventLoop().execute(this::done);
            return;
        }
        finish();
        pump();
    }

    /** The running command has given its final response: the next may run (event loop). */
    private void finish() {
        busy = false;
        timer.stop();
    }

    // ---------------------------------------------------------------- metrics

    /** The protocol name under which this bundle reports (the listener protocol). */
    static final String PROTOCOL = "imap";

    /** The command names reported to {@link MailMetrics}; anything else is {@link MailMetrics#UNKNOWN_COMMAND}. */
    static final Set<String> COMMAND_NAMES = Set.of("CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE",
            "LOGIN", "ENABLE", "SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST",
            "LSUB", "NAMESPACE", "STATUS", "APPEND", "IDLE", "CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH",
            "FETCH", "STORE", "COPY", "MOVE", "SORT", "THREAD", "ID", "COMPRESS", "UID FETCH", "UID SEARCH",
            "UID STORE", "UID COPY", "UID MOVE", "UID EXPUNGE", "UID SORT", "UID THREAD", "GETQUOTAROOT",
            "GETQUOTA", "SETQUOTA");

    /**
     * Times the commands (event loop only): from when one starts, that is when it is complete (the decoder hands it
     * over after its literals) or, pipelined, when the one before it is done (its wait in the queue is the previous
     * command's time, not its own); restarted by each further client line the command reads (AUTHENTICATE
     * responses, IDLE's DONE).
     */
    private final CommandTimer timer;

    /** The metric name of a command name: itself when known, else {@link MailMetrics#UNKNOWN_COMMAND}. */
    static String metricName(String name) {
        return name != null && COMMAND_NAMES.contains(name) ? name : MailMetrics.UNKNOWN_COMMAND;
    }

    /** The metric name of a line that did not parse: its command word(s) when known (never the raw input). */
    static String metricName(RawCommand raw) {
        String[] w = raw.firstLine().split(" ", 4);
        if (w.length < 2) {
            return MailMetrics.UNKNOWN_COMMAND;
        }
        String name = w[1].toUpperCase(Locale.ROOT);
        if (name.equals("UID") && w.length >= 3) {
            name = "UID " + w[2].toUpperCase(Locale.ROOT);
        }
        return metricName(name);
    }

    /** Adds to a counter of the metrics service, if there is one (any thread). */
    void count(String counter, long delta) {
        timer.add(counter, delta);
    }

    private void dispatch(Object o) {
        if (o instanceof DecodeError d) {
            timer.start(MailMetrics.UNKNOWN_COMMAND);
            if (d.message().startsWith("[TOOBIG]")) {
                writeNow(d.tag() + " NO " + d.message() + "\r\n");
            } else {
                bad(d.tag(), d.message());
            }
            timer.stop();
            return;
        }
        RawCommand raw = (RawCommand) o;
        if (principal == null) {
            String claimed = claimedUser(raw);
            if (claimed != null) {
                claimedUser = claimed;
            }
        }
        if (traced()) {
            server.trace().log(conn.id(), traceName(), "C: " + SessionTrace.clip(masked(raw)));
        }
        CommandParser.Result r = CommandParser.parse(raw);
        if (r.command() == null) {
            timer.start(metricName(raw));
            raw.release();
            bad(r.tag(), r.error());
            timer.stop();
            return;
        }
        badInRow = 0;
        commands++;
        Command c = r.command();
        timer.start(metricName(c.name()));
        String refusal = refusal(c);
        if (refusal != null) {
            raw.release();
            writeNow(c.tag() + " BAD " + refusal + "\r\n");
            timer.stop();
            return;
        }
        busy = true;
        try {
            execute(c, raw);
        } catch (RuntimeException e) {
            LOG.warn("IMAP command {} failed", c.name(), e);
            raw.release();
            writeNow(c.tag() + " NO [SERVERBUG] Internal error\r\n");
            finish();
        }
    }

    private static String masked(RawCommand raw) {
        String line = raw.firstLine();
        String[] w = line.split(" ", 4);
        if (w.length >= 3 && (w[1].equalsIgnoreCase("LOGIN") || w[1].equalsIgnoreCase("AUTHENTICATE"))) {
            return w[0] + " " + w[1] + " " + w[2] + " ***";
        }
        return raw.lines().size() > 1 ? line + " ..." : line;
    }

    private void bad(String tag, String message) {
        badInRow++;
        writeNow(tag + " BAD " + message + "\r\n");
        if (badInRow >= settings.maxBadCommands()) {
            bye("Too many invalid commands");
        }
    }

    /** Why a well-formed command is not allowed in this state, or null. */
    private String refusal(Command c) {
        String n = c.name();
        State s = state;
        switch (n) {
            case "CAPABILITY", "NOOP", "LOGOUT", "ID" -> {
                return null;
            }
            case "STARTTLS", "LOGIN", "AUTHENTICATE" -> {
                return s == State.NOT_AUTHENTICATED ? null : "Already authenticated";
            }
            case "CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "UID EXPUNGE", "SEARCH", "UID SEARCH", "FETCH", "UID FETCH",
                 "STORE", "UID STORE", "COPY", "UID COPY", "MOVE", "UID MOVE", "SORT", "UID SORT", "THREAD",
                 "UID THREAD" -> {
                return s == State.SELECTED ? null
                        : s == State.NOT_AUTHENTICATED ? "Not authenticated" : "No mailbox selected";
            }
            default -> {
                return s == State.NOT_AUTHENTICATED ? "Not authenticated" : null;
            }
        }
    }

    // ---------------------------------------------------------------- output

    Out out() {
        return new Out(utf8(), (opener, size) -> new AsyncBody(opener, size, conn.worker(), ch));
    }

    boolean utf8() {
        return rev2 || utf8Accept;
    }

    boolean traced() {
        return server.trace().on(traceName());
    }

    /** Before login, the user named by LOGIN (lower case): a trace of that user starts there. */
    private volatile String claimedUser;

    /** The user a LOGIN line names as an atom or quoted string (lower case), or null. */
    static String claimedUser(RawCommand raw) {
        String[] w = raw.firstLine().split(" ", 4);
        if (w.length < 3 || !w[1].equalsIgnoreCase("LOGIN") || w[2].startsWith("{")) {
            return null;
        }
        String u = w[2];
        if (u.length() >= 2 && u.startsWith("\"") && u.endsWith("\"")) {
            u = u.substring(1, u.length() - 1);
        }
        return u.isEmpty() ? null : u.toLowerCase(Locale.ROOT);
    }

    /** Whom the trace follows: the logged-in user, or before login the user the client named ("" if none). */
    String traceName() {
        MailPrincipal p = principal;
        if (p != null) {
            return p.user().toLowerCase(Locale.ROOT);
        }
        String c = claimedUser;
        return c == null ? "" : c;
    }

    private void traceOut(Object part) {
        if (part instanceof ByteBuf b && traced()) {
            server.trace().log(conn.id(), traceName(), "S: " + SessionTrace.clip(b.toString(b.readerIndex(),
                    Math.min(b.readableBytes(), 4096), StandardCharsets.UTF_8)));
        }
    }

    /** Writes and flushes text now; call on the event loop. */
    private void writeNow(String text) {
        if (traced()) {
            server.trace().log(conn.id(), traceName(), "S: " + SessionTrace.clip(text));
        }
        ch.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    /** Hands what {@code out} holds to the channel, in order, as one event-loop task. */
    void send(Out out) {
        List<Object> parts = out.drain();
        if (parts.isEmpty()) {
            return;
        }
        if (ch.eventLoop().inEventLoop()) {
            writeParts(parts);
        } else {
            try {
                ch.eventLoop().execute(() -> writeParts(parts));
            } catch (RejectedExecutionException e) {
                // the event loop is shutting down with the connection
                for (Object p : parts) {
                    ReferenceCountUtil.release(p);
                }
            }
        }
    }

    private void writeParts(List<Object> parts) {
        for (Object p : parts) {
            traceOut(p);
            ch.write(p);
        }
        ch.flush();
    }

    static void tagged(Out out, String tag, String status, String code, String text) {
        out.raw(tag).sp().raw(status).sp();
        if (code != null) {
            out.raw('[').raw(code).raw("] ");
        }
        out.raw(text).crlf();
    }

    String capabilities() {
        StringBuilder sb = new StringBuilder("IMAP4rev1 IMAP4rev2");
        if (state == State.NOT_AUTHENTICATED) {
            if (conn.canStartTls()) {
                sb.append(" STARTTLS");
            }
            if (!conn.plaintextAuthAllowed()) {
                sb.append(" LOGINDISABLED");
            }
            for (String m : mechanisms()) {
                sb.append(" AUTH=").append(m);
            }
            sb.append(" SASL-IR");
        }
        sb.append(" LITERAL+ ID ENABLE IDLE NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN LIST-EXTENDED LIST-STATUS")
                .append(" SPECIAL-USE CREATE-SPECIAL-USE CONDSTORE QRESYNC ESEARCH SEARCHRES SORT SORT=DISPLAY")
                .append(" THREAD=ORDEREDSUBJECT THREAD=REFERENCES STATUS=SIZE APPENDLIMIT=")
                .append(settings.maxLiteralSize())
                .append(" MULTIAPPEND UTF8=ACCEPT BINARY WITHIN QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE");
        if (state != State.NOT_AUTHENTICATED && settings.compress() && Compression.available()
                && !Compression.active(ch)) {
            sb.append(" COMPRESS=DEFLATE");
        }
        return sb.toString();
    }

    private List<String> mechanisms() {
        try {
            List<String> all = server.sasl().mechanisms(conn.authContext(null));
            if (conn.plaintextAuthAllowed()) {
                return all;
            }
            List<String> safe = new ArrayList<>();
            for (String m : all) {
                if (!m.equalsIgnoreCase("PLAIN") && !m.equalsIgnoreCase("LOGIN")) {
                    safe.add(m);
                }
            }
            return safe;
        } catch (RuntimeException e) {
            LOG.warn("SASL mechanisms unavailable", e);
            return List.of();
        }
    }

    // ---------------------------------------------------------------- dispatch

    private void execute(Command c, RawCommand raw) {
        String tag = c.tag();
        String n = c.name();
        if (c instanceof Command.Simple && n.equals("CAPABILITY")) {
            raw.release();
            writeNow("* CAPABILITY " + capabilities() + "\r\n" + tag + " OK CAPABILITY completed\r\n");
            finish();
        } else if (c instanceof Command.Simple && n.equals("LOGOUT")) {
            raw.release();
            closing = true;
            if (traced()) {
                server.trace().log(conn.id(), traceName(),
                        "S: " + SessionTrace.clip("* BYE Logging out\r\n" + tag + " OK LOGOUT completed\r\n"));
            }
            state = State.LOGOUT;
            ch.writeAndFlush(Unpooled.copiedBuffer("* BYE Logging out\r\n" + tag + " OK LOGOUT completed\r\n",
                    StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
            timer.stop();
        } else if (c instanceof Command.Simple && n.equals("STARTTLS")) {
            raw.release();
            startTls(tag);
        } else if (c instanceof Command.Simple && n.equals("IDLE")) {
            raw.release();
            idle(tag);
        } else if (c instanceof Command.Login l) {
            raw.release();
            login(l);
        } else if (c instanceof Command.Authenticate a) {
            raw.release();
            authenticate(a);
        } else if (c instanceof Command.Enable e) {
            raw.release();
            enable(e);
        } else if (c instanceof Command.Id id) {
            raw.release();
            LOG.debug("Client {} ID {}", conn.remoteAddress(), id.params());
            Out out = out();
            out.raw("* ID (\"name\" ").string(settings.serverName()).raw(" \"vendor\" \"Pillarbox\")").crlf();
            tagged(out, tag, "OK", null, "ID completed");
            send(out);
            finish();
        } else if (c instanceof Command.Compress z) {
            raw.release();
            compress(z);
        } else {
            worker(c, raw, out -> MailCommands.run(this, c, out));
        }
    }

    /** Runs a command's task on the worker; its tagged response is written by the task (or here on failure). */
    void worker(Command c, RawCommand raw, Task task) {
        Runnable r = runner(c, raw, task);
        // literals spooled to disk must be complete first; waiting for them inside the task could take the very
        // worker thread their last writes need
        java.util.concurrent.CompletableFuture<?>[] spools = raw.literals().stream().map(Literal::ready)
                .filter(f -> !f.isDone()).toArray(java.util.concurrent.CompletableFuture<?>[]::new);
        if (spools.length > 0) {
            workerRunning = true;
            java.util.concurrent.CompletableFuture.allOf(spools).whenComplete((v, err) -> {
                try {
                    conn.worker().execute(r);
                } catch (RejectedExecutionException e) {
                    ch.eventLoop().execute(() -> {
                        workerRunning = false;
                        raw.release();
                        writeNow(c.tag() + " NO [UNAVAILABLE] Server busy, try again\r\n");
                        done();
                    });
                }
            });
            return;
        }
        try {
            workerRunning = true;
            conn.worker().execute(r);
        } catch (RejectedExecutionException e) {
            workerRunning = false;
            raw.release();
            writeNow(c.tag() + " NO [UNAVAILABLE] Server busy, try again\r\n");
            finish();
        }
    }

    /** The worker side of a command: runs the task, writes what it produced, and hands back to the event loop. */
    private Runnable runner(Command c, RawCommand raw, Task task) {
        return () -> {
            Out out = out();
            Task next = null;
            try {
                task.run(out);
            } catch (Suspend sp) {
                next = sp.next;
            } catch (Failure f) {
                updates(out, c);
                tagged(out, c.tag(), f.status, f.code, f.getMessage());
            } catch (StoreException e) {
                Failure f = Failure.of(e, false);
                updates(out, c);
                tagged(out, c.tag(), f.status, f.code, f.getMessage());
            } catch (Exception e) {
                LOG.warn("IMAP {} failed for {}", c.name(), principal == null ? "?" : principal.user(), e);
                tagged(out, c.tag(), "NO", "SERVERBUG", "Internal error");
            } finally {
                if (next == null) {
                    raw.release();
                }
            }
            send(out);
            Task cont = next;
            try {
                ch.eventLoop().execute(() -> {
                    if (cont != null && ch.isActive() && !closing) {
                        Runnable again = () -> {
                            try {
                                conn.worker().execute(runner(c, raw, cont));
                            } catch (RejectedExecutionException e) {
                                raw.release();
                                workerRunning = false;
                                writeNow(c.tag() + " NO [UNAVAILABLE] Server busy, try again\r\n");
                                done();
                            }
                        };
                        if (ch.isWritable()) {
                            again.run();
                        } else {
                            SUSPENSIONS.incrementAndGet();
                            resumeOnWritable = again;
                        }
                        return;
                    }
                    if (cont != null) {
                        raw.release();
                    }
                    workerRunning = false;
                    if (cleanupPending) {
                        cleanupPending = false;
                        cleanup();
                    }
                    done();
                });
            } catch (RejectedExecutionException e) {
                cleanup(); // the event loop is gone, and the connection with it
            }
        };
    }

    /** Reports pending mailbox changes at a point where the command allows them. */
    void updates(Out out, Command c) {
        String n = c.name();
        boolean allowExpunge = !(n.equals("FETCH") || n.equals("STORE") || n.equals("SEARCH"));
        updates(out, allowExpunge);
    }

    void updates(Out out, boolean allowExpunge) {
        Selected s = selected;
        if (s == null || !s.hasEvents()) {
            return;
        }
        s.apply(new Selected.Sink() {
            @Override
            public void exists(int count, List<Long> newUids) {
                out.raw("* ").num(count).raw(" EXISTS").crlf();
                if (!s.readOnly && principal != null) {
                    long last = newUids.get(newUids.size() - 1);
                    long prev = server.recent().claim(principal.user(), s.name, last);
                    for (long u : newUids) {
                        if (u > prev) {
                            s.markRecent(u);
                        }
                    }
                }
                if (!rev2) {
                    out.raw("* ").num(s.recentCount()).raw(" RECENT").crlf();
                }
            }

            @Override
            public void keywords() {
                MailCommands.flagsResponses(s, out);
            }

            @Override
            public void expunged(int seq, long uid) {
                out.raw("* ").num(seq).raw(" EXPUNGE").crlf();
            }

            @Override
            public void vanished(List<Long> uids) {
                out.raw("* VANISHED ").raw(SequenceSet.format(uids)).crlf();
            }

            @Override
            public void flags(int seq, MessageInfo info) {
                if (s.learnKeywords(info.flags())) {
                    MailCommands.flagsResponses(s, out);
                }
                out.raw("* ").num(seq).raw(" FETCH (UID ").num(info.uid()).raw(" FLAGS ");
                flagList(out, info, s);
                if (condstore) {
                    out.raw(" MODSEQ (").num(info.modSeq()).raw(")");
                }
                out.raw(")").crlf();
            }

            @Override
            public void removed() {
                // the selected mailbox was deleted or renamed away: nothing sensible can follow
                closing = true;
                out.raw("* BYE [CLOSED] The selected mailbox was removed").crlf();
                ch.eventLoop().execute(() -> ch.flush());
                ch.eventLoop().schedule(() -> {
                    ch.close();
                }, 100, TimeUnit.MILLISECONDS);
            }
        }, allowExpunge, qresync);
    }

    void flagList(Out out, MessageInfo info, Selected s) {
        out.raw('(');
        boolean first = true;
        for (String f : new TreeSet<>(info.flags())) {
            if (!first) {
                out.sp();
            }
            first = false;
            out.raw(f);
        }
        if (!rev2 && s != null && s.isRecent(info.uid())) {
            if (!first) {
                out.sp();
            }
            out.raw("\\Recent");
        }
        out.raw(')');
    }

    // ---------------------------------------------------------------- TLS, compression

    private void startTls(String tag) {
        if (!conn.canStartTls()) {
            writeNow(tag + " NO TLS is not available here\r\n");
            finish();
            return;
        }
        // RFC 3207 section 4.2 / CVE-2011-0411: nothing sent after STARTTLS in clear may be used
        Object o;
        while ((o = queue.poll()) != null) {
            release(o);
        }
        decoder.discardBuffered();
        conn.startTls();
        writeNow(tag + " OK Begin TLS negotiation now\r\n");
        finish();
    }

    private void compress(Command.Compress c) {
        if (!c.mechanism().equals("DEFLATE")) {
            writeNow(c.tag() + " BAD Unknown compression mechanism\r\n");
        } else if (!settings.compress() || !Compression.available()) {
            writeNow(c.tag() + " NO Compression is not available\r\n");
        } else if (Compression.active(ch)) {
            writeNow(c.tag() + " NO [COMPRESSIONACTIVE] DEFLATE is active already\r\n");
        } else {
            writeNow(c.tag() + " OK DEFLATE active\r\n");
            Compression.install(ch);
        }
        finish();
    }

    // ---------------------------------------------------------------- ENABLE

    private void enable(Command.Enable e) {
        List<String> enabled = new ArrayList<>();
        for (String cap : e.capabilities()) {
            switch (cap) {
                case "IMAP4REV2" -> {
                    if (!rev2) {
                        rev2 = true;
                        enabled.add("IMAP4rev2");
                    }
                }
                case "CONDSTORE" -> {
                    if (!condstore) {
                        condstore = true;
                        enabled.add("CONDSTORE");
                    }
                }
                case "QRESYNC" -> {
                    if (!qresync) {
                        qresync = true;
                        condstore = true;
                        enabled.add("QRESYNC");
                    }
                }
                case "UTF8=ACCEPT" -> {
                    if (!utf8Accept) {
                        utf8Accept = true;
                        enabled.add("UTF8=ACCEPT");
                    }
                }
                default -> {
                    // unknown or not enableable: ignored (RFC 5161)
                }
            }
        }
        writeNow("* ENABLED" + (enabled.isEmpty() ? "" : " " + String.join(" ", enabled)) + "\r\n"
                + e.tag() + " OK ENABLE completed\r\n");
        finish();
    }

    // ---------------------------------------------------------------- IDLE

    private void idle(String tag) {
        writeNow("+ idling\r\n");
        conn.setState("idle");
        Selected s = selected;
        cont = msg -> {
            cont = null;
            if (s != null) {
                s.onEvent(null);
            }
            conn.setState(s == null ? "authenticated" : "selected " + s.name);
            String line = msg instanceof RawCommand r ? r.firstLine() : null;
            release(msg);
            Out out = out();
            updates(out, true);
            if (line != null && line.equalsIgnoreCase("DONE")) {
                tagged(out, tag, "OK", null, "IDLE terminated");
                send(out);
            } else {
                tagged(out, tag, "BAD", null, "Expected DONE");
                send(out);
            }
            finish();
        };
        if (s != null) {
            s.onEvent(() -> ch.eventLoop().execute(this::idleFlush));
            try {
                conn.worker().execute(() -> {
                    try {
                        s.mailbox.sync();
                    } catch (StoreException e) {
                        LOG.debug("sync failed", e);
                    }
                });
            } catch (RejectedExecutionException e) {
                // no sync now; listeners still report changes made through Pillarbox
            }
            idleFlush();
        }
    }

    private void idleFlush() {
        if (cont == null || closing) {
            return;
        }
        Out out = out();
        updates(out, true);
        send(out);
    }

    // ---------------------------------------------------------------- LOGIN / AUTHENTICATE

    private void login(Command.Login l) {
        if (!conn.plaintextAuthAllowed()) {
            writeNow(l.tag() + " NO [PRIVACYREQUIRED] Plaintext login is disabled here; use STARTTLS\r\n");
            finish();
            return;
        }
        char[] pw = l.password().toCharArray();
        try {
            server.authenticator().authenticate(l.user(), pw, conn.authContext("LOGIN"))
                    .whenComplete((res, err) -> {
                        Arrays.fill(pw, '\0');
                        authenticated(l.tag(), res, err);
                    });
        } catch (RuntimeException e) {
            authenticated(l.tag(), null, e);
        }
    }

    private void authenticate(Command.Authenticate a) {
        String mech = a.mechanism();
        boolean offered = false;
        for (String m : mechanisms()) {
            offered |= m.equalsIgnoreCase(mech);
        }
        if (!offered) {
            boolean plain = mech.equals("PLAIN") || mech.equals("LOGIN");
            writeNow(a.tag() + (plain && !conn.plaintextAuthAllowed()
                    ? " NO [PRIVACYREQUIRED] Plaintext authentication is disabled here; use STARTTLS\r\n"
                    : " NO Unsupported authentication mechanism\r\n"));
            finish();
            return;
        }
        byte[] initial = null;
        if (a.initialResponse() != null) {
            if (a.initialResponse().equals("=")) {
                initial = new byte[0];
            } else {
                try {
                    initial = Base64.getDecoder().decode(a.initialResponse());
                } catch (IllegalArgumentException e) {
                    writeNow(a.tag() + " BAD Invalid base64 in initial response\r\n");
                    finish();
                    return;
                }
            }
        }
        SaslExchange ex;
        try {
            ex = server.sasl().start(mech, conn.authContext(mech));
        } catch (RuntimeException e) {
            writeNow(a.tag() + " NO Unsupported authentication mechanism\r\n");
            finish();
            return;
        }
        saslStep(a.tag(), ex, initial);
    }

    private void saslStep(String tag, SaslExchange ex, byte[] response) {
        try {
            ex.evaluate(response).whenComplete((step, err) -> ch.eventLoop().execute(() -> saslStepped(tag, ex,
                    step, err)));
        } catch (RuntimeException e) {
            saslStepped(tag, ex, null, e);
        }
    }

    private void saslStepped(String tag, SaslExchange ex, SaslExchange.SaslStep step, Throwable err) {
        if (closing) {
            return;
        }
        if (err != null || step == null) {
            LOG.debug("SASL step failed", err);
            cont = null;
            authenticated(tag, null, err);
            return;
        }
        if (!step.isDone()) {
            cont = msg -> saslLine(tag, msg, bytes -> {
                cont = null;
                saslStep(tag, ex, bytes);
            });
            writeNow("+ " + Base64.getEncoder().encodeToString(step.challenge() == null ? new byte[0]
                    : step.challenge()) + "\r\n");
            pump();
            return;
        }
        AuthResult result = step.result();
        if (result.isOk() && step.challenge() != null && step.challenge().length > 0) {
            // additional data with success: sent as a challenge that the client answers with an empty line
            cont = msg -> saslLine(tag, msg, bytes -> {
                cont = null;
                authenticated(tag, result, null);
            });
            writeNow("+ " + Base64.getEncoder().encodeToString(step.challenge()) + "\r\n");
            pump();
            return;
        }
        cont = null;
        authenticated(tag, result, null);
    }

    private void saslLine(String tag, Object msg, java.util.function.Consumer<byte[]> next) {
        String line = msg instanceof RawCommand r && r.lines().size() == 1 ? r.firstLine() : null;
        release(msg);
        if (traced()) {
            server.trace().log(conn.id(), traceName(), "C: <SASL response>");
        }
        if (line == null) {
            cont = null;
            writeNow(tag + " BAD Invalid SASL response\r\n");
            done();
            return;
        }
        if (line.equals("*")) {
            cont = null;
            writeNow(tag + " BAD Authentication cancelled\r\n");
            done();
            return;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(line.trim());
        } catch (IllegalArgumentException e) {
            cont = null;
            writeNow(tag + " BAD Invalid base64 in SASL response\r\n");
            done();
            return;
        }
        next.accept(bytes);
    }

    /** After a realm's answer (any thread): opens the user's store on the worker, then answers on the event loop. */
    private void authenticated(String tag, AuthResult res, Throwable err) {
        if (err != null || res == null) {
            respond(tag, "NO [UNAVAILABLE] Authentication is not available now, try again later");
            return;
        }
        if (!res.isOk()) {
            String code = switch (res.status()) {
                case TEMPORARY_FAILURE -> "NO [UNAVAILABLE] Authentication is not available now, try again later";
                case DISABLED -> "NO [AUTHORIZATIONFAILED] Account disabled";
                default -> "NO [AUTHENTICATIONFAILED] Authentication failed";
            };
            ch.eventLoop().execute(() -> {
                if (++authFailures >= MAX_AUTH_FAILURES) {
                    writeNow(tag + " " + code + "\r\n");
                    bye("Too many failed logins");
                    done();
                } else {
                    respond(tag, code);
                }
            });
            return;
        }
        MailPrincipal p = res.principal();
        try {
            conn.worker().execute(() -> openStore(tag, p));
        } catch (RejectedExecutionException e) {
            respond(tag, "NO [UNAVAILABLE] Server busy, try again");
        }
    }

    private void respond(String tag, String text) {
        ch.eventLoop().execute(() -> {
            if (!closing) {
                writeNow(tag + " " + text + "\r\n");
            }
            done();
        });
    }

    private void openStore(String tag, MailPrincipal p) {
        StoreSession s;
        try {
            s = server.stores().open(p, () -> bye("[UNAVAILABLE] Mail storage is no longer available"));
            firstLogin(s);
        } catch (StoreException e) {
            LOG.warn("Cannot open the mail store of {}: {}", p.user(), e.getMessage());
            respond(tag, "NO [UNAVAILABLE] Your mail is not available now, try again later");
            return;
        } catch (RuntimeException e) {
            LOG.warn("Cannot open the mail store of {}", p.user(), e);
            respond(tag, "NO [SERVERBUG] Your mail is not available now");
            return;
        }
        ch.eventLoop().execute(() -> {
            if (closing) {
                conn.worker().execute(s::close);
                done();
                return;
            }
            principal = p;
            store = s;
            state = State.AUTHENTICATED;
            conn.setUser(p.user());
            conn.setState("authenticated");
            decoder.literalLimit(settings.maxLiteralSize());
            resetTimer();
            LOG.info("imap login user={} remote={} session={}", p.user(), conn.remoteAddress(), conn.id());
            writeNow(tag + " OK [CAPABILITY " + capabilities() + "] Logged in\r\n");
            done();
        });
    }

    /** At a user's first login (only INBOX exists), creates and subscribes the special-use mailboxes. */
    private void firstLogin(StoreSession s) throws StoreException {
        Map<String, SpecialUse> wanted = settings.specialUse();
        if (wanted.isEmpty()) {
            return;
        }
        List<MailboxInfo> existing = s.list();
        if (existing.size() > 1 || !s.subscriptions().isEmpty()) {
            return;
        }
        s.subscribe(StoreSession.INBOX);
        for (Map.Entry<String, SpecialUse> e : wanted.entrySet()) {
            try {
                s.create(e.getKey(), e.getValue());
                s.subscribe(e.getKey());
            } catch (StoreException ex) {
                LOG.warn("Cannot create {} for {}: {}", e.getKey(), s.principal().user(), ex.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- helpers for commands

    /** Decodes a mailbox name as the client sent it (modified UTF-7 unless UTF-8 is on), INBOX canonical. */
    String mailboxName(String raw) throws Failure {
        String name;
        if (utf8()) {
            name = raw;
        } else {
            try {
                name = MUtf7.decode(raw);
            } catch (IllegalArgumentException e) {
                throw Failure.bad("Invalid mailbox name: " + e.getMessage());
            }
        }
        if (name.equalsIgnoreCase(StoreSession.INBOX)) {
            return StoreSession.INBOX;
        }
        if (name.length() > 6 && name.substring(0, 6).equalsIgnoreCase("INBOX/")) {
            return StoreSession.INBOX + name.substring(5);
        }
        return name;
    }

    /** The selected mailbox's UIDs named by a sequence set (message numbers or UIDs). */
    long[] resolve(SequenceSet set, boolean uid) throws Failure {
        Selected s = selected;
        long[] all = s.uids();
        int n = all.length;
        List<Long> out = new ArrayList<>();
        if (set.saved()) {
            for (long u : savedSearch) {
                if (Arrays.binarySearch(all, u) >= 0) {
                    out.add(u);
                }
            }
        } else if (uid) {
            long[] in = set.resolve(n == 0 ? 0 : all[n - 1]);
            for (long u : all) {
                if (SequenceSet.in(in, u)) {
                    out.add(u);
                }
            }
        } else {
            for (SequenceSet.Range r : set.ranges()) {
                boolean star = r.from() == SequenceSet.STAR || r.to() == SequenceSet.STAR;
                if (star && n == 0) {
                    continue; // 1:* in an empty mailbox names nothing, as clients expect
                }
                if ((r.from() != SequenceSet.STAR && r.from() > n) || (r.to() != SequenceSet.STAR && r.to() > n)) {
                    throw Failure.bad("Invalid message sequence number: " + set);
                }
            }
            long[] in = set.resolve(n);
            for (int i = 1; i <= n; i++) {
                if (SequenceSet.in(in, i)) {
                    out.add(all[i - 1]);
                }
            }
        }
        long[] r = new long[out.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = out.get(i);
        }
        return r;
    }

    Set<String> canonicalFlags(List<String> flags) throws Failure {
        Set<String> out = new java.util.LinkedHashSet<>();
        for (String f : flags) {
            if (f.startsWith("\\")) {
                String c = Flags.canonical(f);
                if (!Flags.SYSTEM.contains(c)) {
                    if (f.equalsIgnoreCase("\\Recent")) {
                        continue;
                    }
                    throw Failure.bad("Unknown system flag: " + f);
                }
                out.add(c);
            } else {
                out.add(f);
            }
        }
        return out;
    }

    void select(Selected s) {
        selected = s;
        state = s == null ? State.AUTHENTICATED : State.SELECTED;
        conn.setState(s == null ? "authenticated" : "selected " + s.name);
    }

    /** The user as the logs and \Recent tracking know them. */
    String user() {
        MailPrincipal p = principal;
        return p == null ? "" : p.user().toLowerCase(Locale.ROOT);
    }

}
