package io.pillarbox.core.auth;

import java.time.Instant;

/** Where the authenticator reports successful logins (core's login history; private to core). */
public interface LoginRecorder {

    /**
     * Called on an authenticator thread after each successful login; must be cheap and never block.
     *
     * @param user     the canonical user name (the principal's)
     * @param remote   the client's address as text, or {@code null}
     */
    void record(String user, Instant time, String protocol, String remote);
}
