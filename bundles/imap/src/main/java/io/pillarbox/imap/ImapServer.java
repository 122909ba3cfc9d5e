package io.pillarbox.imap;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.store.MailStores;

/** What every session of one IMAP service shares: settings, the services it uses, \Recent state. */
record ImapServer(ImapSettings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
                  RecentTracker recent, Trace trace) {

    ImapServer(ImapSettings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
               RecentTracker recent) {
        this(settings, authenticator, sasl, stores, recent, new Trace());
    }
}
