package io.pillarbox.shell;

import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "expunge", description = "Removes messages for good: those flagged \\Deleted, or with "
        + "--before every message that arrived before a date, whatever its flags.")
@Service
public class ExpungeCommand extends StoreCommand {

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "mailbox", required = true, description = "Mailbox name")
    @Completion(MailboxCompleter.class)
    String mailbox;

    @Option(name = "--before", description = "Remove every message whose internal date is before this: 2024-01-31, "
            + "2024-01-31T12:00, 2024-01-31T12:00:00Z, or an age such as 30d, 12h, 2w")
    String before;

    @Override
    public Object execute() throws Exception {
        Instant limit = before == null ? null : Dates.parse(before, Clock.systemDefaultZone());
        try (StoreSession s = open(user)) {
            List<Long> gone = MailboxOps.expunge(s, mailbox, limit);
            System.out.println(gone.size() + " message(s) expunged from " + mailbox + " of " + user
                    + (limit == null ? "" : " (internal date before " + limit + ")"));
        }
        return null;
    }
}
