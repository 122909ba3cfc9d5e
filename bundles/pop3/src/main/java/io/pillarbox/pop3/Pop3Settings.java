package io.pillarbox.pop3;

import java.time.Duration;

/**
 * The POP3 server's settings in plain values (read from {@link Pop3Config}, or built directly in tests).
 *
 * @param maxLineLength         longest command line in octets, CRLF included
 * @param maxCommandsBeforeAuth commands allowed before a login succeeds
 * @param maxAuthFailures       failed logins per connection
 * @param maxBadCommands        bad commands in a row
 * @param maxQueuedCommands     pipelined commands queued before reading pauses
 * @param autologout            idle time allowed in the TRANSACTION state
 * @param preAuthAutologout     idle time allowed in the AUTHORIZATION state
 * @param expire                EXPIRE value to advertise, or empty
 * @param loginDelay            LOGIN-DELAY value to advertise, or negative
 * @param apop                  whether APOP may be offered
 * @param markSeenOnRetr        whether RETR'd messages get {@code \Seen} at QUIT
 * @param serverName            name in the greeting and IMPLEMENTATION
 * @param hostName              host in the APOP timestamp
 * @param chunkSize             octets read from the store per write when streaming a message
 */
record Pop3Settings(int maxLineLength, int maxCommandsBeforeAuth, int maxAuthFailures, int maxBadCommands,
                    int maxQueuedCommands, Duration autologout, Duration preAuthAutologout, String expire,
                    int loginDelay, boolean apop, boolean markSeenOnRetr, String serverName, String hostName,
                    int chunkSize) {

    static Pop3Settings defaults() {
        return new Pop3Settings(8192, 30, 3, 10, 64, Duration.ofMinutes(10), Duration.ofMinutes(10), "", -1, true,
                true, "Pillarbox", "localhost", 64 * 1024);
    }

    static Pop3Settings of(Pop3Config c, String defaultHost) {
        String host = c.hostName() == null || c.hostName().isBlank() ? defaultHost : c.hostName().trim();
        String expire = c.expire() == null ? "" : c.expire().trim();
        return new Pop3Settings(Math.max(256, c.maxLineLength()), Math.max(1, c.maxCommandsBeforeAuth()),
                Math.max(1, c.maxAuthFailures()), Math.max(1, c.maxBadCommands()), Math.max(1, c.maxQueuedCommands()),
                Duration.ofSeconds(Math.max(1, c.autologoutSeconds())),
                Duration.ofSeconds(Math.max(1, c.preAuthAutologoutSeconds())), expire, c.loginDelay(), c.apop(),
                c.markSeenOnRetr(), c.serverName() == null || c.serverName().isBlank() ? "Pillarbox"
                : c.serverName().trim(), host, 64 * 1024);
    }

    Pop3Settings withLimits(int lineLength, int commandsBeforeAuth, int authFailures, int badCommands) {
        return new Pop3Settings(lineLength, commandsBeforeAuth, authFailures, badCommands, maxQueuedCommands,
                autologout, preAuthAutologout, expire, loginDelay, apop, markSeenOnRetr, serverName, hostName,
                chunkSize);
    }

    Pop3Settings withAutologout(Duration transaction, Duration preAuth) {
        return new Pop3Settings(maxLineLength, maxCommandsBeforeAuth, maxAuthFailures, maxBadCommands,
                maxQueuedCommands, transaction, preAuth, expire, loginDelay, apop, markSeenOnRetr, serverName,
                hostName, chunkSize);
    }

    Pop3Settings withAdvertised(String expireValue, int loginDelayValue) {
        return new Pop3Settings(maxLineLength, maxCommandsBeforeAuth, maxAuthFailures, maxBadCommands,
                maxQueuedCommands, autologout, preAuthAutologout, expireValue, loginDelayValue, apop, markSeenOnRetr,
                serverName, hostName, chunkSize);
    }

    Pop3Settings withChunkSize(int octets) {
        return new Pop3Settings(maxLineLength, maxCommandsBeforeAuth, maxAuthFailures, maxBadCommands,
                maxQueuedCommands, autologout, preAuthAutologout, expire, loginDelay, apop, markSeenOnRetr,
                serverName, hostName, octets);
    }
}
