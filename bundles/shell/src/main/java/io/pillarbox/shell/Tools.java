package io.pillarbox.shell;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.StoreSession;
import org.apache.karaf.shell.api.console.Session;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Small helpers shared by the commands. */
final class Tools {

    /** How long a command waits for a realm (LDAP, PAM, slow hashes) before giving up. */
    static final long TIMEOUT_SECONDS = 60;

    private Tools() {
    }

    /**
     * A service a command needs, or an error saying which feature provides it. Commands hold their services as
     * optional references so that Karaf registers every mail:* command even when part of Pillarbox is not installed.
     */
    static <T> T need(T service, String what, String feature) {
        if (service == null) {
            throw new IllegalStateException(what + " is not running (feature:install " + feature + ")");
        }
        return service;
    }

    /** Waits for an asynchronous answer of the authenticator. */
    static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof Exception ex ? ex : e;
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from the realms within " + TIMEOUT_SECONDS + " s");
        }
    }

    /** The principal of a user as the realms know them, or an error naming the user. */
    static MailPrincipal principal(Authenticator authenticator, String user) throws Exception {
        need(authenticator, "The authenticator", "pillarbox-core");
        Optional<MailPrincipal> p = await(authenticator.lookup(user));
        return p.orElseThrow(() -> new IllegalArgumentException("unknown user " + user
                + " (no realm knows it; realms: " + authenticator.realms() + ")"));
    }

    /** Opens a user's store session for an admin command (nothing to do when the store goes away meanwhile). */
    static StoreSession open(Authenticator authenticator, MailStores stores, String user) throws Exception {
        MailPrincipal p = principal(authenticator, user);
        return need(stores, "The store routing", "pillarbox-core").open(p, () -> {
        });
    }

    /** A path typed in the shell: relative paths start at the session's current directory. */
    static Path path(Session session, String path) {
        Path p = Path.of(path);
        if (p.isAbsolute()) {
            return p.normalize();
        }
        Path base = session == null ? null : session.currentDir();
        if (base == null) {
            base = Path.of(System.getProperty("karaf.base", System.getProperty("user.dir")));
        }
        return base.resolve(p).toAbsolutePath().normalize();
    }

    /** Null-safe text for a table cell. */
    static String text(Object o) {
        return o == null ? "" : o.toString();
    }

    /**
     * The words of a configuration value, lower case, without repeats: a String (comma or space separated) or a
     * String array or collection (localDomains, traceUsers).
     */
    static List<String> words(Object value) {
        List<String> parts = new ArrayList<>();
        if (value instanceof String s) {
            parts.add(s);
        } else if (value instanceof String[] a) {
            parts.addAll(List.of(a));
        } else if (value instanceof Iterable<?> it) {
            it.forEach(o -> parts.add(String.valueOf(o)));
        } else if (value != null) {
            parts.add(value.toString());
        }
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            for (String d : p.split("[,\\s]+")) {
                String t = d.strip().toLowerCase(Locale.ROOT);
                if (!t.isEmpty() && !out.contains(t)) {
                    out.add(t);
                }
            }
        }
        return out;
    }
}
