package io.pillarbox.shell;

import io.pillarbox.api.server.SessionInfo;
import io.pillarbox.api.server.SessionRegistry;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;
import java.util.TreeSet;

/** Completes session ids and the users that have sessions. */
@Service
public class SessionCompleter implements Completer {

    @Reference(optional = true)
    SessionRegistry registry;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        TreeSet<String> values = new TreeSet<>();
        if (registry != null) {
            for (SessionInfo s : registry.sessions()) {
                values.add(s.id());
                if (s.user() != null) {
                    values.add(s.user());
                }
            }
        }
        return new StringsCompleter(values).complete(session, commandLine, candidates);
    }
}
