package io.pillarbox.pop2;

import io.pillarbox.transport.codec.LineDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.protocol.CloseRequest;
import io.pillarbox.api.protocol.Connection;
import io.pillarbox.api.store.FlagOp;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.transport.session.CommandTimer;
import io.pillarbox.transport.session.SessionTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One POP2 connection (RFC 937). States: CALL until HELO; then a folder is selected (INBOX first, others with FOLD)
 * and the client walks its messages: READ tells a message's size, RETR sends exactly that many octets, and ACKS
 * (keep), ACKD (delete) or NACK (not received) acknowledge it and answer the size of the next (or the same)
 * message. Deletions take effect at FOLD and QUIT; a dropped connection deletes nothing. Commands run one at a time
 * on the connection's worker; message bodies are streamed in chunks as the client reads them.
 */
final class Pop2Session extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(Pop2Session.class);

    enum State { CALL, NMBR, SIZE, XFER }

    private final Pop2Server server;
    private final Pop2Settings settings;
    private final Connection conn;
    private Channel ch;

    // event loop
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private boolean busy;
    private boolean greeted;
    private int badInRow;
    private ScheduledFuture<?> autologout;
    private volatile boolean closing;
    private final AtomicReference<Runnable> parked = new AtomicReference<>();

    // session state, touched by one command at a time
    volatile State state = State.CALL;
    private int authFailures;
    private MailPrincipal principal;
    private String lockKey;
    private StoreSession store;
    private Mailbox box;
    private List<MessageInfo> messages = List.of();
    private boolean[] deleted = new boolean[0];
    /** The current message, 1-based; may be one past the end. */
    private int current;
    /** The logged-in user as the trace knows it (lower case), null before login. */
    private volatile String traceUser;
    /** Before login, the user named by HELO (lower case): a trace of that user starts there. */
    private volatile String claimedUser;

    Pop2Session(Pop2Server server, Connection conn) {
        this.server = server;
        this.settings = server.settings();
        this.conn = conn;
        this.timer = new CommandTimer(PROTOCOL, server.metrics());
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
        conn.setState("call");
        resetTimer();
        reply("+ POP2 " + settings.serverName() + " server ready");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            return;
        }
        resetTimer();
        queue.add(msg);
        pump();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof CloseRequest req) {
            bye("- " + req.reason());
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ch.isWritable()) {
            resume();
        }
        super.channelWritabilityChanged(ctx);
    }

    private void resume() {
        Runnable r = parked.getAndSet(null);
        if (r != null) {
            try {
                conn.worker().execute(r);
            } catch (RejectedExecutionException e) {
                ch.close();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        if (autologout != null) {
            autologout.cancel(false);
        }
        queue.clear();
        resume();
        try {
            conn.worker().execute(this::release);
        } catch (RejectedExecutionException e) {
            release();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("POP2 session {} failed", conn.id(), cause);
        ctx.close();
    }

    /** Closes the folder and the store session and lets go of the user's lock; idempotent. */
    private synchronized void release() {
        Mailbox b = box;
        StoreSession s = store;
        String key = lockKey;
        box = null;
        store = null;
        lockKey = null;
        if (b != null) {
            b.close();
        }
        if (s != null) {
            s.close();
        }
        if (key != null) {
            server.locks().remove(key);
        }
    }

    private void resetTimer() {
        if (autologout != null) {
            autologout.cancel(false);
        }
        autologout = ch.eventLoop().schedule(() -> {
            if (busy) {
                resetTimer();
            } else {
                bye("- Autologout; idle for too long");
            }
        }, settings.autologout().toMillis(), TimeUnit.MILLISECONDS);
    }

    void bye(String line) {
        if (!ch.eventLoop().inEventLoop()) {
            ch.eventLoop().execute(() -> bye(line));
            return;
        }
        if (closing) {
            return;
        }
        closing = true;
        if (traced()) {
            trace("S: " + SessionTrace.clip(line));
        }
        ch.writeAndFlush(line(line)).addListener(ChannelFutureListener.CLOSE);
    }

    /** For tests: nothing runs and nothing waits. */
    boolean idle() {
        return (!busy && queue.isEmpty()) || closing;
    }

    // ---------------------------------------------------------------- queue

    private void pump() {
        while (!closing && !busy) {
            Object o = queue.poll();
            if (o == null) {
                return;
            }
            busy = true;
            String claimed = claimedUser(o);
            if (claimed != null && traceUser == null) {
                claimedUser = claimed;
            }
            if (traced()) {
                trace("C: " + masked(o));
            }
            timer.start(CommandTimer.verb(o, COMMAND_NAMES));
            if (o == LineDecoder.TOO_LONG) {
                bad("- Line too long");
                done();
                continue;
            }
            String line = (String) o;
            try {
                conn.worker().execute(() -> run(line));
            } catch (RejectedExecutionException e) {
                reply("- Server busy, try again later");
                done();
            }
        }
    }

    private void done() {
        if (!ch.eventLoop().inEventLoop()) {
            ch.eventLoop().execute(this::done);
            return;
        }
        busy = false;
        timer.stop();
        pump();
    }

    // ---------------------------------------------------------------- metrics and trace

    /** The protocol name under which this bundle reports (the listener protocol). */
    static final String PROTOCOL = "pop2";

    /** The command names reported to {@link MailMetrics}; anything else is {@link MailMetrics#UNKNOWN_COMMAND}. */
    static final Set<String> COMMAND_NAMES = Set.of("HELO", "FOLD", "READ", "RETR", "ACKS", "ACKD", "NACK", "QUIT");

    /** Times the commands (event loop only): from when one starts to when its response has gone out. */
    private final CommandTimer timer;

    /** A client line as the trace shows it: the HELO password masked. */
    static String masked(Object o) {
        if (!(o instanceof String line)) {
            return "<line too long>";
        }
        String[] w = line.split(" ", 3);
        if (w[0].equalsIgnoreCase("HELO") && w.length > 2) {
            return w[0] + " " + w[1] + " ***";
        }
        return SessionTrace.clip(line);
    }

    /** The user a HELO line names (lower case), or null. */
    static String claimedUser(Object o) {
        if (!(o instanceof String line)) {
            return null;
        }
        String[] w = line.strip().split(" +");
        return w.length >= 2 && w[0].equalsIgnoreCase("HELO") ? w[1].toLowerCase(Locale.ROOT) : null;
    }

    /** Whom the trace follows: the logged-in user, or before login the user the client named. */
    private String traceName() {
        String u = traceUser;
        return u != null ? u : claimedUser;
    }

    private boolean traced() {
        return server.trace().on(traceName());
    }

    private void trace(String text) {
        server.trace().log(conn.id(), traceName(), text);
    }

    private void run(String line) {
        if (closing) {
            done();
            return;
        }
        boolean finished = true;
        try {
            finished = command(line);
        } catch (Exception e) {
            LOG.warn("POP2 command failed in session {}", conn.id(), e);
            reply("- Internal error");
        }
        if (finished) {
            done();
        }
    }

    private void bad(String text) {
        reply(text);
        if (ch.eventLoop().inEventLoop()) {
            countBad();
        } else {
            ch.eventLoop().execute(this::countBad);
        }
    }

    private void countBad() {
        if (++badInRow >= settings.maxBadCommands()) {
            bye("- Too many bad commands");
        }
    }

    private void good() {
        if (ch.eventLoop().inEventLoop()) {
            badInRow = 0;
        } else {
            ch.eventLoop().execute(() -> badInRow = 0);
        }
    }

    private void reply(String text) {
        if (traced()) {
            trace("S: " + SessionTrace.clip(text));
        }
        ch.writeAndFlush(line(text));
    }

    private ByteBuf line(String text) {
        byte[] b = (text + "\r\n").getBytes(StandardCharsets.UTF_8);
        return ch.alloc().buffer(b.length).writeBytes(b);
    }

    // ---------------------------------------------------------------- commands

    /** Runs one command on the worker; returns false when it ends itself later (RETR). */
    private boolean command(String line) throws Exception {
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        String rest = sp < 0 ? "" : line.substring(sp + 1).strip();
        if (verb.equals("QUIT")) {
            quit();
            return true;
        }
        if (state == State.CALL) {
            if (verb.equals("HELO")) {
                return helo(rest);
            } else {
                bad("- HELO first");
            }
            return true;
        }
        switch (verb) {
            case "HELO" -> bad("- Already logged in");
            case "FOLD" -> fold(rest);
            case "READ" -> read(rest);
            case "RETR" -> {
                return retr(rest);
            }
            case "ACKS", "ACKD", "NACK" -> ack(verb, rest);
            default -> bad("- Unknown command");
        }
        return true;
    }

    private boolean helo(String rest) {
        int sp = rest.indexOf(' ');
        if (sp <= 0 || sp == rest.length() - 1) {
            bad("- Syntax: HELO user password");
            return true;
        }
        if (!conn.plaintextAuthAllowed()) {
            bye("- Plaintext login not allowed on this connection; use TLS");
            return true;
        }
        good();
        String user = rest.substring(0, sp);
        char[] password = rest.substring(sp + 1).toCharArray();
        server.authenticator().authenticate(user, password, conn.authContext("USER")).whenCompleteAsync((r, e) -> {
            try {
                authenticated(r, e);
            } catch (RuntimeException x) {
                LOG.warn("POP2 login failed in session {}", conn.id(), x);
                reply("- Internal error");
            } finally {
                done();
            }
        }, r -> {
            try {
                conn.worker().execute(r);
            } catch (RejectedExecutionException e) {
                bye("- Server busy, try again later");
            }
        });
        Arrays.fill(password, '\0');
        return false;
    }

    private void authenticated(AuthResult r, Throwable failure) {
        if (failure != null || r == null) {
            LOG.warn("POP2 login failed in session {}", conn.id(), failure);
            reply("- Authentication temporarily unavailable");
            return;
        }
        switch (r.status()) {
            case OK -> login(r.principal());
            case LOCKED_OUT, TEMPORARY_FAILURE -> reply("- Login temporarily unavailable; try again later");
            default -> {
                if (++authFailures >= settings.maxAuthFailures()) {
                    bye("- Bad login");
                } else {
                    reply("- Bad login");
                }
            }
        }
    }

    private void login(MailPrincipal p) {
        String key = p.user().toLowerCase(Locale.ROOT);
        if (!server.locks().add(key)) {
            reply("- Mailbox in use by another POP2 session");
            return;
        }
        StoreSession s = null;
        Mailbox b;
        try {
            s = server.stores().open(p, () -> bye("- Mail store no longer available"));
            b = s.open(StoreSession.INBOX, false);
        } catch (StoreException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            server.locks().remove(key);
            LOG.warn("cannot open the mailbox of {} in session {}: {}", p.user(), conn.id(), e.toString());
            bye("- Cannot open the mailbox now");
            return;
        }
        synchronized (this) {
            principal = p;
            lockKey = key;
            store = s;
        }
        traceUser = key;
        conn.setUser(p.user());
        try {
            select(b);
        } catch (StoreException e) {
            bye("- Cannot read the mailbox now");
            return;
        }
        if (closing) {
            release();
            return;
        }
        LOG.info("pop2 login user={} remote={} session={} messages={}", p.user(), conn.remoteAddress(), conn.id(),
                messages.size());
        reply("#" + messages.size());
    }

    /** Makes {@code b} the current folder; the previous one, if any, must have been committed and closed. */
    private void select(Mailbox b) throws StoreException {
        List<MessageInfo> list;
        try {
            list = List.copyOf(b.messages());
        } catch (StoreException e) {
            b.close();
            throw e;
        }
        synchronized (this) {
            box = b;
        }
        messages = list;
        deleted = new boolean[list.size()];
        current = 1;
        state = State.NMBR;
        conn.setState("folder " + b.name());
    }

    /** Removes the messages acknowledged with ACKD from the current folder. */
    private int commit() throws StoreException {
        Mailbox b = box;
        List<Long> gone = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if (deleted[i]) {
                gone.add(messages.get(i).uid());
            }
        }
        if (b == null || gone.isEmpty()) {
            return 0;
        }
        b.updateFlags(gone, FlagOp.ADD, Set.of(Flags.DELETED), -1);
        int n = b.expunge(gone).size();
        Arrays.fill(deleted, false);
        return n;
    }

    private void fold(String rest) throws StoreException {
        if (rest.isEmpty()) {
            bad("- Syntax: FOLD mailbox");
            return;
        }
        good();
        Mailbox next;
        try {
            next = store.open(rest, false);
        } catch (StoreException e) {
            reply("- Cannot open mailbox " + rest);
            return;
        }
        try {
            commit();
        } catch (StoreException e) {
            next.close();
            throw e;
        }
        Mailbox old;
        synchronized (this) {
            old = box;
            box = null;
        }
        if (old != null) {
            old.close();
        }
        select(next);
        reply("#" + messages.size());
    }

    /** The size of message {@code n} for READ/ACK answers: 0 if there is none (or it was deleted). */
    private long size(int n) {
        return n >= 1 && n <= messages.size() && !deleted[n - 1] ? messages.get(n - 1).size() : 0;
    }

    private void answerSize() {
        long size = size(current);
        state = size > 0 ? State.SIZE : State.NMBR;
        reply("=" + size);
    }

    private void read(String rest) {
        if (!rest.isEmpty()) {
            if (!rest.matches("[0-9]{1,9}")) {
                bad("- Syntax: READ [n]");
                return;
            }
            current = Integer.parseInt(rest);
        }
        good();
        answerSize();
    }

    private boolean retr(String rest) throws StoreException {
        if (!rest.isEmpty()) {
            bad("- Syntax: RETR");
            return true;
        }
        if (state != State.SIZE) {
            bad("- No message to send; READ first");
            return true;
        }
        good();
        MessageInfo m = messages.get(current - 1);
        InputStream in;
        try {
            in = box.content(m.uid()).open();
        } catch (StoreException e) {
            if (e.reason() != StoreException.Reason.NONEXISTENT) {
                throw e;
            }
            // the size was promised; the message is gone: the client cannot be given what it expects
            bye("- Message was removed by another session");
            return true;
        } catch (IOException e) {
            bye("- Cannot read the message now");
            return true;
        }
        state = State.XFER;
        new RawStreamer(in, m.size()).run();
        return false;
    }

    private void ack(String verb, String rest) throws StoreException {
        if (!rest.isEmpty()) {
            bad("- Syntax: " + verb);
            return;
        }
        if (state != State.XFER) {
            bad("- Nothing to acknowledge; RETR first");
            return;
        }
        good();
        switch (verb) {
            case "ACKS" -> current++;
            case "ACKD" -> {
                deleted[current - 1] = true;
                current++;
            }
            default -> {
                // NACK: the same message again
            }
        }
        answerSize();
    }

    private void quit() {
        String answer;
        try {
            int n = state == State.CALL ? 0 : commit();
            answer = "+ OK " + settings.serverName() + " POP2 server signing off (" + n + " messages deleted)";
            if (principal != null) {
                LOG.info("pop2 logout user={} remote={} session={} deleted={}", principal.user(),
                        conn.remoteAddress(), conn.id(), n);
            }
        } catch (StoreException | RuntimeException e) {
            LOG.warn("POP2 update failed in session {}: {}", conn.id(), e.toString());
            answer = "- Some deleted messages not removed";
        }
        release();
        bye(answer);
    }

    /** Sends exactly the message's octets in chunks while the channel is writable, parking otherwise. */
    private final class RawStreamer implements Runnable {
        private final InputStream in;
        private final long size;
        private long left;
        private final byte[] buf = new byte[settings.chunkSize()];

        RawStreamer(InputStream in, long size) {
            this.in = in;
            this.size = size;
            this.left = size;
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
                        if ((ch.isWritable() || !ch.isActive()) && parked.compareAndSet(this, null)) {
                            continue;
                        }
                        return;
                    }
                    if (left <= 0) {
                        finish(null);
                        return;
                    }
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        // shorter than its size says: the client counts octets, so it cannot resynchronise
                        finish(new IOException("message shorter than its size"));
                        return;
                    }
                    left -= n;
                    ch.writeAndFlush(ch.alloc().buffer(n).writeBytes(buf, 0, n));
                }
            } catch (IOException | RuntimeException e) {
                finish(e);
            }
        }

        private void finish(Throwable failure) {
            try {
                in.close();
            } catch (IOException e) {
                // nothing more to do
            }
            if (failure != null) {
                if (ch.isActive()) {
                    LOG.warn("sending a message failed in POP2 session {}", conn.id(), failure);
                }
                ch.close();
            } else {
                if (traced()) {
                    trace("S: <message content, " + size + " octets, not logged>");
                }
                timer.increment(MailMetrics.MESSAGES_RETRIEVED);
            }
            done();
        }
    }
}
