package io.pillarbox.shell;

import io.pillarbox.api.server.ListenerInfo;
import io.pillarbox.api.server.ListenerRegistry;
import io.pillarbox.api.server.SessionInfo;
import io.pillarbox.api.server.SessionRegistry;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.Map;
import java.util.TreeMap;

@Command(scope = "mail", name = "stats", description = "Per protocol, now: listeners (bound/configured), open "
        + "sessions, logged-in sessions, sessions under TLS, and bytes in and out of the open sessions. (Counters "
        + "since start — logins, deliveries, commands — need a statistics service the API does not have yet.)")
@Service
public class StatsCommand implements Action {

    @Reference(optional = true)
    SessionRegistry sessions;

    @Reference(optional = true)
    ListenerRegistry listeners;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    /** The figures of one protocol. */
    static final class Row {
        int listeners;
        int bound;
        int open;
        int loggedIn;
        int tls;
        long in;
        long out;
    }

    @Override
    public Object execute() {
        Map<String, Row> rows = count(Tools.need(listeners, "The transport", "pillarbox-transport"),
                Tools.need(sessions, "The transport", "pillarbox-transport"));
        Table t = new Table("no listeners and no sessions");
        t.column("Protocol");
        t.right("Listeners");
        t.right("Bound");
        t.right("Sessions");
        t.right("Logged in");
        t.right("TLS");
        t.right("Bytes in");
        t.right("Bytes out");
        rows.forEach((p, r) -> t.row(p, r.listeners, r.bound, r.open, r.loggedIn, r.tls, r.in, r.out));
        t.print(System.out, noFormat);
        return null;
    }

    static Map<String, Row> count(ListenerRegistry listeners, SessionRegistry sessions) {
        Map<String, Row> rows = new TreeMap<>();
        for (ListenerInfo l : listeners.listeners()) {
            Row r = rows.computeIfAbsent(l.protocol(), k -> new Row());
            r.listeners++;
            r.bound += l.bound() ? 1 : 0;
        }
        for (SessionInfo s : sessions.sessions()) {
            Row r = rows.computeIfAbsent(s.protocol(), k -> new Row());
            r.open++;
            r.loggedIn += s.user() != null ? 1 : 0;
            r.tls += s.secure() ? 1 : 0;
            r.in += s.bytesIn();
            r.out += s.bytesOut();
        }
        return rows;
    }
}
