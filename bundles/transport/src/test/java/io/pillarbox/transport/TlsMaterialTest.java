package io.pillarbox.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLEngine;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsMaterialTest {

    @Test
    void protocolsFromArrayOrCommaSeparatedString() throws Exception {
        assertArrayEquals(new String[]{"TLSv1.3", "TLSv1.2"}, TlsMaterial.protocols(new String[]{"TLSv1.3", "TLSv1.2"}));
        assertArrayEquals(new String[]{"TLSv1.3", "TLSv1.2"}, TlsMaterial.protocols(new String[]{"TLSv1.3, TLSv1.2"}));
        assertArrayEquals(new String[]{"TLSv1.3"}, TlsMaterial.protocols(new String[]{" TLSv1.3 "}));
    }

    @Test
    void olderProtocolsAreRefusedWithAClearMessage() {
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> TlsMaterial.protocols(new String[]{"TLSv1.2,TLSv1.1"}));
        assertTrue(e.getMessage().contains("tls.protocols") && e.getMessage().contains("TLSv1.1"), e.getMessage());
        assertThrows(GeneralSecurityException.class, () -> TlsMaterial.protocols(new String[]{""}));
    }

    @Test
    void clientAuthIsNoneByDefaultOrOptional() throws Exception {
        assertEquals(ClientAuth.NONE, TlsMaterial.clientAuth(""));
        assertEquals(ClientAuth.NONE, TlsMaterial.clientAuth("none"));
        assertEquals(ClientAuth.OPTIONAL, TlsMaterial.clientAuth(" Optional "));
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> TlsMaterial.clientAuth("sometimes"));
        assertTrue(e.getMessage().contains("tls.clientAuth") && e.getMessage().contains("sometimes"), e.getMessage());
    }

    @Test
    void clientCertificatesRequestedOnlyWhenConfiguredAndTrustedCAsRequired(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        SelfSignedCertificate.generate("localhost", cert, key);
        Map<String, Object> base = Map.of("tls.certificate", cert.toString(), "tls.key", key.toString());

        SSLEngine plain = new TlsMaterial(config(base)).context().newEngine(ByteBufAllocator.DEFAULT);
        assertFalse(plain.getWantClientAuth() || plain.getNeedClientAuth());

        Map<String, Object> optional = new java.util.HashMap<>(base);
        optional.put("tls.clientAuth", "optional");
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> new TlsMaterial(config(optional)).context());
        assertTrue(missing.getMessage().contains("tls.trustedCAs"), missing.getMessage());

        optional.put("tls.trustedCAs", dir.resolve("nope.pem").toString());
        IllegalStateException absent = assertThrows(IllegalStateException.class,
                () -> new TlsMaterial(config(optional)).context());
        assertTrue(absent.getMessage().contains("tls.trustedCAs") && absent.getMessage().contains("nope.pem"),
                absent.getMessage());

        optional.put("tls.trustedCAs", cert.toString()); // any PEM certificate serves as a CA here
        SSLEngine want = new TlsMaterial(config(optional)).context().newEngine(ByteBufAllocator.DEFAULT);
        assertTrue(want.getWantClientAuth());
        assertFalse(want.getNeedClientAuth());
    }

    /** A TransportConfig with the annotation's defaults, overridden by the given properties. */
    static TransportConfig config(Map<String, Object> props) {
        return (TransportConfig) Proxy.newProxyInstance(TransportConfig.class.getClassLoader(),
                new Class<?>[]{TransportConfig.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class || method.getDeclaringClass() == Annotation.class) {
                        return method.getName().equals("annotationType") ? TransportConfig.class
                                : method.getName().equals("toString") ? "config" : null;
                    }
                    String name = method.getName().replace("__", "\0").replace('_', '.').replace("\0", "_");
                    if (name.startsWith("$")) {
                        name = name.substring(1);
                    }
                    Object v = props.get(name);
                    return v != null ? v : method.getDefaultValue();
                });
    }
}
