package io.pillarbox.health;

import io.pillarbox.api.server.ListenerInfo;
import io.pillarbox.api.server.ListenerRegistry;
import org.apache.felix.hc.api.FormattingResultLog;
import org.apache.felix.hc.api.HealthCheck;
import org.apache.felix.hc.api.Result;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import java.util.List;

/** Every configured listener is bound; a listener that is not (port in use, protocol missing) is critical. */
@Component(service = HealthCheck.class, property = {HealthCheck.NAME + "=Pillarbox listeners",
        HealthCheck.TAGS + "=pillarbox", HealthCheck.TAGS + "=listeners"})
public class ListenersHealthCheck implements HealthCheck {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ListenerRegistry registry;

    @Override
    public Result execute() {
        return check(registry);
    }

    static Result check(ListenerRegistry registry) {
        FormattingResultLog log = new FormattingResultLog();
        if (registry == null) {
            log.critical("The transport is not running (feature:install pillarbox-transport)");
            return new Result(log);
        }
        List<ListenerInfo> all = registry.listeners();
        if (all.isEmpty()) {
            log.warn("No listener is configured (etc/io.pillarbox.listener-*.cfg)");
        }
        for (ListenerInfo l : all) {
            if (l.bound()) {
                log.info("Listener {} ({}) bound on {}:{} with {} connection(s)", l.name(), l.protocol(), l.host(),
                        l.port(), l.connections());
            } else {
                log.critical("Listener {} ({}) on {}:{} is not bound: {}", l.name(), l.protocol(), l.host(),
                        l.port(), l.status());
            }
        }
        return new Result(log);
    }
}
