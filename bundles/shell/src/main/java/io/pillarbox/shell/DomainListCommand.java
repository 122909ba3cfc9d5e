package io.pillarbox.shell;

import io.pillarbox.api.auth.WritableRealm;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.List;
import java.util.Map;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "domain-list", description = "Lists the local domains (the first is the primary one) "
        + "with the users of writable realms and the aliases in each.")
@Service
public class DomainListCommand implements Action {

    @Reference
    ConfigurationAdmin cm;

    @Reference(optional = true)
    List<WritableRealm> realms;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        List<String> domains = DeliverySettings.domains(cm);
        Map<String, List<String>> aliases = AliasFile.read(DeliverySettings.aliasesFile(cm)).table();
        Table t = new Table("no local domain: no mail is accepted for local delivery");
        t.column("Domain");
        t.column("Primary");
        t.right("Users");
        t.right("Aliases");
        for (String d : domains) {
            long users = 0;
            if (realms != null) {
                for (WritableRealm r : realms) {
                    try {
                        users += r.users().stream().filter(u -> d.equals(AliasFile.domain(u))).count();
                    } catch (Exception e) {
                        // a realm that cannot list now counts nothing
                    }
                }
            }
            long n = aliases.keySet().stream().filter(a -> d.equals(AliasFile.domain(a))).count();
            t.row(d, d.equals(domains.get(0)) ? "yes" : "", users, n);
        }
        t.print(System.out, noFormat);
        return null;
    }

}
