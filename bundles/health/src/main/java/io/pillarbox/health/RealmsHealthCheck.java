package io.pillarbox.health;

import io.pillarbox.api.auth.Authenticator;
import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * At least one auth realm is registered, and the realms answer a lookup (of a user that does not exist) within a few
 * seconds: a directory that is down or hangs shows here before users notice.
 */
@Component(service = HealthCheck.class, property = {HealthCheck.NAME + "=Pillarbox realms",
        HealthCheck.TAGS + "=pillarbox", HealthCheck.TAGS + "=realms"})
public class RealmsHealthCheck implements HealthCheck {

    static final String PROBE_USER = "pillarbox-health-probe";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile Authenticator authenticator;

    @Override
    public Result execute() {
        return check(authenticator, 10);
    }

    static Result check(Authenticator authenticator, long timeoutSeconds) {
        FormattingResultLog log = new FormattingResultLog();
        if (authenticator == null) {
            log.critical("The authenticator is not running (feature:install pillarbox-core)");
            return new Result(log);
        }
        List<String> realms = authenticator.realms();
        if (realms.isEmpty()) {
            log.critical("No auth realm is installed: nobody can log in (e.g. feature:install pillarbox-auth-file)");
            return new Result(log);
        }
        log.info("Realms, in the order logins ask them: {}", realms);
        long start = System.nanoTime();
        try {
            authenticator.lookup(PROBE_USER).toCompletableFuture().get(timeoutSeconds, TimeUnit.SECONDS);
            log.info("The realms answered a lookup in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (java.util.concurrent.TimeoutException e) {
            log.critical("The realms did not answer a lookup within {} s", timeoutSeconds);
        } catch (Exception e) {
            Throwable c = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            log.critical("A realm lookup failed: {}", String.valueOf(c.getMessage()));
        }
        return new Result(log);
    }
}
