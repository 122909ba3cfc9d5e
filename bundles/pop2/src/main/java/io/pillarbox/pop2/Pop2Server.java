package io.pillarbox.pop2;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MailStores;

import java.util.Set;
import java.util.function.Supplier;

/**
 * What every POP2 session shares: settings, services, the users whose mail a POP2 session holds, the trace, and
 * where the metrics go ({@code metrics.get()} is read at every report: the service may come and go).
 */
record Pop2Server(Pop2Settings settings, Authenticator authenticator, MailStores stores, Set<String> locks,
                  Trace trace, Supplier<MailMetrics> metrics) {

    Pop2Server(Pop2Settings settings, Authenticator authenticator, MailStores stores, Set<String> locks) {
        this(settings, authenticator, stores, locks, new Trace(), () -> MailMetrics.NONE);
    }
}
