package io.pillarbox.smtp;

import io.netty.channel.Channel;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.delivery.OutboundQueue;
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
import org.osgi.service.metatype.annotations.Designate;

/**
 * The SMTP protocol service: listeners with {@code protocol = smtp} (ports 25, 587, and 465 with implicit TLS) hand
 * their connections to it; the listener key {@code smtp.role} ({@code mx} or {@code submission}) picks the role.
 */
@Component(service = ProtocolHandlerFactory.class, configurationPid = SmtpProtocol.PID,
        property = ProtocolHandlerFactory.PROPERTY_NAME + "=smtp")
@Designate(ocd = SmtpConfig.class)
public final class SmtpProtocol implements ProtocolHandlerFactory {

    public static final String PID = "io.pillarbox.smtp";

    private final ComponentServer server;

    @Activate
    public SmtpProtocol(@Reference(name = "authenticator") Authenticator authenticator,
                        @Reference(name = "sasl") SaslService sasl,
                        @Reference(name = "delivery") LocalDelivery delivery, SmtpConfig config) {
        this.server = new ComponentServer(authenticator, sasl, delivery, config);
    }

    @Modified
    void modified(SmtpConfig config) {
        server.configure(config);
    }

    @Reference(name = "queue", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindQueue")
    void bindQueue(OutboundQueue queue) {
        server.services.bindQueue(queue);
    }

    void unbindQueue(OutboundQueue queue) {
        server.services.unbindQueue(queue);
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
        return "smtp";
    }

    @Override
    public void initChannel(Channel channel, Connection connection) {
        server.get().install(channel, connection);
    }
}
