package io.pillarbox.smtp;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The configuration as plain values.
 *
 * @param relayNetworks    clients that may relay without AUTH (empty by default: no open relay)
 * @param senderLoginMatch whether an authenticated client's MAIL FROM must belong to the logged-in user
 * @param bareLineEnds     whose messages may have bare LF line ends, stored as CRLF
 */
record SmtpSettings(String hostname, long maxMessageSize, int maxRecipients, int maxErrors, int maxCommandLine,
                    int maxTextLine, int commandTimeoutSeconds, int dataTimeoutSeconds, Path spoolDirectory,
                    Networks relayNetworks, boolean senderLoginMatch, BareLineEnds bareLineEnds) {

    /** Who may send messages with bare LF line ends (they are stored with CRLF); everyone else gets 554. */
    enum BareLineEnds {
        /** Nobody. */
        REJECT,
        /** Authenticated clients, relay networks and LMTP clients (Postfix's default exclusion: mynetworks). */
        TRUSTED,
        /** Everybody. */
        NORMALIZE;

        static BareLineEnds parse(String s) {
            String v = s == null ? "" : s.strip().toUpperCase(java.util.Locale.ROOT);
            return v.isEmpty() ? TRUSTED : valueOf(v);
        }
    }

    static SmtpSettings of(SmtpConfig c) {
        String host = c.hostname() == null ? "" : c.hostname().trim();
        if (host.isEmpty()) {
            try {
                host = InetAddress.getLocalHost().getCanonicalHostName();
            } catch (Exception e) {
                host = "localhost";
            }
        }
        String spool = c.spoolDirectory() == null ? "" : c.spoolDirectory().trim();
        String[] relay = c.relayNetworks() == null ? new String[0] : c.relayNetworks();
        return new SmtpSettings(host, Math.max(1024, c.maxMessageSize()), Math.max(1, c.maxRecipients()),
                Math.max(1, c.maxErrors()), Math.max(512, c.maxCommandLineLength()), Math.max(0, c.maxTextLineLength()),
                Math.max(1, c.commandTimeoutSeconds()), Math.max(1, c.dataTimeoutSeconds()),
                Path.of(spool.isEmpty() ? System.getProperty("java.io.tmpdir") : spool),
                Networks.parse(List.of(relay)), c.senderLoginMatch(), BareLineEnds.parse(c.bareLineEnds()));
    }

    static SmtpSettings defaults(String hostname) {
        return new SmtpSettings(hostname, 52_428_800L, 100, 20, 12288, 998, 300, 180,
                Path.of(System.getProperty("java.io.tmpdir")), Networks.NONE, true, BareLineEnds.TRUSTED);
    }

    SmtpSettings withMaxMessageSize(long n) {
        return new SmtpSettings(hostname, n, maxRecipients, maxErrors, maxCommandLine, maxTextLine,
                commandTimeoutSeconds, dataTimeoutSeconds, spoolDirectory, relayNetworks, senderLoginMatch, bareLineEnds);
    }

    SmtpSettings withLimits(int recipients, int errors) {
        return new SmtpSettings(hostname, maxMessageSize, recipients, errors, maxCommandLine, maxTextLine,
                commandTimeoutSeconds, dataTimeoutSeconds, spoolDirectory, relayNetworks, senderLoginMatch, bareLineEnds);
    }

    SmtpSettings withTimeouts(int command, int data) {
        return new SmtpSettings(hostname, maxMessageSize, maxRecipients, maxErrors, maxCommandLine, maxTextLine,
                command, data, spoolDirectory, relayNetworks, senderLoginMatch, bareLineEnds);
    }

    SmtpSettings withSpool(Path dir) {
        return new SmtpSettings(hostname, maxMessageSize, maxRecipients, maxErrors, maxCommandLine, maxTextLine,
                commandTimeoutSeconds, dataTimeoutSeconds, dir, relayNetworks, senderLoginMatch, bareLineEnds);
    }

    SmtpSettings withBareLineEnds(BareLineEnds b) {
        return new SmtpSettings(hostname, maxMessageSize, maxRecipients, maxErrors, maxCommandLine, maxTextLine,
                commandTimeoutSeconds, dataTimeoutSeconds, spoolDirectory, relayNetworks, senderLoginMatch, b);
    }

    SmtpSettings withRelay(Networks networks, boolean loginMatch) {
        return new SmtpSettings(hostname, maxMessageSize, maxRecipients, maxErrors, maxCommandLine, maxTextLine,
                commandTimeoutSeconds, dataTimeoutSeconds, spoolDirectory, networks, loginMatch, bareLineEnds);
    }
}
