package io.pillarbox.auth.file;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the passwd-file realm (PID {@code io.pillarbox.auth.file}). */
@ObjectClassDefinition(id = "io.pillarbox.auth.file", name = "Pillarbox passwd-file realm",
        description = "Users in a Dovecot-compatible passwd-file")
public @interface FileRealmConfig {

    @AttributeDefinition(description = "The users file; ${name} is replaced by that system property")
    String path() default "${karaf.etc}/pillarbox.users";

    @AttributeDefinition(name = "service.ranking", description = "Order among realms (highest asked first)")
    int service_ranking() default 0;

    @AttributeDefinition(name = "pillarbox.realm", description = "The realm's name, shown in principals and logs")
    String pillarbox_realm() default "file";

    @AttributeDefinition(description = "Domain of bare names in the file: with it, 'alice@<domain>' finds the line "
            + "'alice' and 'alice' finds 'alice@<domain>'; principals of bare lines get this domain")
    String defaultDomain() default "";

    @AttributeDefinition(description = "Whether user names match regardless of case")
    boolean caseInsensitive() default true;

    @AttributeDefinition(description = "Argon2id memory for new passwords, in KiB. Each check of such a password "
            + "holds this much heap while it runs (times the authenticator's worker threads); 32768 with 3 passes "
            + "takes about 0.1 s on one core")
    int argon2MemoryKiB() default 32768;

    @AttributeDefinition(description = "Argon2id passes for new passwords")
    int argon2Iterations() default 3;

    @AttributeDefinition(description = "Argon2id lanes for new passwords")
    int argon2Parallelism() default 1;

    @AttributeDefinition(description = "Also store a SCRAM-SHA-256 credential (extra field pillarbox_scram_sha256) "
            + "for new and changed passwords, so SCRAM-SHA-256 can be offered")
    boolean storeScram() default true;

    @AttributeDefinition(description = "SCRAM iteration count for new credentials")
    int scramIterations() default 4096;

    @AttributeDefinition(description = "On a successful login with an older scheme (or without a SCRAM credential), "
            + "store the password again as Argon2id (+ SCRAM-SHA-256), so imported files gain SCRAM over time")
    boolean upgradeHashes() default false;

    @AttributeDefinition(description = "Create an empty users file when it does not exist")
    boolean createIfMissing() default true;
}
