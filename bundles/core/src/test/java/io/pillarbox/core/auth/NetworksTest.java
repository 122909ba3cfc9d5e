package io.pillarbox.core.auth;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworksTest {

    private static boolean in(Networks n, String ip) throws Exception {
        return n.contains(InetAddress.getByName(ip));
    }

    @Test
    void matchesPrefixesOfBothFamilies() throws Exception {
        Networks n = Networks.parse(new String[] {"127.0.0.0/8", "192.0.2.7", "10.1.2.0/23", "2001:db8::/33", " ",
            "::1/128"});
        assertTrue(in(n, "127.1.2.3"));
        assertTrue(in(n, "192.0.2.7"));
        assertFalse(in(n, "192.0.2.8"));
        assertTrue(in(n, "10.1.3.255"));
        assertFalse(in(n, "10.1.4.0"));
        assertTrue(in(n, "2001:db8:7fff::1"));
        assertFalse(in(n, "2001:db8:8000::1"));
        assertTrue(in(n, "::1"));
        assertFalse(in(n, "::2"));
        assertFalse(n.contains(null));
    }

    @Test
    void malformedEntriesAreSkippedWithoutNameLookups() throws Exception {
        Networks n = Networks.parse(new String[] {"localhost", "dead", "10.0.0.0/40", "10.0.0.0/x", "300.1.1.1/8",
            "203.0.113.0/24"});
        assertTrue(in(n, "203.0.113.9"));
        assertFalse(in(n, "127.0.0.1"));
        assertFalse(in(n, "10.0.0.1"));
        assertTrue(Networks.parse(null).isEmpty());
    }
}
