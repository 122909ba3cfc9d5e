package io.pillarbox.queue;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.pillarbox.queue.QueueEntry.Rcpt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Carries one message to the recipients of one domain: finds the route (relay host, or MX hosts in preference order
 * with the domain itself as implicit MX), connects to each address in turn until a server answers, then runs SMTP
 * transactions of at most {@code maxRecipients} recipients. Every recipient's outcome goes to the sink as soon as it
 * is final (a RCPT refusal, or the reply to the final dot), so the queue can persist it at once.
 */
final class Courier {

    private static final Logger LOG = LoggerFactory.getLogger(Courier.class);

    /** Receives outcomes; returns false when the attempt must stop (the message was deleted). */
    interface Sink {
        boolean record(Rcpt rcpt, Outcome outcome);
    }

    /** The attempt was stopped by the sink. */
    static final class Aborted extends Exception {
        Aborted() {
            super("aborted", null, false, false);
        }
    }

    /** What the courier needs of the message. */
    record Message(String id, String sender, Path file, long size, boolean eightBit, String envid, String ret) {

        Message(String id, String sender, Path file, long size, boolean eightBit) {
            this(id, sender, file, size, eightBit, null, null);
        }
    }

    private final QueueSettings settings;
    private final EventLoopGroup group;
    private final MxResolver resolver;
    private final SslContext insecure;
    private final SslContext verifying;

    Courier(QueueSettings settings, EventLoopGroup group, MxResolver resolver) throws SSLException {
        this.settings = settings;
        this.group = group;
        this.resolver = resolver;
        this.insecure = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .endpointIdentificationAlgorithm(null).protocols("TLSv1.3", "TLSv1.2").build();
        this.verifying = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS")
                .protocols("TLSv1.3", "TLSv1.2").build();
    }

    private record Target(String host, int port) {
    }

    void deliver(Message m, String domain, List<Rcpt> rcpts, Sink sink) throws Aborted {
        List<Target> targets = new ArrayList<>();
        if (settings.relayHost() != null) {
            targets.add(new Target(settings.relayHost(), settings.relayPort()));
        } else {
            MxResolver.Route route = resolver.route(domain);
            switch (route.kind()) {
                case NO_DOMAIN -> {
                    all(rcpts, Outcome.permanent(route.error(), "5.4.4"), sink);
                    return;
                }
                case NULL_MX -> {
                    all(rcpts, Outcome.permanent(route.error(), "5.1.10"), sink);
                    return;
                }
                case TEMPORARY -> {
                    all(rcpts, new Outcome(Outcome.Kind.TEMPORARY, route.error(), "4.4.3", null, null), sink);
                    return;
                }
                default -> {
                    for (MxResolver.Host h : route.hosts()) {
                        targets.add(new Target(h.name(), settings.remotePort()));
                    }
                }
            }
        }
        List<Rcpt> remaining = new ArrayList<>(rcpts);
        String lastError = null;
        for (Target t : targets) {
            if (remaining.isEmpty()) {
                break;
            }
            List<InetAddress> addresses;
            try {
                addresses = resolver.addresses(t.host());
            } catch (IOException e) {
                lastError = e.getMessage();
                LOG.debug("{}: {}", m.id(), lastError);
                continue;
            }
            for (InetAddress a : addresses) {
                if (remaining.isEmpty()) {
                    break;
                }
                InetSocketAddress sa = new InetSocketAddress(a, t.port());
                try {
                    session(m, t.host(), sa, remaining, true, sink);
                } catch (SmtpClient.TlsException e) {
                    lastError = "TLS with " + t.host() + "[" + a.getHostAddress() + "] failed: " + e.getMessage();
                    LOG.info("{}: {}", m.id(), lastError);
                    if (settings.tls() == TlsPolicy.MAY && !remaining.isEmpty()) {
                        try {
                            session(m, t.host(), sa, remaining, false, sink);
                        } catch (IOException e2) {
                            lastError = e2.getMessage();
                            LOG.info("{}: {}", m.id(), lastError);
                        }
                    }
                } catch (IOException e) {
                    lastError = e.getMessage();
                    LOG.info("{}: {}", m.id(), lastError);
                }
            }
        }
        if (!remaining.isEmpty()) {
            all(remaining, Outcome.temporary(lastError == null ? "no mail exchanger of " + domain + " could be reached"
                    : lastError), sink);
        }
    }

    private static void all(List<Rcpt> rcpts, Outcome o, Sink sink) throws Aborted {
        for (Rcpt r : rcpts) {
            if (!sink.record(r, o)) {
                throw new Aborted();
            }
        }
    }

