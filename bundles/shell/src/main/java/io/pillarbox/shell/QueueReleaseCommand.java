package io.pillarbox.shell;

import io.pillarbox.api.delivery.OutboundQueue;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "queue-release", description = "Releases a held message; it is due at once.")
@Service
public class QueueReleaseCommand extends QueueIdCommand {

    @Override
    boolean apply(OutboundQueue q, String id) {
        return q.hold(id, false);
    }

    @Override
    String done() {
        return "released";
    }
}
