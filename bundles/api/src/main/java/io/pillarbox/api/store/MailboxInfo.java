package io.pillarbox.api.store;

/**
 * One mailbox in a user's hierarchy.
 *
 * @param name       full name with {@code '/'} separators
 * @param specialUse its RFC 6154 role, or {@code null}
 * @param selectable false for a level that exists only because it has children (IMAP \Noselect)
 */
public record MailboxInfo(String name, SpecialUse specialUse, boolean selectable) {
}
