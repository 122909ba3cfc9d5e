package io.pillarbox.pop2;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.store.MailStores;

import java.util.Set;

/** What every POP2 session shares: settings, services, and the users whose mail a POP2 session holds. */
record Pop2Server(Pop2Settings settings, Authenticator authenticator, MailStores stores, Set<String> locks) {
}
