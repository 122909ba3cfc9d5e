package io.pillarbox.shell;

import io.pillarbox.api.store.StoreSession;
import io.pillarbox.migration.MboxFormat;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.FileCompleter;

import java.nio.file.Path;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "import", description = "Imports a Maildir++ tree (Dovecot, Courier), a Unix mbox file (UW IMAP, pine, mutt, Thunderbird) "
        + "or a directory tree of them (~/mail, ~/Mail) into a user's store, keeping flags and keywords "
        + "(Status, X-Status, X-Keywords); an mbox file's UIDVALIDITY and X-UIDs (X-IMAP/X-IMAPbase) are kept when the "
        + "target mailbox is new and the store can keep UIDs (column UIDs), otherwise the store assigns new UIDs.")
@Service
public class ImportCommand extends StoreCommand {

    @Reference
    Session session;

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "path", required = true, description = "An mbox file or a directory of mbox files "
            + "(relative to the shell's current directory)")
    @Completion(FileCompleter.class)
    String path;

    @Option(name = "-m", aliases = "--mailbox", description = "Target mailbox for a file (default INBOX), or parent "
            + "mailbox for a directory (default: top level)")
    String mailbox;

    @Option(name = "--mboxo", description = "The file quotes From lines the mboxo way (only 'From ' gets a '>'); "
            + "the default, mboxrd, reads both safely unless lines really began with '>From '")
    boolean mboxo;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        Path p = Tools.path(session, path);
        Migration.ImportReport report;
        try (StoreSession s = open(user)) {
            report = Migration.importPath(s, p, mailbox, mboxo ? MboxFormat.MBOXO : MboxFormat.MBOXRD);
        }
        Table t = new Table("no mbox file found in " + p);
        t.column("Mailbox");
        t.right("Messages");
        t.right("Seen");
        t.right("Answered");
        t.right("Flagged");
        t.right("Deleted");
        t.right("Draft");
        t.right("Keywords");
        t.right("Skipped");
        t.column("UIDs");
        for (Migration.Imported i : report.mailboxes()) {
            t.row(i.mailbox(), i.messages(), i.seen(), i.answered(), i.flagged(), i.deleted(),
                    i.draft(), i.withKeywords(), i.skipped(), report.uids().getOrDefault(i.mailbox(), "new"));
        }
        t.print(System.out, noFormat);
        for (Path skipped : report.skippedFiles()) {
            System.out.println("skipped (hidden or not mbox): " + skipped);
        }
        return null;
    }
}
