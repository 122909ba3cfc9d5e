package io.pillarbox.pop3;

import io.pillarbox.transport.codec.LineDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.SaslExchange;
import io.pillarbox.api.auth.SharedSecret;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.protocol.CloseRequest;
import io.pillarbox.api.protocol.Connection;
import io.pillarbox.api.store.FlagOp;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageContent;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import io.pillarbox.transport.session.CommandTimer;
import io.pillarbox.transport.session.SessionTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One POP3 connection: the RFC 1939 state machine with RFC 2449, 2595, 5034 and APOP. Lines are decoded on the event
 * loop and queued; commands run one at a time, in order (PIPELINING), those that touch a realm or the store on the
 * connection's worker. Responses are written from whichever thread runs the command; only one command runs at a
 * time, so they stay in order.
 */
final class Pop3Session extends ChannelInboundHandlerAdapter {

    static final String DECODER = "pop3-decoder";
    static final String HANDLER = "pop3";

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Session.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    enum State { AUTHORIZATION, TRANSACTION, UPDATE }

    /** A command body; returns {@code true} when finished, {@code false} when it will call {@link #done} itself. */
    private interface Step {
        boolean run() throws Exception;
    }

    private final Pop3Server server;
    private final Pop3Settings settings;
    private final Connection conn;
    private final LineDecoder decoder;
    private Channel ch;

    // event-loop state
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private boolean busy;
    private boolean greeted;
    private Consumer<Object> continuation;
    private ScheduledFuture<?> autologout;
    private int badInRow;
    private int commandsBeforeAuth;
    private volatile boolean closing;
    final AtomicReference<Runnable> parked = new AtomicReference<>();

    // session state: touched only by the one command running at a time
    volatile State state = State.AUTHORIZATION;
    private volatile String banner;
    private String pendingUser;
    private int authFailures;
    private MailPrincipal principal;
    private StoreSession store;
    private Mailbox box;
    private MaildropLocks.Lock lock;
    private List<MessageInfo> messages = List.of();
    /** The UIDL of each message, fixed at login like the list. */
    private String[] uidls = new String[0];
    /** The messages' sizes as sent (CRLF line ends), for STAT, LIST and RETR; see {@link ServedSizes}. */
    private long[] sizes = new long[0];
    private boolean[] deleted = new boolean[0];
    private boolean[] retrieved = new boolean[0];
    private final long started = System.nanoTime();
    /**
     * Where answers of the authenticator continue: the worker; if it refuses the task (overloaded), the session ends
     * rather than waiting forever for an answer nobody will deliver.
     */
    private void afterAuth(Runnable r) {
        try {
            conn.worker().execute(r);
        } catch (RejectedExecutionException e) {
            bye("-ERR [SYS/TEMP] Server busy, try again later");
        }
    }

    private int retrievedCount;
    private int deletedCount;
    /** The logged-in user as the trace knows it (lower case), null before login. */
    private volatile String traceUser;
    /** Before login, the user named by USER or APOP (lower case): a trace of that user starts there. */
    private volatile String claimedUser;

