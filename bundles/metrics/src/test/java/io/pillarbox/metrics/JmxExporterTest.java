package io.pillarbox.metrics;

import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.protocol.TlsMode;
import io.pillarbox.api.server.ListenerInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.AttributeNotFoundException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JmxExporterTest {

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final Registry metrics = new Registry();
    private final List<ListenerInfo> listeners = new CopyOnWriteArrayList<>();
    private final JmxExporter exporter = new JmxExporter(JmxExporter.Source.of(metrics), () -> listeners,
            MetricsJmx.platform(server));

    @AfterEach
    void close() {
        exporter.close();
    }

    private Set<ObjectName> ours() throws Exception {
        return server.queryNames(new ObjectName("io.pillarbox:*"), null);
    }

    @Test
    void protocolMBeansShowEveryKnownCounterLive() throws Exception {
        metrics.increment("imap", MailMetrics.LOGINS_OK);
        metrics.add("imap", MailMetrics.LOGINS_FAILED, 2);
        metrics.increment("imap", "custom.thing");
        exporter.refresh();
        ObjectName imap = new ObjectName("io.pillarbox:type=Protocol,name=imap");
        assertTrue(server.isRegistered(imap), ours().toString());
        assertEquals(1L, server.getAttribute(imap, "LoginsOk"));
        assertEquals(2L, server.getAttribute(imap, "LoginsFailed"));
        assertEquals(0L, server.getAttribute(imap, "MessagesBounced"));
        assertEquals(1L, server.getAttribute(imap, "CustomThing"));
        assertEquals("imap", server.getAttribute(imap, "Protocol"));
        assertEquals(metrics.since().toString(), server.getAttribute(imap, "Since"));
        // live: no refresh needed for values
        metrics.increment("imap", MailMetrics.LOGINS_OK);
        assertEquals(2L, server.getAttribute(imap, "LoginsOk"));
        List<String> names = Arrays.stream(server.getMBeanInfo(imap).getAttributes()).map(MBeanAttributeInfo::getName)
                .toList();
        assertTrue(names.containsAll(List.of("LoginsOk", "LoginsFailed", "Connections", "ConnectionsRejected",
                "Commands", "MessagesReceived", "MessagesDelivered", "MessagesSent", "MessagesBounced",
                "MessagesRetrieved", "CustomThing")), names.toString());
        assertThrows(AttributeNotFoundException.class, () -> server.getAttribute(imap, "Nope"));
    }

    @Test
    void commandMBeansAppearOnRefreshWithQuantiles() throws Exception {
        metrics.command("imap", "LOGIN", 2_000_000);
        exporter.refresh();
        ObjectName login = new ObjectName("io.pillarbox:type=Command,protocol=imap,name=LOGIN");
        ObjectName uidFetch = new ObjectName("io.pillarbox:type=Command,protocol=imap,name=UID FETCH");
        assertTrue(server.isRegistered(login));
        assertFalse(server.isRegistered(uidFetch));
        for (int i = 0; i < 99; i++) {
            metrics.command("imap", "UID FETCH", 50_000);
        }
        metrics.command("imap", "UID FETCH", 7_000_000);
        assertFalse(server.isRegistered(uidFetch), "only a refresh publishes");
        exporter.refresh();
        assertTrue(server.isRegistered(uidFetch));
        assertEquals(100L, server.getAttribute(uidFetch, "Count"));
        assertEquals(100L, server.getAttribute(uidFetch, "P50Micros"));
        assertEquals(100L, server.getAttribute(uidFetch, "P95Micros"));
        assertEquals(100L, server.getAttribute(uidFetch, "P99Micros"));
        assertEquals(7_000L, server.getAttribute(uidFetch, "MaxMicros"));
        assertEquals((99 * 0.05 + 7.0) / 100, (Double) server.getAttribute(uidFetch, "MeanMillis"), 1e-9);
        long[] bounds = (long[]) server.getAttribute(uidFetch, "BucketUpperMicros");
        long[] counts = (long[]) server.getAttribute(uidFetch, "BucketCounts");
        assertEquals(17, bounds.length);
        assertEquals(100, bounds[0]);
        assertEquals(99, counts[0]);
        assertEquals(1, counts[6], "7 ms is in the ≤ 10 ms bucket");
        assertEquals(1L, server.getAttribute(login, "Count"));
        assertEquals(101L, server.getAttribute(new ObjectName("io.pillarbox:type=Protocol,name=imap"), "Commands"));
    }

    @Test
    void oddNamesAreQuoted() throws Exception {
        metrics.command("x-proto", "A,B=C", 1);
        exporter.refresh();
        ObjectName n = JmxExporter.commandName("x-proto", "A,B=C");
        assertTrue(server.isRegistered(n), ours().toString());
        assertEquals("A,B=C", server.getAttribute(n, "Command"));
    }

    @Test
    void listenersComeAndGo() throws Exception {
        listeners.add(new ListenerInfo("imap", "imap", "127.0.0.1", 143, TlsMode.STARTTLS, true, "listening", 3));
        listeners.add(new ListenerInfo("pop3", "pop3", "127.0.0.1", 110, TlsMode.NONE, false, "port in use", 0));
        exporter.refresh();
        ObjectName imap = new ObjectName("io.pillarbox:type=Listener,name=imap");
        ObjectName pop3 = new ObjectName("io.pillarbox:type=Listener,name=pop3");
        assertEquals(3, server.getAttribute(imap, "Connections"));
        assertEquals(143, server.getAttribute(imap, "Port"));
        assertEquals("starttls", server.getAttribute(imap, "Tls"));
        assertEquals(true, server.getAttribute(imap, "Bound"));
        assertEquals("port in use", server.getAttribute(pop3, "Status"));
        assertEquals(false, server.getAttribute(pop3, "Bound"));
        // live values
        listeners.set(0, new ListenerInfo("imap", "imap", "127.0.0.1", 143, TlsMode.STARTTLS, true, "listening", 5));
        assertEquals(5, server.getAttribute(imap, "Connections"));
        // a listener removed: its MBean goes on the next refresh
        listeners.remove(1);
        exporter.refresh();
        assertFalse(server.isRegistered(pop3));
        assertTrue(server.isRegistered(imap));
    }

    @Test
    void closeWithdrawsEverythingAndLaterRefreshesDoNothing() throws Exception {
        metrics.command("smtp", "DATA", 1);
        listeners.add(new ListenerInfo("smtp", "smtp", "127.0.0.1", 25, TlsMode.STARTTLS, true, "listening", 0));
        exporter.refresh();
        assertEquals(3, ours().size(), ours().toString());
        exporter.close();
        assertEquals(Set.of(), ours());
        exporter.refresh();
        assertEquals(Set.of(), ours());
    }

    @Test
    void attributeNamesFromCounterNames() {
        assertEquals("LoginsOk", JmxExporter.attribute(MailMetrics.LOGINS_OK));
        assertEquals("ConnectionsRejected", JmxExporter.attribute(MailMetrics.CONNECTIONS_REJECTED));
        assertEquals("Other", JmxExporter.attribute(Registry.OTHER));
        assertArrayEquals(new String[]{"Unnamed"}, new String[]{JmxExporter.attribute("..")});
    }
}
