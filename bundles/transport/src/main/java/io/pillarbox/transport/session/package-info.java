/**
 * Pieces shared by the protocol sessions (IMAP, POP3, POP2, ...): the per-user protocol trace and the
 * {@link io.pillarbox.api.metrics.MailMetrics} reports of one session.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.pillarbox.transport.session;
