package io.pillarbox.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "alias-list", description = "Lists the aliases and catch-alls of the aliases file, "
        + "optionally of one domain.")
@Service
public class AliasListCommand implements Action {

    @Reference
    ConfigurationAdmin cm;

    @Argument(index = 0, name = "domain", description = "Only aliases of this domain")
    @Completion(DomainCompleter.class)
    String domain;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        Path f = DeliverySettings.aliasesFile(cm);
        String d = domain == null ? null : DeliverySettings.normalize(domain);
        Map<String, List<String>> table = AliasFile.read(f).table();
        Table t = new Table("no aliases in " + f);
        t.column("Alias");
        t.column("Targets");
        for (Map.Entry<String, List<String>> e : table.entrySet()) {
            if (d == null || d.equals(AliasFile.domain(e.getKey()))) {
                t.row(e.getKey(), String.join(", ", e.getValue()));
            }
        }
        t.print(System.out, noFormat);
        return null;
    }
}
