package io.pillarbox.smtp;

import io.pillarbox.sasl.SaslAccess;
import io.pillarbox.testkit.RecordingMetrics;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DS components: configuration, and optional services that outlive configuration changes. */
class ProtocolComponentTest extends SessionFixture {

    /** An SmtpConfig with the annotation's defaults, some overridden. */
    static SmtpConfig config(Map<String, Object> values) {
        return (SmtpConfig) Proxy.newProxyInstance(SmtpConfig.class.getClassLoader(), new Class<?>[]{SmtpConfig.class},
                (proxy, m, args) -> {
                    if (values.containsKey(m.getName())) {
                        return values.get(m.getName());
                    }
                    if (m.getDefaultValue() != null) {
                        return m.getDefaultValue();
                    }
                    if (m.getName().equals("annotationType")) {
                        return SmtpConfig.class;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }

    private static SmtpServer server(Object component) throws Exception {
        var f = component.getClass().getDeclaredField("server");
        f.setAccessible(true);
        return ((ComponentServer) f.get(component)).get();
    }

    @Test
    void configurationAndOptionalServicesOfTheSmtpComponent() throws Exception {
        SmtpProtocol p = new SmtpProtocol(auth, SaslAccess.create(auth), delivery, config(Map.of(
                "hostname", "mx.test", "relayNetworks", new String[]{"192.0.2.0/24, 198.51.100.7"},
                "traceUsers", new String[]{"Alice@example.org, bob@example.org", "*x"})));
        SmtpServer s = server(p);
        assertEquals("192.0.2.0/24, 198.51.100.7", s.settings().relayNetworks().toString());
        assertTrue(s.settings().senderLoginMatch());
        assertEquals(Set.of("alice@example.org", "bob@example.org", "*x"), s.services().trace.users());
        assertEquals(null, s.services().queue());
        assertSame(io.pillarbox.api.metrics.MailMetrics.NONE, s.services().metrics());
        RecordingQueue q = new RecordingQueue();
        RecordingMetrics m = new RecordingMetrics();
        p.bindQueue(q);
        p.bindMetrics(m);
        // a configuration change keeps the bound services and the trace switch
        p.modified(config(Map.of("hostname", "mx.test", "senderLoginMatch", false, "traceUsers", new String[0])));
        SmtpServer s2 = server(p);
        assertFalse(s2.settings().senderLoginMatch());
        assertTrue(s2.settings().relayNetworks().isEmpty());
        assertSame(q, s2.services().queue());
        assertSame(m, s2.services().metrics());
        assertSame(s.services(), s2.services(), "open sessions see the same services and trace list");
        assertEquals(Set.of(), s.services().trace.users());
        p.unbindQueue(new RecordingQueue()); // not the bound one: ignored
        assertSame(q, s2.services().queue());
        p.unbindQueue(q);
        p.unbindMetrics(m);
        assertEquals(null, s2.services().queue());
        assertSame(io.pillarbox.api.metrics.MailMetrics.NONE, s2.services().metrics());
        assertEquals("smtp", p.protocol());
    }

    @Test
    void theLmtpComponentHasMetricsAndTraceButNoQueue() throws Exception {
        LmtpProtocol p = new LmtpProtocol(auth, SaslAccess.create(auth), delivery, config(Map.of("hostname", "mx.test",
                "traceUsers", new String[]{"*"})));
        RecordingMetrics m = new RecordingMetrics();
        p.bindMetrics(m);
        assertEquals(Set.of("*"), server(p).services().trace.users());
        assertSame(m, server(p).services().metrics());
        assertEquals("lmtp", p.protocol());
        assertFalse(List.of(LmtpProtocol.class.getDeclaredMethods()).stream()
                .anyMatch(x -> x.getName().contains("Queue")), "LMTP never relays");
    }
}
