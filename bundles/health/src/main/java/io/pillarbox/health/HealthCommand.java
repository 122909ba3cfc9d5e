package io.pillarbox.health;

import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.ResultLog;
import org.apache.felix.hc.api.execution.HealthCheckExecutionResult;
import org.apache.felix.hc.api.execution.HealthCheckExecutor;
import org.apache.felix.hc.api.execution.HealthCheckSelector;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Runs the health checks tagged {@code pillarbox} and prints one line per finding; fails (exit status 1 from
 * {@code bin/client -b}) when any check is not OK, so that monitoring scripts can call it. Felix's own
 * {@code hc:exec pillarbox} shows the same in an interactive shell. It takes {@code -h} for help like the shell
 * bundle's {@code mail:} commands; having no required argument, it needs no parser for that (see the shell bundle's
 * HelpShortcut), only an option.
 */
@Command(scope = "mail", name = "health", description = "Runs the Pillarbox health checks (tag pillarbox: listeners "
        + "bound, mail store writable with free space, realms answering) and fails unless all are OK.")
@Service
public class HealthCommand implements Action {

    @Reference(optional = true)
    HealthCheckExecutor executor;

    @Reference
    Session session;

    @Option(name = "-h", description = "The same as --help")
    boolean help;

    @Option(name = "-v", aliases = "--verbose", description = "Also the details of checks that are OK")
    boolean verbose;

    @Option(name = "--no-format", description = "Plain tab-separated output for scripts: check, status, message")
    boolean noFormat;

    @Override
    public Object execute() throws Exception {
        if (help) {
            return session.execute("mail:health --help");
        }
        if (executor == null) {
            throw new IllegalStateException("Felix Health Checks are not running (feature:install pillarbox-health)");
        }
        List<HealthCheckExecutionResult> results = new ArrayList<>(executor.execute(
                HealthCheckSelector.tags("pillarbox")));
        results.sort(Comparator.comparing(r -> r.getHealthCheckMetadata().getName()));
        if (results.isEmpty()) {
            throw new IllegalStateException("no health check tagged pillarbox is registered");
        }
        int bad = 0;
        for (HealthCheckExecutionResult r : results) {
            Result result = r.getHealthCheckResult();
            String name = r.getHealthCheckMetadata().getName();
            if (!result.isOk()) {
                bad++;
            }
            System.out.println(noFormat ? name + "\t" + result.getStatus() : result.getStatus() + "  " + name);
            for (ResultLog.Entry e : result) {
                boolean detail = e.getStatus() == Result.Status.OK;
                if (e.isDebug() || (detail && !verbose)) {
                    continue;
                }
                System.out.println(noFormat ? name + "\t" + e.getStatus() + "\t" + e.getMessage()
                        : "    " + e.getStatus() + " " + e.getMessage());
            }
        }
        if (bad > 0) {
            throw new IllegalStateException(bad + " of " + results.size() + " Pillarbox health check(s) not OK");
        }
        return null;
    }
}
