package io.pillarbox.store.maildir;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.MailStore;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreException.Reason;
import io.pillarbox.api.store.StoreSession;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The Maildir store: each user's mail in a Maildir++ tree that Dovecot can read too.
 */
@Component(service = MailStore.class, configurationPid = MaildirStore.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = MailStore.PROPERTY_NAME + "=" + MaildirStore.NAME)
@Designate(ocd = MaildirStore.Config.class)
public final class MaildirStore implements MailStore {

    public static final String PID = "io.pillarbox.store.maildir";
    public static final String NAME = "maildir";
    public static final String DEFAULT_LOCATION = "${karaf.data}/mail/{domain}/{user}/Maildir";

    private static final Logger LOG = LoggerFactory.getLogger(MaildirStore.class);

    @ObjectClassDefinition(name = "Pillarbox Maildir store",
            description = "Where users' Maildirs live and how hard the store works to make writes durable.")
    public @interface Config {

        @AttributeDefinition(name = "Mail location",
                description = "Template for a user's Maildir. {user} is the local part (the whole name for a bare "
                        + "user), {domain} the domain (the '{domain}/' level is left out for bare users), {fulluser} "
                        + "the whole name; ${karaf.data} and other system properties are expanded. A location the "
                        + "user's realm gives overrides this.")
        String mailLocation() default DEFAULT_LOCATION;

        @AttributeDefinition(name = "fsync",
                description = "Flush messages, directories and the UID list to disk before reporting success. "
                        + "Turn off only for tests or throwaway data.")
        boolean fsync() default true;

        @AttributeDefinition(name = "Service ranking")
        int service_ranking() default 0;
    }

    private volatile String template = DEFAULT_LOCATION;
    private volatile boolean fsync = true;

    /** For DS. */
    public MaildirStore() {
    }

    /** For use outside OSGi (tests, tools). */
    public MaildirStore(String mailLocationTemplate, boolean fsync) {
        this.template = mailLocationTemplate;
        this.fsync = fsync;
    }

    @Activate
    @Modified
    void activate(Config config) {
        this.template = config.mailLocation();
        this.fsync = config.fsync();
        LOG.info("Maildir store: mail location {}, fsync {}", template, fsync ? "on" : "off");
    }

    @Deactivate
    void deactivate() {
        StateRegistry.dropIdle();
    }

    /**
     * Forgets the in-memory state of mailboxes nobody has open (as a restart would); the next open reads the index
     * from disk. For tools and benchmarks.
     */
    public static void dropCaches() {
        StateRegistry.dropIdle();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StoreSession open(MailPrincipal principal) throws StoreException {
        Path root = location(principal);
        try {
            return new MaildirSession(principal, root, fsync);
        } catch (IOException e) {
            throw new StoreException(Reason.UNAVAILABLE, "cannot open Maildir " + root + ": " + e.getMessage(), e);
        }
    }

    /** Where a principal's Maildir is. */
    public Path location(MailPrincipal principal) throws StoreException {
        String loc = principal.mailLocation();
        if (loc != null && !loc.isBlank()) {
            loc = loc.trim();
            if (loc.startsWith("maildir:")) {
                loc = loc.substring("maildir:".length());
                int opt = loc.indexOf(':');
                if (opt >= 0) {
                    loc = loc.substring(0, opt);
                }
            }
        } else {
            loc = template;
        }
        String user = principal.domain() == null ? principal.user() : principal.localPart();
        String domain = principal.domain() == null ? null : principal.domain().toLowerCase(Locale.ROOT);
        checkPathPart(user, principal);
        if (domain != null) {
            checkPathPart(domain, principal);
        }
        String s = expandProperties(loc);
        if (domain == null) {
            s = s.replace("{domain}/", "").replace("/{domain}", "").replace("{domain}", "");
        } else {
            s = s.replace("{domain}", domain);
        }
        s = s.replace("{fulluser}", principal.user()).replace("{user}", user);
        if (s.startsWith("~/")) {
            s = System.getProperty("user.home") + s.substring(1);
        }
        return Path.of(s).toAbsolutePath().normalize();
    }

    private static void checkPathPart(String part, MailPrincipal principal) throws StoreException {
        if (part.isEmpty() || part.equals(".") || part.equals("..") || part.indexOf('/') >= 0
                || part.indexOf('\\') >= 0 || part.indexOf('\0') >= 0) {
            throw new StoreException(Reason.UNAVAILABLE,
                    "user name cannot be used as a directory name: " + principal.user());
        }
    }

    private static String expandProperties(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            int start = s.indexOf("${", i);
            if (start < 0) {
                out.append(s, i, s.length());
                break;
            }
            int end = s.indexOf('}', start);
            if (end < 0) {
                out.append(s, i, s.length());
                break;
            }
            out.append(s, i, start);
            String key = s.substring(start + 2, end);
            String v = System.getProperty(key);
            if (v == null && key.equals("karaf.data")) {
                v = System.getProperty("karaf.home", ".") + "/data";
            }
            out.append(v == null ? "" : v);
            i = end + 1;
        }
        return out.toString();
    }
}
