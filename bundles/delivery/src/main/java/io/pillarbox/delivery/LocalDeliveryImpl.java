package io.pillarbox.delivery;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.delivery.DeliveryResult;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.delivery.Resolution;
import io.pillarbox.api.store.AppendResult;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Local delivery: decides which addresses are ours (local domains, aliases, catch-alls, postmaster) and appends
 * messages durably to the recipient's mailbox in whichever store serves them.
 * <p>
 * Resolution of {@code local@domain} for a local domain, first match wins: an alias {@code local@domain}; the
 * postmaster ({@code postmaster@} any local domain, RFC 5321 section 4.5.1); a realm user {@code local@domain}
 * (then {@code local} when {@code lookupLocalPart}); the catch-all {@code @domain}. Alias targets are resolved the
 * same way (up to 8 levels, loops cut); targets in other domains are collected as remote targets (forwarding, done
 * by the caller through the outbound queue). Domains compare case-insensitively, alias names too.
 * <p>
 * Domains and aliases are edited through Configuration Admin (PID {@value #PID}) and the aliases file, which is
 * re-read when it changes: no restart, no API needed.
 */
@Component(service = LocalDelivery.class, configurationPid = LocalDeliveryImpl.PID)
@Designate(ocd = DeliveryConfig.class)
public final class LocalDeliveryImpl implements LocalDelivery {

    public static final String PID = "io.pillarbox.delivery";
    private static final Logger LOG = LoggerFactory.getLogger(LocalDeliveryImpl.class);
    private static final int MAX_DEPTH = 8;

    /** The configuration as plain values. */
    record Settings(List<String> domains, boolean bareAsIs, boolean lookupLocalPart, Path aliasesFile,
                    String postmaster, String mailbox, long lookupTimeoutMillis, Srs srs) {

        /** Without the Sender Rewriting Scheme. */
        Settings(List<String> domains, boolean bareAsIs, boolean lookupLocalPart, Path aliasesFile, String postmaster,
                 String mailbox, long lookupTimeoutMillis) {
            this(domains, bareAsIs, lookupLocalPart, aliasesFile, postmaster, mailbox, lookupTimeoutMillis, null);
        }

        static Settings of(DeliveryConfig c) {
            List<String> d = new ArrayList<>();
            for (String s : c.localDomains() == null ? new String[0] : c.localDomains()) {
                for (String part : s.split("[,\\s]+")) {
                    String t = part.strip().toLowerCase(Locale.ROOT);
                    if (!t.isEmpty() && !d.contains(t)) {
                        d.add(t);
                    }
                }
            }
            String file = c.aliasesFile() == null ? "" : c.aliasesFile().strip();
            if (file.isEmpty()) {
                String etc = System.getProperty("karaf.etc");
                file = etc == null ? "" : etc + "/pillarbox.aliases";
            }
            String mailbox = c.mailbox() == null || c.mailbox().isBlank() ? StoreSession.INBOX : c.mailbox().strip();
            return new Settings(List.copyOf(d), !"first-domain".equalsIgnoreCase(c.bareUsers().strip()),
                    c.lookupLocalPart(), file.isEmpty() ? null : Path.of(file),
                    c.postmaster() == null ? "" : c.postmaster().strip(), mailbox,
                    Math.max(1, c.lookupTimeoutSeconds()) * 1000L, srs(c, d));
        }

        /** The SRS domain: the configured one, else the first local domain the world can reach (not localhost). */
        static String srsDomain(String configured, List<String> domains) {
            if (configured != null && !configured.isBlank()) {
                return configured.strip().toLowerCase(Locale.ROOT);
            }
            for (String d : domains) {
                if (!d.equals("localhost") && d.contains(".")) {
                    return d;
                }
            }
            return "";
        }

        private static Srs srs(DeliveryConfig c, List<String> domains) {
            String domain = srsDomain(c.srsDomain(), domains);
            if (!c.srs() || domain.isEmpty() || domain.equals("localhost")) {
                // localhost is no domain the rest of the world can send bounces to
                return null;
            }
            byte[] secret;
            String configured = c._srsSecret() == null ? "" : c._srsSecret().strip();
            if (!configured.isEmpty()) {
                secret = configured.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            } else {
                Path f = Path.of(System.getProperty("karaf.data", "data"), "pillarbox", "srs.secret");
                try {
                    secret = Srs.secretFile(f);
                } catch (java.io.IOException | IllegalArgumentException e) {
                    LOG.error("SRS is off: cannot read or create its secret {}: {}", f, e.toString());
                    return null;
                }
            }
            if (secret.length < 16) {
                LOG.error("SRS is off: its secret (.srsSecret) is shorter than 16 characters");
                return null;
            }
            return new Srs(secret, domain, c.srsMaxAgeDays(), java.time.Clock.systemUTC());
        }
    }

    private final Authenticator authenticator;
    private final MailStores stores;
    private volatile Settings settings;
    private volatile Aliases.Watched aliases;

    @Activate
    public LocalDeliveryImpl(@Reference(name = "authenticator") Authenticator authenticator,
                             @Reference(name = "stores") MailStores stores, DeliveryConfig config) {
        this(authenticator, stores, Settings.of(config));
    }

    LocalDeliveryImpl(Authenticator authenticator, MailStores stores, Settings settings) {
        this.authenticator = authenticator;
        this.stores = stores;
        apply(settings);
    }

    @Modified
    void modified(DeliveryConfig config) {
        apply(Settings.of(config));
    }

    void apply(Settings s) {
        settings = s;
        Aliases.Watched old = aliases;
        if (old == null || !java.util.Objects.equals(old.file(), s.aliasesFile())) {
            Path f = s.aliasesFile();
            aliases = new Aliases.Watched(f, a -> {
                LOG.info("Aliases {}: {} entries", f, a.entries().size());
                for (String p : a.problems()) {
                    LOG.warn("Aliases {}: ignored {}", f, p);
                }
            });
        }
        LOG.info("Local delivery: domains {}, aliases {}, postmaster {}, SRS {}", s.domains(), s.aliasesFile(),
                s.postmaster().isEmpty() ? "(default)" : s.postmaster(), s.srs() == null ? "off" : s.srs().domain());
    }

    /** The local domains, the primary one first. */
    public List<String> localDomains() {
        return settings.domains();
    }

    public boolean isLocalDomain(String domain) {
        return domain != null && settings.domains().contains(domain.toLowerCase(Locale.ROOT));
    }

    // ---- resolution -------------------------------------------------------------------------------------------------

    @Override
    public String forwardingSender(String sender) {
        Srs srs = settings.srs();
        if (srs == null || sender == null || sender.isEmpty()) {
            return sender;
        }
        int at = sender.lastIndexOf('@');
        if (at < 0 || isLocalDomain(sender.substring(at + 1))) {
            // our own users' mail passes our SPF as it is
            return sender;
        }
        return srs.forward(sender);
    }

    @Override
    public Resolution resolve(String address) {
        if (address == null) {
            return Resolution.of(Resolution.Kind.UNKNOWN_USER);
        }
        String a = address.strip();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1);
        }
        if (a.isEmpty()) {
            return Resolution.of(Resolution.Kind.UNKNOWN_USER);
        }
        Settings s = settings;
        Acc users = new Acc();
        Resolution.Kind k = expand(a, s, aliases.get(), 0, new HashSet<>(), users);
        if (k == Resolution.Kind.LOCAL) {
            return Resolution.local(List.copyOf(users.local), List.copyOf(users.remote));
        }
        return Resolution.of(k);
    }

    /** What an expansion found: local users, and remote addresses aliases forward to (case-insensitively distinct). */
    private static final class Acc {
        final Set<String> local = new LinkedHashSet<>();
        final Set<String> remote = new LinkedHashSet<>();
        private final Set<String> remoteKeys = new HashSet<>();

        void add(String user) {
            local.add(user);
        }

        void addRemote(String address) {
            if (remoteKeys.add(address.toLowerCase(Locale.ROOT))) {
                remote.add(address);
            }
        }
    }

    private Resolution.Kind expand(String address, Settings s, Aliases al, int depth, Set<String> seen,
                                   Acc users) {
        if (depth > MAX_DEPTH) {
            LOG.warn("Alias expansion deeper than {} levels at {}", MAX_DEPTH, address);
            return Resolution.Kind.TEMPORARY_FAILURE;
        }
        String key = address.toLowerCase(Locale.ROOT);
        if (!seen.add(key)) {
            return null; // a loop: this branch adds nothing
        }
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return bare(address, s, al, depth, seen, users);
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
        if (!s.domains().contains(domain)) {
            return Resolution.Kind.REMOTE;
        }
        if (local.isEmpty()) {
            return Resolution.Kind.UNKNOWN_USER;
        }
        String full = local + "@" + domain;
        if (s.srs() != null && Srs.isSrs(local)) {
            // a rewritten sender of ours (a bounce to forwarded mail, mostly): back to the original sender
            String original = s.srs().reverse(local);
            if (original == null) {
                LOG.info("SRS address {} refused: not ours, altered, or older than its lifetime", full);
                return Resolution.Kind.UNKNOWN_USER;
            }
            return targets(full, List.of(original), s, al, depth, seen, users);
        }
        List<String> targets = al.get(full);
        if (!targets.isEmpty()) {
            return targets(full, targets, s, al, depth, seen, users);
        }
        if (local.equalsIgnoreCase("postmaster")) {
            return postmaster(domain, s, al, depth, seen, users);
        }
        Optional<MailPrincipal> p;
        try {
            p = lookupVariants(full, s);
            if (p.isEmpty() && s.lookupLocalPart()) {
                p = lookupVariants(local, s);
            }
        } catch (TemporaryFailure e) {
            return Resolution.Kind.TEMPORARY_FAILURE;
        }
        if (p.isPresent()) {
            users.add(p.get().user());
            return Resolution.Kind.LOCAL;
        }
        List<String> catchAll = al.get("@" + domain);
        if (!catchAll.isEmpty()) {
            return targets("@" + domain, catchAll, s, al, depth, seen, users);
        }
        return Resolution.Kind.UNKNOWN_USER;
    }

    private Resolution.Kind bare(String name, Settings s, Aliases al, int depth, Set<String> seen, Acc users) {
        if (!s.bareAsIs() && !s.domains().isEmpty()) {
            return expand(name + "@" + s.domains().get(0), s, al, depth, seen, users);
        }
        List<String> targets = al.get(name);
        if (!targets.isEmpty()) {
            return targets(name, targets, s, al, depth, seen, users);
        }
        if (name.equalsIgnoreCase("postmaster")) {
            return postmaster(s.domains().isEmpty() ? null : s.domains().get(0), s, al, depth, seen, users);
        }
        try {
            Optional<MailPrincipal> p = lookupVariants(name, s);
            if (p.isPresent()) {
                users.add(p.get().user());
                return Resolution.Kind.LOCAL;
            }
        } catch (TemporaryFailure e) {
            return Resolution.Kind.TEMPORARY_FAILURE;
        }
        return Resolution.Kind.UNKNOWN_USER;
    }

    /** postmaster@ a local domain always resolves (RFC 5321 section 4.5.1). */
    private Resolution.Kind postmaster(String domain, Settings s, Aliases al, int depth, Set<String> seen,
                                       Acc users) {
        if (!s.postmaster().isEmpty()) {
            Resolution.Kind k = expand(s.postmaster(), s, al, depth + 1, seen, users);
            if (k == Resolution.Kind.LOCAL || k == Resolution.Kind.TEMPORARY_FAILURE) {
                return k;
            }
            LOG.warn("The configured postmaster {} does not resolve to a local user ({})", s.postmaster(), k);
        } else {
            try {
                List<String> candidates = new ArrayList<>();
                if (domain != null) {
                    candidates.add("postmaster@" + domain);
                }
                if (!s.domains().isEmpty()) {
                    candidates.add("postmaster@" + s.domains().get(0));
                }
                candidates.add("postmaster");
                for (String c : candidates) {
                    Optional<MailPrincipal> p = lookup(c, s);
                    if (p.isPresent()) {
                        users.add(p.get().user());
                        return Resolution.Kind.LOCAL;
                    }
                }
            } catch (TemporaryFailure e) {
                return Resolution.Kind.TEMPORARY_FAILURE;
            }
            LOG.warn("No postmaster user exists: set 'postmaster' in {} or add an alias for postmaster@{}", PID,
                    domain);
        }
        // Accepted anyway (RFC 5321 4.5.1): delivery fails temporarily until an administrator fixes it.
        users.add(s.postmaster().isEmpty() ? "postmaster" : s.postmaster());
        return Resolution.Kind.LOCAL;
    }

    private Resolution.Kind targets(String alias, List<String> targets, Settings s, Aliases al, int depth,
                                    Set<String> seen, Acc users) {
        boolean any = false;
        for (String t : targets) {
            Resolution.Kind k = expand(t, s, al, depth + 1, seen, users);
            if (k == null) {
                continue;
            }
            switch (k) {
                case LOCAL -> any = true;
                case TEMPORARY_FAILURE -> {
                    return k;
                }
                case REMOTE -> {
                    // forwarding (as Postfix's virtual_alias_maps): the caller hands it to the outbound queue
                    users.addRemote(t);
                    any = true;
                }
                case UNKNOWN_USER -> LOG.warn("Alias {} names the unknown user {}", alias, t);
                default -> {
                }
            }
        }
        return any ? Resolution.Kind.LOCAL : Resolution.Kind.UNKNOWN_USER;
    }

    private static final class TemporaryFailure extends Exception {
        private static final long serialVersionUID = 1L;

        TemporaryFailure(Throwable cause) {
            super(cause);
        }
    }

    /** Looks up a name as given, then with a lower-case local part. */
    private Optional<MailPrincipal> lookupVariants(String name, Settings s) throws TemporaryFailure {
        Optional<MailPrincipal> p = lookup(name, s);
        if (p.isEmpty()) {
            int at = name.lastIndexOf('@');
            String lower = at < 0 ? name.toLowerCase(Locale.ROOT)
                    : name.substring(0, at).toLowerCase(Locale.ROOT) + name.substring(at);
            if (!lower.equals(name)) {
                p = lookup(lower, s);
            }
        }
        return p;
    }

    private Optional<MailPrincipal> lookup(String name, Settings s) throws TemporaryFailure {
        try {
            Optional<MailPrincipal> p = authenticator.lookup(name).toCompletableFuture()
                    .get(s.lookupTimeoutMillis(), TimeUnit.MILLISECONDS);
            return p == null ? Optional.empty() : p;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TemporaryFailure(e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("User lookup for {} failed: {}", name, e.toString());
            throw new TemporaryFailure(e);
        }
    }

    // ---- delivery ---------------------------------------------------------------------------------------------------

    @Override
    public DeliveryResult deliver(String recipient, String mailbox, MessageSource message) {
        Settings s = settings;
        String box = mailbox == null || mailbox.isBlank() ? s.mailbox() : mailbox;
        Optional<MailPrincipal> direct;
        try {
            direct = lookup(recipient, s);
        } catch (TemporaryFailure e) {
            return DeliveryResult.failed(DeliveryResult.Status.TEMPORARY_FAILURE, "user lookup failed");
        }
        if (direct.isPresent()) {
            return append(direct.get(), box, message);
        }
        Resolution r = resolve(recipient);
        switch (r.kind()) {
            case UNKNOWN_USER:
                return DeliveryResult.failed(DeliveryResult.Status.UNKNOWN_RECIPIENT, "no such user: " + recipient);
            case REMOTE:
                return DeliveryResult.failed(DeliveryResult.Status.PERMANENT_FAILURE, "not a local address: " + recipient);
            case TEMPORARY_FAILURE:
                return DeliveryResult.failed(DeliveryResult.Status.TEMPORARY_FAILURE, "cannot resolve " + recipient + " now");
            default:
                break;
        }
        DeliveryResult last = null;
        for (String user : r.users()) {
            Optional<MailPrincipal> p;
            try {
                p = lookup(user, s);
            } catch (TemporaryFailure e) {
                return DeliveryResult.failed(DeliveryResult.Status.TEMPORARY_FAILURE, "user lookup failed");
            }
            if (p.isEmpty()) {
                LOG.warn("Delivery to {} ({}): the user no longer exists", recipient, user);
                return DeliveryResult.failed(DeliveryResult.Status.TEMPORARY_FAILURE, "user " + user + " not found");
            }
            last = append(p.get(), box, message);
            if (!last.delivered()) {
                return last;
            }
        }
        return last == null ? DeliveryResult.failed(DeliveryResult.Status.UNKNOWN_RECIPIENT, "no user") : last;
    }

    private DeliveryResult append(MailPrincipal principal, String mailbox, MessageSource message) {
        try (StoreSession session = stores.open(principal, () -> { })) {
            AppendResult r;
            try {
                r = session.append(mailbox, message, Set.of(), null);
            } catch (StoreException e) {
                if (e.reason() == StoreException.Reason.NONEXISTENT && !StoreSession.INBOX.equals(mailbox)) {
                    r = session.append(StoreSession.INBOX, message, Set.of(), null);
                } else {
                    throw e;
                }
            }
            LOG.info("Delivered {} octets to {} {} (uid {})", message.size(), principal.user(), r.mailbox(), r.uid());
            return DeliveryResult.delivered(r.uid());
        } catch (StoreException e) {
            LOG.warn("Delivery to {} failed: {} {}", principal.user(), e.reason(), e.getMessage());
            DeliveryResult.Status st = switch (e.reason()) {
                case OVER_QUOTA -> DeliveryResult.Status.OVER_QUOTA;
                case TOO_BIG -> DeliveryResult.Status.TOO_BIG;
                case UNAVAILABLE, IO, NONEXISTENT, CORRUPTION -> DeliveryResult.Status.TEMPORARY_FAILURE;
                default -> DeliveryResult.Status.PERMANENT_FAILURE;
            };
            return DeliveryResult.failed(st, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Delivery to {} failed", principal.user(), e);
            return DeliveryResult.failed(DeliveryResult.Status.TEMPORARY_FAILURE, "internal error");
        }
    }
}
