package io.pillarbox.smtp;

import io.netty.channel.Channel;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.protocol.Connection;
import io.pillarbox.api.protocol.ProtocolHandlerFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The LMTP protocol service (RFC 2033): listeners with {@code protocol = lmtp} (normally 127.0.0.1:24, for an MTA
 * such as Postfix handing mail over). Shares the configuration PID {@value SmtpProtocol#PID} with SMTP.
 */
@Component(service = ProtocolHandlerFactory.class, configurationPid = SmtpProtocol.PID,
        property = ProtocolHandlerFactory.PROPERTY_NAME + "=lmtp")
public final class LmtpProtocol implements ProtocolHandlerFactory {

    private final ComponentServer server;

    @Activate
    public LmtpProtocol(@Reference(name = "authenticator") Authenticator authenticator,
                        @Reference(name = "sasl") SaslService sasl,
                        @Reference(name = "delivery") LocalDelivery delivery, SmtpConfig config) {
        this.server = new ComponentServer(authenticator, sasl, delivery, config);
    }

    @Modified
    void modified(SmtpConfig config) {
        server.configure(config);
    }

    @Reference(name = "metrics", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindMetrics")
    void bindMetrics(MailMetrics metrics) {
        server.services.bindMetrics(metrics);
    }

    void unbindMetrics(MailMetrics metrics) {
        server.services.unbindMetrics(metrics);
    }

    @Override
    public String protocol() {
        return "lmtp";
    }

    @Override
    public void initChannel(Channel channel, Connection connection) {
        server.get().install(channel, connection);
    }
}
