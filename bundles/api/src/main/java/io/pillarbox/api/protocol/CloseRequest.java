package io.pillarbox.api.protocol;

/**
 * A user event the transport fires down a connection's pipeline when the connection must end: the server or the
 * listener is stopping, an admin kicked the session, or the store it uses went away. The protocol says goodbye in
 * its own words and closes the channel.
 *
 * @param reason a short text for the client, e.g. {@code Server shutting down}
 */
public record CloseRequest(Cause cause, String reason) {

    public enum Cause {
        /** The server, the listener or the protocol is stopping. */
        SHUTDOWN,
        /** An administrator ended the session ({@code mail:kick}). */
        KICKED,
        /** A service the session depends on (its store) went away. */
        UNAVAILABLE,
        /** The listener's connection limits (total or per client address) are exceeded: refuse politely. */
        TOO_MANY_CONNECTIONS,
        /** The connection was idle for longer than the listener allows. */
        IDLE_TIMEOUT
    }
}
