package io.pillarbox.shell;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.List;
import java.util.Set;

/** Completes the names in the aliases file. */
@Service
public class AliasCompleter implements Completer {

    @Reference(optional = true)
    ConfigurationAdmin cm;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        Set<String> names = Set.of();
        try {
            if (cm != null) {
                names = AliasFile.read(DeliverySettings.aliasesFile(cm)).table().keySet();
            }
        } catch (Exception e) {
            // nothing to offer
        }
        return new StringsCompleter(names).complete(session, commandLine, candidates);
    }
}
