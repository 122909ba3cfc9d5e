/**
 * Bringing an existing Dovecot (or other Maildir++) mail tree under Pillarbox with every UID, flag and keyword kept.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.pillarbox.store.maildir.migration;
