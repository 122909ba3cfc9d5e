package io.pillarbox.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.List;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "alias-del", description = "Removes an alias, or only some of its targets.")
@Service
public class AliasDelCommand implements Action {

    @Reference
    ConfigurationAdmin cm;

    @Argument(index = 0, name = "alias", required = true, description = "The alias (or @domain catch-all)")
    @Completion(AliasCompleter.class)
    String alias;

    @Argument(index = 1, name = "targets", multiValued = true, description = "Only remove these targets")
    List<String> targets;

    @Override
    public Object execute() throws Exception {
        AliasFile file = AliasFile.read(DeliverySettings.aliasesFile(cm));
        if (!file.remove(alias, targets == null ? List.of() : targets)) {
            throw new IllegalArgumentException(targets == null || targets.isEmpty() ? "no alias " + alias
                    : "alias " + alias + " has none of the targets " + targets);
        }
        file.write();
        List<String> left = file.table().get(alias.toLowerCase(java.util.Locale.ROOT));
        System.out.println(left == null ? "Alias " + alias + " removed" : "Alias " + alias + ": " + String.join(", ", left));
        return null;
    }
}
