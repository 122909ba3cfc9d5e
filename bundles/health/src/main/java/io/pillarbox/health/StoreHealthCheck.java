package io.pillarbox.health;

import io.pillarbox.api.store.MailStores;
import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mail store is registered, and the directories that hold mail can be written and have room left: at least
 * {@code minFreeMegabytes} and {@code minFreePercent} of their file system free.
 */
@Component(service = HealthCheck.class, configurationPid = StoreHealthCheck.PID, property = {
        HealthCheck.NAME + "=Pillarbox mail store", HealthCheck.TAGS + "=pillarbox", HealthCheck.TAGS + "=store"})
@Designate(ocd = StoreHealthCheck.Config.class)
public class StoreHealthCheck implements HealthCheck {

    static final String PID = "io.pillarbox.health.store";

    @ObjectClassDefinition(name = "Pillarbox store health check",
            description = "Which directories hold mail and how much room they must have left")
    public @interface Config {
        @AttributeDefinition(description = "Directories that hold mail (system properties such as ${karaf.data} are "
                + "expanded); a directory that does not exist yet is judged by its nearest existing parent")
        String[] paths() default {"${karaf.data}/mail"};

        @AttributeDefinition(description = "Free space below this many megabytes is critical")
        long minFreeMegabytes() default 512;

        @AttributeDefinition(description = "Free space below this percentage of the file system is critical")
        int minFreePercent() default 5;
    }

    private static final Pattern VAR = Pattern.compile("\\$\\{([^}]+)}");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile MailStores stores;

    private volatile List<Path> paths = List.of();
    private volatile long minFreeBytes;
    private volatile int minFreePercent;

    @Activate
    @Modified
    void configure(Config c) {
        List<Path> p = new ArrayList<>();
        for (String s : c.paths()) {
            if (s != null && !s.isBlank()) {
                p.add(Path.of(expand(s.strip())));
            }
        }
        paths = List.copyOf(p);
        minFreeBytes = Math.max(0, c.minFreeMegabytes()) * 1024 * 1024;
        minFreePercent = Math.max(0, Math.min(100, c.minFreePercent()));
    }

    static String expand(String s) {
        Matcher m = VAR.matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(System.getProperty(m.group(1), m.group(0))));
        }
        m.appendTail(b);
        return b.toString();
    }

    @Override
    public Result execute() {
        return check(stores, paths, minFreeBytes, minFreePercent);
    }

    static Result check(MailStores stores, List<Path> paths, long minFreeBytes, int minFreePercent) {
        FormattingResultLog log = new FormattingResultLog();
        if (stores == null) {
            log.critical("The store routing is not running (feature:install pillarbox-core)");
        } else if (stores.names().isEmpty()) {
            log.critical("No mail store is installed (e.g. feature:install pillarbox-store-maildir)");
        } else {
            log.info("Mail stores: {} (the first is the default)", stores.names());
        }
        for (Path p : paths) {
            Path dir = p.toAbsolutePath();
            while (dir != null && !Files.isDirectory(dir)) {
                dir = dir.getParent();
            }
            if (dir == null) {
                log.critical("No existing directory at or above {}", p);
                continue;
            }
            try {
                Path probe = Files.createTempFile(dir, ".pillarbox-health", ".tmp");
                Files.delete(probe);
            } catch (IOException | SecurityException e) {
                log.critical("Cannot write in {}: {}", dir, String.valueOf(e.getMessage()));
                continue;
            }
            try {
                java.nio.file.FileStore fs = Files.getFileStore(dir);
                long free = fs.getUsableSpace();
                long total = fs.getTotalSpace();
                long percent = total <= 0 ? 100 : free * 100 / total;
                String room = FormattingResultLog.bytesHumanReadable(free) + " free (" + percent + "% of "
                        + FormattingResultLog.bytesHumanReadable(total) + ")";
                if (free < minFreeBytes || percent < minFreePercent) {
                    log.critical("{}: only {}; at least {} and {}% wanted", dir, room,
                            FormattingResultLog.bytesHumanReadable(minFreeBytes), minFreePercent);
                } else {
                    log.info("{} is writable, {}", dir, room);
                }
            } catch (IOException e) {
                log.critical("Cannot tell the free space of {}: {}", dir, String.valueOf(e.getMessage()));
            }
        }
        return new Result(log);
    }
}
