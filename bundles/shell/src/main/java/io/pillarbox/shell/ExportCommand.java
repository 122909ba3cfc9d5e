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
import java.util.Locale;
import java.util.Map;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "export", description = "Exports a user's mail as mbox: one mailbox to a file "
        + "(--mailbox), or every mailbox to a directory tree as mutt and UW IMAP keep it. Flags, keywords and UIDs "
        + "are written as Status, X-Status, X-Keywords, X-UID and X-IMAPbase, so that mail:import and UW IMAP read "
        + "them back.")
@Service
public class ExportCommand extends StoreCommand {

    @Reference
    Session session;

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "path", required = true, description = "Target file (with --mailbox) or directory")
    @Completion(FileCompleter.class)
    String path;

    @Option(name = "-m", aliases = "--mailbox", description = "Export only this mailbox, to the file PATH")
    @Completion(MailboxCompleter.class)
    String mailbox;

    @Option(name = "--format", description = "Output format: mbox (mboxrd quoting), mboxo (UW IMAP's quoting), or "
            + "maildir (a Maildir++ tree Dovecot reads with UIDs, flags and keywords; PATH must be new or empty)")
    @Completion(value = org.apache.karaf.shell.support.completers.StringsCompleter.class,
            values = {"mbox", "mboxrd", "mboxo", "maildir"})
    String format = "mbox";

    @Option(name = "-f", aliases = "--force", description = "Overwrite existing files")
    boolean force;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        String fmt = format.toLowerCase(Locale.ROOT);
        MboxFormat f = switch (fmt) {
            case "mbox", "mboxrd", "maildir" -> MboxFormat.MBOXRD;
            case "mboxo" -> MboxFormat.MBOXO;
            default -> throw new IllegalArgumentException("unsupported format " + format
                    + " (mbox, mboxrd, mboxo, maildir)");
        };
        Path p = Tools.path(session, path);
        Map<String, Map.Entry<Path, Integer>> done;
        try (StoreSession s = open(user)) {
            if (fmt.equals("maildir")) {
                if (mailbox != null) {
                    throw new IllegalArgumentException("--format maildir exports every mailbox; leave out --mailbox");
                }
                done = MaildirExport.export(s, p);
            } else {
                done = Migration.exportPath(s, p, mailbox, f, force);
            }
        }
        Table t = new Table("nothing exported");
        t.column("Mailbox");
        t.right("Messages");
        t.column("File");
        done.forEach((name, e) -> t.row(name, e.getValue(), e.getKey()));
        t.print(System.out, noFormat);
        return null;
    }
}
