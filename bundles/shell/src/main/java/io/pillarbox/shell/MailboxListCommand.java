package io.pillarbox.shell;

import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "mailbox-list", description = "Lists a user's mailboxes with message counts, unseen, "
        + "deleted, size in octets, special use and subscription.")
@Service
public class MailboxListCommand extends StoreCommand {

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        Table t = new Table(null);
        t.column("Mailbox");
        t.right("Messages");
        t.right("Unseen");
        t.right("Deleted");
        t.right("Size");
        t.column("Special");
        t.column("Subscribed");
        t.right("UIDVALIDITY");
        t.right("UIDNEXT");
        try (StoreSession s = open(user)) {
            for (MailboxOps.Row r : MailboxOps.list(s)) {
                String special = r.info().specialUse() == null ? "" : r.info().specialUse().attribute();
                String sub = r.subscribed() ? "yes" : "no";
                if (r.status() == null) {
                    t.row(r.info().name(), "-", "-", "-", "-", special, sub, "-", "-");
                } else {
                    var st = r.status();
                    t.row(r.info().name(), st.messages(), st.unseen(), st.deleted(), st.size(),
                            special, sub, st.uidValidity(), st.uidNext());
                }
            }
        }
        t.print(System.out, noFormat);
        return null;
    }
}
