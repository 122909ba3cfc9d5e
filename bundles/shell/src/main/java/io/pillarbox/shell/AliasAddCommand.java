package io.pillarbox.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.ArrayList;
import java.util.List;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "alias-add", description = "Adds an alias (team@example.org) or a catch-all "
        + "(@example.org) delivering to users, other aliases, or addresses in other domains (forwarded through the "
        + "outbound queue with the original sender); more targets are added to an existing alias. Edits the aliases "
        + "file (etc/pillarbox.aliases), which the delivery bundle re-reads at once.")
@Service
public class AliasAddCommand implements Action {

    @Reference
    ConfigurationAdmin cm;

    @Argument(index = 0, name = "alias", required = true, description = "local@domain, or @domain for a catch-all")
    String alias;

    @Argument(index = 1, name = "targets", required = true, multiValued = true,
            description = "Users or addresses it delivers to")
    @Completion(UserCompleter.class)
    List<String> targets;

    @Override
    public Object execute() throws Exception {
        AliasFile.checkName(alias);
        List<String> clean = new ArrayList<>();
        for (String t : targets) {
            for (String part : AliasFile.targets(t)) {
                AliasFile.checkTarget(part);
                clean.add(part);
            }
        }
        String domain = AliasFile.domain(alias);
        List<String> local = DeliverySettings.domains(cm);
        if (domain != null && !local.contains(domain)) {
            throw new IllegalArgumentException("domain " + domain + " is not local (mail:domain-add " + domain
                    + " first); local domains: " + local);
        }
        AliasFile file = AliasFile.read(DeliverySettings.aliasesFile(cm));
        List<String> now = file.add(alias, clean);
        file.write();
        System.out.println("Alias " + alias + ": " + String.join(", ", now));
        return null;
    }
}
