package io.pillarbox.smtp;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.core.auth.CoreAuth;
import io.pillarbox.delivery.DeliveryAccess;
import io.pillarbox.sasl.SaslAccess;
import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestConnection;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The setting of the session tests: the real core authenticator over a test realm (alice, bob, carol in
 * example.org), the real SASL service and local delivery (alias team@ for alice and bob, postmaster alice), the memory
 * store, and {@link Services} the test can bind a queue and metrics to.
 */
abstract class SessionFixture {

    static final String EHLO_LINES = "250[- ].*";

    @TempDir
    Path dir;

    Authenticator auth;
    TestStores stores;
    LocalDelivery delivery;
    SmtpSettings settings;
    final Services services = new Services();
    SmtpTester t;

    @BeforeEach
    void setUpFixture() throws Exception {
        auth = CoreAuth.start(new TestRealm("alice@example.org", "alice-pw", "bob@example.org", "bob-pw",
                "carol@example.org", "carol-pw"));
        stores = new TestStores(new MemoryMailStore());
        Path aliases = dir.resolve("aliases");
        Files.writeString(aliases, "team@example.org: alice@example.org, bob@example.org\n");
        delivery = DeliveryAccess.create(auth, stores, List.of("example.org"), aliases, "alice@example.org");
        Files.createDirectories(dir.resolve("spool"));
        settings = SmtpSettings.defaults("mx.test").withSpool(dir.resolve("spool"));
    }

    @AfterEach
    void tearDownFixture() throws Exception {
        closeSession();
        CoreAuth.stop(auth);
        try (var files = Files.list(dir.resolve("spool"))) {
            assertEquals(0, files.count(), "no spool file left behind");
        }
    }

    void closeSession() {
        if (t != null) {
            t.close();
            t = null;
        }
    }

    SmtpServer server() {
        return new SmtpServer(settings, auth, SaslAccess.create(auth), delivery, services);
    }

    SmtpTester open(String protocol, Consumer<TestConnection> setup) {
        return open(server(), protocol, setup);
    }

    SmtpTester open(SmtpServer server, String protocol, Consumer<TestConnection> setup) {
        closeSession();
        t = new SmtpTester(server, protocol, setup);
        t.expectNow("220 mx.test (ESMTP|LMTP) Pillarbox ready");
        return t;
    }

    SmtpTester mx(String remoteHost) {
        return open("smtp", c -> {
            c.properties.put("smtp.role", "mx");
            c.remoteHost = remoteHost;
        });
    }

    /** A submission session from 192.0.2.9, after TLS (simulated) and EHLO. */
    SmtpTester submission() {
        open("smtp", c -> {
            c.properties.put("smtp.role", "submission");
            c.secure = true;
            c.plaintext = false;
            c.remoteHost = "192.0.2.9";
        });
        ehlo("EHLO c");
        return t;
    }

    void ehlo(String line) {
        t.write(line + "\r\n");
        String out = t.output();
        if (!out.startsWith("250")) {
            throw new AssertionError(line + ": " + out);
        }
    }

    void login(String user, String password) {
        t.expect("AUTH PLAIN " + b64("\0" + user + "\0" + password), "235 2.7.0 Authentication successful");
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    String inbox(String user, int i) throws Exception {
        return new String(stores.inbox(user).get(i), StandardCharsets.UTF_8);
    }
}
