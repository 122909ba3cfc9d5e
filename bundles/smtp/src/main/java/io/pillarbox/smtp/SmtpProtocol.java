package io.pillarbox.smtp;

import io.netty.channel.Channel;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.protocol.Connection;
import io.pillarbox.api.protocol.ProtocolHandlerFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
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

    private final Authenticator authenticator;
    private final SaslService sasl;
    private final LocalDelivery delivery;
    private volatile SmtpServer server;

    @Activate
    public SmtpProtocol(@Reference(name = "authenticator") Authenticator authenticator,
                        @Reference(name = "sasl") SaslService sasl,
                        @Reference(name = "delivery") LocalDelivery delivery, SmtpConfig config) {
        this.authenticator = authenticator;
        this.sasl = sasl;
        this.delivery = delivery;
        modified(config);
    }

    @Modified
    void modified(SmtpConfig config) {
        server = new SmtpServer(SmtpSettings.of(config), authenticator, sasl, delivery);
    }

    @Override
    public String protocol() {
        return "smtp";
    }

    @Override
    public void initChannel(Channel channel, Connection connection) {
        server.install(channel, connection);
    }
}
