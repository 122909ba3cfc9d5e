package io.pillarbox.pop3;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.api.store.MailStores;

/** What every session of one POP3 service shares: settings, the services it uses, the maildrop locks. */
record Pop3Server(Pop3Settings settings, Authenticator authenticator, SaslService sasl, MailStores stores,
                  MaildropLocks locks) {
}
