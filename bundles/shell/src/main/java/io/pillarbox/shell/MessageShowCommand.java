package io.pillarbox.shell;

import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.io.InputStream;
import java.io.PrintStream;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "message-show", description = "Prints one stored message as it is (header and body, "
        + "line ends as stored), without changing its flags.")
@Service
public class MessageShowCommand extends StoreCommand {

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "mailbox", required = true, description = "Mailbox name")
    @Completion(MailboxCompleter.class)
    String mailbox;

    @Argument(index = 2, name = "uid", required = true, description = "The message's UID (see mail:messages)")
    long uid;

    @Option(name = "--header", description = "Only the header")
    boolean headerOnly;

    @Override
    public Object execute() throws Exception {
        PrintStream out = System.out;
        try (StoreSession s = open(user); Mailbox m = s.open(mailbox, true); InputStream in = m.content(uid).open()) {
            byte[] buf = new byte[8192];
            int n;
            int state = 0; // counts the line ends of a blank line: CR LF CR LF or LF LF
            outer:
            while ((n = in.read(buf)) > 0) {
                if (!headerOnly) {
                    out.write(buf, 0, n);
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    out.write(b);
                    if (b == '\n') {
                        if (state == 1) {
                            break outer;
                        }
                        state = 1;
                    } else if (b != '\r') {
                        state = 0;
                    }
                }
            }
            out.flush();
        } catch (io.pillarbox.api.store.StoreException e) {
            if (e.reason() == io.pillarbox.api.store.StoreException.Reason.NONEXISTENT) {
                throw new IllegalArgumentException("no message with UID " + uid + " in " + mailbox + " of " + user);
            }
            throw e;
        }
        return null;
    }

}
