package io.pillarbox.core.store;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.MailStore;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Routes principals to {@link MailStore} services: the store the principal names (no fallback: that user's mail
 * lives there), else the configured default, else the highest-ranked store present. Keeps track of the sessions it
 * opened per store service, and when a store service goes away runs each of its open sessions' {@code onUnavailable}
 * exactly once. Sessions leave the tracking when the protocol closes them.
 */
@Component(service = MailStores.class, configurationPid = "io.pillarbox.stores")
@Designate(ocd = StoresConfig.class)
public class MailStoresImpl implements MailStores {

    private static final Logger LOG = LoggerFactory.getLogger(MailStoresImpl.class);

    /** One store service and the sessions opened on it. */
    static final class StoreRef {
        final MailStore store;
        volatile String name;
        volatile int ranking;
        final long serviceId;
        final Set<TrackedSession> sessions = ConcurrentHashMap.newKeySet();
        volatile boolean gone;

        StoreRef(MailStore store, String name, int ranking, long serviceId) {
            this.store = store;
            this.name = name;
            this.ranking = ranking;
            this.serviceId = serviceId;
        }
    }

    private static final Comparator<StoreRef> ORDER = Comparator.<StoreRef>comparingInt(r -> r.ranking).reversed()
            .thenComparingLong(r -> r.serviceId);

    private final Map<MailStore, StoreRef> stores = new ConcurrentHashMap<>();
    private volatile List<StoreRef> ordered = List.of();
    private volatile String defaultStore = "maildir";
    private volatile QuotaRules.Limits quotaDefaults = QuotaRules.Limits.NONE;
    private final AtomicInteger anonymousIds = new AtomicInteger();

    @Activate
    @Modified
    void configure(StoresConfig config) {
        setDefaultStore(config.defaultStore());
        setQuotaRules(config.quotaRules());
    }

    /** The server-wide quota (Dovecot quota_rule syntax); a bad rule leaves the quota as it was and is logged. */
    void setQuotaRules(String[] rules) {
        try {
            quotaDefaults = QuotaRules.defaults(rules);
            LOG.info("Default quota: {}", QuotaRules.describe(quotaDefaults));
        } catch (IllegalArgumentException e) {
            LOG.error("Configuration io.pillarbox.stores: quotaRules ignored: {}", e.getMessage());
        }
    }

    void setDefaultStore(String name) {
        defaultStore = name == null || name.isBlank() ? "maildir" : name.trim();
    }

    @Reference(service = MailStore.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindStore",
            updated = "updatedStore")
    void bindStore(MailStore store, Map<String, Object> props) {
        String name = props.get(MailStore.PROPERTY_NAME) instanceof String s && !s.isBlank() ? s : safeName(store);
        int ranking = props.get("service.ranking") instanceof Integer i ? i : 0;
        long id = props.get("service.id") instanceof Long l ? l : -anonymousIds.incrementAndGet();
        synchronized (stores) {
            stores.put(store, new StoreRef(store, name, ranking, id));
            reorder();
        }
        LOG.info("Mail store {} available; stores now {}", name, names());
    }

    /** New service properties (name, ranking): the same service, so its open sessions stay as they are. */
    void updatedStore(MailStore store, Map<String, Object> props) {
        synchronized (stores) {
            StoreRef ref = stores.get(store);
            if (ref == null) {
                bindStore(store, props);
                return;
            }
            ref.name = props.get(MailStore.PROPERTY_NAME) instanceof String s && !s.isBlank() ? s : safeName(store);
            ref.ranking = props.get("service.ranking") instanceof Integer i ? i : 0;
            reorder();
        }
    }

    void unbindStore(MailStore store) {
        StoreRef ref;
        synchronized (stores) {
            ref = stores.remove(store);
            reorder();
        }
        if (ref == null) {
            return;
        }
        List<TrackedSession> open;
        synchronized (ref) {
            ref.gone = true;
            open = new ArrayList<>(ref.sessions);
            ref.sessions.clear();
        }
        LOG.info("Mail store {} gone; telling {} open session(s); stores now {}", ref.name, open.size(), names());
        for (TrackedSession s : open) {
            s.unavailable();
        }
    }

    /** For tests and embedding without OSGi. */
    void addStore(MailStore store, String name, int ranking) {
        bindStore(store, Map.of(MailStore.PROPERTY_NAME, name, "service.ranking", ranking));
    }

    private void reorder() {
        List<StoreRef> list = new ArrayList<>(stores.values());
        list.sort(ORDER);
        ordered = List.copyOf(list);
    }

    private static String safeName(MailStore store) {
        try {
            String n = store.name();
            return n == null || n.isBlank() ? store.getClass().getSimpleName() : n;
        } catch (RuntimeException e) {
            return store.getClass().getSimpleName();
        }
    }

    @Override
    public StoreSession open(MailPrincipal principal, Runnable onUnavailable) throws StoreException {
        StoreRef ref = choose(principal.store());
        if (ref == null) {
            throw new StoreException(StoreException.Reason.UNAVAILABLE, principal.store() != null
                    ? "store " + principal.store() + " is not available" : "no mail store is available");
        }
        StoreSession session = ref.store.open(principal);
        if (session == null) {
            throw new StoreException(StoreException.Reason.IO, "store " + ref.name + " opened no session");
        }
        List<String> problems = new ArrayList<>();
        QuotaRules.Limits limits = QuotaRules.of(principal, quotaDefaults, problems);
        for (String p : problems) {
            LOG.warn("Quota rule ignored: {}", p);
        }
        TrackedSession tracked = new TrackedSession(session, ref, onUnavailable, limits);
        boolean goneAlready;
        synchronized (ref) {
            goneAlready = ref.gone;
            if (!goneAlready) {
                ref.sessions.add(tracked);
            }
        }
        if (goneAlready) {
            tracked.unavailable(); // the store left while we were opening
        }
        return tracked;
    }

    private StoreRef choose(String wanted) {
        List<StoreRef> list = ordered;
        if (wanted != null && !wanted.isBlank()) {
            return byName(list, wanted);
        }
        StoreRef ref = byName(list, defaultStore);
        return ref != null ? ref : list.isEmpty() ? null : list.get(0);
    }

    private static StoreRef byName(List<StoreRef> list, String name) {
        for (StoreRef r : list) {
            if (r.name.equals(name)) {
                return r;
            }
        }
        return null;
    }

    @Override
    public List<String> names() {
        List<StoreRef> list = ordered;
        Set<String> names = new LinkedHashSet<>();
        StoreRef def = byName(list, defaultStore);
        if (def != null) {
            names.add(def.name);
        }
        for (StoreRef r : list) {
            names.add(r.name);
        }
        return List.copyOf(names);
    }

    /** Open sessions on a store (tests). */
    int openSessions(String storeName) {
        return ordered.stream().filter(r -> r.name.equals(storeName)).mapToInt(r -> r.sessions.size()).sum();
    }

    static void forget(StoreRef ref, TrackedSession s) {
        ref.sessions.remove(s);
    }
}
