package io.pillarbox.transport;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(name = "Pillarbox listener",
        description = "One server socket serving one protocol. One configuration per listener, "
                + "e.g. etc/io.pillarbox.listener-imap.cfg.")
public @interface ListenerConfig {

    @AttributeDefinition(description = "Name shown by mail:listeners; defaults to the configuration's alias.")
    String name() default "";

    @AttributeDefinition(description = "Protocol served (the pillarbox.protocol property of a protocol bundle), e.g. imap.")
    String protocol();

    @AttributeDefinition(description = "Address to bind.")
    String host() default "127.0.0.1";

    @AttributeDefinition(description = "Port to bind; 0 picks a free port.")
    int port();

    @AttributeDefinition(description = "TLS mode.", options = {
            @Option(value = "none", label = "Plain text only"),
            @Option(value = "starttls", label = "Plain text with STARTTLS"),
            @Option(value = "implicit", label = "TLS from the first byte")})
    String tls() default "starttls";

    @AttributeDefinition(description = "Most connections open at once on this listener.")
    int maxConnections() default 1000;

    @AttributeDefinition(description = "Most connections open at once from one client address.")
    int maxConnectionsPerIp() default 50;

    @AttributeDefinition(description = "Seconds without any traffic after which the connection is closed; 0: the protocol decides.")
    int idleTimeoutSeconds() default 0;

    @AttributeDefinition(description = "Allow passwords in clear text on unencrypted connections from non-loopback clients.")
    boolean allowPlaintextAuth() default false;
}
