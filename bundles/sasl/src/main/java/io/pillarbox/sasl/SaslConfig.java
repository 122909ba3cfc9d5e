package io.pillarbox.sasl;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the SASL mechanisms (PID {@code io.pillarbox.sasl}). */
@ObjectClassDefinition(id = "io.pillarbox.sasl", name = "Pillarbox SASL",
        description = "Which SASL mechanisms are offered, and when clear-text passwords are allowed")
public @interface SaslConfig {

    @AttributeDefinition(description = "Mechanisms in preference order; each is offered only when a realm can serve it")
    String[] mechanisms() default {"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"};

    @AttributeDefinition(description = "Whether PLAIN and LOGIN may be offered without TLS at all. Each listener "
            + "decides for its connections (allowPlaintextAuth, loopback always allowed) and the protocols offer only "
            + "what both permit; false forbids clear-text passwords without TLS server-wide, whatever the listeners say")
    boolean allowPlaintextWithoutTls() default true;

    @AttributeDefinition(description = "With allowPlaintextWithoutTls=false: still allow them from loopback addresses")
    boolean allowPlaintextFromLoopback() default true;

    @AttributeDefinition(description = "Host name in CRAM-MD5 challenges (empty: the local host name)")
    String challengeHost() default "";

    @AttributeDefinition(name = "external.enabled", description = "Offer SASL EXTERNAL on TLS connections whose "
            + "client presented a certificate the transport verified (io.pillarbox.transport tls.clientAuth and "
            + "tls.trustedCAs); the user it names must be known to a realm")
    boolean external_enabled() default false;

    @AttributeDefinition(name = "external.userFrom", description = "Which user a client certificate names: cn (the "
            + "subject's common name), email (an rfc822Name subject alternative name, else the subject's "
            + "emailAddress) or dn (the whole subject DN, RFC 2253)")
    String external_userFrom() default "cn";
}
