package io.pillarbox.shell;

import io.pillarbox.api.delivery.OutboundQueue;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "queue-hold", description = "Holds a queued message: no delivery attempts until "
        + "mail:queue-release (an attempt already running finishes). It does not expire while held.")
@Service
public class QueueHoldCommand extends QueueIdCommand {

    @Override
    boolean apply(OutboundQueue q, String id) {
        return q.hold(id, true);
    }

    @Override
    String done() {
        return "held";
    }
}
