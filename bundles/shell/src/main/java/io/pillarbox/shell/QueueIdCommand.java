package io.pillarbox.shell;

import io.pillarbox.api.delivery.OutboundQueue;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/**
 * Base of the queue commands that take one queue id, apply one operation of the outbound queue to it and say what
 * they did. Each subclass carries its own {@code @Command}, {@code @Service} and {@code @Parsing} annotations.
 */
abstract class QueueIdCommand implements Action {

    @Reference(optional = true)
    OutboundQueue queue;

    @Argument(index = 0, name = "id", required = true, description = "A queue id (mail:queue-list)")
    @Completion(QueueIdCompleter.class)
    String id;

    /** Applies the operation; false when the queue has no message {@code id}. */
    abstract boolean apply(OutboundQueue q, String id);

    /** What the command prints after the id when the operation succeeded ("held", ...). */
    abstract String done();

    @Override
    public Object execute() {
        if (!apply(Tools.need(queue, "The outbound queue", QueueListCommand.FEATURE), id)) {
            throw noSuch(id);
        }
        System.out.println(id + " " + done());
        return null;
    }

    static IllegalArgumentException noSuch(String id) {
        return new IllegalArgumentException("no message " + id + " in the queue (mail:queue-list)");
    }
}
