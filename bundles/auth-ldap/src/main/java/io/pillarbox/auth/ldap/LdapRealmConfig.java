package io.pillarbox.auth.ldap;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the LDAP realm (PID {@code io.pillarbox.auth.ldap}). */
@ObjectClassDefinition(id = "io.pillarbox.auth.ldap", name = "Pillarbox LDAP realm",
        description = "Search a user in an LDAP directory, then bind as them with the password")
public @interface LdapRealmConfig {

    @AttributeDefinition(description = "Directory URLs, tried in order (failover): ldap://host:389 or ldaps://host:636")
    String[] urls() default {"ldap://localhost:389"};

    @AttributeDefinition(description = "Use StartTLS on ldap:// connections")
    boolean startTls() default false;

    @AttributeDefinition(description = "Trust store (JKS or PKCS12) with the directory's CA; empty: the JVM's default")
    String trustStore() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, name = ".trustStorePassword",
            description = "Trust store password, key .trustStorePassword (may be empty)")
    String _trustStorePassword() default "";

    @AttributeDefinition(description = "Accept any server certificate and host name (tests only!)")
    boolean trustAll() default false;

    @AttributeDefinition(description = "DN to bind as for searches; empty: anonymous searches")
    String bindDn() default "";

    @AttributeDefinition(type = AttributeType.PASSWORD, name = ".bindPassword",
            description = "Password of the search DN (key .bindPassword: the leading dot keeps it out of the service properties)")
    String _bindPassword() default "";

    @AttributeDefinition(description = "Where users are searched")
    String baseDn() default "dc=example,dc=org";

    @AttributeDefinition(description = "Search filter: %u the login name, %n its local part, %d its domain (escaped)")
    String userFilter() default "(&(objectClass=inetOrgPerson)(|(uid=%u)(mail=%u)))";

    @AttributeDefinition(description = "Search scope: sub, one or base")
    String scope() default "sub";

    @AttributeDefinition(description = "An entry matching this filter is disabled (e.g. (nsAccountLock=true)); empty: none")
    String disabledFilter() default "";

    @AttributeDefinition(description = "Attribute with the canonical user name (e.g. mail); empty: the name as given")
    String userNameAttribute() default "";

    @AttributeDefinition(description = "Attribute with the mail location (e.g. mailMessageStore or homeDirectory); empty: none")
    String mailLocationAttribute() default "";

    @AttributeDefinition(description = "Attribute naming the store serving the user; empty: the default store")
    String storeAttribute() default "";

    @AttributeDefinition(description = "Most connections per pool (one pool searches, one binds)")
    int maxConnections() default 8;

    @AttributeDefinition(description = "Connect timeout, milliseconds")
    int connectTimeoutMillis() default 5000;

    @AttributeDefinition(description = "Response timeout, milliseconds")
    int responseTimeoutMillis() default 10000;

    @AttributeDefinition(name = "service.ranking", description = "Order among realms (highest asked first)")
    int service_ranking() default 0;

    @AttributeDefinition(name = "pillarbox.realm", description = "The realm's name")
    String pillarbox_realm() default "ldap";
}
