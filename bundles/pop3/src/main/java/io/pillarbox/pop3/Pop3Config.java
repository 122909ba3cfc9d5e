package io.pillarbox.pop3;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the POP3 protocol (PID {@code io.pillarbox.pop3}). */
@ObjectClassDefinition(id = Pop3Protocol.PID, name = "Pillarbox POP3 server",
        description = "Limits, timers and advertised policies of the POP3 protocol")
public @interface Pop3Config {

    @AttributeDefinition(description = "Longest command line in octets, CRLF included (RFC 2449 asks for at least "
            + "255; SASL responses need more)")
    int maxLineLength() default 8192;

    @AttributeDefinition(description = "Commands accepted before a successful login; then the connection is closed")
    int maxCommandsBeforeAuth() default 30;

    @AttributeDefinition(description = "Failed logins on one connection before it is closed")
    int maxAuthFailures() default 3;

    @AttributeDefinition(description = "Unknown, malformed or misplaced commands in a row before the connection is "
            + "closed")
    int maxBadCommands() default 10;

    @AttributeDefinition(description = "Pipelined commands queued per connection before reading pauses")
    int maxQueuedCommands() default 64;

    @AttributeDefinition(description = "Autologout after this many seconds without a command in the TRANSACTION "
            + "state (RFC 1939: at least 600)")
    int autologoutSeconds() default 600;

    @AttributeDefinition(description = "Autologout after this many seconds without a command before login "
            + "(RFC 1939: at least 600)")
    int preAuthAutologoutSeconds() default 600;

    @AttributeDefinition(description = "EXPIRE capability to advertise (RFC 2449): days, or NEVER; empty: not "
            + "advertised. Advertised only: the server itself does not delete old mail")
    String expire() default "";

    @AttributeDefinition(description = "LOGIN-DELAY capability to advertise in seconds (RFC 2449); negative: not "
            + "advertised. Advertised only, not enforced")
    int loginDelay() default -1;

    @AttributeDefinition(description = "Offer APOP (a timestamp in the greeting) when a realm keeps clear-text "
            + "secrets")
    boolean apop() default true;

    @AttributeDefinition(description = "Set \\Seen on messages retrieved with RETR when the session ends with QUIT")
    boolean markSeenOnRetr() default true;

    @AttributeDefinition(description = "Server name in the greeting and the IMPLEMENTATION capability")
    String serverName() default "Pillarbox";

    @AttributeDefinition(description = "Host name in the APOP timestamp (empty: the local host name)")
    String hostName() default "";

    @AttributeDefinition(description = "Users whose sessions are traced line by line (passwords masked) to the "
            + "logger io.pillarbox.pop3.trace; * for all sessions")
    String[] traceUsers() default {};
}
