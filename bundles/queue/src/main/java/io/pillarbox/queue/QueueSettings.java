package io.pillarbox.queue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The parsed, checked configuration. */
record QueueSettings(Path spool, String hostname, List<Duration> retrySchedule, Duration maxAge, int concurrency,
                     int maxRecipients, String relayHost, int relayPort, String relayUser, String relayPassword,
                     int remotePort, List<InetSocketAddress> dnsServers, TlsPolicy tls, Duration connectTimeout,
                     Duration commandTimeout, Duration dnsTimeout, Duration delayWarning) {

    private static final Pattern VAR = Pattern.compile("\\$\\{([^}]+)}");

    static QueueSettings of(QueueConfig c) {
        String spool = c.spoolDirectory() == null ? "" : c.spoolDirectory().strip();
        Path dir = spool.isEmpty() ? defaultSpool() : Path.of(expand(spool));
        String host = c.hostname() == null || c.hostname().isBlank() ? localHostName() : c.hostname().strip();
        List<InetSocketAddress> dns = new ArrayList<>();
        for (String s : c.dnsServers() == null ? new String[0] : c.dnsServers()) {
            for (String p : s.split("[,\\s]+")) {
                if (!p.isBlank()) {
                    dns.add(hostPort(p.strip(), 53));
                }
            }
        }
        String relay = c.relayHost() == null ? "" : c.relayHost().strip();
        if (relay.startsWith("[") && relay.endsWith("]")) {
            relay = relay.substring(1, relay.length() - 1); // Postfix's [host]: no MX lookup, which is always so here
        }
        return new QueueSettings(dir.toAbsolutePath(), host, Durations.parseList(c.retrySchedule()),
                Durations.parse(c.maxAge()), Math.max(1, c.concurrency()), Math.max(1, c.maxRecipients()),
                relay.isEmpty() ? null : relay, port(c.relayPort()),
                c.relayUser() == null || c.relayUser().isBlank() ? null : c.relayUser().strip(),
                c._relayPassword() == null ? "" : c._relayPassword(), port(c.remotePort()), List.copyOf(dns),
                TlsPolicy.parse(c.tls()), Durations.parse(c.connectTimeout()), Durations.parse(c.commandTimeout()),
                Durations.parse(c.dnsTimeout()), nonNegative(Durations.parse(c.delayWarning()), "delayWarning"));
    }

    /** {@code ${karaf.data}/pillarbox/queue}, or {@code data/pillarbox/queue} outside Karaf. */
    static Path defaultSpool() {
        return Path.of(System.getProperty("karaf.data", "data"), "pillarbox", "queue");
    }

    /** The delay after the given number of attempts (1 = after the first). */
    Duration delayAfter(int attempts) {
        int i = Math.max(0, Math.min(attempts - 1, retrySchedule.size() - 1));
        return retrySchedule.get(i);
    }

    static String expand(String s) {
        Matcher m = VAR.matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(System.getProperty(m.group(1), m.group(0))));
        }
        m.appendTail(b);
        return b.toString();
    }

    private static Duration nonNegative(Duration d, String key) {
        if (d.isNegative()) {
            throw new IllegalArgumentException(key + " is negative: " + d);
        }
        return d;
    }

    private static int port(int p) {
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("not a port: " + p);
        }
        return p;
    }

    /** {@code host}, {@code host:port}, {@code [v6]:port} or a bare IPv6 address. */
    static InetSocketAddress hostPort(String s, int defaultPort) {
        String host = s;
        int port = defaultPort;
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            host = s.substring(1, end);
            if (end + 1 < s.length() && s.charAt(end + 1) == ':') {
                port = Integer.parseInt(s.substring(end + 2));
            }
        } else if (s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') > 0) {
            host = s.substring(0, s.indexOf(':'));
            port = Integer.parseInt(s.substring(s.indexOf(':') + 1));
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port(port));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("DNS server " + s + " is not an address: " + e.getMessage());
        }
    }

    static String localHostName() {
        try {
            String n = InetAddress.getLocalHost().getCanonicalHostName();
            if (n != null && !n.isBlank() && !Character.isDigit(n.charAt(n.length() - 1))) {
                return n;
            }
            String h = InetAddress.getLocalHost().getHostName();
            return h == null || h.isBlank() ? "localhost" : h;
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public String toString() {
        return "QueueSettings[spool=" + spool + ", hostname=" + hostname + ", relayHost=" + relayHost + ", tls=" + tls
                + ", remotePort=" + remotePort + ", dnsServers=" + dnsServers + "]";
    }
}
