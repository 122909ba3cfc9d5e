package io.pillarbox.api.delivery;

import java.util.List;

/**
 * @param kind  the verdict
 * @param users for {@link Kind#LOCAL}: the canonical users the address delivers to (more than one for an alias)
 */
public record Resolution(Kind kind, List<String> users) {

    public enum Kind {
        /** A local user or alias. */
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
    }

    public static Resolution local(List<String> users) {
        return new Resolution(Kind.LOCAL, users);
    }

    public static Resolution of(Kind kind) {
        return new Resolution(kind, List.of());
    }
}
