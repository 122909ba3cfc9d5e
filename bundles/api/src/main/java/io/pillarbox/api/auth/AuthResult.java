package io.pillarbox.api.auth;

import java.util.Objects;

/**
 * The outcome of one authentication attempt.
 *
 * @param status    what happened
 * @param principal the accepted user when {@link Status#OK}, otherwise {@code null}
 * @param detail    a short reason for the log (never a secret), or {@code null}
 */
public record AuthResult(Status status, MailPrincipal principal, String detail) {

    public enum Status {
        /** The secret was right; {@link #principal()} is set. */
        OK,
        /** The user is known but the secret is wrong. */
        BAD_CREDENTIALS,
        /** This realm does not know the user; the next realm is asked. */
        UNKNOWN_USER,
        /** The account exists but is disabled, locked or expired. */
        DISABLED,
        /** Too many recent failures from this client or for this user: refused without checking. */
        LOCKED_OUT,
        /** The realm could not decide (directory down, I/O error): try again later. */
        TEMPORARY_FAILURE
    }

    public AuthResult {
        Objects.requireNonNull(status, "status");
        if (status == Status.OK) {
            Objects.requireNonNull(principal, "principal");
        }
    }

    public static AuthResult ok(MailPrincipal principal) {
        return new AuthResult(Status.OK, principal, null);
    }

    public static AuthResult failure(Status status, String detail) {
        if (status == Status.OK) {
            throw new IllegalArgumentException("OK is not a failure");
        }
        return new AuthResult(status, null, detail);
    }

    public boolean isOk() {
        return status == Status.OK;
    }
}
