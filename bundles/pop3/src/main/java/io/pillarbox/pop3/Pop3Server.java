package io.pillarbox.pop3;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MailStores;

import java.util.function.Supplier;

/**
 * What every session of one POP3 service shares: settings, the services it uses, the maildrop locks, the trace, and
 * where the metrics go ({@code metrics.get()} is read at every report: the service may come and go).
 */
record Pop3Server(Pop3Settings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
                  MaildropLocks locks, Trace trace, Supplier<MailMetrics> metrics) {

    Pop3Server(Pop3Settings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
               MaildropLocks locks) {
        this(settings, authenticator, sasl, stores, locks, new Trace(), () -> MailMetrics.NONE);
    }
}
