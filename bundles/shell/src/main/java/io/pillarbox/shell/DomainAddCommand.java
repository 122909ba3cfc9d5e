package io.pillarbox.shell;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.service.cm.ConfigurationAdmin;

import java.util.ArrayList;
import java.util.List;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "domain-add", description = "Makes a domain local: mail to it is delivered here "
        + "(localDomains in etc/io.pillarbox.delivery.cfg; applies at once).")
@Service
public class DomainAddCommand implements Action {

    @Reference
    ConfigurationAdmin cm;

    @Argument(index = 0, name = "domain", required = true, description = "Domain name, e.g. example.org")
    String domain;

    @Option(name = "--primary", description = "Make it the primary (first) domain, used for bare user names")
    boolean primary;

    @Override
    public Object execute() throws Exception {
        String d = DeliverySettings.normalize(domain);
        List<String> domains = new ArrayList<>(DeliverySettings.domains(cm));
        boolean had = domains.remove(d);
        if (had && !primary) {
            System.out.println("Domain " + d + " is already local");
            return null;
        }
        if (primary) {
            domains.add(0, d);
        } else {
            domains.add(d);
        }
        DeliverySettings.setDomains(cm, domains);
        System.out.println((had ? "Domain " + d + " is now primary" : "Domain " + d + " added")
                + "; local domains: " + String.join(", ", domains));
        return null;
    }
}
