package io.pillarbox.smtp;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the SMTP and LMTP servers (PID {@code io.pillarbox.smtp}). */
@ObjectClassDefinition(id = SmtpProtocol.PID, name = "Pillarbox SMTP and LMTP servers",
        description = "Host name, limits and timeouts of SMTP (MX, submission, SMTPS) and LMTP. The role of a "
                + "listener comes from its own configuration key smtp.role (mx or submission).")
public @interface SmtpConfig {

    @AttributeDefinition(name = "Host name",
            description = "The name in the greeting, the EHLO reply and Received: headers. Empty: this machine's name.")
    String hostname() default "";

    @AttributeDefinition(name = "Maximum message size (octets)", description = "Advertised with SIZE and enforced.")
    long maxMessageSize() default 52_428_800L;

    @AttributeDefinition(name = "Maximum recipients per message",
            description = "Further RCPT commands get 452 4.5.3 (RFC 5321 4.5.3.1.8 requires at least 100).")
    int maxRecipients() default 100;

    @AttributeDefinition(name = "Maximum errors per session",
            description = "After this many rejected commands the session ends with 421.")
    int maxErrors() default 20;

    @AttributeDefinition(name = "Maximum command line length (octets, without CRLF)",
            description = "RFC 5321 requires at least 512, RFC 4954 at least 12288 for AUTH lines.")
    int maxCommandLineLength() default 12288;

    @AttributeDefinition(name = "Maximum text line length (octets, without CRLF)",
            description = "Longest line of a message sent with DATA (RFC 5321 4.5.3.1.6 and RFC 5322 2.1.1: 998). "
                    + "0: no limit.")
    int maxTextLineLength() default 998;

    @AttributeDefinition(name = "Command timeout (seconds)",
            description = "How long the server waits for the next command (RFC 5321 4.5.3.2.7: at least 5 minutes).")
    int commandTimeoutSeconds() default 300;

    @AttributeDefinition(name = "Data timeout (seconds)",
            description = "How long the server waits for more of a message during DATA or BDAT "
                    + "(RFC 5321 4.5.3.2.5/6: 3 minutes per block).")
    int dataTimeoutSeconds() default 180;

    @AttributeDefinition(name = "Spool directory",
            description = "Where messages are spooled while they arrive. Empty: java.io.tmpdir.")
    String spoolDirectory() default "";

    @AttributeDefinition(name = "Relay networks",
            description = "Clients in these networks (CIDR, e.g. 192.0.2.0/24 or 2001:db8::/32, or single addresses) "
                    + "may send mail to remote domains without AUTH, through the outbound queue. Empty by default: "
                    + "only authenticated clients relay (loopback is not trusted either). Never over LMTP.")
    String[] relayNetworks() default {};

    @AttributeDefinition(name = "Sender must belong to the login",
            description = "An authenticated client may only use a MAIL FROM address that belongs to the logged-in "
                    + "user: the login name, or an address that local delivery resolves to that user (aliases and "
                    + "catch-alls included); else 553 5.7.1. The null sender <> is then refused for authenticated clients; "
                    + "on submission listeners it is refused whatever this says.")
    boolean senderLoginMatch() default true;

    @AttributeDefinition(name = "Bare line feeds",
            description = "Who may send a message whose lines end in a bare LF (curl without --crlf, some scripts); "
                    + "it is stored with CRLF. The end of data is CRLF.CRLF in every case (no SMTP smuggling), and a "
                    + "bare CR is always refused. trusted: authenticated clients, relay networks and LMTP clients "
                    + "(like Postfix's smtpd_forbid_bare_newline with mynetworks excluded); reject: nobody; "
                    + "normalize: everybody. Others get 554 5.6.0.",
            options = {@org.osgi.service.metatype.annotations.Option(label = "trusted", value = "trusted"),
                    @org.osgi.service.metatype.annotations.Option(label = "reject", value = "reject"),
                    @org.osgi.service.metatype.annotations.Option(label = "normalize", value = "normalize")})
    String bareLineEnds() default "trusted";

    @AttributeDefinition(name = "Traced users",
            description = "Users whose SMTP and LMTP sessions are logged line by line (AUTH responses masked, message "
                    + "contents as their size) to the logger io.pillarbox.smtp.trace at INFO; a session is the "
                    + "user's once it authenticated as the user, or (MX, LMTP) once a recipient resolved to the user. "
                    + "* traces every session.")
    String[] traceUsers() default {};
}
