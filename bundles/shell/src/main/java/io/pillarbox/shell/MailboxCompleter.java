package io.pillarbox.shell;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;
import java.util.TreeSet;

/** Completes the mailboxes of the user named by the command's first argument ({@code mail:expunge bob <TAB>}). */
@Service
public class MailboxCompleter implements Completer {

    @Reference(optional = true)
    Authenticator authenticator;

    @Reference(optional = true)
    MailStores stores;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        TreeSet<String> names = new TreeSet<>();
        String user = firstArgument(commandLine);
        if (user != null && authenticator != null && stores != null) {
            try (StoreSession s = Tools.open(authenticator, stores, user)) {
                for (MailboxInfo i : s.list()) {
                    names.add(i.name());
                }
            } catch (Exception e) {
                // unknown user or store down: nothing to offer
            }
        }
        return new StringsCompleter(names).complete(session, commandLine, candidates);
    }

    /** Options of the mail commands that take a value. */
    private static final java.util.Set<String> VALUE_OPTIONS = java.util.Set.of("--before", "--realm", "-m",
            "--mailbox", "--format", "-r", "--reason", "--special-use", "-u", "--user", "-p", "--protocol");

    /** The first word after the command name that is not an option, if it is complete already. */
    static String firstArgument(CommandLine commandLine) {
        String[] words = commandLine.getArguments();
        int current = commandLine.getCursorArgumentIndex();
        for (int i = 1; i < words.length && i < current; i++) {
            if (VALUE_OPTIONS.contains(words[i])) {
                i++; // skip the option's value
            } else if (!words[i].startsWith("-")) {
                return words[i];
            }
        }
        return null;
    }
}
