package io.pillarbox.api.auth;

import java.time.Instant;
import java.util.Optional;

/**
 * When each user last logged in, as the authenticator saw it (any protocol, any realm). Kept across restarts;
 * written in batches, so the last seconds before a crash may be lost. {@code mail:user-show} reads it.
 *
 * @since 1.2
 */
public interface LoginHistory {

    /** The last successful login of a user (the canonical name {@link MailPrincipal#user()}), if any is known. */
    Optional<LastLogin> lastLogin(String user);

    /**
     * When this history began recording (its first start; it survives restarts), if known: a user without a
     * {@link #lastLogin last login} has not logged in since then.
     */
    default Optional<Instant> since() {
        return Optional.empty();
    }

    /**
     * @param time     when
     * @param protocol {@code imap}, {@code pop3}, {@code smtp}, ...
     * @param remote   the client's address as text, or {@code null} when not on a network
     */
    record LastLogin(Instant time, String protocol, String remote) {
    }
}
