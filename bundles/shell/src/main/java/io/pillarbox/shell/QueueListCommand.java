package io.pillarbox.shell;

import io.pillarbox.api.delivery.OutboundQueue;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "queue-list", description = "Lists the outbound queue, oldest first: id, arrival, "
        + "size, sender, recipients still to deliver, attempts, next attempt (or held), last temporary error.")
@Service
public class QueueListCommand implements Action {

    static final String FEATURE = "pillarbox-queue";

    @Reference(optional = true)
    OutboundQueue queue;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        print(Tools.need(queue, "The outbound queue", FEATURE).list(), System.out, noFormat);
        return null;
    }

    static void print(List<OutboundQueue.QueuedMessage> list, PrintStream out, boolean noFormat) {
        Table t = new Table("the queue is empty");
        t.column("ID");
        t.column("Arrived");
        t.right("Size");
        t.column("Sender");
        t.column("Recipients");
        t.right("Attempts");
        t.column("Next attempt");
        t.column("Last error");
        for (OutboundQueue.QueuedMessage m : list) {
            t.row(m.id(), time(m.arrived()), m.size(), m.sender().isEmpty() ? "<>" : m.sender(),
                    String.join(", ", m.recipients()), m.attempts(), m.held() ? "held" : time(m.nextAttempt()),
                    m.lastError() == null ? "" : m.lastError());
        }
        t.print(out, noFormat);
        if (!noFormat && !list.isEmpty()) {
            int held = 0;
            long octets = 0;
            for (OutboundQueue.QueuedMessage m : list) {
                held += m.held() ? 1 : 0;
                octets += m.size();
            }
            out.println(list.size() + " message(s), " + octets + " octets" + (held > 0 ? ", " + held + " held" : ""));
        }
    }

    private static String time(Instant i) {
        return i == null ? "" : i.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
