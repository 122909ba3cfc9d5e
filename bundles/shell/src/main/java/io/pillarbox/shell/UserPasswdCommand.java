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
@Command(scope = "mail", name = "user-passwd", description = "Sets a user's password in the writable realm that "
        + "holds them. Without PASSWORD it is asked for, with echo off.")
@Service
public class UserPasswdCommand implements Action {

    @Reference
    BundleContext bundleContext;

    @Reference
    Session session;

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "password", description = "The new password (asked for when left out)")
    String password;

    @Option(name = "--realm", description = "The realm holding the user (default: the first writable realm that has them)")
    @Completion(RealmCompleter.class)
    String realm;

    @Override
    public Object execute() throws Exception {
        Realms.Entry target = Realms.holding(Realms.all(bundleContext), realm, user);
        char[] pw = Passwords.read(session, password);
        try {
            ((WritableRealm) target.realm()).setPassword(user, pw);
        } finally {
            Passwords.clear(pw);
        }
        System.out.println("Password of " + user + " changed in realm " + target.name());
        return null;
    }
}
