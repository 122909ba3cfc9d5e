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
import java.nio.file.Files;
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

    /**
     * Where a principal's Maildir is. The realm's location wins over the template: {@code maildir:PATH[:options]} or
     * a directory that already is a Maildir is used as it is; the user's home directory (the {@code home} attribute)
     * means {@code home/Maildir}, as Dovecot's default; an mbox spool ({@code /var/mail/user}, a regular file) or a
     * location of another format ({@code mbox:}, {@code sdbox:}, ...) falls back to {@code home/Maildir} or the
     * template.
     */
    public Path location(MailPrincipal principal) throws StoreException {
        String user = principal.domain() == null ? principal.user() : principal.localPart();
        String domain = principal.domain() == null ? null : principal.domain().toLowerCase(Locale.ROOT);
        checkPathPart(user, principal);
        if (domain != null) {
            checkPathPart(domain, principal);
        }
        String home = principal.attributes().get("home");
        Path fromRealm = realmLocation(principal.mailLocation(), home);
        if (fromRealm != null) {
            return fromRealm;
        }
        String s = expandProperties(template);
        if (domain == null) {
            s = s.replace("{domain}/", "").replace("/{domain}", "").replace("{domain}", "");
        } else {
            s = s.replace("{domain}", domain);
        }
        s = s.replace("{fulluser}", principal.user()).replace("{user}", user);
        if (s.startsWith("~/") && home != null && !home.isBlank()) {
            s = home + s.substring(1);
        } else if (s.startsWith("~/")) {
            s = System.getProperty("user.home") + s.substring(1);
        }
        return Path.of(s).toAbsolutePath().normalize();
    }

    private static Path realmLocation(String loc, String home) {
        if (loc == null || loc.isBlank()) {
            return null;
        }
        loc = loc.trim();
        boolean explicit = false;
        int colon = loc.indexOf(':');
        if (colon > 0 && loc.substring(0, colon).matches("[A-Za-z0-9_-]+")) {
            if (!loc.substring(0, colon).equalsIgnoreCase("maildir")) {
                return homeMaildir(home); // another format: not ours to read
            }
            loc = loc.substring(colon + 1);
            explicit = true;
        }
        int opts = loc.indexOf(':');
        if (opts >= 0) {
            loc = loc.substring(0, opts);
        }
        if (loc.startsWith("~") && home != null && !home.isBlank()) {
            loc = home + loc.substring(1);
        }
        if (loc.isEmpty() || !loc.startsWith("/")) {
            return homeMaildir(home);
        }
        Path p = Path.of(loc).toAbsolutePath().normalize();
        if (explicit || Files.isDirectory(p.resolve("cur"))) {
            return p;
        }
        if (Files.isRegularFile(p) || loc.startsWith("/var/mail/") || loc.startsWith("/var/spool/mail/")) {
            return homeMaildir(home); // an mbox spool
        }
        if (home != null && !home.isBlank() && p.equals(Path.of(home).toAbsolutePath().normalize())) {
            return p.resolve("Maildir");
        }
        return p;
    }

    private static Path homeMaildir(String home) {
        if (home == null || home.isBlank() || !home.startsWith("/")) {
            return null;
        }
        return Path.of(home).toAbsolutePath().normalize().resolve("Maildir");
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
