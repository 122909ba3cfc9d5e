package io.pillarbox.store.maildir;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.MailStore;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreMaintenance;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * {@code mail:check USER [--repair]} for the Maildir store (the counterpart of UW IMAP's {@code mboxtest} and
 * Dovecot's {@code doveadm force-resync}): registered beside {@link MaildirStore} with the same
 * {@code pillarbox.store=maildir} property and the same configuration (PID {@value MaildirStore#PID}), so it looks at
 * the Maildirs the store serves. See {@link MaildirCheck} for what is checked and repaired.
 */
@Component(service = StoreMaintenance.class, configurationPid = MaildirStore.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = MailStore.PROPERTY_NAME + "=" + MaildirStore.NAME)
public final class MaildirMaintenance implements StoreMaintenance {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirMaintenance.class);

    private volatile MaildirStore store = new MaildirStore(MaildirStore.DEFAULT_LOCATION, true);
    private volatile boolean fsync = true;
    private final LongSupplier clock;

    /** For DS. */
    public MaildirMaintenance() {
        this.clock = System::currentTimeMillis;
    }

    /** Outside OSGi (tests, tools): checks the Maildirs of {@code store}. */
    public MaildirMaintenance(String mailLocationTemplate, boolean fsync) {
        this(mailLocationTemplate, fsync, System::currentTimeMillis);
    }

    /** With a clock (epoch milliseconds) for the ages of leftovers and locks. */
    MaildirMaintenance(String mailLocationTemplate, boolean fsync, LongSupplier clock) {
        this.store = new MaildirStore(mailLocationTemplate, fsync);
        this.fsync = fsync;
        this.clock = clock;
    }

    @Activate
    @Modified
    void activate(MaildirStore.Config config) {
        this.store = new MaildirStore(config.mailLocation(), config.fsync());
        this.fsync = config.fsync();
    }

    @Override
    public List<Finding> check(MailPrincipal principal, boolean repair) throws StoreException {
        java.nio.file.Path root = store.location(principal);
        List<Finding> findings = new MaildirCheck(root, fsync, clock).check(repair);
        if (!findings.isEmpty()) {
            LOG.info("{} of {} ({}): {} finding(s){}", repair ? "Repair" : "Check", principal.user(), root,
                    findings.size(), repair ? ", " + findings.stream().filter(Finding::repaired).count()
                            + " repaired" : "");
            for (Finding f : findings) {
                LOG.info("  {}: {}{}", f.mailbox(), f.problem(), f.repaired() ? " (repaired)" : "");
            }
        }
        return findings;
    }
}
