package io.pillarbox.transport;

import io.pillarbox.api.protocol.TlsMode;

import java.util.Locale;
import java.util.Map;

/** A listener's configuration, validated, as one immutable value (a connection keeps the one it was accepted with). */
record ListenerSettings(String name, String protocol, String host, int port, TlsMode tls, int maxConnections,
                        int maxConnectionsPerIp, int idleTimeoutSeconds, boolean allowPlaintextAuth,
                        String source, Map<String, Object> properties) {

    static ListenerSettings from(ListenerConfig config, Map<String, Object> props) {
        String source = String.valueOf(props.getOrDefault("felix.fileinstall.filename",
                "configuration " + props.get("service.pid")));
        String name = config.name();
        if (name == null || name.isBlank()) {
            name = alias(props);
        }
        if (config.protocol() == null || config.protocol().isBlank()) {
            throw new IllegalArgumentException(source + ": key 'protocol' is missing");
        }
        TlsMode tls;
        try {
            tls = TlsMode.valueOf(config.tls().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": key 'tls' must be none, starttls or implicit, not '"
                    + config.tls() + "'");
        }
        if (config.port() < 0 || config.port() > 65535) {
            throw new IllegalArgumentException(source + ": key 'port' is out of range: " + config.port());
        }
        return new ListenerSettings(name, config.protocol().trim().toLowerCase(Locale.ROOT), config.host().trim(),
                config.port(), tls, Math.max(1, config.maxConnections()), Math.max(1, config.maxConnectionsPerIp()),
                Math.max(0, config.idleTimeoutSeconds()), config.allowPlaintextAuth(), source, Map.copyOf(props));
    }

    /** {@code imap} for {@code etc/io.pillarbox.listener-imap.cfg}, else the configuration's PID. */
    private static String alias(Map<String, Object> props) {
        Object file = props.get("felix.fileinstall.filename");
        if (file != null) {
            String f = file.toString();
            int slash = f.lastIndexOf('/');
            f = f.substring(slash + 1);
            if (f.startsWith(Listener.FACTORY_PID + "-")) {
                f = f.substring(Listener.FACTORY_PID.length() + 1);
            }
            return f.endsWith(".cfg") ? f.substring(0, f.length() - 4) : f;
        }
        Object alias = props.get("alias");
        if (alias != null) {
            return alias.toString();
        }
        return String.valueOf(props.get("service.pid"));
    }
}
