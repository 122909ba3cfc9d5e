package io.pillarbox.pop3;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.transport.session.SessionTrace;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * What every session of one POP3 service shares: settings, the services it uses, the maildrop locks, the trace,
 * where the metrics go ({@code metrics.get()} is read at every report: the service may come and go), and what is
 * known of the maildrops' sizes as sent.
 */
record Pop3Server(Pop3Settings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
                  MaildropLocks locks, SessionTrace trace, Supplier<MailMetrics> metrics, ServedSizes sizes) {

    /**
     * The logger of the per-user trace: the sessions of the users in {@code traceUsers} line by line at INFO,
     * passwords, APOP digests and SASL responses masked.
     */
    static final String TRACE_LOGGER = "io.pillarbox.pop3.trace";

    /** A new trace on {@link #TRACE_LOGGER}, the logger got here so that karaf.log names this bundle with it. */
    static SessionTrace newTrace() {
        return new SessionTrace(LoggerFactory.getLogger(TRACE_LOGGER));
    }

    Pop3Server(Pop3Settings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
               MaildropLocks locks, SessionTrace trace, Supplier<MailMetrics> metrics) {
        this(settings, authenticator, sasl, stores, locks, trace, metrics, new ServedSizes());
    }

    Pop3Server(Pop3Settings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
               MaildropLocks locks) {
        this(settings, authenticator, sasl, stores, locks, newTrace(), () -> MailMetrics.NONE);
    }
}
