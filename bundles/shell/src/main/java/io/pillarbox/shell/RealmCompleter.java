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

/** Completes the names of writable realms (for {@code --realm}). */
@Service
public class RealmCompleter implements Completer {

    @Reference(optional = true)
    List<WritableRealm> realms;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        TreeSet<String> names = new TreeSet<>();
        if (realms != null) {
            for (WritableRealm r : realms) {
                names.add(r.name());
            }
        }
        return new StringsCompleter(names).complete(session, commandLine, candidates);
    }
}
