package io.pillarbox.pop2;

import java.time.Duration;

/** The POP2 server's settings in plain values (from {@link Pop2Config}, or built directly in tests). */
record Pop2Settings(int maxLineLength, int maxAuthFailures, int maxBadCommands, Duration autologout,
                    String serverName, int chunkSize) {

    static Pop2Settings defaults() {
        return new Pop2Settings(1024, 3, 10, Duration.ofMinutes(10), "Pillarbox", 64 * 1024);
    }

    static Pop2Settings of(Pop2Config c) {
        return new Pop2Settings(Math.max(256, c.maxLineLength()), Math.max(1, c.maxAuthFailures()),
                Math.max(1, c.maxBadCommands()), Duration.ofSeconds(Math.max(1, c.autologoutSeconds())),
                c.serverName() == null || c.serverName().isBlank() ? "Pillarbox" : c.serverName().trim(), 64 * 1024);
    }

    Pop2Settings withAutologout(Duration d) {
        return new Pop2Settings(maxLineLength, maxAuthFailures, maxBadCommands, d, serverName, chunkSize);
    }

    Pop2Settings withChunkSize(int octets) {
        return new Pop2Settings(maxLineLength, maxAuthFailures, maxBadCommands, autologout, serverName, octets);
    }
}
