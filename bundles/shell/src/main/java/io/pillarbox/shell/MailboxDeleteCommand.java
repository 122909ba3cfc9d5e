package io.pillarbox.shell;

import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "mailbox-delete", description = "Deletes a user's mailbox and its messages (INBOX "
        + "cannot be deleted; child mailboxes stay).")
@Service
public class MailboxDeleteCommand extends StoreCommand {

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "name", required = true, description = "Mailbox name")
    @Completion(MailboxCompleter.class)
    String name;

    @Override
    public Object execute() throws Exception {
        try (StoreSession s = open(user)) {
            s.delete(name);
            if (s.subscriptions().contains(name)) {
                s.unsubscribe(name);
            }
            System.out.println("Mailbox " + name + " of " + user + " deleted");
        }
        return null;
    }
}
