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
}
