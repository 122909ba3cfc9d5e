package io.pillarbox.shell;

import io.pillarbox.api.auth.WritableRealm;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;
import java.util.TreeSet;

/** Completes user names from the realms that can list them (the writable ones). */
@Service
public class UserCompleter implements Completer {

    @Reference(optional = true)
    List<WritableRealm> realms;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        TreeSet<String> users = new TreeSet<>();
        if (realms != null) {
            for (WritableRealm r : realms) {
                try {
                    users.addAll(r.users());
                } catch (Exception e) {
                    // a realm that cannot list now offers nothing
                }
            }
        }
        return new StringsCompleter(users).complete(session, commandLine, candidates);
    }
}
