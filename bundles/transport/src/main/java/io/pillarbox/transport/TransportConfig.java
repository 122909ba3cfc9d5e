package io.pillarbox.transport;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Pillarbox transport",
        description = "Threads and TLS material shared by every Pillarbox listener.")
public @interface TransportConfig {

    @AttributeDefinition(description = "Netty event-loop threads; 0 means one per core.")
    int ioThreads() default 0;

    @AttributeDefinition(description = "Threads for blocking store and realm work.")
    int workerThreads() default 16;

    @AttributeDefinition(description = "Tasks that may wait for a worker before new work is refused.")
    int workerQueue() default 10000;

    @AttributeDefinition(name = "tls.certificate",
            description = "PEM file with the server certificate chain. Empty: a self-signed certificate is generated.")
    String tls_certificate() default "";

    @AttributeDefinition(name = "tls.key", description = "PEM file with the PKCS#8 private key for tls.certificate.")
    String tls_key() default "";

    @AttributeDefinition(name = "tls.keystore", description = "PKCS#12 file with key and chain (instead of PEM files).")
    String tls_keystore() default "";

    /** Property {@code .tls.keystorePassword}: the leading dot keeps it out of service properties. */
    @AttributeDefinition(name = ".tls.keystorePassword", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD,
            description = "Password of tls.keystore.")
    String _tls_keystorePassword() default "";

    @AttributeDefinition(name = "tls.protocols", description = "TLS versions offered.")
    String[] tls_protocols() default {"TLSv1.3", "TLSv1.2"};

    @AttributeDefinition(name = "tls.selfSignedHostname",
            description = "Host name in a generated certificate; empty: this machine's name.")
    String tls_selfSignedHostname() default "";

    @AttributeDefinition(name = "tls.clientAuth", description = "TLS client certificates: none (not requested), "
            + "or optional (requested; a certificate must chain to tls.trustedCAs, connections without one work as "
            + "usual). A verified certificate can log in with SASL EXTERNAL (io.pillarbox.sasl external.enabled).")
    String tls_clientAuth() default "none";

    @AttributeDefinition(name = "tls.trustedCAs", description = "PEM file of the CA certificates client certificates "
            + "must chain to; required when tls.clientAuth is not none.")
    String tls_trustedCAs() default "";

    @AttributeDefinition(description = "Seconds a session gets to say goodbye before it is closed on shutdown.")
    int shutdownGraceSeconds() default 3;
}
