/**
 * Counters and latency histograms of the running server, for {@code mail:stats} and JMX. Since 1.0.0.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.pillarbox.api.metrics;
