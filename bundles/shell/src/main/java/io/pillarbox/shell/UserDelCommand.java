package io.pillarbox.shell;

import io.pillarbox.api.auth.WritableRealm;
import io.pillarbox.api.server.SessionRegistry;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.BundleContext;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "user-del", description = "Removes a user from the writable realm that holds them and "
        + "ends their open sessions. Their mail stays in the store.")
@Service
public class UserDelCommand implements Action {

    @Reference
    BundleContext bundleContext;

    @Reference(optional = true)
    SessionRegistry sessions;

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Option(name = "--realm", description = "The realm holding the user (default: the first writable realm that has them)")
    @Completion(RealmCompleter.class)
    String realm;

    @Override
    public Object execute() throws Exception {
        Realms.Entry target = Realms.holding(Realms.all(bundleContext), realm, user);
        if (!((WritableRealm) target.realm()).removeUser(user)) {
            throw new IllegalArgumentException("no user " + user + " in realm " + target.name());
        }
        int kicked = sessions == null ? 0 : sessions.kickUser(user, "Account removed");
        System.out.println("User " + user + " removed from realm " + target.name()
                + (kicked > 0 ? "; " + kicked + " session(s) ended" : "") + "; their mail is kept");
        return null;
    }
}
