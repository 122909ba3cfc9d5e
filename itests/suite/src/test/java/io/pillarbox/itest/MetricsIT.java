package io.pillarbox.itest;

import io.pillarbox.api.auth.LoginHistory;
import io.pillarbox.api.auth.WritableRealm;
import io.pillarbox.api.metrics.MailMetrics;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

import javax.inject.Inject;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.pillarbox.itest.ShellRunner.contains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

/**
 * Metrics in the real distribution: IMAP logins and commands over a real socket are counted per protocol, shown by
 * {@code mail:stats} and {@code mail:user-show}, and exposed as MBeans read over Karaf's own JMX connector (RMI on
 * loopback, with a Karaf user's credentials).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MetricsIT extends PillarboxTestSupport {

    static final String USER = "mina";
    static final String PASSWORD = "metrics pass 1";
    static final String JMX_USER = "jmxtest";
    static final String JMX_PASSWORD = "jmx-secret-42";

    @Inject
    BundleContext bc;

    @Inject
    ConfigurationAdmin cm;

    @Inject
    WritableRealm realm;

    @Inject
    SessionFactory sessionFactory;

    @Inject
    MailMetrics metrics;

    @Inject
    LoginHistory history;

    static int port;
    static MailMetrics.Snapshot before;

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(distributionOptions());
        // a Karaf user for the JMX connector (roles directly: the ACLs let viewer read attributes)
        options.add(editConfigurationFilePut("etc/users.properties", JMX_USER, JMX_PASSWORD + ",admin,manager,viewer"));
        // MBeans of new commands and listeners appear within a second
        options.add(editConfigurationFilePut("etc/io.pillarbox.metrics.cfg", "jmxRefreshSeconds", "1"));
        return options.toArray(new Option[0]);
    }

    /** Once per container: a user, a listener, and an IMAP session with a failed and a successful login. */
    @Before
    public void scenario() throws Exception {
        await("mail:stats", () -> sessionFactory.getRegistry().getCommand("mail", "stats") != null);
        if (port != 0) {
            return;
        }
        if (!realm.users().contains(USER)) {
            realm.addUser(USER, PASSWORD.toCharArray());
        }
        int p = freePort();
        createListener(cm, "imap-metrics", "imap", p, "none");
        await("IMAP listener", () -> accepts(p));
        before = metrics.snapshot();
        try (LineClient c = LineClient.connect(p)) {
            assertTrue(c.read().startsWith("* OK"));
            assertTrue(tagged(c, "a1 LOGIN " + USER + " wrong-password").startsWith("a1 NO"));
            assertTrue(tagged(c, "a2 LOGIN " + USER + " \"" + PASSWORD + "\"").startsWith("a2 OK"));
            assertTrue(tagged(c, "a3 SELECT INBOX").startsWith("a3 OK"));
            assertTrue(tagged(c, "a4 NOOP").startsWith("a4 OK"));
            assertTrue(tagged(c, "a5 LOGOUT").startsWith("a5 OK"));
        }
        port = p;
    }

    /** Sends a command and returns its tagged response line. */
    static String tagged(LineClient c, String command) throws IOException {
        String tag = command.substring(0, command.indexOf(' '));
        c.send(command);
        String line;
        while ((line = c.read()) != null) {
            if (line.startsWith(tag + " ")) {
                return line;
            }
        }
        throw new AssertionError("connection closed before the response to " + command);
    }

    String run(String command) throws Exception {
        return ShellRunner.shell(sessionFactory, command, "");
    }


    /** The --no-format line of a protocol, split into its cells. */
    static String[] line(String output, String protocol) {
        return output.lines().filter(l -> l.startsWith(protocol + "\t")).findFirst()
                .map(l -> l.split("\t", -1))
                .orElseThrow(() -> new AssertionError("no line for " + protocol + " in:\n" + output));
    }

    // ------------------------------------------------------------------ tests

    @Test
    public void loginsAndConnectionsAreCountedForImap() {
        MailMetrics.Snapshot now = metrics.snapshot();
        assertEquals(1, now.counter("imap", MailMetrics.LOGINS_OK) - before.counter("imap", MailMetrics.LOGINS_OK));
        assertEquals(1, now.counter("imap", MailMetrics.LOGINS_FAILED)
                - before.counter("imap", MailMetrics.LOGINS_FAILED));
        assertTrue(now.counter("imap", MailMetrics.CONNECTIONS) > before.counter("imap", MailMetrics.CONNECTIONS));
    }

    @Test
    public void connectionsRefusedByALimitAreCountedAsRejected() throws Exception {
        int p = freePort();
        org.osgi.service.cm.Configuration limited = createListener(cm, "imap-limited", "imap", p, "none",
                "maxConnections", 1);
        try {
            long beforeProbe = metrics.snapshot().counter("imap", MailMetrics.CONNECTIONS);
            await("limited IMAP listener", () -> accepts(p));
            // the probe's own connection must be counted and gone before the limit is tested (the server may see
            // it only after accepts() returned)
            await("probe counted", () -> metrics.snapshot().counter("imap", MailMetrics.CONNECTIONS) > beforeProbe);
            await("probe closed", () -> openOn("imap-limited") == 0);
            long accepted = metrics.snapshot().counter("imap", MailMetrics.CONNECTIONS);
            long rejected = metrics.snapshot().counter("imap", MailMetrics.CONNECTIONS_REJECTED);
            try (LineClient first = LineClient.connect(p)) {
                assertTrue(first.read().startsWith("* OK"));
                try (LineClient second = LineClient.connect(p)) {
                    // the protocol may greet before it says goodbye
                    List<String> said = new ArrayList<>();
                    for (String l = second.read(); l != null; l = second.read()) {
                        said.add(l);
                    }
                    assertTrue(said.toString(), said.stream().anyMatch(l -> l.startsWith("* BYE")));
                }
            }
            MailMetrics.Snapshot now = metrics.snapshot();
            assertEquals(accepted + 1, now.counter("imap", MailMetrics.CONNECTIONS));
            assertEquals(rejected + 1, now.counter("imap", MailMetrics.CONNECTIONS_REJECTED));
            String[] imap = line(run("mail:stats --no-format"), "imap");
            assertTrue(String.join("|", imap), Long.parseLong(imap[11]) >= 1);
        } finally {
            limited.delete();
        }
    }

    /** Open connections of a listener now, as mail:listeners' registry says. */
    int openOn(String listener) {
        io.pillarbox.api.server.ListenerRegistry r = service(bc, io.pillarbox.api.server.ListenerRegistry.class);
        return r.listeners().stream().filter(l -> l.name().equals(listener)).mapToInt(l -> l.connections()).sum();
    }

    @Test
    public void mailStatsShowsTheCountersSinceStart() throws Exception {
        String formatted = run("mail:stats");
        contains(formatted, "Logins ok", "Logins failed", "Connections", "Since ");
        String[] imap = line(run("mail:stats --no-format"), "imap");
        assertEquals(String.join("|", imap), 18, imap.length);
        MailMetrics.Snapshot now = metrics.snapshot();
        // columns 9.. are the counters: logins ok, logins failed, connections, rejected, commands, ...
        assertEquals(String.valueOf(now.counter("imap", MailMetrics.LOGINS_OK)), imap[8]);
        assertEquals(String.valueOf(now.counter("imap", MailMetrics.LOGINS_FAILED)), imap[9]);
        assertTrue(Long.parseLong(imap[8]) >= 1);
        assertTrue(Long.parseLong(imap[9]) >= 1);
        assertTrue(Long.parseLong(imap[10]) >= 1);
        assertTrue("commands counted: " + String.join("|", imap), Long.parseLong(imap[12]) >= 5);
        String help = run("mail:stats --help");
        assertTrue(help, !help.contains("does not have yet"));
    }

    @Test
    public void mailStatsLatencyShowsImapCommands() throws Exception {
        String raw = run("mail:stats --latency --no-format --protocol imap");
        String[] login = raw.lines().filter(l -> l.startsWith("imap\tLOGIN\t")).findFirst()
                .map(l -> l.split("\t")).orElseThrow(() -> new AssertionError(raw));
        assertEquals(8, login.length);
        assertTrue(raw, Long.parseLong(login[2]) >= 2);
        assertTrue(raw, raw.lines().anyMatch(l -> l.startsWith("imap\tSELECT\t")));
        contains(run("mail:stats --latency"), "Protocol", "Command", "p95", "LOGIN");
    }

    @Test
    public void userShowHasTheLastLogin() throws Exception {
        Optional<LoginHistory.LastLogin> last = history.lastLogin(USER);
        assertTrue(last.isPresent());
        assertEquals("imap", last.get().protocol());
        assertEquals("127.0.0.1", last.get().remote());
        String show = run("mail:user-show " + USER);
        assertTrue(show, show.lines().anyMatch(l -> l.contains("last login") && l.contains(" via imap from 127.0.0.1")));
        realm.addUser("nobody-yet", "x".toCharArray());
        String never = run("mail:user-show nobody-yet");
        assertTrue(never, never.lines().anyMatch(l -> l.contains("last login") && l.contains("never (since ")));
    }

    // ------------------------------------------------------------------ JMX

    /** Karaf's JMX connector URL, as the management configuration says (RMI on loopback). */
    String serviceUrl() throws Exception {
        Dictionary<String, Object> p = cm.getConfiguration("org.apache.karaf.management", null).getProperties();
        assertNotNull("org.apache.karaf.management is configured", p);
        String url = String.valueOf(p.get("serviceUrl"));
        if (url.contains("${")) {
            url = "service:jmx:rmi://127.0.0.1:" + p.get("rmiServerPort") + "/jndi/rmi://127.0.0.1:"
                    + p.get("rmiRegistryPort") + "/karaf-" + System.getProperty("karaf.name");
        }
        return url;
    }

    JMXConnector connect() throws Exception {
        JMXServiceURL url = new JMXServiceURL(serviceUrl());
        Map<String, Object> env = Map.of(JMXConnector.CREDENTIALS, new String[]{JMX_USER, JMX_PASSWORD});
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            try {
                return JMXConnectorFactory.connect(url, env);
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("cannot connect to " + url + ": " + e, e);
                }
                Thread.sleep(200);
            }
        }
    }

    static void awaitMBean(MBeanServerConnection c, ObjectName n) throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!c.isRegistered(n)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(n + " not registered; io.pillarbox MBeans: "
                        + c.queryNames(new ObjectName("io.pillarbox:*"), null));
            }
            Thread.sleep(100);
        }
    }

    @Test
    public void mbeansAreReadOverKarafsJmxConnector() throws Exception {
        try (JMXConnector jmx = connect()) {
            MBeanServerConnection c = jmx.getMBeanServerConnection();
            ObjectName imap = new ObjectName("io.pillarbox:type=Protocol,name=imap");
            awaitMBean(c, imap);
            MailMetrics.Snapshot now = metrics.snapshot();
            assertEquals(now.counter("imap", MailMetrics.LOGINS_OK), c.getAttribute(imap, "LoginsOk"));
            assertEquals(now.counter("imap", MailMetrics.LOGINS_FAILED), c.getAttribute(imap, "LoginsFailed"));
            assertTrue((Long) c.getAttribute(imap, "LoginsOk") >= 1);
            assertTrue((Long) c.getAttribute(imap, "LoginsFailed") >= 1);
            assertTrue((Long) c.getAttribute(imap, "Connections") >= 1);
            assertEquals(0L, c.getAttribute(imap, "MessagesBounced"));

            ObjectName login = new ObjectName("io.pillarbox:type=Command,protocol=imap,name=LOGIN");
            awaitMBean(c, login);
            assertTrue((Long) c.getAttribute(login, "Count") >= 2);
            long p50 = (Long) c.getAttribute(login, "P50Micros");
            long p99 = (Long) c.getAttribute(login, "P99Micros");
            long max = (Long) c.getAttribute(login, "MaxMicros");
            assertTrue(p50 + " <= " + p99 + " <= " + max, p50 > 0 && p50 <= p99 && p99 <= max);
            assertTrue("a failed login is delayed about a second: max " + max, max >= 500_000);
            assertEquals(17, ((long[]) c.getAttribute(login, "BucketCounts")).length);
            ObjectName select = new ObjectName("io.pillarbox:type=Command,protocol=imap,name=SELECT");
            awaitMBean(c, select);
            assertTrue((Long) c.getAttribute(select, "Count") >= 1);
        }
    }

    @Test
    public void listenerMBeansShowOpenConnections() throws Exception {
        ObjectName listener = new ObjectName("io.pillarbox:type=Listener,name=imap-metrics");
        try (JMXConnector jmx = connect()) {
            MBeanServerConnection c = jmx.getMBeanServerConnection();
            awaitMBean(c, listener);
            assertEquals("imap", c.getAttribute(listener, "Protocol"));
            assertEquals(port, c.getAttribute(listener, "Port"));
            assertEquals("127.0.0.1", c.getAttribute(listener, "Host"));
            assertEquals("none", c.getAttribute(listener, "Tls"));
            assertEquals(true, c.getAttribute(listener, "Bound"));
            assertEquals("listening", c.getAttribute(listener, "Status"));
            int idle = (Integer) c.getAttribute(listener, "Connections");
            try (LineClient open = LineClient.connect(port)) {
                assertTrue(open.read().startsWith("* OK"));
                await("the open connection counted", () -> connections(c, listener) == idle + 1);
            }
            await("the closed connection gone", () -> connections(c, listener) == idle);
            // the distribution's own listeners are there too
            Set<ObjectName> all = c.queryNames(new ObjectName("io.pillarbox:type=Listener,*"), null);
            assertTrue(all.toString(), all.size() >= 2);

            // a removed listener's MBean goes away
            int p2 = freePort();
            org.osgi.service.cm.Configuration extra = createListener(cm, "imap-metrics-extra", "imap", p2, "none");
            ObjectName extraName = new ObjectName("io.pillarbox:type=Listener,name=imap-metrics-extra");
            awaitMBean(c, extraName);
            extra.delete();
            long deadline = System.currentTimeMillis() + 15_000;
            while (c.isRegistered(extraName)) {
                assertTrue(extraName + " still registered", System.currentTimeMillis() < deadline);
                Thread.sleep(100);
            }
        }
    }

    static int connections(MBeanServerConnection c, ObjectName n) {
        try {
            return (Integer) c.getAttribute(n, "Connections");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
