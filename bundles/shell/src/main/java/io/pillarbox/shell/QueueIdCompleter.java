package io.pillarbox.shell;

import io.pillarbox.api.delivery.OutboundQueue;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;
import java.util.TreeSet;

/** Completes the ids of queued messages (mail:queue-list). */
@Service
public class QueueIdCompleter implements Completer {

    @Reference(optional = true)
    OutboundQueue queue;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(ids(queue)).complete(session, commandLine, candidates);
    }

    static TreeSet<String> ids(OutboundQueue queue) {
        TreeSet<String> values = new TreeSet<>();
        if (queue != null) {
            for (OutboundQueue.QueuedMessage m : queue.list()) {
                values.add(m.id());
            }
        }
        return values;
    }
}
