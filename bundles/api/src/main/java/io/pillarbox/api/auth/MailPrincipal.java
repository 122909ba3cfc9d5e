package io.pillarbox.api.auth;

import java.util.Map;
import java.util.Objects;

/**
 * Who a session belongs to once a realm has accepted a login. Sessions hold a principal, never a realm, so a realm
 * that goes away does not end sessions that are already authenticated.
 *
 * @param user         the canonical user name as the realm knows it, e.g. {@code alice} or {@code alice@example.org}
 * @param localPart    the part before {@code @} (the whole name for a bare user)
 * @param domain       the domain, or {@code null} for a bare user name
 * @param realm        the name of the realm that accepted the user
 * @param mailLocation where the user's mail lives if the realm says so (a home directory or Maildir path), else {@code null}
 * @param store        the name of the store that serves this user, or {@code null} for the configured default
 * @param attributes   further realm-specific attributes (uid, gid, quota, ...), never secrets
 */
public record MailPrincipal(String user, String localPart, String domain, String realm, String mailLocation,
                            String store, Map<String, String> attributes) {

    public MailPrincipal {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(localPart, "localPart");
        Objects.requireNonNull(realm, "realm");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** A principal for {@code user}, splitting {@code local@domain} where present. */
    public static MailPrincipal of(String user, String realm) {
        int at = user.lastIndexOf('@');
        return at < 0 ? new MailPrincipal(user, user, null, realm, null, null, Map.of())
                : new MailPrincipal(user, user.substring(0, at), user.substring(at + 1), realm, null, null, Map.of());
    }

    public MailPrincipal withMailLocation(String location) {
        return new MailPrincipal(user, localPart, domain, realm, location, store, attributes);
    }

    public MailPrincipal withStore(String storeName) {
        return new MailPrincipal(user, localPart, domain, realm, mailLocation, storeName, attributes);
    }

    public MailPrincipal withAttributes(Map<String, String> attrs) {
        return new MailPrincipal(user, localPart, domain, realm, mailLocation, store, attrs);
    }
}
