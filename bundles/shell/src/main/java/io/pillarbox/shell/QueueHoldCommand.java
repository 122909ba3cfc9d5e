package io.pillarbox.shell;

import io.pillarbox.api.delivery.OutboundQueue;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "queue-hold", description = "Holds a queued message: no delivery attempts until "
        + "mail:queue-release (an attempt already running finishes). It does not expire while held.")
@Service
public class QueueHoldCommand implements Action {

    @Reference(optional = true)
    OutboundQueue queue;

    @Argument(index = 0, name = "id", required = true, description = "A queue id (mail:queue-list)")
    @Completion(QueueIdCompleter.class)
    String id;

    @Override
    public Object execute() {
        if (!Tools.need(queue, "The outbound queue", QueueListCommand.FEATURE).hold(id, true)) {
            throw noSuch(id);
        }
        System.out.println(id + " held");
        return null;
    }

    static IllegalArgumentException noSuch(String id) {
        return new IllegalArgumentException("no message " + id + " in the queue (mail:queue-list)");
    }
}
