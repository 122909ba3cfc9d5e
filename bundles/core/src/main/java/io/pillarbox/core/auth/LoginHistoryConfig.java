package io.pillarbox.core.auth;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the login history (PID {@code io.pillarbox.loginhistory}). */
@ObjectClassDefinition(id = LoginHistoryConfig.PID, name = "Pillarbox login history",
        description = "The last successful login of each user (time, protocol, client address), for mail:user-show")
public @interface LoginHistoryConfig {

    String PID = "io.pillarbox.loginhistory";

    @AttributeDefinition(description = "The file it is kept in (one line per user, written atomically); empty: "
            + "${karaf.data}/pillarbox/last-logins.tsv, or the bundle's data area outside Karaf")
    String file() default "";

    @AttributeDefinition(description = "Seconds between writes of changes (also written when the service stops); a "
            + "crash loses at most the logins of this last interval")
    int flushSeconds() default 5;

    @AttributeDefinition(description = "Most users remembered; beyond it the user whose last login is oldest is "
            + "forgotten")
    int maxUsers() default 100000;
}
