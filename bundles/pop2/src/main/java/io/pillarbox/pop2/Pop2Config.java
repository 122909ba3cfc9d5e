package io.pillarbox.pop2;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the POP2 protocol (PID {@code io.pillarbox.pop2}). */
@ObjectClassDefinition(id = Pop2Protocol.PID, name = "Pillarbox POP2 server",
        description = "Limits and timers of the POP2 protocol (RFC 937)")
public @interface Pop2Config {

    @AttributeDefinition(description = "Longest command line in octets, CRLF included")
    int maxLineLength() default 1024;

    @AttributeDefinition(description = "Failed logins on one connection before it is closed")
    int maxAuthFailures() default 3;

    @AttributeDefinition(description = "Unknown, malformed or misplaced commands in a row before the connection is "
            + "closed")
    int maxBadCommands() default 10;

    @AttributeDefinition(description = "Autologout after this many seconds without a command")
    int autologoutSeconds() default 600;

    @AttributeDefinition(description = "Server name in the greeting")
    String serverName() default "Pillarbox";

    @AttributeDefinition(description = "Users whose sessions are traced line by line (passwords masked) to the "
            + "logger io.pillarbox.pop2.trace; * for all sessions")
    String[] traceUsers() default {};
}
