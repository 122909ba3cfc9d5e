package io.pillarbox.queue;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Pillarbox outbound queue",
        description = "Spool, retries, DNS, the SMTP client's TLS policy and the optional relay host (smarthost)")
public @interface QueueConfig {

    @AttributeDefinition(description = "Spool directory; empty: ${karaf.data}/pillarbox/queue. "
            + "System properties such as ${karaf.data} are expanded")
    String spoolDirectory() default "";

    @AttributeDefinition(description = "Name used in EHLO, in the Reporting-MTA of bounces and as "
            + "MAILER-DAEMON@hostname; empty: this machine's name")
    String hostname() default "";

    @AttributeDefinition(description = "Delays between delivery attempts (s, m, h, d units); the last one repeats")
    String retrySchedule() default "1m, 5m, 15m, 30m, 1h";

    @AttributeDefinition(description = "How long a message may stay in the queue before the remaining recipients "
            + "are bounced")
    String maxAge() default "5d";

    @AttributeDefinition(description = "After how long a message that is still being retried gets one warning to "
            + "its sender (a 'delayed' delivery status notification, for recipients without NOTIFY or whose NOTIFY "
            + "includes DELAY); 0: never")
    String delayWarning() default "4h";

    @AttributeDefinition(description = "How many messages are delivered at the same time (worker threads)")
    int concurrency() default 10;

    @AttributeDefinition(description = "Most recipients per SMTP transaction; more are sent in further transactions")
    int maxRecipients() default 50;

    @AttributeDefinition(description = "Relay host (smarthost): all mail goes there instead of the recipients' MX; "
            + "empty: direct delivery. A host name or address, not looked up as MX")
    String relayHost() default "";

    @AttributeDefinition(description = "Port of the relay host")
    int relayPort() default 25;

    @AttributeDefinition(description = "User for AUTH PLAIN at the relay host; empty: no AUTH. Sent only over TLS")
    String relayUser() default "";

    @AttributeDefinition(name = ".relayPassword", type = AttributeType.PASSWORD,
            description = "Password for AUTH PLAIN at the relay host (key .relayPassword: kept out of service properties)")
    String _relayPassword() default "";

    @AttributeDefinition(description = "Port of the recipients' mail exchangers")
    int remotePort() default 25;

    @AttributeDefinition(description = "DNS servers (host or host:port, comma-separated); empty: the system's "
            + "resolvers (/etc/resolv.conf)")
    String[] dnsServers() default {};

    @AttributeDefinition(description = "TLS policy: none (never STARTTLS), may (STARTTLS when offered, any "
            + "certificate accepted), encrypt (STARTTLS required, any certificate), verify (STARTTLS required, the "
            + "certificate must be trusted by the JVM and match the host name)")
    String tls() default "may";

    @AttributeDefinition(description = "Timeout of a TCP connection attempt")
    String connectTimeout() default "30s";

    @AttributeDefinition(description = "Timeout waiting for a reply (the reply to the final dot of DATA may take "
            + "twice as long)")
    String commandTimeout() default "5m";

    @AttributeDefinition(description = "Timeout of a DNS query")
    String dnsTimeout() default "10s";
}
