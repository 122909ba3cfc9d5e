package io.pillarbox.api.server;

import java.util.List;
import java.util.Optional;

/** Every open connection on every listener. */
public interface SessionRegistry {

    List<SessionInfo> sessions();

    Optional<SessionInfo> find(String id);

    /** Asks a session to end (the protocol says goodbye, e.g. {@code * BYE}); @return whether it existed. */
    boolean kick(String id, String reason);

    /** Ends every session of a user; @return how many. */
    int kickUser(String user, String reason);
}
