package io.pillarbox.metrics;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Configuration of the metrics (PID {@code io.pillarbox.metrics}). */
@ObjectClassDefinition(id = MetricsConfig.PID, name = "Pillarbox metrics",
        description = "Counters and latency histograms since start (mail:stats) and their MBeans "
                + "(io.pillarbox:type=Protocol|Command|Listener)")
public @interface MetricsConfig {

    String PID = "io.pillarbox.metrics";

    @AttributeDefinition(description = "How the MBeans are published: 'whiteboard' registers them as OSGi services "
            + "with a jmx.objectname property, which Karaf's management feature (Aries JMX whiteboard) puts into its "
            + "MBeanServer; 'platform' registers them directly with the JVM's platform MBeanServer (outside Karaf); "
            + "'off' publishes none (mail:stats still works)",
            options = {@Option(value = "whiteboard"), @Option(value = "platform"), @Option(value = "off")})
    String jmx() default "whiteboard";

    @AttributeDefinition(description = "Seconds between looks for new protocols, commands and listeners whose MBeans "
            + "are to be registered (and vanished listeners whose MBeans are to go)")
    int jmxRefreshSeconds() default 5;

    @AttributeDefinition(description = "Most distinct counter names and command names kept per protocol; beyond it "
            + "counters go to 'other' and commands are timed as UNKNOWN, so memory stays bounded")
    int maxNamesPerProtocol() default 256;
}
