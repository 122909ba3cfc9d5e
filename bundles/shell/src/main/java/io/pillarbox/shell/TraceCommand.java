package io.pillarbox.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "trace", description = "Writes the protocol conversation of a user's sessions to the "
        + "log (data/log/karaf.log), passwords masked: switches the user in the traceUsers setting of each protocol "
        + "(IMAP, POP3, POP2, SMTP and LMTP: loggers io.pillarbox.<protocol>.trace; LMTP shares SMTP's setting and "
        + "logger). Without on|off: shows who is traced.")
@Service
public class TraceCommand implements Action {

    /** Protocols whose configuration has a traceUsers list, with their PID and logger. */
    static final Map<String, String[]> TRACEABLE = Map.of(
            "imap", new String[]{"io.pillarbox.imap", "io.pillarbox.imap.trace"},
            "pop3", new String[]{"io.pillarbox.pop3", "io.pillarbox.pop3.trace"},
            "pop2", new String[]{"io.pillarbox.pop2", "io.pillarbox.pop2.trace"},
            "smtp", new String[]{"io.pillarbox.smtp", "io.pillarbox.smtp.trace"});

    @Reference
    ConfigurationAdmin cm;

    @Argument(index = 0, name = "user", description = "User name, or * for every session")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "on|off", description = "Switch the trace on or off")
    @Completion(value = StringsCompleter.class, values = {"on", "off"})
    String state;

    @Override
    public Object execute() throws Exception {
        if (state != null && !state.equalsIgnoreCase("on") && !state.equalsIgnoreCase("off")) {
            throw new IllegalArgumentException("on or off, not " + state);
        }
        for (Map.Entry<String, String[]> e : new java.util.TreeMap<>(TRACEABLE).entrySet()) {
            String pid = e.getValue()[0];
            Configuration c = existing(pid);
            Dictionary<String, Object> p = c == null || c.getProperties() == null ? new Hashtable<>() : c.getProperties();
            List<String> users = Tools.words(p.get("traceUsers"));
            if (user == null || state == null) {
                String who = users.isEmpty() ? "nobody" : String.join(", ", users);
                System.out.println(e.getKey() + ": " + (user == null ? who : user + " is "
                        + (users.contains(user.toLowerCase(Locale.ROOT)) ? "traced" : "not traced"))
                        + " (logger " + e.getValue()[1] + ")");
                continue;
            }
            String u = user.toLowerCase(Locale.ROOT);
            List<String> next = new ArrayList<>(users);
            boolean on = state.equalsIgnoreCase("on");
            if (on && !next.contains(u)) {
                next.add(u);
            } else if (!on) {
                next.remove(u);
            }
            if (!next.equals(users)) {
                if (c == null) {
                    c = cm.getConfiguration(pid, "?");
                }
                p.put("traceUsers", next.toArray(new String[0]));
                c.update(p);
            }
            System.out.println(e.getKey() + ": trace of " + user + " " + (on ? "on" : "off") + " (logger "
                    + e.getValue()[1] + ")");
        }
        return null;
    }

    private Configuration existing(String pid) throws Exception {
        Configuration[] c = cm.listConfigurations("(service.pid=" + pid + ")");
        return c == null || c.length == 0 ? null : c[0];
    }
}
