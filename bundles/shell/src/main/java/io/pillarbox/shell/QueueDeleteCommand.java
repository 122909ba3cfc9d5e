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
@Command(scope = "mail", name = "queue-delete", description = "Removes a message from the outbound queue without "
        + "delivering it and without telling the sender.")
@Service
public class QueueDeleteCommand implements Action {

    @Reference(optional = true)
    OutboundQueue queue;

    @Argument(index = 0, name = "id", required = true, description = "A queue id (mail:queue-list)")
    @Completion(QueueIdCompleter.class)
    String id;

    @Override
    public Object execute() {
        if (!Tools.need(queue, "The outbound queue", QueueListCommand.FEATURE).delete(id)) {
            throw QueueHoldCommand.noSuch(id);
        }
        System.out.println(id + " deleted");
        return null;
    }
}
