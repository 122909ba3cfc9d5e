package io.pillarbox.shell;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** Base of the commands that work on one user's mail: finds the user through the realms and opens their store. */
abstract class StoreCommand implements Action {

    @Reference(optional = true)
    Authenticator authenticator;

    @Reference(optional = true)
    MailStores stores;

    StoreSession open(String user) throws Exception {
        return Tools.open(authenticator, stores, user);
    }
}
