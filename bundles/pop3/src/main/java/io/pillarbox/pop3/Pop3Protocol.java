package io.pillarbox.pop3;

import io.pillarbox.transport.codec.LineDecoder;
import io.netty.channel.Channel;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.protocol.Connection;
import io.pillarbox.api.protocol.ProtocolHandlerFactory;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.transport.session.SessionTrace;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import java.net.InetAddress;

/** The POP3 protocol service: listeners with {@code protocol = pop3} hand their connections to it. */
@Component(service = ProtocolHandlerFactory.class, configurationPid = Pop3Protocol.PID,
        property = ProtocolHandlerFactory.PROPERTY_NAME + "=pop3")
@Designate(ocd = Pop3Config.class)
public final class Pop3Protocol implements ProtocolHandlerFactory {

    public static final String PID = "io.pillarbox.pop3";

    private final Authenticator authenticator;
    private final SaslService sasl;
    private final MailStores stores;
    /** Shared by every configuration of this service, so that a configuration change keeps the locks. */
    private final MaildropLocks locks = new MaildropLocks();

    /** Likewise, so that a configuration change does not read every maildrop again. */
    private final ServedSizes sizes = new ServedSizes();
    private final SessionTrace trace = Pop3Server.newTrace();
    private volatile Pop3Server server;

    /** Where commands are timed and retrievals counted; optional, and may come and go while sessions run. */
    @Reference(name = "metrics", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MailMetrics metrics;

    @Activate
    public Pop3Protocol(@Reference(name = "authenticator") Authenticator authenticator,
                        @Reference(name = "sasl") SaslService sasl,
                        @Reference(name = "stores") MailStores stores, Pop3Config config) {
        this.authenticator = authenticator;
        this.sasl = sasl;
        this.stores = stores;
        modified(config);
    }

    @Modified
    void modified(Pop3Config config) {
        trace.users(java.util.Arrays.asList(config.traceUsers()));
        server = new Pop3Server(Pop3Settings.of(config, localHostName()), authenticator, sasl, stores, locks, trace,
                this::metrics, sizes);
    }

    /** The metrics service, or {@link MailMetrics#NONE} while there is none. */
    MailMetrics metrics() {
        MailMetrics m = metrics;
        return m == null ? MailMetrics.NONE : m;
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    @Override
    public String protocol() {
        return "pop3";
    }

    @Override
    public void initChannel(Channel channel, Connection connection) {
        install(channel, connection, server);
    }

    /** Adds the POP3 handlers to a channel's pipeline (also used by tests with an EmbeddedChannel). */
    static Pop3Session install(Channel channel, Connection connection, Pop3Server server) {
        LineDecoder decoder = new LineDecoder(server.settings().maxLineLength());
        Pop3Session session = new Pop3Session(server, connection, decoder);
        channel.pipeline().addLast(Pop3Session.DECODER, decoder);
        channel.pipeline().addLast(Pop3Session.HANDLER, session);
        return session;
    }
}
