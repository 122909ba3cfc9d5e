package io.pillarbox.shell;

import io.pillarbox.api.auth.WritableRealm;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.BundleContext;

import java.util.List;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "user-list", description = "Lists the users of the writable realms (realms such as "
        + "LDAP or PAM cannot list theirs).")
@Service
public class UserListCommand implements Action {

    @Reference
    BundleContext bundleContext;

    @Option(name = "--realm", description = "Only this realm")
    @Completion(RealmCompleter.class)
    String realm;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        List<Realms.Entry> all = Realms.all(bundleContext);
        List<Realms.Entry> which = realm == null ? Realms.writable(all) : List.of(Realms.forNewUser(all, realm));
        Table t = new Table("no users");
        t.column("User");
        t.column("Realm");
        for (Realms.Entry e : which) {
            for (String u : ((WritableRealm) e.realm()).users()) {
                t.row(u, e.name());
            }
        }
        t.print(System.out, noFormat);
        return null;
    }
}
