package io.pillarbox.shell;

import io.pillarbox.api.delivery.OutboundQueue;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "queue-delete", description = "Removes a message from the outbound queue without "
        + "delivering it and without telling the sender.")
@Service
public class QueueDeleteCommand extends QueueIdCommand {

    @Override
    boolean apply(OutboundQueue q, String id) {
        return q.delete(id);
    }

    @Override
    String done() {
        return "deleted";
    }
}
