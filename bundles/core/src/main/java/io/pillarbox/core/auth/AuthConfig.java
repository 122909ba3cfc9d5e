package io.pillarbox.core.auth;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the authenticator (PID {@code io.pillarbox.auth}). */
@ObjectClassDefinition(id = "io.pillarbox.auth", name = "Pillarbox authenticator",
        description = "Realm order, user-name handling and brute-force defence for every login")
public @interface AuthConfig {

    @AttributeDefinition(description = "Domain appended to bare user names (no '@'), when appendDefaultDomain is true")
    String defaultDomain() default "";

    @AttributeDefinition(description = "Whether bare user names get '@' + defaultDomain before the realms are asked")
    boolean appendDefaultDomain() default false;

    @AttributeDefinition(description = "Whether user names are lower-cased before the realms are asked")
    boolean lowercaseUsers() default false;

    @AttributeDefinition(description = "Failed logins from one client address within the window before it is locked out (0: never)")
    int maxFailuresPerAddress() default 20;

    @AttributeDefinition(description = "Failed logins for one user name within the window before it is locked out (0: never)")
    int maxFailuresPerUser() default 10;

    @AttributeDefinition(description = "How far back failures count, in seconds")
    int failureWindowSeconds() default 900;

    @AttributeDefinition(description = "How long a lock-out lasts, in seconds")
    int lockoutSeconds() default 900;

    @AttributeDefinition(description = "Delay of the answer to the first failed login, in milliseconds; doubles with each further failure")
    long initialDelayMillis() default 1000;

    @AttributeDefinition(description = "Longest delay of a failed login's answer, in milliseconds")
    long maxDelayMillis() default 8000;

    @AttributeDefinition(description = "Days a client address stays known for a user after a successful login; a user "
            + "locked out by failures elsewhere can still log in from known addresses (0: no exemption)")
    int knownAddressDays() default 30;

    @AttributeDefinition(description = "Client networks (CIDR, e.g. 127.0.0.1/32 for a webmail on this host) whose "
            + "failures are not counted per address: many users behind one address must not lock each other out. "
            + "Per-user delays and lock-outs still apply")
    String[] trustedNetworks() default {};

    @AttributeDefinition(description = "Seconds a successful password login is remembered (as a keyed hash of the "
            + "password, in memory only), so that a client reconnecting with the same password skips the realms' "
            + "deliberately slow hashes; a password changed in a realm keeps working until then. 0: off")
    int cacheSeconds() default 0;

    @AttributeDefinition(description = "Threads that call realms (password hashing, LDAP, PAM)")
    int workerThreads() default 4;

    @AttributeDefinition(description = "Realm calls that may wait for a worker before new attempts are refused with a temporary failure")
    int queueSize() default 512;

    @AttributeDefinition(description = "Most client addresses and user names whose failures are remembered at once")
    int maxTracked() default 100000;
}
