package io.pillarbox.shell;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.List;

/** Completes the local domains. */
@Service
public class DomainCompleter implements Completer {

    @Reference(optional = true)
    ConfigurationAdmin cm;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        List<String> domains = List.of();
        try {
            if (cm != null) {
                domains = DeliverySettings.domains(cm);
            }
        } catch (Exception e) {
            // nothing to offer
        }
        return new StringsCompleter(domains).complete(session, commandLine, candidates);
    }
}
