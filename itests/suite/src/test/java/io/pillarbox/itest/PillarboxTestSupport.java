package io.pillarbox.itest;

import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

/**
 * Boots the Pillarbox distribution built by this reactor (karaf-distro's tar.gz) with ports chosen here, and offers
 * small helpers for talking to it over real sockets. Tests run inside the container.
 */
public abstract class PillarboxTestSupport {

    static final String HOST = "127.0.0.1";

    /** Options every Pillarbox container gets; subclasses add their own. */
    public static List<Option> baseOptions(String frameworkUrl, String name) {
        String repo = System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository");
        List<Option> options = new ArrayList<>(List.of(
                karafDistributionConfiguration()
                        .frameworkUrl(frameworkUrl)
                        .name(name)
                        .unpackDirectory(new File("target/exam"))
                        .useDeployFolder(false),
                keepRuntimeFolder(),
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                logLevel(LogLevelOption.LogLevel.INFO),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", String.valueOf(freePort())),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", String.valueOf(freePort())),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", String.valueOf(freePort())),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository", repo),
                systemProperty("pillarbox.sample.protocol").value(System.getProperty("pillarbox.sample.protocol", "")),
                systemProperty("pillarbox.sample.realm").value(System.getProperty("pillarbox.sample.realm", "")),
                vmOptions(
                        "-Xmx512m",
                        "--add-reads=java.xml=java.logging",
                        "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                        "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-4.4.10.jar",
                        "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-4.4.10.jar",
                        "--add-opens", "java.base/java.security=ALL-UNNAMED",
                        "--add-opens", "java.base/java.net=ALL-UNNAMED",
                        "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                        "--add-opens", "java.base/java.util=ALL-UNNAMED",
                        "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                        "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.ftp=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                        "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                        "--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED",
                        "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                        "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                        "--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED",
                        "--add-exports=java.naming/com.sun.jndi.ldap=ALL-UNNAMED")));
        return options;
    }

    /** The Pillarbox distribution, booted as users get it. */
    public static List<Option> distributionOptions() {
        String distro = System.getProperty("pillarbox.distro");
        if (distro == null || !new File(distro).isFile()) {
            throw new IllegalStateException("pillarbox.distro does not name the built distribution: " + distro
                    + " (run the whole reactor: mvn verify)");
        }
        List<Option> options = baseOptions(new File(distro).toURI().toString(), "Pillarbox");
        // The distribution's boot features in one stage of their own (parentheses), so that Pax Exam's features,
        // which it appends, are deployed in a second stage. In one stage, the boot deployment refreshes Karaf's
        // features service after Pax Exam's remote bundle context has started, and a test probe installed in that
        // moment is left outside every region ("Resolver hook prevented resolution").
        options.add(editConfigurationFilePut("etc/org.apache.karaf.features.cfg", "featuresBoot",
                "(" + bootFeatures(new File(distro)) + ")"));
        return options;
    }

    /** The featuresBoot list of the distribution (its unpacked assembly beside the archive, as the reactor built it). */
    private static String bootFeatures(File archive) {
        File cfg = new File(new File(System.getProperty("pillarbox.distro.system")).getParentFile(),
                "etc/org.apache.karaf.features.cfg");
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader r = new InputStreamReader(new java.io.FileInputStream(cfg), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + cfg + " (the assembly of " + archive + ")", e);
        }
        String boot = p.getProperty("featuresBoot");
        if (boot == null || boot.isBlank() || boot.contains("(")) {
            throw new IllegalStateException("unexpected featuresBoot in " + cfg + ": " + boot);
        }
        return boot.trim();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ inside the container

    /** Creates a listener (factory configuration io.pillarbox.listener) and returns it. */
    static Configuration createListener(ConfigurationAdmin cm, String alias, String protocol, int port, String tls,
                                        Object... more) throws IOException {
        Configuration c = cm.getFactoryConfiguration("io.pillarbox.listener", alias, "?");
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("name", alias);
        p.put("protocol", protocol);
        p.put("host", HOST);
        p.put("port", port);
        p.put("tls", tls);
        for (int i = 0; i + 1 < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        c.update(p);
        return c;
    }

    /**
     * Sets keys of a configuration (pairs of key and value), keeping its other properties; returns the properties
     * it had before, for {@link #restore} (null: it had none).
     */
    static Dictionary<String, Object> change(Configuration c, Object... keyValues) throws IOException {
        Dictionary<String, Object> before = c.getProperties();
        Hashtable<String, Object> p = new Hashtable<>();
        if (before != null) {
            for (java.util.Enumeration<String> e = before.keys(); e.hasMoreElements(); ) {
                String k = e.nextElement();
                p.put(k, before.get(k));
            }
        }
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            p.put((String) keyValues[i], keyValues[i + 1]);
        }
        c.update(p);
        return before;
    }

    /** Gives a configuration back what {@link #change} found: those properties, or none (deleted). */
    static void restore(Configuration c, Dictionary<String, Object> before) throws IOException {
        if (before == null) {
            c.delete();
        } else {
            c.update(before);
        }
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    static <T> T service(BundleContext bc, Class<T> type) {
        ServiceReference<T> ref = bc.getServiceReference(type);
        return ref == null ? null : bc.getService(ref);
    }

    /** A line-oriented client over a real socket. */
    static final class LineClient implements AutoCloseable {
        Socket socket;
        BufferedReader in;
        OutputStream out;

        LineClient(Socket socket) throws IOException {
            attach(socket);
        }

        static LineClient connect(int port) throws IOException {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(HOST, port), 5000);
            s.setSoTimeout(10_000);
            return new LineClient(s);
        }

        void attach(Socket s) throws IOException {
            this.socket = s;
            this.in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            this.out = s.getOutputStream();
        }

        String read() throws IOException {
            return in.readLine();
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String call(String line) throws IOException {
            send(line);
            return read();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