    Pop3Session(Pop3Server server, Connection conn, LineDecoder decoder) {
        this.server = server;
        this.settings = server.settings();
        this.conn = conn;
        this.decoder = decoder;
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

    /** The greeting is a command of its own: it asks the realms whether APOP can be offered (on the worker). */
    private void greet() {
        if (greeted) {
            return;
        }
        greeted = true;
        busy = true;
        conn.setState("authorization");
        resetTimer();
        work(() -> {
            StringBuilder sb = new StringBuilder("+OK ").append(settings.serverName()).append(" POP3 ready");
            if (settings.apop() && server.authenticator().supports(Authenticator.CredentialKind.SHARED_SECRET)) {
                banner = "<" + Long.toUnsignedString(RANDOM.nextLong() & Long.MAX_VALUE, 36) + "."
                        + System.currentTimeMillis() + "@" + settings.hostName() + ">";
                sb.append(' ').append(banner);
            }
            reply(sb.toString());
            return true;
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
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
            if (req.cause() == CloseRequest.Cause.IDLE_TIMEOUT) {
                bye("-ERR Autologout; " + req.reason());
            } else {
                bye("-ERR [SYS/TEMP] " + req.reason());
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ch.isWritable()) {
            resumeStreamer();
        }
        super.channelWritabilityChanged(ctx);
    }

    private void resumeStreamer() {
        try {
            ContentStreamer.resume(parked, conn.worker());
        } catch (RejectedExecutionException e) {
            ch.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        if (autologout != null) {
            autologout.cancel(false);
        }
        queue.clear();
        continuation = null;
        resumeStreamer();
        // a dropped connection expunges nothing: just let go of the maildrop
        try {
            conn.worker().execute(this::release);
        } catch (RejectedExecutionException e) {
            release();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("POP3 session {} failed", conn.id(), cause);
        ctx.close();
    }

    /** Closes the maildrop, the store session and the lock; idempotent, any thread. */
    private synchronized void release() {
        Mailbox b = box;
        StoreSession s = store;
        MaildropLocks.Lock l = lock;
        box = null;
        store = null;
        lock = null;
        if (b != null) {
            try {
                b.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the maildrop failed", e);
            }
        }
        if (s != null) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.debug("closing the store session failed", e);
            }
        }
        if (l != null) {
            l.release();
        }
        if (principal != null && (b != null || s != null)) {
            LOG.info("pop3 logout user={} remote={} session={} duration={}s retrieved={} deleted={}",
                    principal.user(), conn.remoteAddress(), conn.id(),
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), retrievedCount, deletedCount);
        }
    }

    private void resetTimer() {
        if (autologout != null) {
            autologout.cancel(false);
        }
        Duration d = state == State.AUTHORIZATION ? settings.preAuthAutologout() : settings.autologout();
        autologout = ch.eventLoop().schedule(this::autologout, d.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void autologout() {
        if (busy && continuation == null) {
            resetTimer(); // a long RETR to a slow client is not idleness
            return;
        }
        // RFC 1939: the session does not enter UPDATE; nothing is removed
        bye("-ERR Autologout; idle for too long");
    }

    /** Says a last word and closes (any thread). */
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
        ch.writeAndFlush(ByteBufs.line(ch, line)).addListener(ChannelFutureListener.CLOSE);
    }

    // ---------------------------------------------------------------- queue

    private void pump() {
        while (!closing && !busy) {
            Object o = queue.poll();
            if (o == null) {
                break;
            }
            busy = true;
            Consumer<Object> c = continuation;
            if (c != null) {
                continuation = null;
                if (traced()) {
                    trace("C: <SASL response>");
                }
                // the command's input goes on: its latency is the server's time after the last of it
                timer.restart();
                c.accept(o);
            } else {
                String claimed = claimedUser(o);
                if (claimed != null && traceUser == null) {
                    claimedUser = claimed;
                }
                if (traced()) {
                    trace("C: " + masked(o));
                }
                timer.start(CommandTimer.verb(o, COMMAND_NAMES));
                dispatch(o);
            }
        }
        if (!closing && !ch.config().isAutoRead() && queue.size() <= settings.maxQueuedCommands() / 2) {
            ch.config().setAutoRead(true);
            ch.read();
        }
    }

    /** The running command is finished: take the next one (any thread). */
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
    static final String PROTOCOL = "pop3";

    /** The command names reported to {@link MailMetrics}; anything else is {@link MailMetrics#UNKNOWN_COMMAND}. */
    static final Set<String> COMMAND_NAMES = Set.of("CAPA", "QUIT", "STLS", "USER", "PASS", "APOP", "AUTH", "STAT",
            "LIST", "RETR", "DELE", "NOOP", "RSET", "TOP", "UIDL");

    /**
     * Times the commands (event loop only): from when one starts, that is when its line is complete or, pipelined,
     * when the one before it is done; restarted by each further line the command reads (AUTH responses).
     */
    private final CommandTimer timer;

    /** A client line as the trace shows it: passwords, APOP digests and SASL initial responses masked. */
    static String masked(Object o) {
        if (!(o instanceof String line)) {
            return "<line too long>";
        }
        String[] w = line.split(" ", 3);
        String verb = w[0].toUpperCase(Locale.ROOT);
        switch (verb) {
            case "PASS" -> {
                return w.length > 1 ? w[0] + " ***" : line;
            }
            case "APOP", "AUTH" -> {
                return w.length > 2 ? w[0] + " " + w[1] + " ***" : SessionTrace.clip(line);
            }
            default -> {
                return SessionTrace.clip(line);
            }
        }
    }

    /** The user a USER or APOP line names (lower case), or null. */
    static String claimedUser(Object o) {
        if (!(o instanceof String line)) {
            return null;
        }
        String[] w = line.strip().split(" +");
        if (w.length >= 2 && (w[0].equalsIgnoreCase("USER") || w[0].equalsIgnoreCase("APOP"))) {
            return w[1].toLowerCase(Locale.ROOT);
        }
        return null;
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

    /** For tests: the session waits for the client: for a line, or to read what was sent (event loop). */
    boolean idle() {
        return (!busy && queue.isEmpty()) || closing || parked.get() != null;
    }

    /** Waits for the client's next line for a running command (AUTH); any thread. */
    private void awaitLine(Consumer<Object> c) {
        if (!ch.eventLoop().inEventLoop()) {
            ch.eventLoop().execute(() -> awaitLine(c));
            return;
        }
        continuation = c;
        busy = false;
        pump();
    }

    /** Runs a step on the worker; a failure answers {@code -ERR} and ends the command. */
    private void work(Step step) {
        try {
            conn.worker().execute(() -> run(step));
        } catch (RejectedExecutionException e) {
            reply("-ERR [SYS/TEMP] Server busy, try again later");
            done();
        }
    }

    private void run(Step step) {
        if (closing && state != State.UPDATE) {
            done();
            return;
        }
        boolean finished = true;
        try {
            finished = step.run();
        } catch (Exception e) {
            LOG.warn("POP3 command failed in session {}", conn.id(), e);
            reply("-ERR [SYS/TEMP] Internal error");
        }
        if (finished) {
            done();
        }
    }

    // ---------------------------------------------------------------- dispatch

    private void dispatch(Object o) {
        if (o == LineDecoder.TOO_LONG) {
            bad("-ERR Line too long");
            done();
            return;
        }
        String line = (String) o;
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        String rest = sp < 0 ? "" : line.substring(sp + 1);
        if (state == State.AUTHORIZATION && ++commandsBeforeAuth > settings.maxCommandsBeforeAuth()) {
            bye("-ERR Too many commands before login");
            timer.stop();
            return;
        }
        if (state == State.AUTHORIZATION) {
            switch (verb) {
                case "CAPA" -> work(this::capa);
                case "QUIT" -> quitAuthorization();
                case "STLS" -> stls(rest);
                case "USER" -> user(rest);
                case "PASS" -> work(() -> pass(rest));
                case "APOP" -> work(() -> apop(rest));
                case "AUTH" -> work(() -> auth(rest));
                case "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "TOP", "UIDL" -> {
                    bad("-ERR Not logged in");
                    done();
                }
                default -> {
                    bad("-ERR Unknown command");
                    done();
                }
            }
            return;
        }
        switch (verb) {
            case "CAPA" -> work(this::capa);
            case "QUIT" -> {
                state = State.UPDATE;
                work(this::update);
            }
            case "STAT" -> noArgs(rest, this::stat);
            case "LIST" -> work(() -> list(rest));
            case "UIDL" -> work(() -> uidl(rest));
            case "RETR" -> work(() -> retr(rest));
            case "TOP" -> work(() -> top(rest));
            case "DELE" -> work(() -> dele(rest));
            case "NOOP" -> noArgs(rest, () -> reply("+OK"));
            case "RSET" -> noArgs(rest, this::rset);
            case "USER", "PASS", "APOP", "AUTH", "STLS" -> {
                bad("-ERR Already logged in");
                done();
            }
            default -> {
                bad("-ERR Unknown command");
                done();
            }
        }
    }

    private void noArgs(String rest, Runnable r) {
        if (!rest.isBlank()) {
            bad("-ERR Syntax error: no arguments expected");
            done();
            return;
        }
        work(() -> {
            r.run();
            good();
            return true;
        });
    }

    private void bad(String line) {
        reply(line);
        if (++badInRow >= settings.maxBadCommands()) {
            bye("-ERR Too many bad commands");
        }
    }

    /** A command was well-formed: the bad-command count starts again. */
    private void good() {
        if (ch.eventLoop().inEventLoop()) {
            badInRow = 0;
        } else {
            ch.eventLoop().execute(() -> badInRow = 0);
        }
    }

    /** From a worker: a command was refused for its syntax or state. */
    private void badFromWorker(String line) {
        if (ch.eventLoop().inEventLoop()) {
            bad(line);
        } else {
            reply(line);
            ch.eventLoop().execute(() -> {
                if (++badInRow >= settings.maxBadCommands()) {
                    bye("-ERR Too many bad commands");
                }
            });
        }
    }

    // ---------------------------------------------------------------- output

    private void reply(String line) {
        if (traced()) {
            trace("S: " + SessionTrace.clip(line));
        }
        ch.writeAndFlush(ByteBufs.line(ch, line));
    }

    private void multi(String first, List<String> lines) {
        if (traced()) {
            trace("S: " + SessionTrace.clip(first) + " <" + lines.size() + " lines>");
        }
        StringBuilder sb = new StringBuilder(first).append("\r\n");
        for (String l : lines) {
            if (l.startsWith(".")) {
                sb.append('.');
            }
            sb.append(l).append("\r\n");
        }
        sb.append(".\r\n");
        ch.writeAndFlush(ByteBufs.text(ch, sb));
    }

    // ---------------------------------------------------------------- AUTHORIZATION

    private boolean capa() {
        List<String> caps = new ArrayList<>();
        caps.add("TOP");
        caps.add("UIDL");
        caps.add("RESP-CODES");
        caps.add("AUTH-RESP-CODE");
        caps.add("PIPELINING");
        if (state == State.AUTHORIZATION) {
            if (conn.plaintextAuthAllowed()) {
                caps.add("USER");
            }
            List<String> mechs = mechanisms();
            if (!mechs.isEmpty()) {
                caps.add("SASL " + String.join(" ", mechs));
            }
            if (conn.canStartTls()) {
                caps.add("STLS");
            }
        }
        if (!settings.expire().isEmpty()) {
            caps.add("EXPIRE " + settings.expire());
        }
        if (settings.loginDelay() >= 0) {
            caps.add("LOGIN-DELAY " + settings.loginDelay());
        }
        caps.add("IMPLEMENTATION " + settings.serverName());
        multi("+OK Capability list follows", caps);
        good();
        return true;
    }

    /** The SASL mechanisms for this connection: clear-text ones only where clear-text passwords are allowed. */
    private List<String> mechanisms() {
        List<String> m = new ArrayList<>();
        boolean plaintext = conn.plaintextAuthAllowed();
        for (String s : server.sasl().mechanisms(conn.authContext(null))) {
            if (plaintext || !(s.equals("PLAIN") || s.equals("LOGIN"))) {
                m.add(s);
            }
        }
        return m;
    }

    private void quitAuthorization() {
        bye("+OK " + settings.serverName() + " POP3 server signing off");
        timer.stop();
    }

    private void stls(String rest) {
        if (!rest.isBlank()) {
            bad("-ERR Syntax error: no arguments expected");
            done();
            return;
        }
        if (conn.isSecure()) {
            bad("-ERR TLS is already active");
            done();
            return;
        }
        if (!conn.canStartTls()) {
            bad("-ERR STLS not available on this connection");
            done();
            return;
        }
        badInRow = 0;
        // nothing the client sent after STLS may count as if it had come over TLS
        queue.clear();
        decoder.discardBuffered();
        pendingUser = null;
        conn.startTls().addListener(f -> {
            if (f.isSuccess()) {
                done();
            }
        });
        reply("+OK Begin TLS negotiation");
    }

    private void user(String rest) {
        if (!conn.plaintextAuthAllowed()) {
            bad("-ERR [AUTH] Plaintext authentication disallowed on non-secure connections");
            done();
            return;
        }
        String name = rest.strip();
        if (name.isEmpty()) {
            bad("-ERR Syntax error: USER name");
            done();
            return;
        }
        badInRow = 0;
        pendingUser = name;
        reply("+OK");
        done();
    }

    private boolean pass(String rest) {
        String user = pendingUser;
        pendingUser = null;
        if (!conn.plaintextAuthAllowed()) {
            badFromWorker("-ERR [AUTH] Plaintext authentication disallowed on non-secure connections");
            return true;
        }
        if (user == null) {
            badFromWorker("-ERR USER first");
            return true;
        }
        if (rest.isEmpty()) {
            badFromWorker("-ERR Syntax error: PASS password");
            return true;
        }
        good();
        char[] secret = rest.toCharArray();
        AuthContext ctx = conn.authContext("USER");
        server.authenticator().authenticate(user, secret, ctx).whenCompleteAsync((r, e) -> loggedIn(r, e),
                this::afterAuth);
        Arrays.fill(secret, '\0');
        return false;
    }

    private boolean apop(String rest) throws NoSuchAlgorithmException {
        String b = banner;
        if (b == null) {
            badFromWorker("-ERR APOP not available");
            return true;
        }
        String[] args = rest.strip().split(" +");
        if (args.length != 2 || !args[1].matches("[0-9a-fA-F]{32}")) {
            badFromWorker("-ERR Syntax error: APOP name digest");
            return true;
        }
        good();
        String name = args[0];
        String digest = args[1].toLowerCase(Locale.ROOT);
        Authenticator.RealmCheck check = Authenticator.RealmCheck.of((realm, user) -> {
            Optional<SharedSecret> s = realm.sharedSecret(user);
            Optional<char[]> clear = s.flatMap(SharedSecret::cleartext);
            if (clear.isEmpty()) {
                return realm.lookup(user).isPresent()
                        ? AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "no clear-text secret for APOP")
                        : AuthResult.failure(AuthResult.Status.UNKNOWN_USER, "unknown user");
            }
            char[] pw = clear.get();
            try {
                MessageDigest md = MessageDigest.getInstance("MD5");
                md.update(b.getBytes(StandardCharsets.US_ASCII));
                var bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pw));
                byte[] pwb = new byte[bb.remaining()];
                bb.get(pwb);
                md.update(pwb);
                Arrays.fill(pwb, (byte) 0);
                byte[] expected = md.digest();
                byte[] given = HexFormat.of().parseHex(digest);
                if (!MessageDigest.isEqual(expected, given)) {
                    return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "APOP digest mismatch");
                }
                return AuthResult.ok(realm.lookup(user).orElseGet(() -> MailPrincipal.of(user, realm.name())));
            } catch (NoSuchAlgorithmException e) {
                return AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "no MD5");
            } finally {
                Arrays.fill(pw, '\0');
            }
        });
        server.authenticator().authenticate(name, check, conn.authContext("APOP"))
                .whenCompleteAsync(this::loggedIn, this::afterAuth);
        return false;
    }

    private boolean auth(String rest) {
        String[] args = rest.isBlank() ? new String[0] : rest.strip().split(" +");
        if (args.length == 0) {
            // not in RFC 5034, but clients (and Dovecot, UW ipop3d) use it to list the mechanisms
            good();
            multi("+OK", mechanisms());
            return true;
        }
        if (args.length > 2) {
            badFromWorker("-ERR Syntax error: AUTH mechanism [initial-response]");
            return true;
        }
        String mech = args[0].toUpperCase(Locale.ROOT);
        if (!mechanisms().contains(mech)) {
            badFromWorker("-ERR Unsupported authentication mechanism");
            return true;
        }
        byte[] initial = null;
        if (args.length == 2) {
            if (args[1].equals("=")) {
                initial = new byte[0];
            } else {
                try {
                    initial = Base64.getDecoder().decode(args[1]);
                } catch (IllegalArgumentException e) {
                    badFromWorker("-ERR Invalid base64 in the initial response");
                    return true;
                }
            }
        }
        good();
        SaslExchange exchange;
        try {
            exchange = server.sasl().start(mech, conn.authContext(mech));
        } catch (IllegalArgumentException e) {
            reply("-ERR Unsupported authentication mechanism");
            return true;
        }
        saslStep(exchange, initial);
        return false;
    }

    /** Feeds one response to the exchange (on the worker) and reacts to its answer. */
    private void saslStep(SaslExchange exchange, byte[] response) {
        exchange.evaluate(response).whenCompleteAsync((step, failure) -> {
            if (failure != null || step == null) {
                LOG.warn("SASL exchange failed in session {}", conn.id(), failure);
                reply("-ERR [SYS/TEMP] Authentication failed for an internal reason");
                done();
                return;
            }
            if (!step.isDone()) {
                byte[] c = step.challenge();
                reply("+ " + (c == null ? "" : Base64.getEncoder().encodeToString(c)));
                awaitLine(o -> saslResponse(exchange, o));
                return;
            }
            AuthResult result = step.result();
            if (result.isOk() && step.challenge() != null && step.challenge().length > 0) {
                // RFC 5034 section 4: additional data with success goes out as a challenge; the client answers empty
                reply("+ " + Base64.getEncoder().encodeToString(step.challenge()));
                awaitLine(o -> {
                    if (o instanceof String s && s.isEmpty()) {
                        work(() -> {
                            loggedIn(result, null);
                            return false;
                        });
                    } else {
                        reply("-ERR [AUTH] Authentication cancelled");
                        done();
                    }
                });
                return;
            }
            loggedIn(result, null);
        }, this::afterAuth);
    }

    /** A client line during AUTH (event loop). */
    private void saslResponse(SaslExchange exchange, Object o) {
        if (!(o instanceof String s)) {
            reply("-ERR Line too long; authentication aborted");
            done();
            return;
        }
        if (s.equals("*")) {
            reply("-ERR Authentication cancelled");
            done();
            return;
        }
        byte[] response;
        try {
            response = Base64.getDecoder().decode(s.strip());
        } catch (IllegalArgumentException e) {
            reply("-ERR Invalid base64; authentication aborted");
            done();
            return;
        }
        try {
            conn.worker().execute(() -> {
                try {
                    saslStep(exchange, response);
                } catch (RuntimeException e) {
                    LOG.warn("SASL step failed in session {}", conn.id(), e);
                    reply("-ERR [SYS/TEMP] Internal error");
                    done();
                }
            });
        } catch (RejectedExecutionException e) {
            reply("-ERR [SYS/TEMP] Server busy, try again later");
            done();
        }
    }

    /** After an authentication attempt (on the worker): open the maildrop or say why not. Ends the command. */
    private void loggedIn(AuthResult result, Throwable failure) {
        try {
            if (failure != null || result == null) {
                LOG.warn("authentication failed in session {}", conn.id(), failure);
                reply("-ERR [SYS/TEMP] Authentication failed for an internal reason");
                return;
            }
            switch (result.status()) {
                case OK -> openMaildrop(result.principal());
                case LOCKED_OUT -> authFailed("-ERR [SYS/TEMP] Too many failed logins; try again later");
                case TEMPORARY_FAILURE -> reply("-ERR [SYS/TEMP] Authentication temporarily unavailable");
                case DISABLED -> authFailed("-ERR [AUTH] Account disabled");
                default -> authFailed("-ERR [AUTH] Authentication failed");
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("login failed in session {}", conn.id(), e);
            reply("-ERR [SYS/TEMP] Internal error");
        } finally {
            done();
        }
    }

    private void authFailed(String line) {
        if (++authFailures >= settings.maxAuthFailures()) {
            bye(line);
        } else {
            reply(line);
        }
    }

    private void openMaildrop(MailPrincipal p) {
        MaildropLocks.Lock l = server.locks().tryLock(p.user());
        if (l == null) {
            reply("-ERR [IN-USE] Maildrop is already in use by another POP3 session");
            return;
        }
        StoreSession s = null;
        Mailbox b = null;
        List<MessageInfo> list;
        long[] sent;
        try {
            s = server.stores().open(p, () -> bye("-ERR [SYS/TEMP] Mail store no longer available"));
            b = s.open(StoreSession.INBOX, false);
            list = List.copyOf(b.messages());
            uidls = uidls(list, b.uidValidity(), b.pop3Uidls());
            sent = server.sizes().sizes(p.user(), b, list);
        } catch (StoreException | RuntimeException e) {
            if (b != null) {
                b.close();
            }
            if (s != null) {
                s.close();
            }
            l.release();
            LOG.warn("cannot open the maildrop of {} in session {}: {}", p.user(), conn.id(), e.toString());
            bye("-ERR [SYS/TEMP] Cannot open the maildrop now");
            return;
        }
        synchronized (this) {
            principal = p;
            store = s;
            box = b;
            lock = l;
        }
        messages = list;
        sizes = sent;
        deleted = new boolean[list.size()];
        retrieved = new boolean[list.size()];
        state = State.TRANSACTION;
        traceUser = p.user().toLowerCase(Locale.ROOT);
        conn.setUser(p.user());
        conn.setState("transaction");
        if (closing) {
            release(); // the client went away while we were opening
            return;
        }
        ch.eventLoop().execute(this::resetTimer);
        LOG.info("pop3 login user={} remote={} session={} messages={}", p.user(), conn.remoteAddress(), conn.id(),
                list.size());
        reply("+OK Logged in; maildrop has " + list.size() + " messages (" + totalSize(false) + " octets)");
    }

    // ---------------------------------------------------------------- TRANSACTION

    private long totalSize(boolean withoutDeleted) {
        long total = 0;
        for (int i = 0; i < messages.size(); i++) {
            if (!withoutDeleted || !deleted[i]) {
                total += sizes[i];
            }
        }
        return total;
    }

    private int live() {
        int n = 0;
        for (boolean d : deleted) {
            if (!d) {
                n++;
            }
        }
        return n;
    }

    private void stat() {
        reply("+OK " + live() + " " + totalSize(true));
    }

    /**
     * Parses a message number that names a message not marked deleted; answers {@code -ERR} and returns -1 if not.
     */
    private int message(String arg) {
        if (!arg.matches("[0-9]{1,9}")) {
            badFromWorker("-ERR Syntax error: message number expected");
            return -1;
        }
        int n = Integer.parseInt(arg);
        if (n < 1 || n > messages.size()) {
            reply("-ERR No such message");
            return -1;
        }
        if (deleted[n - 1]) {
            reply("-ERR Message " + n + " already deleted");
            return -1;
        }
        return n - 1;
    }

    private boolean list(String rest) {
        String arg = rest.strip();
        if (!arg.isEmpty()) {
            if (arg.contains(" ")) {
                badFromWorker("-ERR Syntax error: LIST [msg]");
                return true;
            }
            int i = message(arg);
            if (i >= 0) {
                good();
                reply("+OK " + (i + 1) + " " + sizes[i]);
            }
            return true;
        }
        good();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if (!deleted[i]) {
                lines.add((i + 1) + " " + sizes[i]);
            }
        }
        multi("+OK " + lines.size() + " messages (" + totalSize(true) + " octets)", lines);
        return true;
    }

    /**
     * The unique-id of a message: Dovecot's default {@code %08Xu%08Xv} (UID, then UIDVALIDITY, in hex). Made for
     * every message at each login, so without {@code String.format}.
     */
    static String uidl(long uid, long uidValidity) {
        if ((uid | uidValidity) >>> 32 != 0) {
            return String.format("%08X%08X", uid, uidValidity); // not 32-bit values: as many digits as needed
        }
        char[] c = new char[16];
        for (int i = 7; i >= 0; i--) {
            c[i] = HEX[(int) (uid >>> (4 * (7 - i)) & 15)];
            c[8 + i] = HEX[(int) (uidValidity >>> (4 * (7 - i)) & 15)];
        }
        return new String(c);
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final java.util.regex.Pattern KEPT_UIDL = java.util.regex.Pattern.compile("[\\x21-\\x7E]{1,70}");

    /** The UIDLs of the messages: the store's own where it keeps a valid one, else the default. */
    static String[] uidls(List<MessageInfo> list, long uidValidity, java.util.Map<Long, String> kept) {
        String[] out = new String[list.size()];
        for (int i = 0; i < out.length; i++) {
            long uid = list.get(i).uid();
            String k = kept.isEmpty() ? null : kept.get(uid);
            out[i] = k != null && KEPT_UIDL.matcher(k).matches() ? k : uidl(uid, uidValidity);
        }
        return out;
    }

    private boolean uidl(String rest) {
        String arg = rest.strip();
        if (!arg.isEmpty()) {
            if (arg.contains(" ")) {
                badFromWorker("-ERR Syntax error: UIDL [msg]");
                return true;
            }
            int i = message(arg);
            if (i >= 0) {
                good();
                reply("+OK " + (i + 1) + " " + uidls[i]);
            }
            return true;
        }
        good();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if (!deleted[i]) {
                lines.add((i + 1) + " " + uidls[i]);
            }
        }
        multi("+OK Unique-ID listing follows", lines);
        return true;
    }

    private boolean retr(String rest) throws StoreException {
        String arg = rest.strip();
        if (arg.isEmpty() || arg.contains(" ")) {
            badFromWorker("-ERR Syntax error: RETR msg");
            return true;
        }
        int i = message(arg);
        if (i < 0) {
            return true;
        }
        good();
        MessageInfo m = messages.get(i);
        if (!send(m, "+OK " + sizes[i] + " octets", -1, () -> timer.increment(MailMetrics.MESSAGES_RETRIEVED))) {
            return true;
        }
        if (!retrieved[i]) {
            retrieved[i] = true;
            retrievedCount++;
        }
        return false;
    }

    private boolean top(String rest) throws StoreException {
        String[] args = rest.strip().split(" +");
        if (args.length != 2 || !args[1].matches("[0-9]{1,9}")) {
            badFromWorker("-ERR Syntax error: TOP msg n");
            return true;
        }
        int i = message(args[0]);
        if (i < 0) {
            return true;
        }
        good();
        return !send(messages.get(i), "+OK Top of message follows", Integer.parseInt(args[1]), null);
    }

    /**
     * Starts streaming a message after the {@code +OK} line.
     *
     * @param sent  run once the whole message went out
     * @return whether streaming started (it then ends the command); if not, an {@code -ERR} was sent
     */
    private boolean send(MessageInfo m, String okLine, int bodyLines, Runnable sent) throws StoreException {
        InputStream in;
        try {
            MessageContent content = box.content(m.uid());
            in = content.open();
        } catch (StoreException e) {
            if (e.reason() == StoreException.Reason.NONEXISTENT) {
                reply("-ERR Message was removed by another session");
                return false;
            }
            throw e;
        } catch (java.io.IOException e) {
            LOG.warn("cannot read message {} in session {}: {}", m.uid(), conn.id(), e.toString());
            reply("-ERR [SYS/TEMP] Cannot read the message now");
            return false;
        }
        reply(okLine);
        new ContentStreamer(ch, in, new DotStuffer(bodyLines), settings.chunkSize(), parked, failure -> {
            if (failure != null) {
                if (ch.isActive()) {
                    LOG.warn("sending message {} failed in session {}", m.uid(), conn.id(), failure);
                }
                // the client has a partial response; the only honest thing left is to hang up
                ch.close();
            } else {
                if (traced()) {
                    trace("S: <message content, not logged>");
                }
                if (sent != null) {
                    sent.run();
                }
            }
            done();
        }).run();
        return true;
    }

    private boolean dele(String rest) {
        String arg = rest.strip();
        if (arg.isEmpty() || arg.contains(" ")) {
            badFromWorker("-ERR Syntax error: DELE msg");
            return true;
        }
        int i = message(arg);
        if (i >= 0) {
            good();
            deleted[i] = true;
            reply("+OK Message " + (i + 1) + " deleted");
        }
        return true;
    }

    private void rset() {
        Arrays.fill(deleted, false);
        reply("+OK Maildrop has " + messages.size() + " messages (" + totalSize(false) + " octets)");
    }

    /** QUIT in the TRANSACTION state: the UPDATE state of RFC 1939. */
    private boolean update() {
        List<Long> gone = new ArrayList<>();
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            MessageInfo m = messages.get(i);
            if (deleted[i]) {
                gone.add(m.uid());
            } else if (retrieved[i] && settings.markSeenOnRetr() && !m.has(Flags.SEEN)) {
                seen.add(m.uid());
            }
        }
        Mailbox b = box;
        String answer;
        try {
            if (b != null && !seen.isEmpty()) {
                b.updateFlags(seen, FlagOp.ADD, Set.of(Flags.SEEN), -1);
            }
            int removed = 0;
            if (b != null && !gone.isEmpty()) {
                b.updateFlags(gone, FlagOp.ADD, Set.of(Flags.DELETED), -1);
                removed = b.expunge(gone).size();
            }
            deletedCount = removed;
            answer = "+OK " + settings.serverName() + " POP3 server signing off (" + removed + " messages deleted)";
        } catch (StoreException | RuntimeException e) {
            LOG.warn("POP3 update failed for {} in session {}: {}", principal == null ? "-" : principal.user(),
                    conn.id(), e.toString());
            answer = "-ERR [SYS/TEMP] Some deleted messages not removed";
        }
        // release before answering: a client may reconnect as soon as it reads the answer
        release();
        bye(answer);
        return true;
    }

    /** Small helpers for building output buffers. */
    static final class ByteBufs {
        private ByteBufs() {
        }

        static ByteBuf line(Channel ch, String line) {
            byte[] b = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
            return ch.alloc().buffer(b.length).writeBytes(b);
        }

        static ByteBuf text(Channel ch, CharSequence text) {
            byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
            return ch.alloc().buffer(b.length).writeBytes(b);
        }
    }
}
