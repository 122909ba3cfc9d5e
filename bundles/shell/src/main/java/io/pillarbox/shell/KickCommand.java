package io.pillarbox.shell;

import io.pillarbox.api.server.SessionRegistry;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "kick", description = "Ends a session (by its id from mail:sessions) or every session "
        + "of a user; the protocol says goodbye (* BYE, -ERR, 421) before the connection closes.")
@Service
public class KickCommand implements Action {

    @Reference(optional = true)
    SessionRegistry registry;

    @Argument(index = 0, name = "id|user", required = true, description = "A session id or a user name")
    @Completion(SessionCompleter.class)
    String target;

    @Option(name = "-r", aliases = "--reason", description = "What the client is told (default: Kicked by administrator)")
    String reason = "Kicked by administrator";

    @Override
    public Object execute() {
        if (Tools.need(registry, "The transport", "pillarbox-transport").find(target).isPresent()) {
            registry.kick(target, reason);
            System.out.println("Session " + target + " kicked");
            return null;
        }
        int n = registry.kickUser(target, reason);
        if (n == 0) {
            throw new IllegalArgumentException("no session with id " + target + " and no session of user " + target);
        }
        System.out.println(n + " session(s) of " + target + " kicked");
        return null;
    }
}
