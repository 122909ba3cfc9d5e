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
@Command(scope = "mail", name = "domain-del", description = "Stops treating a domain as local: mail to it is refused "
        + "from then on. Users, their mail and aliases in that domain are kept.")
@Service
public class DomainDelCommand implements Action {

    @Reference
    ConfigurationAdmin cm;

    @Argument(index = 0, name = "domain", required = true, description = "Domain name")
    @Completion(DomainCompleter.class)
    String domain;

    @Override
    public Object execute() throws Exception {
        String d = DeliverySettings.normalize(domain);
        List<String> domains = new ArrayList<>(DeliverySettings.domains(cm));
        if (!domains.remove(d)) {
            throw new IllegalArgumentException("domain " + d + " is not local; local domains: " + domains);
        }
        DeliverySettings.setDomains(cm, domains);
        System.out.println("Domain " + d + " removed; local domains: "
                + (domains.isEmpty() ? "none (no mail is accepted for local delivery)" : String.join(", ", domains)));
        return null;
    }
}
