package io.pillarbox.smtp;

import java.net.InetAddress;
import java.nio.file.Path;

/** The configuration as plain values. */
record SmtpSettings(String hostname, long maxMessageSize, int maxRecipients, int maxErrors, int maxCommandLine,
                    int maxTextLine, int commandTimeoutSeconds, int dataTimeoutSeconds, Path spoolDirectory) {

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
        return new SmtpSettings(host, Math.max(1024, c.maxMessageSize()), Math.max(1, c.maxRecipients()),
                Math.max(1, c.maxErrors()), Math.max(512, c.maxCommandLineLength()), Math.max(0, c.maxTextLineLength()),
                Math.max(1, c.commandTimeoutSeconds()), Math.max(1, c.dataTimeoutSeconds()),
                Path.of(spool.isEmpty() ? System.getProperty("java.io.tmpdir") : spool));
    }

    static SmtpSettings defaults(String hostname) {
        return new SmtpSettings(hostname, 52_428_800L, 100, 20, 12288, 998, 300, 180,
                Path.of(System.getProperty("java.io.tmpdir")));
    }

    SmtpSettings withMaxMessageSize(long n) {
        return new SmtpSettings(hostname, n, maxRecipients, maxErrors, maxCommandLine, maxTextLine,
                commandTimeoutSeconds, dataTimeoutSeconds, spoolDirectory);
    }

    SmtpSettings withLimits(int recipients, int errors) {
        return new SmtpSettings(hostname, maxMessageSize, recipients, errors, maxCommandLine, maxTextLine,
                commandTimeoutSeconds, dataTimeoutSeconds, spoolDirectory);
    }

    SmtpSettings withTimeouts(int command, int data) {
        return new SmtpSettings(hostname, maxMessageSize, maxRecipients, maxErrors, maxCommandLine, maxTextLine,
                command, data, spoolDirectory);
    }

    SmtpSettings withSpool(Path dir) {
        return new SmtpSettings(hostname, maxMessageSize, maxRecipients, maxErrors, maxCommandLine, maxTextLine,
                commandTimeoutSeconds, dataTimeoutSeconds, dir);
    }
}
