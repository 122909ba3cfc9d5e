package io.pillarbox.imap;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.transport.session.SessionTrace;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * What every session of one IMAP service shares: settings, the services it uses, \Recent state, the trace, and
 * where the metrics go ({@code metrics.get()} is read at every report: the service may come and go).
 */
record ImapServer(ImapSettings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
                  RecentTracker recent, SessionTrace trace, Supplier<MailMetrics> metrics) {

    /**
     * The logger of the per-user trace: the sessions of the users in {@code traceUsers} line by line at INFO,
     * passwords and SASL responses masked.
     */
    static final String TRACE_LOGGER = "io.pillarbox.imap.trace";

    /** A new trace on {@link #TRACE_LOGGER}, the logger got here so that karaf.log names this bundle with it. */
    static SessionTrace newTrace() {
        return new SessionTrace(LoggerFactory.getLogger(TRACE_LOGGER));
    }

    ImapServer(ImapSettings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
               RecentTracker recent, SessionTrace trace) {
        this(settings, authenticator, sasl, stores, recent, trace, () -> MailMetrics.NONE);
    }

    ImapServer(ImapSettings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
               RecentTracker recent) {
        this(settings, authenticator, sasl, stores, recent, newTrace());
    }
}
