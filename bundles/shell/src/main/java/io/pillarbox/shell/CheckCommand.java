package io.pillarbox.shell;

import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "check", description = "Verifies a user's mail: the store's own check below the API "
        + "where the store offers one (index against files; --repair fixes what it can), then through the API: "
        + "UIDVALIDITY, UIDs ascending and below UIDNEXT, every message readable with the size the index gives, "
        + "structure available. Reads every message.")
@Service
public class CheckCommand extends StoreCommand {

    @Argument(index = 0, name = "user", required = true, description = "User name")
    @Completion(UserCompleter.class)
    String user;

    @Option(name = "-m", aliases = "--mailbox", description = "Only this mailbox")
    @Completion(MailboxCompleter.class)
    String mailbox;

    @Option(name = "--repair", description = "Let the store repair what its own check finds (stores that offer "
            + "maintenance only)")
    boolean repair;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @org.apache.karaf.shell.api.action.lifecycle.Reference
    org.osgi.framework.BundleContext bundleContext;

    @Override
    public Object execute() throws Exception {
        io.pillarbox.api.auth.MailPrincipal principal = Tools.principal(authenticator, user);
        List<String> names = Tools.need(stores, "The store routing", "pillarbox-core").names();
        String storeName = principal.store() != null ? principal.store() : names.isEmpty() ? null : names.get(0);
        io.pillarbox.api.store.StoreMaintenance maintenance = StoreCheck.maintenance(bundleContext, storeName);
        int unrepaired = 0;
        if (maintenance == null) {
            if (repair) {
                throw new IllegalStateException("store " + storeName + " offers no maintenance service: nothing "
                        + "can be repaired (mail:check without --repair still checks through the store API)");
            }
            System.out.println("Store " + storeName + " offers no check of its own; checking through the store API");
        } else {
            List<io.pillarbox.api.store.StoreMaintenance.Finding> findings = maintenance.check(principal, repair);
            for (io.pillarbox.api.store.StoreMaintenance.Finding f : findings) {
                System.out.println((f.mailbox() == null ? "" : f.mailbox() + ": ") + f.problem()
                        + (f.repaired() ? " (repaired)" : ""));
                unrepaired += f.repaired() ? 0 : 1;
            }
            System.out.println("Store " + storeName + ": " + findings.size() + " finding(s)"
                    + (repair ? ", " + (findings.size() - unrepaired) + " repaired" : ""));
        }
        List<StoreCheck.Result> results;
        try (StoreSession s = stores.open(principal, () -> {
        })) {
            results = StoreCheck.checkAll(s, mailbox);
        }
        Table t = new Table("no mailboxes");
        t.column("Mailbox");
        t.right("Messages");
        t.right("Octets");
        t.column("Result");
        int bad = 0;
        for (StoreCheck.Result r : results) {
            t.row(r.mailbox(), r.messages(), r.octets(), r.problems().isEmpty() ? "ok"
                    : r.problems().size() + " problem(s)");
            bad += r.problems().size();
        }
        t.print(System.out, noFormat);
        for (StoreCheck.Result r : results) {
            for (String p : r.problems()) {
                System.out.println(r.mailbox() + ": " + p);
            }
        }
        if (bad + unrepaired > 0) {
            throw new IllegalStateException((bad + unrepaired) + " problem(s) in the store of " + user);
        }
        return null;
    }
}
