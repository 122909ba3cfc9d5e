package io.pillarbox.api.protocol;

/**
 * A user event the transport fires down a connection's pipeline when the connection must end: the server or the
 * listener is stopping, an admin kicked the session, or the store it uses went away. The protocol says goodbye in
 * its own words and closes the channel.
 *
 * @param reason a short text for the client, e.g. {@code Server shutting down}
 */
public record CloseRequest(Cause cause, String reason) {

    public enum Cause { SHUTDOWN, KICKED, UNAVAILABLE }
}
