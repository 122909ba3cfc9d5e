package io.pillarbox.shell;

import io.pillarbox.api.server.SessionInfo;
import io.pillarbox.api.server.SessionRegistry;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "sessions", description = "Lists open connections on every listener: id, protocol, "
        + "user, remote address, since, state, TLS, bytes in and out.")
@Service
public class SessionsCommand implements Action {

    @Reference(optional = true)
    SessionRegistry registry;

    @Option(name = "-u", aliases = "--user", description = "Only the sessions of this user")
    @org.apache.karaf.shell.api.action.Completion(UserCompleter.class)
    String user;

    @Option(name = "-p", aliases = "--protocol", description = "Only sessions of this protocol (imap, pop3, smtp, ...)")
    String protocol;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        List<SessionInfo> list = Tools.need(registry, "The transport", "pillarbox-transport").sessions().stream()
                .filter(s -> user == null || user.equals(s.user()))
                .filter(s -> protocol == null || protocol.equalsIgnoreCase(s.protocol()))
                .sorted(Comparator.comparing(SessionInfo::since, Comparator.nullsFirst(Comparator.naturalOrder()))
                        .thenComparing(SessionInfo::id))
                .toList();
        Table t = new Table("no sessions");
        t.column("ID");
        t.column("Protocol");
        t.column("Listener");
        t.column("User");
        t.column("Remote");
        t.column("Since");
        t.column("State");
        t.column("TLS");
        t.right("In");
        t.right("Out");
        for (SessionInfo s : list) {
            t.row(s.id(), s.protocol(), s.listener(), s.user() == null ? "-" : s.user(),
                    s.remoteAddress() == null ? "" : s.remoteAddress().getHostString() + ":"
                            + s.remoteAddress().getPort(),
                    s.since() == null ? "" : s.since().truncatedTo(ChronoUnit.SECONDS).toString(),
                    Tools.text(s.state()), s.secure() ? "yes" : "no", s.bytesIn(), s.bytesOut());
        }
        t.print(System.out, noFormat);
        return null;
    }
}
