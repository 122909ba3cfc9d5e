package io.pillarbox.smtp;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.delivery.LocalDelivery;

import java.util.List;

/**
 * What the SMTP and LMTP components share: the server of the current configuration, rebuilt at each change over the
 * same services (bound queue and metrics, trace list), so that open sessions keep seeing them.
 */
final class ComponentServer {

    private final Authenticator authenticator;
    private final SaslService sasl;
    private final LocalDelivery delivery;
    final Services services = new Services();
    private volatile SmtpServer server;

    ComponentServer(Authenticator authenticator, SaslService sasl, LocalDelivery delivery, SmtpConfig config) {
        this.authenticator = authenticator;
        this.sasl = sasl;
        this.delivery = delivery;
        configure(config);
    }

    /** Applies a (changed) configuration to the sessions opened from now on. */
    void configure(SmtpConfig config) {
        services.trace.users(List.of(config.traceUsers()));
        server = new SmtpServer(SmtpSettings.of(config), authenticator, sasl, delivery, services);
    }

    /** The server of the current configuration. */
    SmtpServer get() {
        return server;
    }
}
