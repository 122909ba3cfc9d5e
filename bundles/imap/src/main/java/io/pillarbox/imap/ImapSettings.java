package io.pillarbox.imap;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.pillarbox.api.store.SpecialUse;

/**
 * The IMAP server's settings in plain values (read from {@link ImapConfig}, or built directly in tests).
 *
 * @param maxLineLength        longest command line (without literals) in octets
 * @param maxLiteralSize       largest literal after login: APPENDLIMIT
 * @param maxPreAuthLiteral    largest literal before login
 * @param spoolThreshold       literals above this size are spooled to a file instead of held in heap
 * @param spoolDirectory       where spooled literals go
 * @param maxBadCommands       BAD commands in a row before the connection is closed
 * @param maxQueuedCommands    pipelined commands waiting per connection before reading pauses
 * @param autologoutAuthenticated idle time allowed after login
 * @param autologoutPreAuth    idle time allowed before login
 * @param specialUse           mailboxes created (and subscribed) at a user's first login, name to role
 * @param serverName           shown in the greeting and ID
 */
record ImapSettings(int maxLineLength, long maxLiteralSize, long maxPreAuthLiteral, int spoolThreshold,
                    Path spoolDirectory, int maxBadCommands, int maxQueuedCommands,
                    Duration autologoutAuthenticated, Duration autologoutPreAuth,
                    Map<String, SpecialUse> specialUse, String serverName, boolean compress) {

    static ImapSettings defaults() {
        Map<String, SpecialUse> su = new LinkedHashMap<>();
        su.put("Drafts", SpecialUse.DRAFTS);
        su.put("Sent", SpecialUse.SENT);
        su.put("Trash", SpecialUse.TRASH);
        su.put("Junk", SpecialUse.JUNK);
        su.put("Archive", SpecialUse.ARCHIVE);
        return new ImapSettings(65536, 50L << 20, 8192, 256 << 10,
                Path.of(System.getProperty("java.io.tmpdir")), 10, 64,
                Duration.ofMinutes(30), Duration.ofMinutes(1), su, "Pillarbox", true);
    }

    ImapSettings withSpool(int threshold, Path dir) {
        return new ImapSettings(maxLineLength, maxLiteralSize, maxPreAuthLiteral, threshold, dir, maxBadCommands,
                maxQueuedCommands, autologoutAuthenticated, autologoutPreAuth, specialUse, serverName, compress);
    }

    ImapSettings withLimits(int lineLength, int badCommands) {
        return new ImapSettings(lineLength, maxLiteralSize, maxPreAuthLiteral, spoolThreshold, spoolDirectory,
                badCommands, maxQueuedCommands, autologoutAuthenticated, autologoutPreAuth, specialUse, serverName,
                compress);
    }

    ImapSettings withAutologout(Duration auth, Duration preAuth) {
        return new ImapSettings(maxLineLength, maxLiteralSize, maxPreAuthLiteral, spoolThreshold, spoolDirectory,
                maxBadCommands, maxQueuedCommands, auth, preAuth, specialUse, serverName, compress);
    }
}
