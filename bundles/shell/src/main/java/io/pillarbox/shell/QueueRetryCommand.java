package io.pillarbox.shell;

import io.pillarbox.api.delivery.OutboundQueue;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "queue-retry", description = "Makes a deferred message (or, with --all, every message "
        + "that is not held) due now: the queue attempts delivery at once.")
@Service
public class QueueRetryCommand implements Action {

    @Reference(optional = true)
    OutboundQueue queue;

    @Option(name = "-a", aliases = "--all", description = "Every message that is not held")
    boolean all;

    @Argument(index = 0, name = "id", description = "A queue id (mail:queue-list)")
    @Completion(QueueIdCompleter.class)
    String id;

    @Override
    public Object execute() {
        OutboundQueue q = Tools.need(queue, "The outbound queue", QueueListCommand.FEATURE);
        if (all == (id != null)) {
            throw new IllegalArgumentException("give either a queue id or --all");
        }
        if (all) {
            int n = 0;
            for (OutboundQueue.QueuedMessage m : q.list()) {
                if (!m.held() && q.retry(m.id())) {
                    n++;
                }
            }
            System.out.println(n + " message(s) due now");
            return null;
        }
        OutboundQueue.QueuedMessage m = q.find(id).orElseThrow(() -> QueueIdCommand.noSuch(id));
        if (m.held()) {
            throw new IllegalStateException(id + " is held: release it (mail:queue-release " + id + ")");
        }
        if (!q.retry(id)) {
            throw QueueIdCommand.noSuch(id);
        }
        System.out.println(id + " is due now");
        return null;
    }
}
