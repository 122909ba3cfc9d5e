package io.pillarbox.imap;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Pillarbox IMAP server", description = "Limits and defaults of the IMAP protocol")
public @interface ImapConfig {

    @AttributeDefinition(description = "Longest command line in octets (literals not counted)")
    int maxLineLength() default 65536;

    @AttributeDefinition(description = "Largest literal (and message appended) after login, in octets: APPENDLIMIT")
    long maxLiteralSize() default 52428800L;

    @AttributeDefinition(description = "Largest literal accepted before login, in octets")
    long maxPreAuthLiteral() default 8192L;

    @AttributeDefinition(description = "Literals larger than this are spooled to a temporary file")
    int spoolThreshold() default 262144;

    @AttributeDefinition(description = "Directory for spooled literals; empty for java.io.tmpdir")
    String spoolDirectory() default "";

    @AttributeDefinition(description = "Malformed commands in a row before the connection is closed")
    int maxBadCommands() default 10;

    @AttributeDefinition(description = "Pipelined commands queued per connection before reading pauses")
    int maxQueuedCommands() default 64;

    @AttributeDefinition(description = "Autologout after this many seconds without a command, once logged in")
    int autologoutSeconds() default 1800;

    @AttributeDefinition(description = "Autologout after this many seconds without a command, before login")
    int preAuthAutologoutSeconds() default 60;

    @AttributeDefinition(description = "Mailboxes created and subscribed at a user's first login, as name:role "
            + "(roles: drafts sent trash junk archive all flagged)")
    String[] specialUseMailboxes() default {"Drafts:drafts", "Sent:sent", "Trash:trash", "Junk:junk",
        "Archive:archive"};

    @AttributeDefinition(description = "Server name in the greeting and the ID response")
    String serverName() default "Pillarbox";

    @AttributeDefinition(description = "Offer COMPRESS=DEFLATE")
    boolean compress() default true;

    @AttributeDefinition(description = "Users whose sessions are traced line by line (passwords masked) to the "
            + "logger io.pillarbox.imap.trace; * for all sessions")
    String[] traceUsers() default {};
}
