package io.pillarbox.store.memory;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.MailStore;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A complete in-memory {@link MailStore} for tests and demos: same semantics as a disk store (UIDs, MODSEQ, events,
 * naming rules), but everything is gone when the component is deactivated.
 */
@Component(service = MailStore.class, configurationPid = MemoryMailStore.PID,
        property = MailStore.PROPERTY_NAME + "=" + MemoryMailStore.NAME)
@Designate(ocd = MemoryMailStore.Config.class)
public final class MemoryMailStore implements MailStore {

    public static final String PID = "io.pillarbox.store.memory";
    public static final String NAME = "memory";

    private static final Logger LOG = LoggerFactory.getLogger(MemoryMailStore.class);

    @ObjectClassDefinition(name = "Pillarbox in-memory mail store",
            description = "Keeps all mail in memory: for tests and demos; lost when the bundle stops.")
    public @interface Config {
        @AttributeDefinition(name = "Service ranking",
                description = "Ranking of this store's service among stores (higher wins).")
        int service_ranking() default 0;

        @AttributeDefinition(name = "Maximum message size",
                description = "Largest message accepted, in octets; 0 for no limit.")
        long maxMessageSize() default 0;
    }

    private final MemoryData data;
    private final Set<MemorySession> sessions = ConcurrentHashMap.newKeySet();
    private volatile long maxMessageSize;

    /** For DS: a store with fresh, empty data. */
    public MemoryMailStore() {
        this(new MemoryData());
    }

    /** A store over existing data (what a restart keeps). */
    public MemoryMailStore(MemoryData data) {
        this.data = data;
    }

    @Activate
    @Modified
    void activate(Config config) {
        maxMessageSize = Math.max(0, config.maxMessageSize());
        LOG.info("in-memory mail store active (max message size {})",
                maxMessageSize == 0 ? "unlimited" : maxMessageSize);
    }

    @Deactivate
    void deactivate() {
        for (MemorySession s : Set.copyOf(sessions)) {
            s.close();
        }
    }

    /** Sets the largest message accepted (0: no limit). */
    public void setMaxMessageSize(long octets) {
        maxMessageSize = Math.max(0, octets);
    }

    long maxMessageSize() {
        return maxMessageSize;
    }

    /** The data this store holds, to hand to a new instance. */
    public MemoryData data() {
        return data;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StoreSession open(MailPrincipal principal) throws StoreException {
        if (principal == null) {
            throw new StoreException(StoreException.Reason.NOT_ALLOWED, "no principal");
        }
        MemorySession s = new MemorySession(this, principal, data.user(principal.user()));
        sessions.add(s);
        return s;
    }

    void closed(MemorySession s) {
        sessions.remove(s);
    }

    Set<MemorySession> sessions() {
        return Collections.unmodifiableSet(sessions);
    }
}
