package io.pillarbox.metrics;

import io.pillarbox.api.metrics.MailMetrics;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * The {@link MailMetrics} service: counters and per-command latency histograms since this component started (a
 * restart of the bundle starts them again). Configuration changes never reset them.
 */
@Component(service = MailMetrics.class, configurationPid = MetricsConfig.PID)
@Designate(ocd = MetricsConfig.class)
public class MailMetricsImpl implements MailMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(MailMetricsImpl.class);

    private Registry registry;

    @Activate
    void activate(MetricsConfig config) {
        registry = new Registry(Instant.now(), config.maxNamesPerProtocol(), Registry.DEFAULT_MAX_PROTOCOLS);
        LOG.info("Metrics counting since {} (at most {} counter and command names per protocol)", registry.since(),
                config.maxNamesPerProtocol());
    }

    @Modified
    void modified(MetricsConfig config) {
        registry.maxNames(config.maxNamesPerProtocol());
    }

    @Override
    public void add(String protocol, String counter, long delta) {
        registry.add(protocol, counter, delta);
    }

    @Override
    public void command(String protocol, String command, long nanos) {
        registry.command(protocol, command, nanos);
    }

    @Override
    public Snapshot snapshot() {
        return registry.snapshot();
    }

    Registry registry() {
        return registry;
    }
}
