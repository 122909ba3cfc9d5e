package io.pillarbox.shell;

import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.server.ListenerInfo;
import io.pillarbox.api.server.ListenerRegistry;
import io.pillarbox.api.server.SessionInfo;
import io.pillarbox.api.server.SessionRegistry;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "stats", description = "Per protocol, now: listeners (bound/configured), open "
        + "sessions, logged-in sessions, sessions under TLS, bytes in and out of the open sessions; and counters "
        + "since start: logins ok/failed, connections accepted/rejected, commands, messages received, delivered, "
        + "sent, bounced and retrieved (from the pillarbox-metrics feature). --latency: per protocol and command, "
        + "how many were served and how long they took (mean, p50, p95, p99, max). With --no-format one line per "
        + "protocol: the 8 'now' columns, then the 10 counters in the order shown.")
@Service
public class StatsCommand implements Action {

    @Reference(optional = true)
    SessionRegistry sessions;

    @Reference(optional = true)
    ListenerRegistry listeners;

    @Reference(optional = true)
    MailMetrics metrics;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Option(name = "-l", aliases = "--latency", description = "Command latencies per protocol and command instead: "
            + "count, mean, p50, p95, p99, max (--no-format: count, mean ms, p50/p95/p99/max in µs)")
    boolean latency;

    @Option(name = "-p", aliases = "--protocol", description = "Only this protocol (imap, pop3, smtp, lmtp, ...)")
    String protocol;

    /** The counters since start, in the order of the columns. */
    static final List<String> COUNTERS = List.of(MailMetrics.LOGINS_OK, MailMetrics.LOGINS_FAILED,
            MailMetrics.CONNECTIONS, MailMetrics.CONNECTIONS_REJECTED, MailMetrics.COMMANDS,
            MailMetrics.MESSAGES_RECEIVED, MailMetrics.MESSAGES_DELIVERED, MailMetrics.MESSAGES_SENT,
            MailMetrics.MESSAGES_BOUNCED, MailMetrics.MESSAGES_RETRIEVED);
    static final List<String> COUNTER_HEADERS = List.of("Logins ok", "Logins failed", "Connections", "Rejected",
            "Commands", "Received", "Delivered", "Sent", "Bounced", "Retrieved");

    static final String NO_METRICS = "Counters since start need the metrics service (feature:install "
            + "pillarbox-metrics)";

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
        if (latency) {
            printLatency(Tools.need(metrics, "The metrics service", "pillarbox-metrics").snapshot(), protocol,
                    System.out, noFormat);
            return null;
        }
        Map<String, Row> rows = count(Tools.need(listeners, "The transport", "pillarbox-transport"),
                Tools.need(sessions, "The transport", "pillarbox-transport"));
        MailMetrics.Snapshot snapshot = metrics == null ? null : metrics.snapshot();
        print(rows, snapshot, protocol, System.out, noFormat);
        if (snapshot == null) {
            System.err.println(NO_METRICS);
        }
        return null;
    }

    /** Prints the 'now' table and, when there are counters, the 'since start' table (one combined line for scripts). */
    static void print(Map<String, Row> rows, MailMetrics.Snapshot snapshot, String only, PrintStream out,
                      boolean noFormat) {
        TreeSet<String> protocols = new TreeSet<>(rows.keySet());
        if (snapshot != null) {
            protocols.addAll(snapshot.counters().keySet());
        }
        if (only != null) {
            protocols.retainAll(List.of(only));
        }
        Table now = new Table("no listeners and no sessions");
        now.column("Protocol");
        now.right("Listeners");
        now.right("Bound");
        now.right("Sessions");
        now.right("Logged in");
        now.right("TLS");
        now.right("Bytes in");
        now.right("Bytes out");
        if (noFormat) {
            COUNTER_HEADERS.forEach(now::right);
        }
        Table since = new Table("nothing counted yet");
        since.column("Protocol");
        COUNTER_HEADERS.forEach(since::right);
        for (String p : protocols) {
            Row r = rows.getOrDefault(p, new Row());
            Object[] cells = {p, r.listeners, r.bound, r.open, r.loggedIn, r.tls, r.in, r.out};
            if (noFormat) {
                Object[] all = new Object[cells.length + COUNTERS.size()];
                System.arraycopy(cells, 0, all, 0, cells.length);
                for (int i = 0; i < COUNTERS.size(); i++) {
                    all[cells.length + i] = snapshot == null ? "" : snapshot.counter(p, COUNTERS.get(i));
                }
                now.row(all);
                continue;
            }
            if (rows.containsKey(p)) {
                now.row(cells);
            }
            if (snapshot != null) {
                Object[] c = new Object[1 + COUNTERS.size()];
                c[0] = p;
                for (int i = 0; i < COUNTERS.size(); i++) {
                    c[1 + i] = snapshot.counter(p, COUNTERS.get(i));
                }
                since.row(c);
            }
        }
        now.print(out, noFormat);
        if (!noFormat && snapshot != null) {
            out.println();
            out.println("Since " + Durations.time(snapshot.since()) + " (" + Durations.age(snapshot.since()) + "):");
            since.print(out, false);
        }
    }

    static void printLatency(MailMetrics.Snapshot snapshot, String only, PrintStream out, boolean noFormat) {
        Table t = new Table("no command timed yet");
        t.column("Protocol");
        t.column("Command");
        t.right("Count");
        t.right(noFormat ? "Mean ms" : "Mean");
        t.right("p50");
        t.right("p95");
        t.right("p99");
        t.right("Max");
        new TreeMap<>(snapshot.latencies()).forEach((p, commands) -> {
            if (only != null && !only.equals(p)) {
                return;
            }
            new TreeMap<>(commands).forEach((c, l) -> {
                long max = l.maxNanos() / 1000;
                if (noFormat) {
                    t.row(p, c, l.count(), String.format(java.util.Locale.ROOT, "%.3f", l.meanMillis()),
                            l.quantileMicros(0.50), l.quantileMicros(0.95), l.quantileMicros(0.99), max);
                } else {
                    t.row(p, c, l.count(), Durations.micros(Math.round(l.meanMillis() * 1000)),
                            Durations.micros(l.quantileMicros(0.50)), Durations.micros(l.quantileMicros(0.95)),
                            Durations.micros(l.quantileMicros(0.99)), Durations.micros(max));
                }
            });
        });
        t.print(out, noFormat);
        if (!noFormat) {
            out.println("Since " + Durations.time(snapshot.since()) + ". Percentiles are the upper bounds of "
                    + "histogram buckets (100us, 250us, 500us, 1ms, 2.5ms ... 10s).");
        }
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
