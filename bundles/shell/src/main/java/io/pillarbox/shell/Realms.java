package io.pillarbox.shell;

import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.WritableRealm;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** The realm services with their ranking, and the choice of a writable realm for {@code mail:user-*}. */
final class Realms {

    /** One realm service. */
    record Entry(String name, int ranking, long serviceId, String bundle, AuthRealm realm) {
        boolean writable() {
            return realm instanceof WritableRealm;
        }
    }

    /** Highest ranking first, then the older service (OSGi's own order). */
    static final Comparator<Entry> ORDER = Comparator.comparingInt(Entry::ranking).reversed()
            .thenComparingLong(Entry::serviceId);

    private Realms() {
    }

    /** Every {@link AuthRealm} service now, in the order the authenticator asks them. */
    static List<Entry> all(BundleContext bc) {
        List<Entry> list = new ArrayList<>();
        Collection<ServiceReference<AuthRealm>> refs;
        try {
            refs = bc.getServiceReferences(AuthRealm.class, null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        for (ServiceReference<AuthRealm> ref : refs) {
            AuthRealm realm = bc.getService(ref);
            if (realm == null) {
                continue;
            }
            try {
                Object n = ref.getProperty(AuthRealm.PROPERTY_NAME);
                String name = n instanceof String s && !s.isBlank() ? s : realm.name();
                Object r = ref.getProperty("service.ranking");
                int ranking = r instanceof Integer i ? i : 0;
                long id = (Long) ref.getProperty("service.id");
                list.add(new Entry(name, ranking, id, ref.getBundle() == null ? "" : ref.getBundle().getSymbolicName(),
                        realm));
            } finally {
                bc.ungetService(ref); // the service object stays usable for this command
            }
        }
        list.sort(ORDER);
        return list;
    }

    /** The writable realms, highest ranking first. */
    static List<Entry> writable(List<Entry> all) {
        return all.stream().filter(Entry::writable).toList();
    }

    /**
     * The realm a new user goes to: the one named, else the writable realm of highest ranking.
     */
    static Entry forNewUser(List<Entry> all, String name) {
        List<Entry> w = writable(all);
        if (name != null) {
            for (Entry e : all) {
                if (e.name().equals(name)) {
                    if (!e.writable()) {
                        throw new IllegalArgumentException("realm " + name + " is read-only here (manage its users "
                                + "with its own tools); writable realms: " + names(w));
                    }
                    return e;
                }
            }
            throw new IllegalArgumentException("no realm named " + name + "; writable realms: " + names(w));
        }
        if (w.isEmpty()) {
            throw new IllegalStateException("no writable realm is installed (e.g. feature:install pillarbox-auth-file)");
        }
        return w.get(0);
    }

    /**
     * The writable realm that holds an existing user: the one named (which must hold them), else the first in
     * ranking order that lists them.
     */
    static Entry holding(List<Entry> all, String name, String user) throws IOException {
        List<Entry> candidates = name == null ? writable(all) : List.of(forNewUser(all, name));
        for (Entry e : candidates) {
            if (((WritableRealm) e.realm()).users().contains(user)) {
                return e;
            }
        }
        throw new IllegalArgumentException("no user " + user + " in "
                + (name == null ? "any writable realm " + names(writable(all)) : "realm " + name));
    }

    static List<String> names(List<Entry> entries) {
        return entries.stream().map(Entry::name).toList();
    }
}
