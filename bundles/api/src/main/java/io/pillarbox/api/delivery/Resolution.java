package io.pillarbox.api.delivery;

import java.util.List;

/**
 * @param kind          the verdict
 * @param users         for {@link Kind#LOCAL}: the canonical users the address delivers to (more than one for an
 *                      alias; none for an alias that only forwards to remote addresses)
 * @param remoteTargets for {@link Kind#LOCAL}: the remote addresses an alias forwards to (they go to the
 *                      {@link OutboundQueue}; {@link LocalDelivery#deliver} delivers to the local users only); empty
 *                      otherwise. Since 1.1.
 */
public record Resolution(Kind kind, List<String> users, List<String> remoteTargets) {

    public enum Kind {
        /** A local user or alias (an alias may also, or only, forward to remote addresses). */
        LOCAL,
        /** The domain is ours, the user is not known. */
        UNKNOWN_USER,
        /** Not one of our domains. */
        REMOTE,
        /** Cannot tell now (directory down). */
        TEMPORARY_FAILURE
    }

    public Resolution {
        users = users == null ? List.of() : List.copyOf(users);
        remoteTargets = remoteTargets == null ? List.of() : List.copyOf(remoteTargets);
    }

    /** Without remote targets (the 1.0 form). */
    public Resolution(Kind kind, List<String> users) {
        this(kind, users, List.of());
    }

    public static Resolution local(List<String> users) {
        return new Resolution(Kind.LOCAL, users, List.of());
    }

    /** A local address whose alias expansion leads to local users and/or remote addresses. @since 1.1 */
    public static Resolution local(List<String> users, List<String> remoteTargets) {
        return new Resolution(Kind.LOCAL, users, remoteTargets);
    }

    public static Resolution of(Kind kind) {
        return new Resolution(kind, List.of(), List.of());
    }

    /** Whether an alias forwards (also) to remote addresses. @since 1.1 */
    public boolean forwards() {
        return !remoteTargets.isEmpty();
    }
}
