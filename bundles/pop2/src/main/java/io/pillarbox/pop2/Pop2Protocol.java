package io.pillarbox.pop2;

import io.pillarbox.transport.codec.LineDecoder;
import io.netty.channel.Channel;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.metrics.MailMetrics;
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

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The POP2 protocol service (RFC 937): listeners with {@code protocol = pop2} hand their connections to it. */
@Component(service = ProtocolHandlerFactory.class, configurationPid = Pop2Protocol.PID,
        property = ProtocolHandlerFactory.PROPERTY_NAME + "=pop2")
@Designate(ocd = Pop2Config.class)
public final class Pop2Protocol implements ProtocolHandlerFactory {

    public static final String PID = "io.pillarbox.pop2";

    private final Authenticator authenticator;
    private final MailStores stores;
    private final Set<String> locks = ConcurrentHashMap.newKeySet();
    private final SessionTrace trace = Pop2Server.newTrace();
    private volatile Pop2Server server;

    /** Where commands are timed and retrievals counted; optional, and may come and go while sessions run. */
    @Reference(name = "metrics", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MailMetrics metrics;

    @Activate
    public Pop2Protocol(@Reference(name = "authenticator") Authenticator authenticator,
                        @Reference(name = "stores") MailStores stores, Pop2Config config) {
        this.authenticator = authenticator;
        this.stores = stores;
        modified(config);
    }

    @Modified
    void modified(Pop2Config config) {
        trace.users(java.util.Arrays.asList(config.traceUsers()));
        server = new Pop2Server(Pop2Settings.of(config), authenticator, stores, locks, trace, this::metrics);
    }

    /** The metrics service, or {@link MailMetrics#NONE} while there is none. */
    MailMetrics metrics() {
        MailMetrics m = metrics;
        return m == null ? MailMetrics.NONE : m;
    }

    @Override
    public String protocol() {
        return "pop2";
    }

    @Override
    public void initChannel(Channel channel, Connection connection) {
        install(channel, connection, server);
    }

    static Pop2Session install(Channel channel, Connection connection, Pop2Server server) {
        Pop2Session session = new Pop2Session(server, connection);
        channel.pipeline().addLast("pop2-decoder", new LineDecoder(server.settings().maxLineLength()));
        channel.pipeline().addLast("pop2", session);
        return session;
    }
}
