package io.pillarbox.itest;

import io.pillarbox.api.server.ListenerInfo;
import io.pillarbox.api.server.ListenerRegistry;
import io.pillarbox.api.server.SessionInfo;
import io.pillarbox.api.server.SessionRegistry;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import javax.inject.Inject;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * The platform as an admin meets it: the distribution boots with every Pillarbox bundle active; protocols,
 * listeners and TLS come and go while the server runs.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformIT extends PillarboxTestSupport {

    @Inject
    BundleContext bc;

    @Inject
    ConfigurationAdmin cm;

    @Inject
    ServiceComponentRuntime scr;

    @Inject
    ListenerRegistry initialListeners; // waits for the transport; looked up afresh below (one test restarts it)

    @Configuration
    public Option[] config() {
        return distributionOptions().toArray(new Option[0]);
    }

    @Test
    public void everyPillarboxBundleIsActiveAndEveryComponentSatisfied() {
        List<String> pillarbox = new ArrayList<>();
        for (Bundle b : bc.getBundles()) {
            if (b.getSymbolicName().startsWith("io.pillarbox.") && !b.getSymbolicName().startsWith("io.pillarbox.sample")
                    && b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                pillarbox.add(b.getSymbolicName());
                assertEquals(b.getSymbolicName() + " is not active", Bundle.ACTIVE, b.getState());
            }
        }
        assertTrue("the distribution holds the platform bundles: " + pillarbox,
                pillarbox.containsAll(List.of("io.pillarbox.api", "io.pillarbox.transport", "io.pillarbox.core",
                        "io.pillarbox.sasl", "io.pillarbox.mime", "io.pillarbox.store.maildir", "io.pillarbox.auth.file")));
        int components = 0;
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (!d.bundle.symbolicName.startsWith("io.pillarbox.")) {
                continue;
            }
            assertTrue(d.name + " is disabled", scr.isComponentEnabled(d));
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                components++;
                assertTrue(d.name + " is unsatisfied: " + c.state + " " + List.of(c.unsatisfiedReferences),
                        c.state == ComponentConfigurationDTO.ACTIVE || c.state == ComponentConfigurationDTO.SATISFIED);
            }
        }
        assertTrue("no Pillarbox component found", components > 0);
    }

    @Test
    public void protocolBundleIsHotDeployedAndRemovedWhileTheServerRuns() throws Exception {
        int port = freePort();
        org.osgi.service.cm.Configuration cfg = createListener(cm, "echo-hot", "echo", port, "none");
        try {
            await("listener to wait for its protocol", () -> info("echo-hot").map(i -> !i.bound()).orElse(false));
            assertTrue(info("echo-hot").get().status().contains("waiting for protocol 'echo'"));
            assertFalse("nothing serves echo yet", accepts(port));

            Bundle echo = installSampleProtocol();
            try {
                await("echo listener to bind", () -> accepts(port));
                try (LineClient c = LineClient.connect(port)) {
                    assertEquals("+ECHO ready", c.read());
                    assertEquals("hello", c.call("hello"));
                    await("session to be registered", () -> sessions().sessions().stream()
                            .anyMatch(s -> "echo".equals(s.protocol()) && "echoing".equals(s.state())));

                    echo.uninstall();
                    echo = null;
                    // the connected client is told and the connection ends; the port is released
                    assertEquals("-BYE Service stopping", c.read());
                    assertNull(c.read());
                }
                await("listener to unbind", () -> !accepts(port));
                assertTrue(info("echo-hot").get().status().startsWith("waiting for protocol"));

                // and it comes back when the bundle does
                echo = installSampleProtocol();
                await("echo listener to bind again", () -> accepts(port));
                try (LineClient c = LineClient.connect(port)) {
                    assertEquals("+ECHO ready", c.read());
                }
            } finally {
                if (echo != null) {
                    echo.uninstall();
                }
            }
        } finally {
            cfg.delete();
        }
    }

    @Test
    public void listenerRebindsWhenItsConfigurationChangesAndOpenSessionsLiveOn() throws Exception {
        Bundle echo = installSampleProtocol();
        int first = freePort();
        int second = freePort();
        org.osgi.service.cm.Configuration cfg = createListener(cm, "echo-rebind", "echo", first, "none");
        try {
            await("listener on first port", () -> accepts(first));
            try (LineClient old = LineClient.connect(first)) {
                assertEquals("+ECHO ready", old.read());
                Dictionary<String, Object> p = cfg.getProperties();
                p.put("port", second);
                cfg.update(p);
                await("listener on second port", () -> accepts(second));
                await("first port released", () -> !accepts(first));
                assertEquals("still here", old.call("still here"));
            }
            try (LineClient c = LineClient.connect(second)) {
                assertEquals("+ECHO ready", c.read());
            }
        } finally {
            cfg.delete();
            echo.uninstall();
        }
    }

    @Test
    public void portInUseIsReportedAndOtherListenersKeepRunning() throws Exception {
        Bundle echo = installSampleProtocol();
        int good = freePort();
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(HOST, 0));
            int taken = squatter.getLocalPort();
            org.osgi.service.cm.Configuration bad = createListener(cm, "echo-clash", "echo", taken, "none");
            org.osgi.service.cm.Configuration ok = createListener(cm, "echo-fine", "echo", good, "none");
            try {
                await("good listener", () -> accepts(good));
                await("clash reported", () -> info("echo-clash").map(i -> i.status().startsWith("cannot bind"))
                        .orElse(false));
                assertFalse(info("echo-clash").get().bound());
                try (LineClient c = LineClient.connect(good)) {
                    assertEquals("+ECHO ready", c.read());
                }
            } finally {
                bad.delete();
                ok.delete();
            }
        } finally {
            echo.uninstall();
        }
    }

    @Test
    public void implicitTlsListenerCompletesTls13Handshake() throws Exception {
        Bundle echo = installSampleProtocol();
        int port = freePort();
        org.osgi.service.cm.Configuration cfg = createListener(cm, "echo-tls", "echo", port, "implicit");
        try {
            await("TLS listener", () -> accepts(port));
            try (SSLSocket s = tlsSocket(new Socket(HOST, port), port, "TLSv1.3")) {
                s.startHandshake();
                assertEquals("TLSv1.3", s.getSession().getProtocol());
                X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
                assertTrue("self-signed certificate generated: " + cert.getSubjectX500Principal(),
                        cert.getSubjectX500Principal().getName().contains("Pillarbox self-signed"));
                LineClient c = new LineClient(s);
                assertEquals("+ECHO ready", c.read());
                assertEquals("+secure", c.call("SECURE?"));
            }
            // the generated certificate is kept in etc/ so that it survives restarts
            assertTrue(new File(System.getProperty("karaf.etc"), "pillarbox-tls.crt").isFile());
            // TLS 1.1 and older are refused
            try (SSLSocket s = tlsSocket(new Socket(HOST, port), port, "TLSv1.1")) {
                s.startHandshake();
                fail("TLS 1.1 accepted");
            } catch (javax.net.ssl.SSLException expected) {
                // refused
            }
        } finally {
            cfg.delete();
            echo.uninstall();
        }
    }

    @Test
    public void startTlsUpgradesAPlainConnection() throws Exception {
        Bundle echo = installSampleProtocol();
        int port = freePort();
        org.osgi.service.cm.Configuration cfg = createListener(cm, "echo-starttls", "echo", port, "starttls");
        try {
            await("listener", () -> accepts(port));
            try (LineClient c = LineClient.connect(port)) {
                assertEquals("+ECHO ready", c.read());
                assertEquals("+plain", c.call("SECURE?"));
                assertEquals("+GO", c.call("STARTTLS"));
                SSLSocket s = tlsSocket(c.socket, port, "TLSv1.3");
                s.startHandshake();
                c.attach(s);
                assertEquals("+secure", c.call("SECURE?"));
                assertEquals("-NO TLS not available", c.call("STARTTLS"));
            }
        } finally {
            cfg.delete();
            echo.uninstall();
        }
    }

    @Test
    public void sessionsAreListedCountedKickedAndLimited() throws Exception {
        Bundle echo = installSampleProtocol();
        int port = freePort();
        org.osgi.service.cm.Configuration cfg = createListener(cm, "echo-limits", "echo", port, "none",
                "maxConnectionsPerIp", 2);
        try {
            // no probe connection here: it could still be counted against the per-address limit
            await("listener", () -> info("echo-limits").map(ListenerInfo::bound).orElse(false));
            // one after the other: connections are set up on several event loops, so only a finished greeting
            // tells that the server has counted a connection
            try (LineClient a = LineClient.connect(port)) {
                assertEquals("+ECHO ready", a.read());
                try (LineClient b = LineClient.connect(port)) {
                    assertEquals("+ECHO ready", b.read());
                    try (LineClient third = LineClient.connect(port)) {
                        limitsAndKick(a, b, third);
                    }
                }
            }
        } finally {
            cfg.delete();
            echo.uninstall();
        }
    }

    private void limitsAndKick(LineClient a, LineClient b, LineClient third) throws Exception {
        // over the per-address limit: greeted, then told to go
        assertEquals("+ECHO ready", third.read());
        assertEquals("-BYE Too many connections", third.read());
        assertNull(third.read());

        assertEquals("ping", a.call("ping"));
        SessionInfo mine = null;
        for (SessionInfo s : sessions().sessions()) {
            if ("echo-limits".equals(s.listener()) && s.remoteAddress().getPort() == a.socket.getLocalPort()) {
                mine = s;
            }
        }
        assertNotNull("session listed", mine);
        assertEquals("echo", mine.protocol());
        assertTrue("bytes in counted", mine.bytesIn() >= 6);
        assertTrue("bytes out counted", mine.bytesOut() >= 13);
        await("refused connection gone", () -> info("echo-limits").get().connections() == 2);

        assertTrue(sessions().kick(mine.id(), "Kicked by admin"));
        assertEquals("-BYE Kicked by admin", a.read());
        assertNull(a.read());
        assertEquals("b lives on", b.call("b lives on"));
    }

    @Test
    public void stoppingTheServerStopsAcceptingAndSaysGoodbye() throws Exception {
        Bundle echo = installSampleProtocol();
        int port = freePort();
        org.osgi.service.cm.Configuration cfg = createListener(cm, "echo-shutdown", "echo", port, "none");
        Bundle transport = bundle("io.pillarbox.transport");
        try {
            await("listener", () -> accepts(port));
            try (LineClient c = LineClient.connect(port)) {
                assertEquals("+ECHO ready", c.read());
                transport.stop();
                assertEquals("-BYE Server shutting down", c.read());
                assertNull(c.read());
            }
            assertFalse("no longer accepting", accepts(port));
        } finally {
            transport.start();
            await("transport back", () -> accepts(port));
            cfg.delete();
            echo.uninstall();
        }
    }

    private SessionRegistry sessions() {
        return service(bc, SessionRegistry.class);
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : bc.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    private Optional<ListenerInfo> info(String name) {
        return service(bc, ListenerRegistry.class).listeners().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    private Bundle installSampleProtocol() throws Exception {
        String path = System.getProperty("pillarbox.sample.protocol");
        assertTrue("sample protocol bundle built: " + path, path != null && new File(path).isFile());
        Bundle b = bc.installBundle("file:" + path);
        // Karaf's features resolver hook refuses resolution for a moment while it finishes a refresh (e.g. after
        // the transport bundle was restarted by another test): try again briefly
        long deadline = System.currentTimeMillis() + 15_000;
        while (true) {
            try {
                b.start();
                return b;
            } catch (org.osgi.framework.BundleException e) {
                if (System.currentTimeMillis() > deadline || !String.valueOf(e.getMessage()).contains("Resolver hook")) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    static SSLSocket tlsSocket(Socket plain, int port, String protocol) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // the test trusts the generated self-signed certificate; its subject is checked above
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, HOST, port, true);
        s.setEnabledProtocols(new String[]{protocol});
        s.setSoTimeout(10_000);
        return s;
    }

    static Dictionary<String, Object> props(Object... kv) {
        Dictionary<String, Object> d = new Hashtable<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            d.put((String) kv[i], kv[i + 1]);
        }
        return d;
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // ignore
        }
    }
}
