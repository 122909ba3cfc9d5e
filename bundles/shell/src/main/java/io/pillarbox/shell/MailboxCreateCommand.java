package io.pillarbox.shell;

import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.Locale;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "mailbox-create", description = "Creates a mailbox (and missing parents, '/' separates "
        + "levels) for a user and subscribes it.")
@Service
public class MailboxCreateCommand extends StoreCommand {

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "name", required = true, description = "Mailbox name, e.g. Archive/2024")
    String name;

    @Option(name = "--special-use", description = "RFC 6154 role: all, archive, drafts, flagged, junk, sent, trash")
    @Completion(value = org.apache.karaf.shell.support.completers.StringsCompleter.class, values = {"all", "archive", "drafts", "flagged", "junk", "sent", "trash"}, caseSensitive = false)
    String specialUse;

    @Option(name = "--no-subscribe", description = "Do not subscribe the new mailbox")
    boolean noSubscribe;

    @Override
    public Object execute() throws Exception {
        SpecialUse use = null;
        if (specialUse != null) {
            try {
                use = SpecialUse.valueOf(specialUse.replace("\\", "").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown special use " + specialUse);
            }
        }
        try (StoreSession s = open(user)) {
            String created = s.create(name, use).name();
            if (!noSubscribe) {
                s.subscribe(created);
            }
            System.out.println("Mailbox " + created + " created for " + user);
        }
        return null;
    }
}
