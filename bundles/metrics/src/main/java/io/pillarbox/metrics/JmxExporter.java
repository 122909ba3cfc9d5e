package io.pillarbox.metrics;

import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.metrics.MailMetrics.Latency;
import io.pillarbox.api.server.ListenerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.DynamicMBean;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Keeps one MBean per protocol ({@code io.pillarbox:type=Protocol,name=<protocol>}), per timed command
 * ({@code io.pillarbox:type=Command,protocol=<protocol>,name=<COMMAND>}) and per listener
 * ({@code io.pillarbox:type=Listener,name=<listener>}) published. {@link #refresh()} is called from a timer, never
 * from the recording paths: it publishes what appeared since and withdraws listeners that went away.
 */
final class JmxExporter {

    static final String DOMAIN = "io.pillarbox";
    private static final Logger LOG = LoggerFactory.getLogger(JmxExporter.class);
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9 ._@+/-]+");

    /** Where MBeans go: the OSGi JMX whiteboard, or an MBeanServer. */
    interface Publisher {
        /** Publishes an MBean; returns what withdraws it. */
        Runnable publish(ObjectName name, DynamicMBean bean) throws Exception;
    }

    /** The counters as the exporter reads them. */
    interface Source {
        MailMetrics.Snapshot snapshot();

        /** One command's histogram now, or {@code null}. */
        Latency latency(String protocol, String command);

        /** One protocol's counters now. */
        Map<String, Long> counters(String protocol);

        static Source of(MailMetrics m) {
            if (m instanceof MailMetricsImpl impl) {
                return of(impl.registry());
            }
            if (m instanceof Registry r) {
                return new Source() {
                    public MailMetrics.Snapshot snapshot() {
                        return r.snapshot();
                    }

                    public Latency latency(String protocol, String command) {
                        return r.latency(protocol, command);
                    }

                    public Map<String, Long> counters(String protocol) {
                        return r.counters(protocol);
                    }
                };
            }
            return new Source() {
                public MailMetrics.Snapshot snapshot() {
                    return m.snapshot();
                }

                public Latency latency(String protocol, String command) {
                    Map<String, Latency> l = m.snapshot().latencies().get(protocol);
                    return l == null ? null : l.get(command);
                }

                public Map<String, Long> counters(String protocol) {
                    Map<String, Long> c = m.snapshot().counters().get(protocol);
                    return c == null ? Map.of() : c;
                }
            };
        }
    }

    /** The counters every protocol MBean shows, 0 until counted, in this order. */
    static final List<String> KNOWN_COUNTERS = List.of(MailMetrics.LOGINS_OK, MailMetrics.LOGINS_FAILED,
            MailMetrics.CONNECTIONS, MailMetrics.CONNECTIONS_REJECTED, MailMetrics.COMMANDS,
            MailMetrics.MESSAGES_RECEIVED, MailMetrics.MESSAGES_DELIVERED, MailMetrics.MESSAGES_SENT,
            MailMetrics.MESSAGES_BOUNCED, MailMetrics.MESSAGES_RETRIEVED);

    private final Source source;
    private final Supplier<List<ListenerInfo>> listeners;
    private final Publisher publisher;
    /** Published MBeans by name, with what withdraws each. */
    private final Map<ObjectName, Runnable> published = new LinkedHashMap<>();
    private final Set<ObjectName> listenerNames = new HashSet<>();
    private boolean closed;

    JmxExporter(Source source, Supplier<List<ListenerInfo>> listeners, Publisher publisher) {
        this.source = source;
        this.listeners = listeners;
        this.publisher = publisher;
    }

    /** Publishes the MBeans of new protocols, commands and listeners; withdraws those of vanished listeners. */
    synchronized void refresh() {
        if (closed) {
            return;
        }
        MailMetrics.Snapshot s = source.snapshot();
        Set<String> protocols = new HashSet<>(s.counters().keySet());
        protocols.addAll(s.latencies().keySet());
        for (String p : protocols) {
            publish(protocolName(p), () -> protocolBean(p, s.since()));
        }
        s.latencies().forEach((p, commands) -> {
            for (String c : commands.keySet()) {
                publish(commandName(p, c), () -> commandBean(p, c));
            }
        });
        Map<ObjectName, ListenerInfo> now = new HashMap<>();
        List<ListenerInfo> list;
        try {
            list = listeners.get();
        } catch (RuntimeException e) {
            LOG.debug("listener registry failed", e);
            list = null; // keep what is published
        }
        if (list != null) {
            for (ListenerInfo l : list) {
                ObjectName n = listenerName(l.name());
                if (n != null) {
                    now.putIfAbsent(n, l);
                }
            }
            for (ObjectName gone : new ArrayList<>(listenerNames)) {
                if (!now.containsKey(gone)) {
                    withdraw(gone);
                    listenerNames.remove(gone);
                }
            }
            for (Map.Entry<ObjectName, ListenerInfo> e : now.entrySet()) {
                String name = e.getValue().name();
                if (publish(e.getKey(), () -> listenerBean(name))) {
                    listenerNames.add(e.getKey());
                }
            }
        }
    }

    /** Withdraws every MBean; later refreshes do nothing. */
    synchronized void close() {
        closed = true;
        for (ObjectName n : new ArrayList<>(published.keySet())) {
            withdraw(n);
        }
        listenerNames.clear();
    }

    synchronized Set<ObjectName> published() {
        return Set.copyOf(published.keySet());
    }

    private boolean publish(ObjectName name, Supplier<DynamicMBean> bean) {
        if (name == null) {
            return false;
        }
        if (published.containsKey(name)) {
            return true;
        }
        try {
            published.put(name, publisher.publish(name, bean.get()));
            LOG.debug("MBean {} published", name);
            return true;
        } catch (Exception e) {
            LOG.warn("Cannot publish MBean {}: {}", name, e.toString());
            // remember it anyway so that a broken name is not retried (and logged) every few seconds
            published.put(name, () -> { });
            return true;
        }
    }

    private void withdraw(ObjectName name) {
        Runnable r = published.remove(name);
        if (r != null) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.debug("withdrawing MBean {} failed", name, e);
            }
        }
    }

    // ---- names ----------------------------------------------------------------------------------------------------

    /** An ObjectName value: as is when plain, quoted otherwise. */
    static String value(String s) {
        return PLAIN.matcher(s).matches() ? s : ObjectName.quote(s);
    }

    static ObjectName protocolName(String protocol) {
        return name("type=Protocol,name=" + value(protocol));
    }

    static ObjectName commandName(String protocol, String command) {
        return name("type=Command,protocol=" + value(protocol) + ",name=" + value(command));
    }

    static ObjectName listenerName(String listener) {
        return listener == null || listener.isEmpty() ? null : name("type=Listener,name=" + value(listener));
    }

    private static ObjectName name(String keys) {
        try {
            return new ObjectName(DOMAIN + ":" + keys);
        } catch (MalformedObjectNameException e) {
            LOG.warn("not an MBean name: {}: {}", keys, e.getMessage());
            return null;
        }
    }

    /** A counter's attribute name: {@code logins.ok} becomes {@code LoginsOk}. */
    static String attribute(String counter) {
        StringBuilder b = new StringBuilder(counter.length());
        boolean up = true;
        for (int i = 0; i < counter.length(); i++) {
            char c = counter.charAt(i);
            if (c == '.' || c == '_' || c == '-' || c == ' ') {
                up = true;
            } else if (Character.isLetterOrDigit(c)) {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.length() == 0 ? "Unnamed" : b.toString();
    }

    // ---- beans ----------------------------------------------------------------------------------------------------

    private DynamicMBean protocolBean(String protocol, java.time.Instant since) {
        Supplier<Map<String, String>> attributeToCounter = () -> {
            Map<String, String> m = new LinkedHashMap<>();
            for (String c : KNOWN_COUNTERS) {
                m.put(attribute(c), c);
            }
            for (String c : source.counters(protocol).keySet()) {
                m.putIfAbsent(attribute(c), c);
            }
            return m;
        };
        return new AttributeBean("Counters of protocol " + protocol + " since " + since, () -> {
            List<AttributeBean.Attr> a = new ArrayList<>();
            a.add(AttributeBean.Attr.ofString("Protocol", "The protocol"));
            a.add(AttributeBean.Attr.ofString("Since", "When counting started (ISO-8601)"));
            attributeToCounter.get().forEach((attr, counter) -> a.add(AttributeBean.Attr.ofLong(attr,
                    "Counter " + counter + " since start")));
            return a;
        }, () -> {
            Map<String, Long> c = source.counters(protocol);
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("Protocol", protocol);
            v.put("Since", since.toString());
            attributeToCounter.get().forEach((attr, counter) -> v.put(attr, c.getOrDefault(counter, 0L)));
            return v;
        });
    }

    static final List<AttributeBean.Attr> COMMAND_ATTRIBUTES = List.of(
            AttributeBean.Attr.ofString("Protocol", "The protocol"),
            AttributeBean.Attr.ofString("Command", "The command"),
            AttributeBean.Attr.ofLong("Count", "Commands timed since start"),
            AttributeBean.Attr.ofDouble("MeanMillis", "Mean time from complete input to final response, ms"),
            AttributeBean.Attr.ofDouble("TotalMillis", "Sum of all times, ms"),
            AttributeBean.Attr.ofLong("P50Micros", "Median, µs (upper bound of its histogram bucket)"),
            AttributeBean.Attr.ofLong("P95Micros", "95th percentile, µs (upper bound of its histogram bucket)"),
            AttributeBean.Attr.ofLong("P99Micros", "99th percentile, µs (upper bound of its histogram bucket)"),
            AttributeBean.Attr.ofLong("MaxMicros", "Slowest, µs"),
            AttributeBean.Attr.ofLongs("BucketUpperMicros", "Histogram buckets' inclusive upper bounds, µs "
                    + "(the last is unbounded: Long.MAX_VALUE)"),
            AttributeBean.Attr.ofLongs("BucketCounts", "Commands per histogram bucket"));

    private DynamicMBean commandBean(String protocol, String command) {
        return new AttributeBean("Latency of " + protocol + " command " + command, () -> COMMAND_ATTRIBUTES, () -> {
            Latency l = source.latency(protocol, command);
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("Protocol", protocol);
            v.put("Command", command);
            v.put("Count", l == null ? 0L : l.count());
            v.put("MeanMillis", l == null ? 0.0 : l.meanMillis());
            v.put("TotalMillis", l == null ? 0.0 : l.totalNanos() / 1e6);
            v.put("P50Micros", l == null ? 0L : l.quantileMicros(0.50));
            v.put("P95Micros", l == null ? 0L : l.quantileMicros(0.95));
            v.put("P99Micros", l == null ? 0L : l.quantileMicros(0.99));
            v.put("MaxMicros", l == null ? 0L : l.maxNanos() / 1000);
            v.put("BucketUpperMicros", l == null ? new long[0] : l.upperMicros().stream().mapToLong(x -> x).toArray());
            v.put("BucketCounts", l == null ? new long[0] : l.counts().stream().mapToLong(x -> x).toArray());
            return v;
        });
    }

    static final List<AttributeBean.Attr> LISTENER_ATTRIBUTES = List.of(
            AttributeBean.Attr.ofString("Name", "The listener's configured name"),
            AttributeBean.Attr.ofString("Protocol", "The protocol it serves"),
            AttributeBean.Attr.ofString("Host", "Bind address"),
            AttributeBean.Attr.ofInt("Port", "Port"),
            AttributeBean.Attr.ofString("Tls", "TLS mode: none, starttls, implicit"),
            AttributeBean.Attr.ofBoolean("Bound", "Whether the server socket is open"),
            AttributeBean.Attr.ofString("Status", "listening, or why it is not bound"),
            AttributeBean.Attr.ofInt("Connections", "Open connections now"));

    private DynamicMBean listenerBean(String name) {
        return new AttributeBean("Listener " + name, () -> LISTENER_ATTRIBUTES, () -> {
            ListenerInfo l = null;
            for (ListenerInfo x : listeners.get()) {
                if (name.equals(x.name())) {
                    l = x;
                    break;
                }
            }
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("Name", name);
            v.put("Protocol", l == null ? "" : l.protocol());
            v.put("Host", l == null ? "" : l.host());
            v.put("Port", l == null ? 0 : l.port());
            v.put("Tls", l == null || l.tls() == null ? "" : l.tls().name().toLowerCase(Locale.ROOT));
            v.put("Bound", l != null && l.bound());
            v.put("Status", l == null ? "gone" : l.status());
            v.put("Connections", l == null ? 0 : l.connections());
            return v;
        });
    }
}
