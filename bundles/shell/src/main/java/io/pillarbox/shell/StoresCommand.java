package io.pillarbox.shell;

import io.pillarbox.api.store.MailStore;
import io.pillarbox.api.store.MailStores;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import java.util.ArrayList;
import java.util.List;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "stores", description = "Lists the mail stores; the default one serves users whose "
        + "realm names no store (etc/io.pillarbox.stores.cfg).")
@Service
public class StoresCommand implements Action {

    @Reference
    BundleContext bundleContext;

    @Reference(optional = true)
    MailStores stores;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        List<String> names = Tools.need(stores, "The store routing", "pillarbox-core").names();
        List<ServiceReference<MailStore>> refs = new ArrayList<>(bundleContext.getServiceReferences(MailStore.class, null));
        refs.sort((a, b) -> b.compareTo(a));
        Table t = new Table("no mail store installed");
        t.column("Name");
        t.column("Default");
        t.right("Ranking");
        t.column("Bundle");
        for (ServiceReference<MailStore> r : refs) {
            Object n = r.getProperty(MailStore.PROPERTY_NAME);
            String name = n == null ? "?" : n.toString();
            Object rank = r.getProperty("service.ranking");
            t.row(name, !names.isEmpty() && names.get(0).equals(name) ? "yes" : "",
                    rank instanceof Integer i ? i : 0, r.getBundle() == null ? "" : r.getBundle().getSymbolicName());
        }
        t.print(System.out, noFormat);
        return null;
    }
}
