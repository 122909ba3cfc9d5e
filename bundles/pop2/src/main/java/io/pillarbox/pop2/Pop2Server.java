package io.pillarbox.pop2;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.transport.session.SessionTrace;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.function.Supplier;

/**
 * What every POP2 session shares: settings, services, the users whose mail a POP2 session holds, the trace, and
 * where the metrics go ({@code metrics.get()} is read at every report: the service may come and go).
 */
record Pop2Server(Pop2Settings settings, Authenticator authenticator, MailStores stores, Set<String> locks,
                  SessionTrace trace, Supplier<MailMetrics> metrics) {

    /** The logger of the per-user trace: the sessions of the users in {@code traceUsers}, the HELO password masked. */
    static final String TRACE_LOGGER = "io.pillarbox.pop2.trace";

    /** A new trace on {@link #TRACE_LOGGER}, the logger got here so that karaf.log names this bundle with it. */
    static SessionTrace newTrace() {
        return new SessionTrace(LoggerFactory.getLogger(TRACE_LOGGER));
    }

    Pop2Server(Pop2Settings settings, Authenticator authenticator, MailStores stores, Set<String> locks) {
        this(settings, authenticator, stores, locks, newTrace(), () -> MailMetrics.NONE);
    }
}
