package io.pillarbox.health;

import io.pillarbox.api.delivery.OutboundQueue;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The outbound queue is not stuck: critical when messages are overdue (due for a while and not attempted: the
 * scheduler is not running) or when its spool cannot be written; a warning when the oldest deferred message has
 * waited too long or the queue holds too many messages.
 */
@Component(service = HealthCheck.class, configurationPid = QueueHealthCheck.PID, property = {
        HealthCheck.NAME + "=Pillarbox outbound queue", HealthCheck.TAGS + "=pillarbox", HealthCheck.TAGS + "=queue"})
@Designate(ocd = QueueHealthCheck.Config.class)
public class QueueHealthCheck implements HealthCheck {

    static final String PID = "io.pillarbox.health.queue";
    /** The queue's configuration key for its spool (a service property of the queue). */
    static final String SPOOL_PROPERTY = "spoolDirectory";

    @ObjectClassDefinition(name = "Pillarbox outbound queue health check",
            description = "When the outbound queue counts as stuck or backed up")
    public @interface Config {
        @AttributeDefinition(description = "A message due this many minutes ago and still not attempted is "
                + "critical (the delivery scheduler is not running)")
        long overdueMinutes() default 10;

        @AttributeDefinition(description = "A deferred message older than this many hours is a warning")
        long maxDeferredAgeHours() default 24;

        @AttributeDefinition(description = "More messages than this in the queue is a warning")
        int maxMessages() default 1000;
    }

    private record Bound(OutboundQueue queue, Path spool) {
    }

    private volatile Bound bound;
    private volatile Duration overdue = Duration.ofMinutes(10);
    private volatile Duration maxDeferredAge = Duration.ofHours(24);
    private volatile int maxMessages = 1000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindQueue(OutboundQueue queue, Map<String, Object> properties) {
        bound = new Bound(queue, spool(properties));
    }

    void updatedQueue(OutboundQueue queue, Map<String, Object> properties) {
        bound = new Bound(queue, spool(properties));
    }

    void unbindQueue(OutboundQueue queue) {
        Bound b = bound;
        if (b != null && b.queue() == queue) {
            bound = null;
        }
    }

    /** The spool as the queue configures it ({@code spoolDirectory}), else its default under karaf.data. */
    static Path spool(Map<String, Object> properties) {
        Object v = properties == null ? null : properties.get(SPOOL_PROPERTY);
        String s = v == null ? "" : v.toString().strip();
        if (s.isEmpty()) {
            return Path.of(System.getProperty("karaf.data", "data"), "pillarbox", "queue");
        }
        return Path.of(StoreHealthCheck.expand(s));
    }

    @Activate
    @Modified
    void configure(Config c) {
        overdue = Duration.ofMinutes(Math.max(1, c.overdueMinutes()));
        maxDeferredAge = Duration.ofHours(Math.max(1, c.maxDeferredAgeHours()));
        maxMessages = Math.max(1, c.maxMessages());
    }

    @Override
    public Result execute() {
        Bound b = bound;
        return check(b == null ? null : b.queue(), b == null ? null : b.spool(), overdue, maxDeferredAge, maxMessages,
                Clock.systemUTC());
    }

    static Result check(OutboundQueue queue, Path spool, Duration overdue, Duration maxDeferredAge, int maxMessages,
                        Clock clock) {
        FormattingResultLog log = new FormattingResultLog();
        if (queue == null) {
            log.warn("The outbound queue is not running (feature:install pillarbox-queue): mail for remote domains "
                    + "is refused with 451");
            return new Result(log);
        }
        if (spool != null) {
            try {
                if (!Files.isDirectory(spool)) {
                    throw new IOException("not a directory");
                }
                Path probe = Files.createTempFile(spool, ".pillarbox-health", ".tmp");
                Files.delete(probe);
                log.info("Spool {} is writable", spool);
            } catch (IOException | SecurityException e) {
                log.critical("Cannot write in the queue spool {}: {}", spool, String.valueOf(e.getMessage()));
            }
        }
        List<OutboundQueue.QueuedMessage> all = queue.list();
        Instant now = clock.instant();
        Instant overdueBefore = now.minus(overdue);
        int late = 0;
        int held = 0;
        int deferred = 0;
        OutboundQueue.QueuedMessage firstLate = null;
        OutboundQueue.QueuedMessage oldestDeferred = null;
        for (OutboundQueue.QueuedMessage m : all) {
            if (m.held()) {
                held++;
                continue;
            }
            if (m.nextAttempt() != null && m.nextAttempt().isBefore(overdueBefore)) {
                late++;
                if (firstLate == null || m.nextAttempt().isBefore(firstLate.nextAttempt())) {
                    firstLate = m;
                }
            }
            if (m.attempts() > 0) {
                deferred++;
                if (oldestDeferred == null || m.arrived().isBefore(oldestDeferred.arrived())) {
                    oldestDeferred = m;
                }
            }
        }
        if (late > 0) {
            log.critical("{} message(s) due more than {} minutes ago and not attempted (oldest {} due since {}): the "
                    + "queue's delivery is not running", late, overdue.toMinutes(), firstLate.id(),
                    firstLate.nextAttempt().truncatedTo(ChronoUnit.SECONDS));
        }
        if (all.size() > maxMessages) {
            log.warn("{} messages in the queue (more than {})", all.size(), maxMessages);
        }
        if (oldestDeferred != null && oldestDeferred.arrived().isBefore(now.minus(maxDeferredAge))) {
            log.warn("The oldest deferred message {} has waited {} hours (more than {}); last error: {}",
                    oldestDeferred.id(), Duration.between(oldestDeferred.arrived(), now).toHours(),
                    maxDeferredAge.toHours(), String.valueOf(oldestDeferred.lastError()));
        }
        log.info("{} message(s) in the queue: {} deferred, {} held", all.size(), deferred, held);
        return new Result(log);
    }
}
