/**
 * Moving mail into and out of Pillarbox independently of the store: {@link io.pillarbox.migration.MboxImporter}
 * reads Unix mbox files (UW IMAP, mutt, pine) into any {@link io.pillarbox.api.store.StoreSession};
 * {@link io.pillarbox.migration.MboxExporter} writes a mailbox back to mbox.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.pillarbox.migration;
