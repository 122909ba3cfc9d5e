package io.pillarbox.core.store;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the store routing (PID {@code io.pillarbox.stores}). */
@ObjectClassDefinition(id = "io.pillarbox.stores", name = "Pillarbox mail stores",
        description = "Which store serves users whose principal names none")
public @interface StoresConfig {

    @AttributeDefinition(description = "Name (pillarbox.store) of the default store; when it is absent the "
            + "highest-ranked store present is used")
    String defaultStore() default "maildir";

    @AttributeDefinition(description = "Quota of every user, in Dovecot's quota_rule syntax: *:storage=1G "
            + "(kilobytes without a unit; b, k, M, G, T), *:bytes=N, *:messages=N, several joined by ':'; empty or 0: "
            + "none. A user's quota_rule attributes (userdb_quota_rule in a Dovecot users file) override it.")
    String[] quotaRules() default {};
}
