package io.pillarbox.shell;

import io.pillarbox.api.auth.WritableRealm;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.osgi.framework.BundleContext;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "user-add", description = "Adds a user to a writable realm (the one of highest ranking "
        + "unless --realm says otherwise). Without PASSWORD it is asked for, with echo off.")
@Service
public class UserAddCommand implements Action {

    @Reference
    BundleContext bundleContext;

    @Reference
    Session session;

    @Argument(index = 0, name = "user", required = true, description = "User name, e.g. alice or alice@example.org")
    String user;

    @Argument(index = 1, name = "password", description = "The password (asked for when left out, so that it stays "
            + "out of the shell history)")
    String password;

    @Option(name = "--realm", description = "The writable realm to add the user to")
    @Completion(RealmCompleter.class)
    String realm;

    @Override
    public Object execute() throws Exception {
        Users.checkName(user);
        Realms.Entry target = Realms.forNewUser(Realms.all(bundleContext), realm);
        WritableRealm w = (WritableRealm) target.realm();
        if (w.users().contains(user)) {
            throw new IllegalArgumentException("user " + user + " already exists in realm " + target.name()
                    + " (mail:user-passwd changes the password)");
        }
        char[] pw = Passwords.read(session, password);
        try {
            w.addUser(user, pw);
        } finally {
            Passwords.clear(pw);
        }
        System.out.println("User " + user + " added to realm " + target.name());
        return null;
    }
}