    /**
     * One connection: recipients with a final answer (or a 4xx from this server) are removed from {@code remaining};
     * an IOException means the server could not be used, the rest stay for the next address.
     */
    private void session(Message m, String host, InetSocketAddress address, List<Rcpt> remaining, boolean tlsAllowed,
                         Sink sink) throws IOException, Aborted {
        String ip = address.getAddress().getHostAddress();
        String where = host + "[" + ip + "]";
        try (SmtpClient c = SmtpClient.connect(group, address, settings.connectTimeout(), settings.commandTimeout())) {
            Reply greeting = c.read();
            if (!greeting.positive()) {
                throw new IOException("host " + where + " refused to talk to me: " + greeting.text());
            }
            Ehlo ehlo = hello(c, where);
            TlsPolicy policy = settings.tls();
            if (policy != TlsPolicy.NONE && tlsAllowed && ehlo.has("STARTTLS")) {
                Reply r = c.command("STARTTLS");
                if (r.code() == 220) {
                    c.startTls(policy == TlsPolicy.VERIFY ? verifying : insecure, host, address.getPort());
                    ehlo = hello(c, where);
                } else if (policy.required()) {
                    throw new IOException("host " + where + " refused STARTTLS: " + r.text());
                }
            } else if (policy.required()) {
                throw new IOException("TLS is required, but host " + where + " did not offer STARTTLS");
            }
            if (settings.relayHost() != null && settings.relayUser() != null) {
                authenticate(c, ehlo, where);
            }
            while (!remaining.isEmpty()) {
                List<Rcpt> chunk = new ArrayList<>(remaining.subList(0, Math.min(settings.maxRecipients(),
                        remaining.size())));
                transaction(m, c, ehlo, host, ip, chunk, remaining, sink);
            }
            c.quit();
        } catch (SmtpClient.ConnectionException e) {
            if (e instanceof SmtpClient.TlsException) {
                throw e;
            }
            throw new SmtpClient.ConnectionException(e.getMessage().startsWith("connect to ") ? e.getMessage()
                    : "lost connection with " + where + ": " + e.getMessage(), e);
        }
    }

    private Ehlo hello(SmtpClient c, String where) throws IOException {
        Reply r = c.command("EHLO " + settings.hostname());
        if (r.positive()) {
            return Ehlo.parse(r);
        }
        if (r.code() == 421) {
            throw new IOException("host " + where + " said: " + r.text() + " (in reply to EHLO command)");
        }
        Reply h = c.command("HELO " + settings.hostname());
        if (!h.positive()) {
            throw new IOException("host " + where + " said: " + h.text() + " (in reply to HELO command)");
        }
        return Ehlo.HELO;
    }

    private void authenticate(SmtpClient c, Ehlo ehlo, String where) throws IOException {
        if (!c.tls()) {
            throw new IOException("not sending the relay password to " + where + " without TLS (it did not offer "
                    + "STARTTLS or tls = none)");
        }
        if (!ehlo.authMechanisms().contains("PLAIN")) {
            throw new IOException("relay host " + where + " does not offer AUTH PLAIN (offers "
                    + ehlo.authMechanisms() + ")");
        }
        String token = Base64.getEncoder().encodeToString(("\0" + settings.relayUser() + "\0"
                + settings.relayPassword()).getBytes(StandardCharsets.UTF_8));
        Reply r = c.command("AUTH PLAIN " + token);
        if (r.code() != 235) {
            throw new IOException("authentication at relay host " + where + " failed: " + r.text());
        }
    }

