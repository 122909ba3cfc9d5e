package io.pillarbox.delivery;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(id = LocalDeliveryImpl.PID, name = "Pillarbox local delivery",
        description = "Which domains are local, aliases and catch-alls, and who the postmaster is.")
public @interface DeliveryConfig {

    @AttributeDefinition(name = "Local domains",
            description = "Domains whose mail is delivered here (compared case-insensitively). The first one is the "
                    + "primary domain.")
    String[] localDomains() default {"localhost"};

    @AttributeDefinition(name = "Bare user names",
            description = "How an address without a domain (RCPT TO:<alice>) is looked up: as-is, or as "
                    + "user@<first local domain>.",
            options = {@Option(label = "as-is", value = "as-is"), @Option(label = "first-domain", value = "first-domain")})
    String bareUsers() default "as-is";

    @AttributeDefinition(name = "Look up the local part",
            description = "When user@domain (a local domain) is not known to any realm, also look up the bare local "
                    + "part (for realms whose users have no domain). Only sensible with one local domain.")
    boolean lookupLocalPart() default true;

    @AttributeDefinition(name = "Aliases file",
            description = "File of aliases, one per line: 'alias@domain: target1, target2', and catch-alls "
                    + "'@domain: target'. Re-read when it changes. Empty: ${karaf.etc}/pillarbox.aliases.")
    String aliasesFile() default "";

    @AttributeDefinition(name = "Postmaster",
            description = "Where postmaster@<every local domain> goes (RFC 5321 section 4.5.1): a user or an address. "
                    + "Empty: the user 'postmaster@<first domain>' or 'postmaster'. An alias for postmaster@domain wins.")
    String postmaster() default "";

    @AttributeDefinition(name = "Mailbox", description = "The mailbox delivered to.")
    String mailbox() default "INBOX";

    @AttributeDefinition(name = "Lookup timeout (seconds)", description = "How long a realm lookup may take.")
    int lookupTimeoutSeconds() default 30;

    @AttributeDefinition(name = "Sender Rewriting Scheme",
            description = "Mail forwarded by an alias to another domain gets an SRS envelope sender of ours "
                    + "(SRS0=hash=TT=their.domain=user@our.domain) so that SPF checks at the next server pass, and "
                    + "bounces to such addresses go back to the original sender. Off: the original sender is kept.")
    boolean srs() default true;

    @AttributeDefinition(name = "SRS domain",
            description = "The domain of rewritten senders (publish SPF for this server in it). Empty: the first "
                    + "local domain other than localhost (no such domain: SRS is off).")
    String srsDomain() default "";

    @AttributeDefinition(name = "SRS address lifetime (days)",
            description = "How long a rewritten sender is accepted back (for bounces).")
    int srsMaxAgeDays() default 21;

    @AttributeDefinition(name = ".srsSecret", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD,
            description = "The key of the SRS hashes (at least 16 characters). Empty: a random key kept in "
                    + "${karaf.data}/pillarbox/srs.secret. Several servers forwarding for one domain share it.")
    String _srsSecret() default "";
}
