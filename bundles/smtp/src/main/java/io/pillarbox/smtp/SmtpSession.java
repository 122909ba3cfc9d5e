package io.pillarbox.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.SaslExchange;
import io.pillarbox.api.delivery.DeliveryResult;
import io.pillarbox.api.delivery.OutboundQueue;
import io.pillarbox.api.delivery.DsnRequest;
import io.pillarbox.api.delivery.Resolution;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.protocol.CloseRequest;
import io.pillarbox.api.protocol.Connection;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.transport.session.CommandTimer;
import io.pillarbox.transport.session.SessionTrace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One SMTP or LMTP session. Commands are framed and parsed on the event loop; everything that blocks (address
 * resolution, spooling the message to a file, delivery) runs in order on the session's {@link SerialExecutor} over
 * the transport's worker pool, and the reply is written back on the event loop. While such work is in progress,
 * further (pipelined) input waits in the session's buffer, so commands are answered in order (RFC 2920).
 */
final class SmtpSession extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpSession.class);
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z",
            Locale.ENGLISH);
    private static final AtomicLong IDS = new AtomicLong(System.currentTimeMillis() % 1_000_000L * 1000);
    /** Spool chunk size: the message is written out in pieces of this size. */
    private static final int CHUNK = 64 * 1024;
    /** Stop reading from the socket when this much is waiting to be written to the spool. */
    private static final long SPOOL_HIGH = 1024 * 1024;
    /** Stop reading from the socket while busy when this much input is buffered. */
    private static final int INPUT_HIGH = 64 * 1024;

    private enum Mode { COMMAND, AUTH, DATA, BDAT, DISCARD_LINE, CLOSED }

    /** The command names timed in {@link MailMetrics}; anything else is {@link MailMetrics#UNKNOWN_COMMAND}. */
    static final Set<String> COMMANDS = Set.of("HELO", "EHLO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP",
            "QUIT", "STARTTLS", "AUTH", "VRFY", "EXPN", "HELP");

    /**
     * One accepted recipient: local (with the users it delivers to) or, when the client may relay, remote (for the
     * outbound queue).
     */
    record Recipient(String address, List<String> users, String dsnNotify, String orcpt, boolean remote,
                     List<String> forwards) {

        Recipient(String address, List<String> users, String dsnNotify, String orcpt, boolean remote) {
            this(address, users, dsnNotify, orcpt, remote, List.of());
        }
    }

    /** One mail transaction: MAIL, RCPTs, and the message as it arrives. */
    static final class Transaction {
        final String id = Long.toString(IDS.incrementAndGet(), 36).toUpperCase(Locale.ROOT);
        final String from;
        final Map<String, String> params;
        final boolean smtputf8;
        final List<Recipient> recipients = new ArrayList<>();
        /** Octets of the Return-Path: header at the start of the spool (not passed on to the outbound queue). */
        int returnPathLength;
        // on the serial worker only:
        Spool spool;
        IOException spoolError;
        // on the event loop:
        boolean started;
        boolean bdat;
        long bdatSize;
        boolean bdatTooBig;

        Transaction(String from, Map<String, String> params) {
            this.from = from;
            this.params = params;
            this.smtputf8 = params.containsKey("SMTPUTF8");
        }
    }

    private final SmtpServer server;
    private final SmtpSettings settings;
    private final Connection conn;
    private final Role role;
    private final SerialExecutor serial;
    private final boolean lmtp;
    /** The protocol name for metrics and the trace. */
    private final String proto;
    /** The command being timed for the metrics, and the session's counters. */
    private final CommandTimer timer;

    private ChannelHandlerContext ctx;
    private final ByteBuf in = Unpooled.buffer(4096);
    private Mode mode = Mode.COMMAND;
    private Mode afterDiscard = Mode.COMMAND;
    private boolean busy;
    private boolean greeted;
    private boolean closing;

    private String helo;
    private boolean esmtp;
    private MailPrincipal user;
    private int errors;
    private Transaction tx;

    private SaslExchange sasl;
    private AuthResult saslPendingSuccess;

    private DataReceiver data;
    private ByteBuf chunk;
    private long bdatRemaining;
    private long bdatChunkSize;
    private boolean bdatLast;
    private String bdatDiscardReply;

    private final AtomicLong spoolPending = new AtomicLong();
    private int reads;
    private int readsAtTick;
    private int idleSeconds;
    private ScheduledFuture<?> ticker;

    /** A traced user a recipient of this session resolved to: the session is traced from then on (MX, LMTP). */
    private String tracedRecipient;

    SmtpSession(SmtpServer server, Connection conn, Role role) {
        this.server = server;
        this.settings = server.settings();
        this.conn = conn;
        this.role = role;
        this.lmtp = role == Role.LMTP;
        this.proto = lmtp ? "lmtp" : "smtp";
        this.timer = new CommandTimer(proto, () -> server.services().metrics());
        this.serial = new SerialExecutor(conn.worker());
    }

    Role role() {
        return role;
    }

    boolean busy() {
        return busy || spoolPending.get() > 0;
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            ctx.executor().execute(this::greet);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.executor().execute(this::greet);
        super.channelActive(ctx);
    }

    /** Deferred by one task, so that a connection refused for limits gets only the 421. */
    private void greet() {
        if (greeted || closing || !ctx.channel().isOpen()) {
            return;
        }
        greeted = true;
        conn.setState("greeted");
        write("220 " + settings.hostname() + (lmtp ? " LMTP" : " ESMTP") + " Pillarbox ready");
        ctx.flush();
        int tick = Math.max(1, Math.min(5, Math.min(settings.commandTimeoutSeconds(), settings.dataTimeoutSeconds())));
        ticker = ctx.executor().scheduleAtFixedRate(() -> tick(tick), tick, tick, TimeUnit.SECONDS);
    }

    private void tick(int seconds) {
        if (closing) {
            return;
        }
        if (reads != readsAtTick || busy()) {
            readsAtTick = reads;
            idleSeconds = 0;
            return;
        }
        idleSeconds += seconds;
        int limit = mode == Mode.DATA || mode == Mode.BDAT ? settings.dataTimeoutSeconds()
                : settings.commandTimeoutSeconds();
        if (idleSeconds >= limit) {
            LOG.info("SMTP session {} from {} timed out in {}", conn.id(), conn.remoteAddress(), mode);
            goodbye("421 4.4.2 " + settings.hostname() + " Timeout exceeded, closing connection");
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cleanup();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cleanup();
    }

    private void cleanup() {
        if (mode == Mode.CLOSED) {
            return;
        }
        if (timer.timing()) {
            if (!busy && (mode == Mode.COMMAND || mode == Mode.DISCARD_LINE)) {
                timer.stop();
            } else {
                timer.cancel(); // interrupted (DATA, AUTH or work in progress): not a served command
            }
        }
        mode = Mode.CLOSED;
        closing = true;
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (in.refCnt() > 0) {
            in.release();
        }
        releaseChunk();
        dropTransaction();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof CloseRequest req) {
            goodbye("421 4.3.2 " + settings.hostname() + " " + Envelope.printable(req.reason()));
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("SMTP session {}: {}", conn.id(), cause.toString());
        ctx.close();
    }

    /** Says a last word and closes. */
    private void goodbye(String reply) {
        if (closing) {
            return;
        }
        closing = true;
        traceServer(reply);
        ctx.writeAndFlush(Unpooled.copiedBuffer(reply + "\r\n", StandardCharsets.UTF_8))
                .addListener(ChannelFutureListener.CLOSE);
    }

    // ---------------------------------------------------------------- input

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf b = (ByteBuf) msg;
        try {
            if (closing || mode == Mode.CLOSED) {
                return;
            }
            reads++;
            in.writeBytes(b);
        } finally {
            b.release();
        }
        process();
    }

    /** Handles buffered input until it runs out or work is waiting on the worker. */
    private void process() {
        while (!busy && !closing && in.isReadable()) {
            boolean progress = switch (mode) {
                case COMMAND, AUTH -> readLine();
                case DISCARD_LINE -> discardLine();
                case DATA -> readData();
                case BDAT -> readBdat();
                case CLOSED -> false;
            };
            if (!progress) {
                break;
            }
            finishTimingIfDone();
        }
        finishTimingIfDone();
        if (mode != Mode.CLOSED) {
            in.discardSomeReadBytes();
            ctx.flush();
            updateAutoRead();
        }
    }

    private void updateAutoRead() {
        boolean read = !closing && spoolPending.get() < SPOOL_HIGH && !(busy && in.readableBytes() > INPUT_HIGH);
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    private boolean readLine() {
        int limit = settings.maxCommandLine() + 2;
        int lf = in.indexOf(in.readerIndex(), in.readerIndex() + Math.min(in.readableBytes(), limit), (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() >= limit) {
                afterDiscard = Mode.COMMAND;
                mode = Mode.DISCARD_LINE;
                cancelAuth();
                error("500 5.5.2 Line too long (limit " + settings.maxCommandLine() + " octets)");
                return true;
            }
            return false;
        }
        int len = lf - in.readerIndex();
        boolean cr = len > 0 && in.getByte(lf - 1) == '\r';
        byte[] bytes = new byte[cr ? len - 1 : len];
        in.readBytes(bytes);
        in.skipBytes(cr ? 2 : 1);
        if (!cr) {
            cancelAuth();
            error("500 5.5.2 Bare LF received: command lines must end with CRLF (RFC 5321 2.3.8)");
            return true;
        }
        for (byte b : bytes) {
            if (b == 0 || b == '\r') {
                cancelAuth();
                error("500 5.5.2 NUL or bare CR in command line");
                return true;
            }
        }
        String line = new String(bytes, StandardCharsets.UTF_8);
        if (mode == Mode.AUTH) {
            if (traced()) {
                traceClient(line.equals("*") ? "*" : "<AUTH response masked>");
            }
            authResponse(line);
        } else {
            if (traced()) {
                traceClient(Trace.maskCommand(line));
            }
            command(line);
        }
        return true;
    }

    private boolean discardLine() {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            in.skipBytes(in.readableBytes());
            return false;
        }
        in.readerIndex(lf + 1);
        mode = afterDiscard;
        return true;
    }

    // ---------------------------------------------------------------- replies

    private void write(String line) {
        traceServer(line);
        ctx.write(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8));
    }

    private void reply(String line) {
        write(line);
    }

    /** A refusal that counts towards the error limit. */
    private void error(String line) {
        write(line);
        errors++;
        if (errors >= settings.maxErrors()) {
            LOG.info("SMTP session {} from {}: too many errors", conn.id(), conn.remoteAddress());
            goodbye("421 4.7.0 " + settings.hostname() + " Too many errors, closing connection");
        }
    }

    // ---------------------------------------------------------------- metrics and trace

    /** Starts timing a command (a known name, never the client's input). */
    private void begin(String verb) {
        timer.stop();
        timer.start(COMMANDS.contains(verb) ? verb : MailMetrics.UNKNOWN_COMMAND);
    }

    /** Records the command once its final reply is out: no work pending, not inside DATA, BDAT or AUTH. */
    private void finishTimingIfDone() {
        if (timer.timing() && !busy && (closing || mode == Mode.COMMAND || mode == Mode.DISCARD_LINE)) {
            timer.stop();
        }
    }

    private void count(String counter, long n) {
        if (n > 0) {
            timer.add(counter, n);
        }
    }

    /** Whether this session is traced now: its authenticated user, a recipient's user, or everyone is. */
    private boolean traced() {
        SessionTrace tr = server.services().trace;
        MailPrincipal u = user;
        return tr.on(u == null ? null : u.user()) || (tracedRecipient != null && tr.on(tracedRecipient));
    }

    private String who() {
        MailPrincipal u = user;
        return u != null ? u.user() : tracedRecipient != null ? "(rcpt " + tracedRecipient + ")" : "-";
    }

    private void traceClient(String text) {
        server.services().trace.log(proto + " " + conn.id(), who(), "C: " + text);
    }

    private void traceServer(String line) {
        if (traced()) {
            String text = line.startsWith("334 ") || line.equals("334") ? "334 <AUTH challenge masked>"
                    : Trace.clip(line);
            server.services().trace.log(proto + " " + conn.id(), who(), "S: " + text);
        }
    }

    // ---------------------------------------------------------------- commands

    private void command(String line) {
        int sp = line.indexOf(' ');
        String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
        String args = sp < 0 ? "" : line.substring(sp + 1);
        begin(verb);
        switch (verb) {
            case "HELO", "EHLO" -> {
                if (lmtp) {
                    error("500 5.5.1 This is LMTP: use LHLO (RFC 2033)");
                } else {
                    hello(verb, args);
                }
            }
            case "LHLO" -> {
                if (lmtp) {
                    hello(verb, args);
                } else {
                    error("500 5.5.1 LHLO is LMTP; this is SMTP: use EHLO");
                }
            }
            case "MAIL" -> mail(args);
            case "RCPT" -> rcpt(args);
            case "DATA" -> data(args);
            case "BDAT" -> bdat(args);
            case "RSET" -> {
                if (!args.isEmpty()) {
                    error("501 5.5.4 Syntax: RSET");
                } else {
                    dropTransaction();
                    reply("250 2.0.0 Ok");
                }
            }
            case "NOOP" -> reply("250 2.0.0 Ok");
            case "QUIT" -> {
                timer.stop();
                goodbye("221 2.0.0 " + settings.hostname() + " Bye");
            }
            case "STARTTLS" -> startTls(args);
            case "AUTH" -> auth(args);
            case "VRFY" -> reply("252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
            case "EXPN" -> error("502 5.5.1 EXPN not available");
            case "HELP" -> reply("214 2.0.0 Commands: " + (lmtp ? "LHLO" : "HELO EHLO")
                    + " MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY" + (lmtp ? "" : " STARTTLS AUTH")
                    + "; see RFC 5321");
            case "" -> error("500 5.5.2 Empty command");
            default -> error("500 5.5.2 Command unrecognized: " + Envelope.printable(verb));
        }
    }

    private void hello(String verb, String args) {
        String name = args.trim();
        if (name.isEmpty()) {
            error("501 5.5.4 Syntax: " + verb + " hostname");
            return;
        }
        int sp = name.indexOf(' ');
        helo = Envelope.printable(sp < 0 ? name : name.substring(0, sp));
        if (helo.length() > 255) {
            helo = helo.substring(0, 255);
        }
        esmtp = !verb.equals("HELO");
        dropTransaction();
        conn.setState("ready");
        String first = settings.hostname() + " Hello " + helo + " [" + remoteIp() + "]";
        if (!esmtp) {
            reply("250 " + first);
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add(first);
        lines.add("PIPELINING");
        lines.add("SIZE " + settings.maxMessageSize());
        lines.add("8BITMIME");
        lines.add("SMTPUTF8");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("CHUNKING");
        lines.add("DSN");
        if (conn.canStartTls()) {
            lines.add("STARTTLS");
        }
        List<String> mechs = mechanisms();
        if (!mechs.isEmpty() && user == null) {
            lines.add("AUTH " + String.join(" ", mechs));
        }
        lines.add("HELP");
        for (int i = 0; i < lines.size(); i++) {
            reply("250" + (i == lines.size() - 1 ? " " : "-") + lines.get(i));
        }
    }

    private List<String> mechanisms() {
        if (lmtp) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try {
            for (String m : server.sasl().mechanisms(conn.authContext(null))) {
                boolean plain = m.equals("PLAIN") || m.equals("LOGIN");
                if (!plain || conn.plaintextAuthAllowed()) {
                    out.add(m);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("SASL mechanisms unavailable: {}", e.toString());
        }
        return out;
    }

    private String remoteIp() {
        InetSocketAddress a = conn.remoteAddress();
        if (a == null || a.getAddress() == null) {
            return "unknown";
        }
        String ip = a.getAddress().getHostAddress();
        return a.getAddress() instanceof java.net.Inet6Address ? "IPv6:" + ip : ip;
    }

    // ---------------------------------------------------------------- STARTTLS

    private void startTls(String args) {
        if (!args.isEmpty()) {
            error("501 5.5.4 Syntax: STARTTLS");
            return;
        }
        if (conn.isSecure()) {
            error("503 5.5.1 TLS is already active");
            return;
        }
        if (!conn.canStartTls()) {
            error("454 4.7.0 TLS not available on this port");
            return;
        }
        // Whatever the client pipelined after STARTTLS arrived in clear: it is discarded (CVE-2011-0411).
        in.skipBytes(in.readableBytes());
        conn.startTls();
        reply("220 2.0.0 Ready to start TLS");
        ctx.flush();
        // RFC 3207 4.2: forget everything learnt from the client before TLS.
        helo = null;
        esmtp = false;
        user = null;
        dropTransaction();
    }

    // ---------------------------------------------------------------- AUTH (RFC 4954)

    private void auth(String args) {
        if (lmtp) {
            error("502 5.5.1 AUTH is not available over LMTP");
            return;
        }
        if (helo == null || !esmtp) {
            error("503 5.5.1 Send EHLO first");
            return;
        }
        if (user != null) {
            error("503 5.5.1 Already authenticated");
            return;
        }
        if (tx != null) {
            error("503 5.5.1 AUTH is not permitted during a mail transaction");
            return;
        }
        String[] parts = args.trim().split(" +");
        if (parts.length == 0 || parts[0].isEmpty() || parts.length > 2) {
            error("501 5.5.4 Syntax: AUTH mechanism [initial-response]");
            return;
        }
        String mech = parts[0].toUpperCase(Locale.ROOT);
        List<String> offered = mechanisms();
        if (!offered.contains(mech)) {
            if ((mech.equals("PLAIN") || mech.equals("LOGIN")) && !conn.plaintextAuthAllowed()) {
                error("538 5.7.11 Encryption required for requested authentication mechanism"
                        + (conn.canStartTls() ? ": use STARTTLS first" : ""));
            } else {
                error("504 5.5.4 Unrecognized authentication type");
            }
            return;
        }
        byte[] initial = null;
        if (parts.length == 2) {
            if (parts[1].equals("=")) {
                initial = new byte[0];
            } else {
                try {
                    initial = Base64.getDecoder().decode(parts[1]);
                } catch (IllegalArgumentException e) {
                    error("501 5.5.2 Cannot decode the initial response (base64)");
                    return;
                }
            }
        }
        try {
            sasl = server.sasl().start(mech, conn.authContext(mech));
        } catch (IllegalArgumentException e) {
            error("504 5.5.4 Unrecognized authentication type");
            return;
        }
        mode = Mode.AUTH;
        conn.setState("auth " + mech);
        evaluate(initial);
    }

    private void evaluate(byte[] response) {
        SaslExchange ex = sasl;
        CompletionStage<SaslExchange.SaslStep> stage;
        try {
            stage = ex.evaluate(response);
        } catch (RuntimeException e) {
            LOG.warn("SASL failed", e);
            cancelAuth();
            error("454 4.7.0 Temporary authentication failure");
            return;
        }
        busy = true;
        stage.whenCompleteAsync((step, failure) -> onLoop(() -> {
            busy = false;
            if (sasl != ex) {
                return;
            }
            if (failure != null || step == null) {
                cancelAuth();
                error("454 4.7.0 Temporary authentication failure");
            } else if (!step.isDone()) {
                reply("334 " + Base64.getEncoder().encodeToString(step.challenge() == null ? new byte[0]
                        : step.challenge()));
            } else if (step.result().isOk() && step.challenge() != null) {
                // additional data with success: sent as a challenge, the client answers with an empty line
                saslPendingSuccess = step.result();
                reply("334 " + Base64.getEncoder().encodeToString(step.challenge()));
            } else {
                authDone(step.result());
            }
            process();
        }), serialOrDirect());
    }

    private void authResponse(String line) {
        timer.restart(); // the input is complete only now
        if (line.equals("*")) {
            cancelAuth();
            error("501 5.0.0 Authentication cancelled");
            return;
        }
        if (saslPendingSuccess != null) {
            AuthResult r = saslPendingSuccess;
            saslPendingSuccess = null;
            authDone(r);
            return;
        }
        byte[] response;
        try {
            response = line.isEmpty() || line.equals("=") ? new byte[0] : Base64.getDecoder().decode(line.trim());
        } catch (IllegalArgumentException e) {
            cancelAuth();
            error("501 5.5.2 Cannot decode response (base64)");
            return;
        }
        evaluate(response);
    }

    private void authDone(AuthResult r) {
        sasl = null;
        saslPendingSuccess = null;
        mode = Mode.COMMAND;
        if (r.isOk()) {
            user = r.principal();
            conn.setUser(user.user());
            conn.setState("authenticated");
            reply("235 2.7.0 Authentication successful");
            return;
        }
        conn.setState("ready");
        switch (r.status()) {
            case LOCKED_OUT -> error("454 4.7.0 Too many failed authentication attempts, try again later");
            case TEMPORARY_FAILURE -> error("454 4.7.0 Temporary authentication failure");
            default -> error("535 5.7.8 Authentication credentials invalid");
        }
    }

    private void cancelAuth() {
        if (mode == Mode.AUTH) {
            mode = Mode.COMMAND;
        }
        sasl = null;
        saslPendingSuccess = null;
    }

    // ---------------------------------------------------------------- MAIL, RCPT

    private void mail(String args) {
        if (helo == null) {
            error("503 5.5.1 Send " + (lmtp ? "LHLO" : "HELO/EHLO") + " first");
            return;
        }
        if (tx != null) {
            error("503 5.5.1 Nested MAIL command");
            return;
        }
        if (role == Role.SUBMISSION && user == null) {
            if (!conn.isSecure() && conn.canStartTls() && mechanisms().isEmpty()) {
                error("530 5.7.0 Must issue a STARTTLS command first");
            } else {
                error("530 5.7.0 Authentication required");
            }
            return;
        }
        Envelope.Parsed p = Envelope.parse(args, "FROM:", true, "553 5.1.7 Bad sender address syntax");
        if (!p.ok()) {
            error(p.error());
            return;
        }
        if (!esmtp && !p.params().isEmpty()) {
            error("555 5.5.4 Parameters need EHLO");
            return;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : p.params().entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "SIZE" -> {
                    long n;
                    try {
                        n = Long.parseLong(v == null ? "" : v);
                    } catch (NumberFormatException ex) {
                        error("501 5.5.4 Bad SIZE parameter");
                        return;
                    }
                    if (n < 0) {
                        error("501 5.5.4 Bad SIZE parameter");
                        return;
                    }
                    if (n > settings.maxMessageSize()) {
                        error("552 5.3.4 Message size exceeds fixed maximum message size ("
                                + settings.maxMessageSize() + " octets)");
                        return;
                    }
                }
                case "BODY" -> {
                    String b = v == null ? "" : v.toUpperCase(Locale.ROOT);
                    if (!b.equals("7BIT") && !b.equals("8BITMIME")) {
                        error("555 5.5.4 Unsupported BODY type (7BIT and 8BITMIME are supported)");
                        return;
                    }
                    v = b;
                }
                case "SMTPUTF8" -> {
                    if (v != null) {
                        error("501 5.5.4 SMTPUTF8 takes no value");
                        return;
                    }
                }
                case "RET" -> {
                    String r = v == null ? "" : v.toUpperCase(Locale.ROOT);
                    if (!r.equals("FULL") && !r.equals("HDRS")) {
                        error("501 5.5.4 RET must be FULL or HDRS");
                        return;
                    }
                    v = r;
                }
                case "ENVID", "AUTH" -> {
                    if (!Envelope.isXtext(v)) {
                        error("501 5.5.4 Bad " + e.getKey() + " parameter (xtext)");
                        return;
                    }
                }
                default -> {
                    error("555 5.5.4 Unsupported parameter " + Envelope.printable(e.getKey()));
                    return;
                }
            }
            params.put(e.getKey(), v);
        }
        if (!Envelope.isAscii(p.address()) && !params.containsKey("SMTPUTF8")) {
            error("553 5.6.7 Non-ASCII sender address needs the SMTPUTF8 parameter");
            return;
        }
        String from = p.address();
        MailPrincipal u = user;
        if (u != null && from.isEmpty() && (settings.senderLoginMatch() || role == Role.SUBMISSION)) {
            error("553 5.7.1 The null sender <> is not allowed for authenticated clients");
            return;
        }
        if (u != null && settings.senderLoginMatch() && !from.equalsIgnoreCase(u.user())) {
            // the address must lead to the logged-in user (an address of theirs, an alias or catch-all of theirs)
            onWorker(() -> server.delivery().resolve(from), r -> {
                String a = "<" + Envelope.printable(from) + ">";
                if (r == null || r.kind() == Resolution.Kind.TEMPORARY_FAILURE) {
                    error("451 4.3.0 " + a + ": temporary failure looking the sender address up; try again later");
                } else if (r.kind() == Resolution.Kind.LOCAL
                        && r.users().stream().anyMatch(x -> x.equalsIgnoreCase(u.user()))) {
                    startTransaction(from, params);
                } else {
                    error("553 5.7.1 " + a + ": Sender address rejected: not owned by user "
                            + Envelope.printable(u.user()));
                }
            });
            return;
        }
        startTransaction(from, params);
    }

    private void startTransaction(String from, Map<String, String> params) {
        tx = new Transaction(from, params);
        conn.setState("mail");
        reply("250 2.1.0 Sender <" + from + "> ok");
    }

    /** Whether this client's bare LF line ends are taken (and stored as CRLF), per {@code bareLineEnds}. */
    private boolean bareLfAllowed() {
        return switch (settings.bareLineEnds()) {
            case NORMALIZE -> true;
            case REJECT -> false;
            case TRUSTED -> lmtp || mayRelay();
        };
    }

    /** Whether this client may send to remote domains: authenticated, or from a relay network; never LMTP. */
    private boolean mayRelay() {
        if (lmtp) {
            return false;
        }
        if (user != null) {
            return true;
        }
        InetSocketAddress a = conn.remoteAddress();
        return a != null && settings.relayNetworks().contains(a.getAddress());
    }

    private void rcpt(String args) {
        if (tx == null) {
            error("503 5.5.1 Need MAIL command first");
            return;
        }
        if (tx.started) {
            error("503 5.5.1 RCPT after the message has begun");
            return;
        }
        Envelope.Parsed p = Envelope.parse(args, "TO:", false, "553 5.1.3 Bad recipient address syntax");
        if (!p.ok()) {
            error(p.error());
            return;
        }
        String notify = null;
        String orcpt = null;
        for (Map.Entry<String, String> e : p.params().entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "NOTIFY" -> {
                    String n = v == null ? "" : v.toUpperCase(Locale.ROOT);
                    List<String> items = List.of(n.split(",", -1));
                    boolean ok = n.equals("NEVER") || (!n.isEmpty() && items.stream()
                            .allMatch(i -> i.equals("SUCCESS") || i.equals("FAILURE") || i.equals("DELAY")));
                    if (!ok) {
                        error("501 5.5.4 NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY");
                        return;
                    }
                    notify = n;
                }
                case "ORCPT" -> {
                    int semi = v == null ? -1 : v.indexOf(';');
                    if (semi <= 0 || !Envelope.isXtext(v.substring(semi + 1))) {
                        error("501 5.5.4 Bad ORCPT parameter (addr-type;xtext)");
                        return;
                    }
                    orcpt = v;
                }
                default -> {
                    error("555 5.5.4 Unsupported parameter " + Envelope.printable(e.getKey()));
                    return;
                }
            }
        }
        if (!Envelope.isAscii(p.address()) && !tx.smtputf8) {
            error("553 5.6.7 Non-ASCII recipient address needs SMTPUTF8 on MAIL FROM");
            return;
        }
        if (tx.recipients.size() >= settings.maxRecipients()) {
            reply("452 4.5.3 Too many recipients (at most " + settings.maxRecipients() + " per message)");
            return;
        }
        String address = p.address();
        String n = notify;
        String o = orcpt;
        Transaction t = tx;
        onWorker(() -> server.delivery().resolve(address), r -> {
            if (tx != t) {
                return;
            }
            String a = "<" + address + ">";
            if (r == null) {
                error("451 4.3.0 " + a + ": temporary failure looking the address up");
                return;
            }
            switch (r.kind()) {
                case LOCAL -> {
                    if (t.recipients.size() >= settings.maxRecipients()) {
                        reply("452 4.5.3 Too many recipients");
                        return;
                    }
                    if (tracedRecipient == null && !traced()) {
                        SessionTrace tr = server.services().trace;
                        for (String u : r.users()) {
                            if (tr.on(u)) {
                                tracedRecipient = u;
                                traceClient(Trace.maskCommand("RCPT " + args));
                                break;
                            }
                        }
                    }
                    if (r.forwards() && server.services().queue() == null) {
                        // an alias of ours forwarding to remote addresses: needs the queue, never a silent drop
                        error("451 4.3.0 " + a + ": forwarding to a remote address needs the outbound queue; try "
                                + "again later");
                        return;
                    }
                    t.recipients.add(new Recipient(address, r.users(), n, o, false, r.remoteTargets()));
                    reply("250 2.1.5 Recipient " + a + " ok" + (r.forwards() ? " (forwarded)" : ""));
                }
                case UNKNOWN_USER -> error("550 5.1.1 " + a + ": Recipient address rejected: User unknown");
                case REMOTE -> {
                    if (lmtp) {
                        error("550 5.1.2 " + a + ": Recipient address rejected: not a local domain");
                    } else if (!mayRelay()) {
                        error("554 5.7.1 " + a + ": Relay access denied");
                    } else if (server.services().queue() == null) {
                        error("451 4.3.0 " + a + ": Mail for remote domains cannot be accepted yet (no outbound "
                                + "queue); try again later");
                    } else if (t.recipients.size() >= settings.maxRecipients()) {
                        reply("452 4.5.3 Too many recipients");
                    } else {
                        t.recipients.add(new Recipient(address, List.of(), n, o, true));
                        reply("250 2.1.5 Recipient " + a + " ok (relayed)");
                    }
                }
                default -> error("451 4.3.0 " + a + ": Temporary failure looking the address up; try again later");
            }
        });
    }

    // ---------------------------------------------------------------- DATA

    private void data(String args) {
        if (!args.isEmpty()) {
            error("501 5.5.4 Syntax: DATA");
            return;
        }
        if (tx == null) {
            error("503 5.5.1 Need MAIL command first");
            return;
        }
        if (tx.bdat) {
            error("503 5.5.1 DATA cannot follow BDAT");
            return;
        }
        if (tx.recipients.isEmpty()) {
            error("554 5.5.1 No valid recipients");
            return;
        }
        startMessage();
        data = new DataReceiver(settings.maxMessageSize(), settings.maxTextLine(), bareLfAllowed());
        mode = Mode.DATA;
        conn.setState("data");
        reply("354 End data with <CR><LF>.<CR><LF>");
    }

    private boolean readData() {
        boolean end = data.feed(in, chunk);
        if (data.tooBig) {
            chunk.clear();
        } else if (chunk.readableBytes() >= CHUNK || end) {
            spoolChunk();
        }
        if (!end) {
            return false;
        }
        DataReceiver d = data;
        data = null;
        mode = Mode.COMMAND;
        timer.restart(); // the input is complete only now
        if (traced()) {
            traceClient("<" + d.size() + " octets>");
            traceClient(".");
        }
        if (d.tooBig) {
            finishRejected("552 5.3.4 Message size exceeds fixed maximum message size (" + settings.maxMessageSize()
                    + " octets)");
        } else if (d.bareLineEnd) {
            finishRejected("554 5.6.0 Message refused: bare CR or LF found; lines must end with CRLF "
                    + "(RFC 5321 2.3.8)");
        } else if (d.nul) {
            finishRejected("554 5.6.0 Message refused: it contains NUL octets (RFC 5322 2.3)");
        } else if (d.longLine) {
            finishRejected("554 5.6.0 Message refused: a line is longer than " + settings.maxTextLine()
                    + " octets (RFC 5322 2.1.1)");
        } else {
            if (d.normalized > 0) {
                LOG.info("SMTP {}: message {} had {} bare LF line end(s), stored as CRLF", conn.id(), tx.id,
                        d.normalized);
            }
            finishAccepted();
        }
        return true;
    }

    // ---------------------------------------------------------------- BDAT (RFC 3030)

    private void bdat(String args) {
        String[] parts = args.trim().split(" +");
        long size;
        try {
            size = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            size = -1;
        }
        boolean last = parts.length == 2 && parts[1].equalsIgnoreCase("LAST");
        if (size < 0 || parts.length > 2 || (parts.length == 2 && !last)) {
            // without a size the chunk cannot be skipped: the session cannot continue
            goodbye("501 5.5.4 Syntax: BDAT size [LAST]; closing connection");
            return;
        }
        bdatRemaining = size;
        bdatChunkSize = size;
        bdatLast = last;
        bdatDiscardReply = null;
        if (tx == null) {
            bdatDiscardReply = "503 5.5.1 Need MAIL command first";
        } else if (tx.recipients.isEmpty()) {
            bdatDiscardReply = "554 5.5.1 No valid recipients";
        } else if (tx.started && !tx.bdat) {
            bdatDiscardReply = "503 5.5.1 BDAT cannot follow DATA";
        } else {
            if (!tx.started) {
                startMessage();
                tx.bdat = true;
            }
            conn.setState("bdat");
        }
        mode = Mode.BDAT;
        if (bdatRemaining == 0) {
            bdatChunkDone();
        }
    }

    private boolean readBdat() {
        int n = (int) Math.min(bdatRemaining, in.readableBytes());
        if (bdatDiscardReply != null || tx.bdatTooBig) {
            in.skipBytes(n);
        } else if (tx.bdatSize + n > settings.maxMessageSize()) {
            tx.bdatTooBig = true;
            chunk.clear();
            in.skipBytes(n);
        } else {
            tx.bdatSize += n;
            chunk.writeBytes(in, n);
            if (chunk.readableBytes() >= CHUNK) {
                spoolChunk();
            }
        }
        bdatRemaining -= n;
        if (bdatRemaining == 0) {
            bdatChunkDone();
        }
        return true;
    }

    private void bdatChunkDone() {
        mode = Mode.COMMAND;
        timer.restart(); // the input is complete only now
        if (traced() && bdatChunkSize > 0) {
            traceClient("<" + bdatChunkSize + " octets>");
        }
        if (bdatDiscardReply != null) {
            error(bdatDiscardReply);
            return;
        }
        if (tx.bdatTooBig) {
            if (lmtp && bdatLast) {
                finishRejected("552 5.3.4 Message size exceeds fixed maximum message size ("
                        + settings.maxMessageSize() + " octets)");
            } else {
                error("552 5.3.4 Message size exceeds fixed maximum message size (" + settings.maxMessageSize()
                        + " octets)");
                dropTransaction();
            }
            return;
        }
        if (chunk.isReadable()) {
            spoolChunk();
        }
        if (bdatLast) {
            finishAccepted();
        } else {
            reply("250 2.0.0 " + tx.bdatSize + " octets received");
        }
    }

    // ---------------------------------------------------------------- spooling and delivery

    /** Opens the spool and writes the trace headers (RFC 5321 4.4) first. */
    private void startMessage() {
        Transaction t = tx;
        t.started = true;
        chunk = ctx.alloc().heapBuffer(CHUNK + 1024);
        t.returnPathLength = returnPath(t).getBytes(StandardCharsets.UTF_8).length;
        byte[] trace = traceHeaders(t).getBytes(StandardCharsets.UTF_8);
        spoolPending.addAndGet(trace.length);
        serial.execute(() -> {
            try {
                t.spool = Spool.create(settings.spoolDirectory());
                t.spool.write(trace, 0, trace.length);
            } catch (IOException e) {
                t.spoolError = e;
                LOG.warn("Cannot spool a message in {}: {}", settings.spoolDirectory(), e.toString());
            } finally {
                spoolPending.addAndGet(-trace.length);
            }
        });
    }

    private void spoolChunk() {
        if (!chunk.isReadable()) {
            return;
        }
        byte[] bytes = new byte[chunk.readableBytes()];
        chunk.readBytes(bytes);
        chunk.clear();
        Transaction t = tx;
        long pending = spoolPending.addAndGet(bytes.length);
        try {
            serial.execute(() -> {
                try {
                    if (t.spool != null && t.spoolError == null) {
                        t.spool.write(bytes, 0, bytes.length);
                    }
                } catch (IOException e) {
                    t.spoolError = e;
                    LOG.warn("Cannot spool a message: {}", e.toString());
                } finally {
                    long left = spoolPending.addAndGet(-bytes.length);
                    if (left < SPOOL_HIGH / 4 && !ctx.channel().config().isAutoRead()) {
                        onLoop(() -> {
                            if (mode != Mode.CLOSED) {
                                updateAutoRead();
                            }
                        });
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            spoolPending.addAndGet(-bytes.length);
            t.spoolError = new IOException("worker pool refused the task");
        }
        if (pending >= SPOOL_HIGH) {
            updateAutoRead();
        }
    }

    private static String returnPath(Transaction t) {
        return "Return-Path: <" + t.from + ">\r\n";
    }

    private String traceHeaders(Transaction t) {
        StringBuilder b = new StringBuilder();
        b.append(returnPath(t));
        b.append("Received: from ").append(helo == null ? "unknown" : helo).append(" ([").append(remoteIp())
                .append("])\r\n\tby ").append(settings.hostname()).append(" (Pillarbox)");
        String tls = tlsInfo();
        if (tls != null) {
            b.append(" (").append(tls).append(")");
        }
        b.append(" with ").append(withProtocol(t)).append(" id ").append(t.id);
        if (t.recipients.size() == 1) {
            b.append("\r\n\tfor <").append(t.recipients.get(0).address()).append(">");
        }
        b.append(";\r\n\t").append(DATE.format(ZonedDateTime.now())).append("\r\n");
        return b.toString();
    }

    private String tlsInfo() {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return null;
        }
        SSLSession s = ssl.engine().getSession();
        return "using " + s.getProtocol() + " with cipher " + s.getCipherSuite();
    }

    /** The "with" of RFC 3848 / RFC 6531. */
    private String withProtocol(Transaction t) {
        String base = t.smtputf8 ? "UTF8" + (lmtp ? "LMTP" : "SMTP") : lmtp ? "LMTP" : esmtp ? "ESMTP" : "SMTP";
        if (!esmtp && !lmtp && !t.smtputf8) {
            return "SMTP";
        }
        return base + (conn.isSecure() ? "S" : "") + (user != null ? "A" : "");
    }

    /** The message was refused as a whole (one reply, or one per recipient in LMTP). */
    private void finishRejected(String reply) {
        Transaction t = tx;
        int n = lmtp ? t.recipients.size() : 1;
        for (int i = 0; i < n; i++) {
            error(reply);
            if (closing) {
                break;
            }
        }
        dropTransaction();
    }

    /** Delivers the spooled message to every local recipient; replies when every copy is durable. */
    private void finishAccepted() {
        Transaction t = tx;
        releaseChunk();
        conn.setState("delivering");
        onWorker(() -> deliverAll(t), replies -> {
            if (tx == t) {
                tx = null;
            }
            conn.setState(user != null ? "authenticated" : "ready");
            List<String> out = replies != null ? replies : java.util.Collections.nCopies(
                    lmtp ? t.recipients.size() : 1, "451 4.3.0 Local error in processing; try again later");
            for (String r : out) {
                if (r.startsWith("2")) {
                    reply(r);
                } else {
                    error(r);
                }
                if (closing) {
                    break;
                }
            }
        });
    }

    /**
     * On the serial worker, after all spool writes: hands the remote recipients to the outbound queue (one call), then
     * delivers to every local user. The queue comes first: when it fails, nothing was delivered and the client's retry
     * duplicates nothing.
     */
    private List<String> deliverAll(Transaction t) {
        List<String> replies = new ArrayList<>();
        try {
            MessageSource source = null;
            if (t.spoolError == null && t.spool != null) {
                try {
                    source = t.spool.finish();
                } catch (IOException e) {
                    t.spoolError = e;
                }
            }
            if (source == null) {
                String r = "451 4.3.0 Local error in processing: cannot spool the message; try again later";
                for (int i = 0; i < (lmtp ? t.recipients.size() : 1); i++) {
                    replies.add(r);
                }
                return replies;
            }
            int hops;
            try (java.io.InputStream in = new java.io.BufferedInputStream(source.open(), 8192)) {
                hops = Hops.count(in) - 1; // without our own Received: (read byte by byte: buffered)
            } catch (IOException e) {
                hops = 0;
            }
            if (hops >= Hops.LIMIT) {
                String r = "554 5.4.6 Too many hops (" + hops + " Received: headers): mail forwarding loop";
                for (int i = 0; i < (lmtp ? t.recipients.size() : 1); i++) {
                    replies.add(r);
                }
                LOG.info("SMTP {}: message {} from <{}> refused: {} Received: headers (a loop?)", conn.id(), t.id,
                        t.from, hops);
                return replies;
            }
            // relayed recipients and the remote targets of forwarding aliases, with their DSN parameters: one
            // enqueue, or two when forwarded copies get a rewritten (SRS) sender
            List<String> remote = new ArrayList<>();
            List<String> forwarded = new ArrayList<>();
            Map<String, DsnRequest.Recipient> dsnRecipients = new LinkedHashMap<>();
            java.util.Set<String> remoteKeys = new java.util.HashSet<>();
            for (Recipient r : t.recipients) {
                java.util.Set<DsnRequest.Notify> notify = DsnRequest.Recipient.parseNotify(r.dsnNotify());
                if (r.remote() && remoteKeys.add(r.address().toLowerCase(Locale.ROOT))) {
                    remote.add(r.address());
                    dsnRecipients.put(r.address(), new DsnRequest.Recipient(notify, r.orcpt()));
                }
                for (String f : r.forwards()) {
                    if (remoteKeys.add(f.toLowerCase(Locale.ROOT))) {
                        forwarded.add(f);
                        // RFC 3461 6.2: an expanded alias keeps the original recipient
                        dsnRecipients.put(f, new DsnRequest.Recipient(notify, r.orcpt() != null ? r.orcpt()
                                : (Envelope.isAscii(r.address()) ? "rfc822;" : "utf-8;") + Hops.xtext(r.address())));
                    }
                }
            }
            String queueId = null;
            if (!remote.isEmpty() || !forwarded.isEmpty()) {
                OutboundQueue queue = server.services().queue();
                String failure;
                if (queue == null) {
                    failure = "no outbound queue";
                } else {
                    try {
                        String ret = t.params.get("RET");
                        DsnRequest dsn = new DsnRequest(t.params.get("ENVID"),
                                ret == null ? null : DsnRequest.Return.valueOf(ret), dsnRecipients);
                        String forwardSender = forwarded.isEmpty() ? t.from
                                : server.delivery().forwardingSender(t.from);
                        if (forwardSender.equals(t.from)) {
                            remote.addAll(forwarded);
                            forwarded.clear();
                        }
                        if (!remote.isEmpty()) {
                            queueId = queue.enqueue(t.from, List.copyOf(remote),
                                    Spool.skipping(source, t.returnPathLength), dsn);
                        }
                        if (!forwarded.isEmpty()) {
                            // a failure here after the first enqueue: the client's retry may send those again,
                            // as with any partial failure (docs/SMTP.md)
                            String id = queue.enqueue(forwardSender, List.copyOf(forwarded),
                                    Spool.skipping(source, t.returnPathLength), dsn);
                            queueId = queueId == null ? id : queueId;
                            LOG.info("SMTP {}: message {} forwarded to {} with sender <{}> (SRS) as {}", conn.id(),
                                    t.id, forwarded, forwardSender, id);
                        }
                        failure = null;
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("SMTP {}: the outbound queue did not take message {} from <{}> for {}", conn.id(),
                                t.id, t.from, remote, e);
                        failure = e.toString();
                    }
                }
                if (failure != null) {
                    for (int i = 0; i < (lmtp ? t.recipients.size() : 1); i++) {
                        replies.add("451 4.3.0 Cannot queue the message for remote recipients; try again later");
                    }
                    LOG.info("SMTP {} {}: message {} from <{}> ({} octets) for {}: not queued ({}): {}", conn.id(),
                            role, t.id, t.from, source.size(),
                            t.recipients.stream().map(Recipient::address).toList(), failure, replies);
                    return replies;
                }
            }
            Map<String, DeliveryResult> byUser = new LinkedHashMap<>();
            for (Recipient r : t.recipients) {
                for (String u : r.users()) {
                    if (!byUser.containsKey(u)) {
                        DeliveryResult d;
                        try {
                            d = server.delivery().deliver(u, "INBOX", source);
                        } catch (RuntimeException e) {
                            LOG.warn("Delivery to {} failed", u, e);
                            d = DeliveryResult.failed(DeliveryResult.Status.TEMPORARY_FAILURE, "internal error");
                        }
                        byUser.put(u, d);
                    }
                }
            }
            count(MailMetrics.MESSAGES_DELIVERED, byUser.values().stream().filter(DeliveryResult::delivered).count());
            List<DeliveryResult> perRecipient = new ArrayList<>();
            for (Recipient r : t.recipients) {
                if (r.remote() || r.users().isEmpty() && !r.forwards().isEmpty()) {
                    perRecipient.add(DeliveryResult.delivered(0));
                    continue;
                }
                DeliveryResult worst = null;
                for (String u : r.users()) {
                    DeliveryResult d = byUser.get(u);
                    if (!d.delivered()) {
                        worst = d;
                        break;
                    }
                    worst = d;
                }
                perRecipient.add(worst == null ? DeliveryResult.failed(DeliveryResult.Status.UNKNOWN_RECIPIENT,
                        "no user") : worst);
            }
            reportDelivered(t, perRecipient, source);
            if (lmtp) {
                for (int i = 0; i < t.recipients.size(); i++) {
                    replies.add(replyFor(perRecipient.get(i), t, "<" + t.recipients.get(i).address() + "> "));
                }
            } else {
                long ok = perRecipient.stream().filter(DeliveryResult::delivered).count();
                if (ok == perRecipient.size()) {
                    replies.add(queueId == null ? "250 2.0.0 Ok: delivered as " + t.id
                            : "250 2.0.0 Ok: queued as " + Envelope.printable(queueId));
                } else {
                    DeliveryResult failure = perRecipient.stream()
                            .filter(d -> d.status() == DeliveryResult.Status.TEMPORARY_FAILURE).findFirst()
                            .orElseGet(() -> perRecipient.stream().filter(d -> !d.delivered()).findFirst().get());
                    String prefix = ok == 0 ? "" : "(delivered to " + ok + " of " + perRecipient.size()
                            + " recipients) ";
                    replies.add(replyFor(failure, t, prefix));
                }
            }
            if (replies.stream().anyMatch(r -> r.startsWith("2"))) {
                count(MailMetrics.MESSAGES_RECEIVED, 1);
            }
            LOG.info("SMTP {} {}: message {} from <{}> ({} octets) for {}{}: {}", conn.id(), lmtp ? "LMTP" : role,
                    t.id, t.from, source.size(), t.recipients.stream().map(Recipient::address).toList(),
                    queueId == null ? "" : " (remote ones queued as " + queueId + ")", replies);
            return replies;
        } finally {
            if (t.spool != null) {
                t.spool.close();
                t.spool = null;
            }
        }
    }

    /**
     * RFC 3461 6.2.2: as the final delivery agent, we owe a "delivered" notice to the sender for each local recipient
     * whose NOTIFY asked for SUCCESS; the queue makes and sends it. Its failure never changes the replies: the message
     * is delivered.
     */
    private void reportDelivered(Transaction t, List<DeliveryResult> perRecipient, MessageSource source) {
        if (t.from.isEmpty()) {
            return;
        }
        List<String> delivered = new ArrayList<>();
        Map<String, DsnRequest.Recipient> params = new LinkedHashMap<>();
        for (int i = 0; i < t.recipients.size(); i++) {
            Recipient r = t.recipients.get(i);
            java.util.Set<DsnRequest.Notify> notify = DsnRequest.Recipient.parseNotify(r.dsnNotify());
            if (!r.remote() && !r.users().isEmpty() && perRecipient.get(i).delivered()
                    && notify.contains(DsnRequest.Notify.SUCCESS) && params.put(r.address(),
                    new DsnRequest.Recipient(notify, r.orcpt())) == null) {
                delivered.add(r.address());
            }
        }
        if (delivered.isEmpty()) {
            return;
        }
        OutboundQueue queue = server.services().queue();
        if (queue == null) {
            LOG.info("SMTP {}: no outbound queue: no delivered notice to <{}> for {}", conn.id(), t.from, delivered);
            return;
        }
        try {
            queue.reportDelivered(t.from, delivered, Spool.skipping(source, t.returnPathLength),
                    new DsnRequest(t.params.get("ENVID"), null, params));
        } catch (IOException | RuntimeException e) {
            LOG.warn("SMTP {}: the delivered notice for message {} to <{}> failed", conn.id(), t.id, t.from, e);
        }
    }

    private static String replyFor(DeliveryResult d, Transaction t, String prefix) {
        String detail = d.detail() == null ? "" : ": " + Envelope.printable(d.detail());
        return switch (d.status()) {
            case DELIVERED -> "250 2.0.0 " + prefix + "Ok: delivered as " + t.id;
            case UNKNOWN_RECIPIENT -> "550 5.1.1 " + prefix + "User unknown" + detail;
            case OVER_QUOTA -> "552 5.2.2 " + prefix + "Mailbox full" + detail;
            case TOO_BIG -> "552 5.3.4 " + prefix + "Message too big for the mailbox" + detail;
            case PERMANENT_FAILURE -> "554 5.3.0 " + prefix + "Delivery failed" + detail;
            default -> "451 4.3.0 " + prefix + "Temporary delivery failure, try again later" + detail;
        };
    }

    private void releaseChunk() {
        if (chunk != null) {
            if (chunk.refCnt() > 0) {
                chunk.release();
            }
            chunk = null;
        }
    }

    /** Ends the current transaction, deleting whatever was spooled. */
    private void dropTransaction() {
        Transaction t = tx;
        tx = null;
        data = null;
        if (mode == Mode.DATA || mode == Mode.BDAT) {
            mode = Mode.COMMAND;
        }
        releaseChunk();
        if (t != null && t.started) {
            try {
                serial.execute(() -> {
                    if (t.spool != null) {
                        t.spool.close();
                        t.spool = null;
                    }
                });
            } catch (RejectedExecutionException ignored) {
                // the pool is shutting down
            }
        }
    }

    // ---------------------------------------------------------------- threads

    private Runnable loopTask(Runnable r) {
        return () -> {
            if (mode != Mode.CLOSED) {
                r.run();
            }
        };
    }

    /** Runs a task on this channel's event loop. */
    private void onLoop(Runnable r) {
        ctx.executor().execute(loopTask(r));
    }

    private java.util.concurrent.Executor serialOrDirect() {
        return serial;
    }

    /** Runs blocking work on the session's serial worker and continues on the event loop with its result. */
    private <T> void onWorker(Callable<T> work, Consumer<T> then) {
        busy = true;
        AtomicInteger once = new AtomicInteger();
        Runnable task = () -> {
            T result;
            try {
                result = work.call();
            } catch (Exception e) {
                LOG.warn("SMTP session {}: worker task failed", conn.id(), e);
                result = null;
            }
            T r = result;
            if (once.getAndIncrement() == 0) {
                ctx.executor().execute(() -> {
                    busy = false;
                    if (mode == Mode.CLOSED || closing) {
                        return;
                    }
                    then.accept(r);
                    process();
                });
            }
        };
        try {
            serial.execute(task);
        } catch (RejectedExecutionException e) {
            busy = false;
            goodbye("421 4.3.2 " + settings.hostname() + " Server busy, try again later");
        }
    }
}
