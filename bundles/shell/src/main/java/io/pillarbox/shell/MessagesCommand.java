package io.pillarbox.shell;

import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.TreeSet;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "messages", description = "Lists the messages of a user's mailbox: UID, flags, "
        + "internal date, size, sender and subject (as in the header, encoded words left as they are).")
@Service
public class MessagesCommand extends StoreCommand {

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "mailbox", description = "Mailbox name (default INBOX)")
    @Completion(MailboxCompleter.class)
    String mailbox = StoreSession.INBOX;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        Table t = new Table("no messages in " + mailbox);
        t.right("UID");
        t.column("Flags");
        t.column("Date");
        t.right("Size");
        t.column("From");
        t.column("Subject");
        try (StoreSession s = open(user); Mailbox m = s.open(mailbox, true)) {
            for (MessageInfo i : m.messages()) {
                String from = "";
                String subject = "";
                try {
                    MessageStructure st = m.structure(i.uid());
                    if (st != null && st.envelope() != null) {
                        from = address(st.envelope().from());
                        subject = st.envelope().subject() == null ? "" : st.envelope().subject();
                    }
                } catch (Exception e) {
                    subject = "(structure unavailable: " + e.getMessage() + ")";
                }
                t.row(i.uid(), String.join(" ", new TreeSet<>(i.flags())),
                        i.internalDate() == null ? "" : i.internalDate().truncatedTo(ChronoUnit.SECONDS), i.size(),
                        from, subject);
            }
        }
        t.print(System.out, noFormat);
        return null;
    }

    static String address(List<MessageStructure.Address> list) {
        if (list == null) {
            return "";
        }
        for (MessageStructure.Address a : list) {
            if (a.mailbox() != null && a.host() != null) {
                return a.mailbox() + "@" + a.host();
            }
        }
        return "";
    }
}
