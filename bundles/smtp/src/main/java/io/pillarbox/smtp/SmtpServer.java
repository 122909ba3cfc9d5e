package io.pillarbox.smtp;

import io.netty.channel.Channel;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.protocol.Connection;

/** What every session of one configuration shares: settings and services. */
record SmtpServer(SmtpSettings settings, Authenticator authenticator, SaslService sasl, LocalDelivery delivery,
                  Services services) {

    /** Without optional services (no queue, no metrics, no trace list). */
    SmtpServer(SmtpSettings settings, Authenticator authenticator, SaslService sasl, LocalDelivery delivery) {
        this(settings, authenticator, sasl, delivery, new Services());
    }

    /** Adds the SMTP/LMTP handler to a channel (also used by tests with an EmbeddedChannel). */
    SmtpSession install(Channel channel, Connection connection) {
        Role role = Role.of(connection.protocol(), connection.properties().get("smtp.role"));
        SmtpSession s = new SmtpSession(this, connection, role);
        channel.pipeline().addLast("smtp", s);
        return s;
    }
}
