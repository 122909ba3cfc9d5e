package io.pillarbox.shell;

import io.pillarbox.api.auth.WritableRealm;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.BundleContext;

import java.util.Locale;
import java.util.stream.Collectors;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "realms", description = "Lists the auth realms in the order logins ask them (highest "
        + "service.ranking first), whether users can be managed from the shell, and what credentials they serve.")
@Service
public class RealmsCommand implements Action {

    @Reference
    BundleContext bundleContext;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        Table t = new Table("no realm installed: nobody can log in");
        t.right("#");
        t.column("Name");
        t.right("Ranking");
        t.column("Writable");
        t.right("Users");
        t.column("Credentials");
        t.column("Bundle");
        int n = 0;
        for (Realms.Entry e : Realms.all(bundleContext)) {
            String users = "";
            if (e.realm() instanceof WritableRealm w) {
                try {
                    users = String.valueOf(w.users().size());
                } catch (Exception ex) {
                    users = "error: " + ex.getMessage();
                }
            }
            String kinds = e.realm().credentialKinds().stream().map(k -> k.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(","));
            t.row(++n, e.name(), e.ranking(), e.writable() ? "yes" : "no", users, kinds, e.bundle());
        }
        t.print(System.out, noFormat);
        return null;
    }
}
