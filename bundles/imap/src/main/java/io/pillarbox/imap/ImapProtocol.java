package io.pillarbox.imap;

import io.netty.channel.Channel;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.protocol.Connection;
import io.pillarbox.api.protocol.ProtocolHandlerFactory;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.transport.session.SessionTrace;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The IMAP protocol service: listeners with {@code protocol = imap} hand their connections to it. */
@Component(service = ProtocolHandlerFactory.class, configurationPid = ImapProtocol.PID,
        property = ProtocolHandlerFactory.PROPERTY_NAME + "=imap")
@Designate(ocd = ImapConfig.class)
public final class ImapProtocol implements ProtocolHandlerFactory {

    public static final String PID = "io.pillarbox.imap";

    private static final Logger LOG = LoggerFactory.getLogger(ImapProtocol.class);

    private final Authenticator authenticator;
    private final SaslService sasl;
    private final MailStores stores;
    private final RecentTracker recent = new RecentTracker();
    private final SessionTrace trace = ImapServer.newTrace();
    private volatile ImapServer server;

    /** Where commands are timed and messages counted; optional, and may come and go while sessions run. */
    @Reference(name = "metrics", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MailMetrics metrics;

    @Activate
    public ImapProtocol(@Reference(name = "authenticator") Authenticator authenticator,
                        @Reference(name = "sasl") SaslService sasl,
                        @Reference(name = "stores") MailStores stores, ImapConfig config) {
        this.authenticator = authenticator;
        this.sasl = sasl;
        this.stores = stores;
        modified(config);
    }

    @Modified
    void modified(ImapConfig c) {
        trace.users(java.util.Arrays.asList(c.traceUsers()));
        server = new ImapServer(settings(c), authenticator, sasl, stores, recent, trace, this::metrics);
    }

    /** The metrics service, or {@link MailMetrics#NONE} while there is none. */
    MailMetrics metrics() {
        MailMetrics m = metrics;
        return m == null ? MailMetrics.NONE : m;
    }

    static ImapSettings settings(ImapConfig c) {
        Map<String, SpecialUse> su = new LinkedHashMap<>();
        for (String s : c.specialUseMailboxes()) {
            int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                LOG.warn("Ignoring special-use mailbox without a role: {}", s);
                continue;
            }
            try {
                su.put(s.substring(0, colon).trim(),
                        SpecialUse.valueOf(s.substring(colon + 1).trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                LOG.warn("Ignoring special-use mailbox with an unknown role: {}", s);
            }
        }
        Path spool = c.spoolDirectory().isBlank() ? Path.of(System.getProperty("java.io.tmpdir"))
                : Path.of(c.spoolDirectory());
        return new ImapSettings(Math.max(1024, c.maxLineLength()), Math.max(1, c.maxLiteralSize()),
                Math.max(0, c.maxPreAuthLiteral()), Math.max(1024, c.spoolThreshold()), spool,
                Math.max(1, c.maxBadCommands()), Math.max(1, c.maxQueuedCommands()),
                Duration.ofSeconds(Math.max(1, c.autologoutSeconds())),
                Duration.ofSeconds(Math.max(1, c.preAuthAutologoutSeconds())), su, c.serverName(), c.compress());
    }

    @Override
    public String protocol() {
        return "imap";
    }

    @Override
    public void initChannel(Channel channel, Connection connection) {
        install(channel, connection, server);
    }

    /** Adds the IMAP handlers to a channel's pipeline (also used by tests with an EmbeddedChannel). */
    static ImapSession install(Channel channel, Connection connection, ImapServer server) {
        ImapDecoder decoder = new ImapDecoder(server.settings(), connection.worker());
        ImapSession session = new ImapSession(server, connection, decoder);
        channel.pipeline().addLast(ImapSession.CHUNKED, new ChunkedWriteHandler());
        channel.pipeline().addLast(ImapSession.DECODER, decoder);
        channel.pipeline().addLast(ImapSession.HANDLER, session);
        return session;
    }
}