    private void transaction(Message m, SmtpClient c, Ehlo ehlo, String host, String ip, List<Rcpt> chunk,
                             List<Rcpt> remaining, Sink sink) throws IOException, Aborted {
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(m.sender()).append('>');
        if (ehlo.has("SIZE")) {
            if (ehlo.sizeLimit() > 0 && m.size() > ehlo.sizeLimit()) {
                finish(chunk, remaining, Outcome.permanent("message size " + m.size() + " exceeds the limit of "
                        + ehlo.sizeLimit() + " octets of host " + host + "[" + ip + "]", "5.3.4"), sink);
                return;
            }
            mail.append(" SIZE=").append(m.size());
        }
        if (m.eightBit() && ehlo.has("8BITMIME")) {
            mail.append(" BODY=8BITMIME");
        }
        boolean utf8 = !Dsn.isAscii(m.sender());
        for (Rcpt r : chunk) {
            utf8 |= !Dsn.isAscii(r.address);
        }
        if (utf8) {
            if (!ehlo.has("SMTPUTF8")) {
                finish(chunk, remaining, Outcome.permanent("host " + host + "[" + ip + "] does not support "
                        + "SMTPUTF8, needed for a non-ASCII address", "5.6.7"), sink);
                return;
            }
            mail.append(" SMTPUTF8");
        }
        // RFC 3461: the parameters go on to a next hop that offers DSN (and only to one)
        boolean dsn = ehlo.has("DSN");
        if (dsn && m.ret() != null) {
            mail.append(" RET=").append(m.ret());
        }
        if (dsn && m.envid() != null) {
            mail.append(" ENVID=").append(m.envid());
        }
        Reply r;
        List<Reply> rcptReplies = new ArrayList<>();
        Reply d = null;
        if (ehlo.has("PIPELINING")) {
            // RFC 2920: MAIL, every RCPT and DATA in one write, then their replies in order
            StringBuilder batch = new StringBuilder(mail).append("\r\n");
            for (Rcpt rcpt : chunk) {
                batch.append(rcptCommand(rcpt, dsn)).append("\r\n");
            }
            batch.append("DATA\r\n");
            c.write(batch.toString());
            r = c.read();
            for (int i = 0; i < chunk.size(); i++) {
                rcptReplies.add(c.read());
            }
            d = c.read();
        } else {
            r = c.command(mail.toString());
            if (r.positive()) {
                for (Rcpt rcpt : chunk) {
                    rcptReplies.add(c.command(rcptCommand(rcpt, dsn)));
                }
            }
        }
        if (!r.positive()) {
            finish(chunk, remaining, Outcome.reply(host, ip, r, "MAIL FROM command"), sink);
            endPipelinedData(c, d);
            reset(c);
            return;
        }
        List<Rcpt> accepted = new ArrayList<>();
        for (int i = 0; i < chunk.size(); i++) {
            Rcpt rcpt = chunk.get(i);
            Reply rr = rcptReplies.get(i);
            if (rr.positive()) {
                accepted.add(rcpt);
            } else {
                finish(List.of(rcpt), remaining, Outcome.reply(host, ip, rr, "RCPT TO command"), sink);
            }
        }
        if (accepted.isEmpty()) {
            endPipelinedData(c, d);
            reset(c);
            return;
        }
        if (d == null) {
            d = c.command("DATA");
        }
        if (d.code() != 354) {
            finish(accepted, remaining, Outcome.reply(host, ip, d.positive() ? new Reply(451,
                    List.of("451 unexpected reply to DATA: " + d.text())) : d, "DATA command"), sink);
            reset(c);
            return;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(m.file()), 65536)) {
            c.sendData(in);
        }
        Reply done = c.read(settings.commandTimeout().multipliedBy(2));
        Outcome o = Outcome.reply(host, ip, done, "end of DATA command").passedOn(dsn);
        finish(accepted, remaining, o, sink);
        if (o.kind() == Outcome.Kind.SENT) {
            LOG.info("{}: sent to {} via {}[{}]: {}", m.id(), names(accepted), host, ip, done.text());
        }
    }

    private static String rcptCommand(Rcpt r, boolean dsn) {
        StringBuilder b = new StringBuilder("RCPT TO:<").append(r.address).append('>');
        if (dsn && r.notify != null) {
            b.append(" NOTIFY=").append(r.notify);
        }
        if (dsn && r.orcpt != null) {
            b.append(" ORCPT=").append(r.orcpt);
        }
        return b.toString();
    }

    /**
     * A pipelined DATA that the server accepted although no recipient was (RFC 2920 3.1): an empty message ends it,
     * and the server's refusal of it is read and ignored.
     */
    private static void endPipelinedData(SmtpClient c, Reply d) throws IOException {
        if (d != null && d.code() == 354) {
            c.write(".\r\n");
            c.read();
        }
    }

    private static void finish(List<Rcpt> rcpts, List<Rcpt> remaining, Outcome o, Sink sink) throws Aborted {
        for (Rcpt r : rcpts) {
            remaining.remove(r);
            if (!sink.record(r, o)) {
                throw new Aborted();
            }
        }
    }

    private static void reset(SmtpClient c) throws IOException {
        c.command("RSET");
    }

    private static List<String> names(List<Rcpt> rcpts) {
        List<String> out = new ArrayList<>();
        for (Rcpt r : rcpts) {
            out.add(r.address);
        }
        return out;
    }
}
