package io.pillarbox.shell;

import io.pillarbox.api.server.ListenerInfo;
import io.pillarbox.api.server.ListenerRegistry;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Parsing;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.Comparator;
import java.util.Locale;

@Parsing(HelpShortcut.class)
@Command(scope = "mail", name = "listeners", description = "Lists the configured listeners (etc/io.pillarbox.listener-*.cfg): "
        + "protocol, address, TLS mode, whether bound or what prevents it, open connections.")
@Service
public class ListenersCommand implements Action {

    @Reference(optional = true)
    ListenerRegistry registry;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts")
    boolean noFormat;

    @Override
    public Object execute() {
        Table t = new Table("no listeners configured");
        t.column("Name");
        t.column("Protocol");
        t.column("Address");
        t.column("TLS");
        t.column("Bound");
        t.column("Status");
        t.right("Connections");
        ListenerRegistry r = Tools.need(registry, "The transport", "pillarbox-transport");
        r.listeners().stream().sorted(Comparator.comparing(ListenerInfo::name)).forEach(l ->
                t.row(l.name(), l.protocol(), l.host() + ":" + l.port(),
                        l.tls() == null ? "" : l.tls().name().toLowerCase(Locale.ROOT), l.bound() ? "yes" : "no",
                        Tools.text(l.status()), l.connections()));
        t.print(System.out, noFormat);
        return null;
    }
}
