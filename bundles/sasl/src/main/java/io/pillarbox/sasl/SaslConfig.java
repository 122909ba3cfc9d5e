package io.pillarbox.sasl;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the SASL mechanisms (PID {@code io.pillarbox.sasl}). */
@ObjectClassDefinition(id = "io.pillarbox.sasl", name = "Pillarbox SASL",
        description = "Which SASL mechanisms are offered, and when clear-text passwords are allowed")
public @interface SaslConfig {

    @AttributeDefinition(description = "Mechanisms in preference order; each is offered only when a realm can serve it")
    String[] mechanisms() default {"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"};

    @AttributeDefinition(description = "Allow clear-text passwords (PLAIN, LOGIN, IMAP LOGIN, POP3 USER/PASS) on "
            + "connections without TLS from any address (not recommended)")
    boolean allowPlaintextWithoutTls() default false;

    @AttributeDefinition(description = "Allow clear-text passwords without TLS from loopback addresses")
    boolean allowPlaintextFromLoopback() default true;

    @AttributeDefinition(description = "Host name in CRAM-MD5 challenges (empty: the local host name)")
    String challengeHost() default "";
}
