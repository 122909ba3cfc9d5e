package io.pillarbox.metrics;

import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.server.ListenerInfo;
import io.pillarbox.api.server.ListenerRegistry;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.DynamicMBean;
import javax.management.MBeanServer;
import java.lang.management.ManagementFactory;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes the metrics as MBeans. By default through the OSGi JMX whiteboard: each MBean is an OSGi service with a
 * {@code jmx.objectname} property, which Karaf's {@code management} feature (Aries JMX whiteboard) registers in
 * Karaf's MBeanServer and removes again when the service goes. New protocols, commands and listeners are looked for
 * every {@code jmxRefreshSeconds} on a timer thread of this component.
 */
@Component(service = {}, configurationPid = MetricsConfig.PID)
public class MetricsJmx {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsJmx.class);

    @Reference
    private MailMetrics metrics;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ListenerRegistry listenerRegistry;

    private BundleContext context;
    private ScheduledExecutorService timer;
    private JmxExporter exporter;

    @Activate
    synchronized void activate(BundleContext context, MetricsConfig config) {
        this.context = context;
        start(config);
    }

    @Modified
    synchronized void modified(MetricsConfig config) {
        stop();
        start(config);
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
    }

    private void start(MetricsConfig config) {
        String mode = config.jmx() == null ? "whiteboard" : config.jmx().trim().toLowerCase(Locale.ROOT);
        JmxExporter.Publisher publisher = switch (mode) {
            case "off", "false", "none" -> null;
            case "platform" -> platform(ManagementFactory.getPlatformMBeanServer());
            default -> whiteboard(context);
        };
        if (publisher == null) {
            LOG.info("Metrics MBeans are off (jmx = {})", mode);
            return;
        }
        exporter = new JmxExporter(JmxExporter.Source.of(metrics), this::listeners, publisher);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pillarbox-metrics-jmx");
            t.setDaemon(true);
            return t;
        });
        JmxExporter e = exporter;
        long every = Math.max(1, config.jmxRefreshSeconds());
        timer.scheduleWithFixedDelay(() -> {
            try {
                e.refresh();
            } catch (RuntimeException ex) {
                LOG.warn("Refreshing the metrics MBeans failed", ex);
            }
        }, 0, every, TimeUnit.SECONDS);
        LOG.info("Metrics MBeans published under {}:* ({}, refreshed every {} s)", JmxExporter.DOMAIN,
                mode.equals("platform") ? "platform MBeanServer" : "JMX whiteboard", every);
    }

    private void stop() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            timer = null;
        }
        if (exporter != null) {
            exporter.close();
            exporter = null;
        }
    }

    private List<ListenerInfo> listeners() {
        ListenerRegistry r = listenerRegistry;
        return r == null ? List.of() : r.listeners();
    }

    /** MBeans as services with {@code jmx.objectname}: the whiteboard puts them into every MBeanServer service. */
    static JmxExporter.Publisher whiteboard(BundleContext context) {
        return (name, bean) -> {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("jmx.objectname", name.toString());
            ServiceRegistration<DynamicMBean> reg = context.registerService(DynamicMBean.class, bean, props);
            return () -> {
                try {
                    reg.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the bundle is stopping
                }
            };
        };
    }

    /** MBeans registered with an MBeanServer directly (outside Karaf, or without its management feature). */
    static JmxExporter.Publisher platform(MBeanServer server) {
        return (name, bean) -> {
            server.registerMBean(bean, name);
            return () -> {
                try {
                    server.unregisterMBean(name);
                } catch (Exception e) {
                    LOG.debug("unregistering {} failed", name, e);
                }
            };
        };
    }
}
