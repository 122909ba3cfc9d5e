package io.pillarbox.core.auth;

import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** A list of networks in CIDR notation ({@code 127.0.0.0/8}, {@code ::1/128}, {@code 192.0.2.7}). */
final class Networks {

    private record Net(byte[] prefix, int bits) {
    }

    private final List<Net> nets;

    private Networks(List<Net> nets) {
        this.nets = List.copyOf(nets);
    }

    static Networks none() {
        return new Networks(List.of());
    }

    /** Parses IP literals only (no name lookups); malformed entries are skipped with a warning. */
    static Networks parse(String[] cidrs) {
        List<Net> out = new ArrayList<>();
        if (cidrs != null) {
            for (String c : cidrs) {
                String t = c == null ? "" : c.trim();
                if (t.isEmpty()) {
                    continue;
                }
                try {
                    out.add(parseOne(t));
                } catch (IllegalArgumentException e) {
                    LoggerFactory.getLogger(Networks.class).warn("Ignoring trusted network {}: {}", t,
                            e.getMessage());
                }
            }
        }
        return new Networks(out);
    }

    private static Net parseOne(String t) {
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        // IP literals only, so that parsing never asks DNS
        if (!(addr.indexOf(':') >= 0 && addr.matches("[0-9A-Fa-f.:]+")
                || addr.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
            throw new IllegalArgumentException("not an IP network: " + t);
        }
        if (addr.indexOf(':') < 0) {
            for (String octet : addr.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException("not an IP network: " + t);
                }
            }
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP network: " + t, e);
        }
        int bits;
        try {
            bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length: " + t, e);
        }
        if (bits < 0 || bits > bytes.length * 8) {
            throw new IllegalArgumentException("bad prefix length: " + t);
        }
        return new Net(bytes, bits);
    }

    boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] a = address.getAddress();
        for (Net n : nets) {
            if (n.prefix().length == a.length && matches(n.prefix(), a, n.bits())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] prefix, byte[] a, int bits) {
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (prefix[i] != a[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (prefix[full] & mask) == (a[full] & mask);
    }

    boolean isEmpty() {
        return nets.isEmpty();
    }
}
