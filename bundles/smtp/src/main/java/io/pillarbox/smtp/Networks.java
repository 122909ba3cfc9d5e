package io.pillarbox.smtp;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A list of networks in CIDR notation ({@code 192.0.2.0/24}, {@code 2001:db8::/32}, or a single address) whose clients
 * may relay without AUTH. Only IP literals are accepted: no name is ever resolved.
 */
final class Networks {

    private static final Logger LOG = LoggerFactory.getLogger(Networks.class);

    static final Networks NONE = new Networks(List.of(), List.of());

    private record Net(byte[] address, int prefix) {
        boolean contains(byte[] a) {
            if (a.length != address.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (address[full] & mask);
        }
    }

    private final List<Net> nets;
    private final List<String> text;

    private Networks(List<Net> nets, List<String> text) {
        this.nets = nets;
        this.text = text;
    }

    /** Parses entries (each may hold several, separated by commas or white space); bad ones are logged and skipped. */
    static Networks parse(Collection<String> entries) {
        List<Net> nets = new ArrayList<>();
        List<String> text = new ArrayList<>();
        for (String entry : entries) {
            if (entry == null) {
                continue;
            }
            for (String s : entry.split("[,\\s]+")) {
                if (s.isEmpty()) {
                    continue;
                }
                Net n = parseOne(s);
                if (n == null) {
                    LOG.warn("Ignoring relayNetworks entry '{}': not an IP address or CIDR network", s);
                } else {
                    nets.add(n);
                    text.add(s);
                }
            }
        }
        return nets.isEmpty() ? NONE : new Networks(List.copyOf(nets), List.copyOf(text));
    }

    private static Net parseOne(String s) {
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        if (!isLiteral(addr)) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                return null;
            }
        }
        return new Net(bytes, prefix);
    }

    /** An IPv4 dotted quad or an IPv6 literal: what InetAddress parses without asking DNS. */
    private static boolean isLiteral(String a) {
        if (a.isEmpty()) {
            return false;
        }
        if (a.indexOf(':') >= 0) {
            return a.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        }
        String[] p = a.split("\\.", -1);
        if (p.length != 4) {
            return false;
        }
        for (String x : p) {
            if (x.isEmpty() || x.length() > 3 || !x.chars().allMatch(Character::isDigit) || Integer.parseInt(x) > 255) {
                return false;
            }
        }
        return true;
    }

    boolean isEmpty() {
        return nets.isEmpty();
    }

    boolean contains(InetAddress a) {
        if (a == null || nets.isEmpty()) {
            return false;
        }
        byte[] b = a.getAddress();
        for (Net n : nets) {
            if (n.contains(b)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return String.join(", ", text);
    }
}
