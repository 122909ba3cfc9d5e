package io.pillarbox.imap;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MailStores;

import java.util.function.Supplier;

/**
 * What every session of one IMAP service shares: settings, the services it uses, \Recent state, the trace, and
 * where the metrics go ({@code metrics.get()} is read at every report: the service may come and go).
 */
record ImapServer(ImapSettings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
                  RecentTracker recent, Trace trace, Supplier<MailMetrics> metrics) {

    ImapServer(ImapSettings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
               RecentTracker recent, Trace trace) {
        this(settings, authenticator, sasl, stores, recent, trace, () -> MailMetrics.NONE);
    }

    ImapServer(ImapSettings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
               RecentTracker recent) {
        this(settings, authenticator, sasl, stores, recent, new Trace());
    }
}
