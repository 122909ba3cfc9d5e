package io.pillarbox.shell;

import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

@Command(scope = "mail", name = "check", description = "Verifies a user's mail through the store: UIDVALIDITY, UIDs "
        + "ascending and below UIDNEXT, every message readable with the size the index gives, structure available. "
        + "Reads every message. Reports problems; it does not repair them.")
@Service
public class CheckCommand extends StoreCommand {

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Option(name = "-m", aliases = "--mailbox", description = "Only this mailbox")
    @Completion(MailboxCompleter.class)
    String mailbox;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        List<StoreCheck.Result> results;
        try (StoreSession s = open(user)) {
            results = StoreCheck.checkAll(s, mailbox);
        }
        Table t = new Table("no mailboxes");
        t.column("Mailbox");
        t.right("Messages");
        t.right("Octets");
        t.column("Result");
        int bad = 0;
        for (StoreCheck.Result r : results) {
            t.row(r.mailbox(), r.messages(), r.octets(), r.problems().isEmpty() ? "ok"
                    : r.problems().size() + " problem(s)");
            bad += r.problems().size();
        }
        t.print(System.out, noFormat);
        for (StoreCheck.Result r : results) {
            for (String p : r.problems()) {
                System.out.println(r.mailbox() + ": " + p);
            }
        }
        if (bad > 0) {
            throw new IllegalStateException(bad + " problem(s) in the store of " + user);
        }
        return null;
    }
}
