package io.pillarbox.shell;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.LoginHistory;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.server.SessionRegistry;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "user-show", description = "Shows what the realms say of a user (realm, mail location, "
        + "store, attributes such as quota rules), their mailboxes' totals, quota usage, open sessions and last login "
        + "(time, protocol, client address).")
@Service
public class UserShowCommand implements Action {

    @Reference(optional = true)
    Authenticator authenticator;

    @Reference(optional = true)
    MailStores stores;

    @Reference(optional = true)
    SessionRegistry sessions;

    @Reference(optional = true)
    LoginHistory history;

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        MailPrincipal p = Tools.principal(authenticator, user);
        List<String> storeNames = Tools.need(stores, "The store routing", "pillarbox-core").names();
        Map<String, String> rows = new java.util.LinkedHashMap<>();
        rows.put("user", p.user());
        rows.put("realm", p.realm());
        rows.put("domain", p.domain() == null ? "-" : p.domain());
        rows.put("mail location", p.mailLocation() == null ? "(store default)" : p.mailLocation());
        rows.put("store", p.store() != null ? p.store()
                : (storeNames.isEmpty() ? "(none available)" : storeNames.get(0) + " (default)"));
        for (Map.Entry<String, String> a : new TreeMap<>(p.attributes()).entrySet()) {
            rows.put(a.getKey(), a.getValue());
        }
        try (StoreSession s = stores.open(p, () -> {
        })) {
            long messages = 0;
            long unseen = 0;
            long size = 0;
            List<MailboxOps.Row> list = MailboxOps.list(s);
            for (MailboxOps.Row r : list) {
                if (r.status() != null) {
                    messages += r.status().messages();
                    unseen += r.status().unseen();
                    size += r.status().size();
                }
            }
            rows.put("mailboxes", String.valueOf(list.size()));
            rows.put("messages", messages + " (" + unseen + " unseen)");
            rows.put("size", size + " (" + MailboxOps.size(size) + ")");
            rows.put("quota", quota(s.quota()));
        } catch (Exception e) {
            rows.put("store error", String.valueOf(e.getMessage()));
        }
        if (sessions != null) {
            rows.put("sessions", String.valueOf(sessions.sessions().stream().filter(x -> p.user().equals(x.user()))
                    .count()));
        }
        rows.put("last login", lastLogin(history, p.user()));
        Table t = new Table(null).noHeaders();
        t.column("Property");
        t.column("Value");
        rows.forEach((k, v) -> t.row(k, v));
        t.print(System.out, noFormat);
        return null;
    }

    /** {@code 12.0 MB of 1.0 GB (1%), 30 of 1000 messages (3%)}, {@code none}, or {@code unknown}. */
    static String quota(io.pillarbox.api.store.Quota q) {
        if (q == null) {
            return "unknown (the store routing keeps none)";
        }
        if (!q.limited()) {
            return "none";
        }
        List<String> parts = new java.util.ArrayList<>();
        if (q.storageLimit() != io.pillarbox.api.store.Quota.UNLIMITED) {
            parts.add(MailboxOps.size(q.storage()) + " of " + MailboxOps.size(q.storageLimit()) + " ("
                    + percent(q.storage(), q.storageLimit()) + ")");
        }
        if (q.messageLimit() != io.pillarbox.api.store.Quota.UNLIMITED) {
            parts.add(q.messages() + " of " + q.messageLimit() + " messages ("
                    + percent(q.messages(), q.messageLimit()) + ")");
        }
        return String.join(", ", parts);
    }

    private static String percent(long used, long limit) {
        return limit == 0 ? "full" : (used * 100 / limit) + "%";
    }

    /** {@code <time> via <protocol> from <remote>}, or {@code never (since <time>)}. */
    static String lastLogin(LoginHistory history, String user) {
        if (history == null) {
            return "unknown (the login history is not running: feature:install pillarbox-core)";
        }
        return history.lastLogin(user)
                .map(l -> Durations.time(l.time()) + " via " + l.protocol()
                        + (l.remote() == null ? "" : " from " + l.remote()))
                .orElseGet(() -> "never" + history.since().map(s -> " (since " + Durations.time(s) + ")")
                        .orElse(""));
    }
}
