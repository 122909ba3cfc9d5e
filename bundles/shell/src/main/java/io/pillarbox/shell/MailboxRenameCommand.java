package io.pillarbox.shell;

import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "mailbox-rename", description = "Renames a user's mailbox with its children (renaming "
        + "INBOX moves its messages to the new mailbox and leaves INBOX empty).")
@Service
public class MailboxRenameCommand extends StoreCommand {

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "name", required = true, description = "Current mailbox name")
    @Completion(MailboxCompleter.class)
    String from;

    @Argument(index = 2, name = "new-name", required = true, description = "New mailbox name")
    String to;

    @Override
    public Object execute() throws Exception {
        try (StoreSession s = open(user)) {
            boolean subscribed = s.subscriptions().contains(from);
            s.rename(from, to);
            if (subscribed && !from.equals(StoreSession.INBOX)) {
                s.unsubscribe(from);
                s.subscribe(to);
            }
            System.out.println("Mailbox " + from + " of " + user + " renamed to " + to);
        }
        return null;
    }
}
