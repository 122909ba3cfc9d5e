package io.pillarbox.core.auth;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.LoginGuard;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.metrics.MailMetrics;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The {@link Authenticator}: walks every registered {@link AuthRealm} in {@code service.ranking} order (highest
 * first, then lowest service id) on a bounded worker pool, delays failed answers and locks out client addresses and
 * user names with too many recent failures.
 * <p>
 * Results given to callers: {@code OK}, {@code BAD_CREDENTIALS} (also when no realm knows the user, so protocols
 * cannot leak which names exist; the log says {@code UNKNOWN_USER}), {@code DISABLED}, {@code LOCKED_OUT},
 * {@code TEMPORARY_FAILURE} (a realm failed or the server is overloaded). Futures complete on a worker or timer
 * thread, never on the caller's.
 * <p>
 * Secrets are copied on entry (the caller may wipe its array once the call returns), handed to each realm as a fresh
 * copy, wiped afterwards and never logged.
 */
@Component(service = {Authenticator.class, LoginGuard.class}, configurationPid = "io.pillarbox.auth")
@Designate(ocd = AuthConfig.class)
public class AuthenticatorImpl implements Authenticator, LoginGuard {

    private static final Logger LOG = LoggerFactory.getLogger(AuthenticatorImpl.class);
    /** The one-line-per-attempt log, under its own name so it can be routed (fail2ban, audit files). */
    private static final Logger ATTEMPTS = LoggerFactory.getLogger("io.pillarbox.auth.attempts");
    private static final int MAX_USER_LENGTH = 320;

    /** One realm service with what the order needs. */
    record RealmRef(AuthRealm realm, String name, int ranking, long serviceId, Set<CredentialKind> kinds) {
    }

    private static final Comparator<RealmRef> ORDER = Comparator.comparingInt(RealmRef::ranking).reversed()
            .thenComparingLong(RealmRef::serviceId);

    private final Map<AuthRealm, RealmRef> realmRefs = new ConcurrentHashMap<>();
    private volatile List<RealmRef> ordered = List.of();
    private final AtomicInteger anonymousIds = new AtomicInteger();

    private volatile Settings settings = Settings.defaults();
    private volatile FailureTracker byAddress;
    private volatile FailureTracker byUser;
    private ThreadPoolExecutor workers;
    private ScheduledThreadPoolExecutor timer;
    /** A remembered successful password login. */
    private record Cached(byte[] mac, MailPrincipal principal, String realm, long expires) {
    }

    /** Successful password logins by canonical user name (only with cacheSeconds > 0). */
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final byte[] cacheKey = new byte[32];

    /** user key + NUL + address key of successful logins, with when: exempt from that user's lock-out. */
    private final Map<String, Long> knownAddresses = new ConcurrentHashMap<>();
    /** Where logins are counted per protocol; {@link MailMetrics#NONE} while no metrics service is registered. */
    private volatile MailMetrics metrics = MailMetrics.NONE;
    /** Where successful logins are remembered (core's login history), or {@code null}. */
    private volatile LoginRecorder recorder;

    /** Futures not yet completed, with what to complete them with if the component stops first. */
    private final Map<CompletableFuture<Object>, Supplier<Object>> pending = new ConcurrentHashMap<>();

    // ---- lifecycle ------------------------------------------------------------------------------------------------

    @Activate
    void activate(AuthConfig config) {
        start(Settings.of(config));
    }

    @Modified
    void modified(AuthConfig config) {
        apply(Settings.of(config));
    }

    /** Starts with plain settings (used by {@link #activate} and by tests). */
    synchronized void start(Settings s) {
        new java.security.SecureRandom().nextBytes(cacheKey);
        workers = new ThreadPoolExecutor(s.workerThreads(), s.workerThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(s.queueSize()), daemonThreads("pillarbox-auth-"));
        workers.allowCoreThreadTimeOut(true);
        timer = new ScheduledThreadPoolExecutor(1, daemonThreads("pillarbox-auth-timer-"));
        timer.setRemoveOnCancelPolicy(true);
        apply(s);
        long every = Math.max(1000, Math.min(60_000, s.failureWindowMillis()));
        timer.scheduleWithFixedDelay(this::cleanup, every, every, TimeUnit.MILLISECONDS);
        LOG.info("Authenticator started: lock-out after {} failures per address / {} per user within {}s for {}s, "
                        + "delays {}..{} ms", s.maxFailuresPerAddress(), s.maxFailuresPerUser(),
                s.failureWindowMillis() / 1000, s.lockoutMillis() / 1000, s.initialDelayMillis(), s.maxDelayMillis());
    }

    synchronized void apply(Settings s) {
        Settings old = settings;
        settings = s;
        cache.clear();
        if (byAddress == null || old.maxFailuresPerAddress() != s.maxFailuresPerAddress()
                || old.failureWindowMillis() != s.failureWindowMillis() || old.lockoutMillis() != s.lockoutMillis()
                || old.maxFailuresPerUser() != s.maxFailuresPerUser() || old.maxTracked() != s.maxTracked()) {
            byAddress = new FailureTracker(s.maxFailuresPerAddress(), s.failureWindowMillis(), s.lockoutMillis(),
                    s.maxTracked());
            byUser = new FailureTracker(s.maxFailuresPerUser(), s.failureWindowMillis(), s.lockoutMillis(),
                    s.maxTracked());
        }
        if (workers != null && workers.getMaximumPoolSize() != s.workerThreads()) {
            if (s.workerThreads() > workers.getMaximumPoolSize()) {
                workers.setMaximumPoolSize(s.workerThreads());
                workers.setCorePoolSize(s.workerThreads());
            } else {
                workers.setCorePoolSize(s.workerThreads());
                workers.setMaximumPoolSize(s.workerThreads());
            }
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (workers != null) {
            workers.shutdownNow();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
        // Nobody may wait forever: complete what is left.
        for (Map.Entry<CompletableFuture<Object>, Supplier<Object>> e : pending.entrySet()) {
            e.getKey().complete(e.getValue().get());
        }
        pending.clear();
    }

    private void cleanup() {
        long now = now();
        long keep = settings.knownAddressMillis();
        knownAddresses.values().removeIf(t -> t < now - keep);
        cache.values().removeIf(c -> c.expires() <= now);
        FailureTracker a = byAddress;
        FailureTracker u = byUser;
        if (a != null) {
            a.cleanup(now);
        }
        if (u != null) {
            u.cleanup(now);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---- metrics and login history -------------------------------------------------------------------------------

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindMetrics")
    void bindMetrics(MailMetrics m) {
        metrics = m;
    }

    void unbindMetrics(MailMetrics m) {
        if (metrics == m) {
            metrics = MailMetrics.NONE;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindRecorder")
    void bindRecorder(LoginRecorder r) {
        recorder = r;
    }

    void unbindRecorder(LoginRecorder r) {
        if (recorder == r) {
            recorder = null;
        }
    }

    /**
     * Counts an attempt's outcome under its protocol: {@code logins.ok}, or {@code logins.failed} for wrong
     * secrets, unknown users, disabled and locked-out accounts (a temporary failure is neither), and remembers a
     * successful login's time, protocol and client address.
     */
    private void account(AuthResult result, AuthContext ctx) {
        String protocol = ctx.protocol() == null || ctx.protocol().isEmpty() ? "unknown" : ctx.protocol();
        try {
            if (result.isOk()) {
                metrics.increment(protocol, MailMetrics.LOGINS_OK);
                LoginRecorder r = recorder;
                if (r != null && result.principal() != null) {
                    r.record(result.principal().user(), java.time.Instant.now(), protocol,
                            ctx.remote() == null ? null : hostOf(ctx.remote()));
                }
            } else if (result.status() != AuthResult.Status.TEMPORARY_FAILURE) {
                metrics.increment(protocol, MailMetrics.LOGINS_FAILED);
            }
        } catch (RuntimeException e) {
            LOG.debug("counting a login failed", e);
        }
    }

    // ---- realms ---------------------------------------------------------------------------------------------------

    @Reference(service = AuthRealm.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unbindRealm", updated = "updatedRealm")
    void bindRealm(AuthRealm realm, Map<String, Object> props) {
        String name = props.get(AuthRealm.PROPERTY_NAME) instanceof String s && !s.isBlank() ? s : safeName(realm);
        int ranking = props.get("service.ranking") instanceof Integer i ? i : 0;
        long id = props.get("service.id") instanceof Long l ? l : -anonymousIds.incrementAndGet();
        Set<CredentialKind> kinds;
        try {
            Set<CredentialKind> k = realm.credentialKinds();
            kinds = k == null || k.isEmpty() ? EnumSet.of(CredentialKind.PASSWORD) : EnumSet.copyOf(k);
        } catch (RuntimeException e) {
            kinds = EnumSet.of(CredentialKind.PASSWORD);
        }
        synchronized (realmRefs) {
            realmRefs.put(realm, new RealmRef(realm, name, ranking, id, Set.copyOf(kinds)));
            reorder();
        }
        LOG.info("Auth realm {} available (ranking {}); realms now {}", name, ranking, realms());
    }

    void updatedRealm(AuthRealm realm, Map<String, Object> props) {
        bindRealm(realm, props);
    }

    void unbindRealm(AuthRealm realm) {
        RealmRef gone;
        synchronized (realmRefs) {
            gone = realmRefs.remove(realm);
            reorder();
        }
        if (gone != null) {
            cache.values().removeIf(c -> c.realm().equals(gone.name()));
            LOG.info("Auth realm {} gone; realms now {}", gone.name(), realms());
        }
    }

    /** For tests and embedding without OSGi: adds a realm with a ranking. */
    void addRealm(AuthRealm realm, int ranking) {
        bindRealm(realm, Map.of("service.ranking", ranking));
    }

    private void reorder() {
        List<RealmRef> list = new ArrayList<>(realmRefs.values());
        list.sort(ORDER);
        ordered = List.copyOf(list);
    }

    private static String safeName(AuthRealm realm) {
        try {
            String n = realm.name();
            return n == null || n.isBlank() ? realm.getClass().getSimpleName() : n;
        } catch (RuntimeException e) {
            return realm.getClass().getSimpleName();
        }
    }

    @Override
    public List<String> realms() {
        return ordered.stream().map(RealmRef::name).toList();
    }

    /** Asks each realm now: what a realm can serve may change with its data (a users file being edited). */
    @Override
    public boolean supports(CredentialKind kind) {
        for (RealmRef r : ordered) {
            Set<CredentialKind> kinds;
            try {
                kinds = r.realm().credentialKinds();
            } catch (RuntimeException e) {
                kinds = r.kinds();
            }
            if (kinds != null && kinds.contains(kind)) {
                return true;
            }
        }
        return false;
    }

    // ---- authentication -------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<AuthResult> authenticate(String user, char[] secret, AuthContext context) {
        char[] copy = secret == null ? new char[0] : secret.clone();
        RealmCheck check = RealmCheck.of((realm, name) -> {
            char[] forRealm = copy.clone();
            try {
                return realm.authenticate(name, forRealm, context);
            } finally {
                Arrays.fill(forRealm, '\0');
            }
        });
        return attempt(user, context, check, () -> Arrays.fill(copy, '\0'), new PasswordCache(copy));
    }

    /** Looks a password login up in the cache and remembers successful ones (when the cache is on). */
    private final class PasswordCache {
        private final char[] password;
        private byte[] mac;

        PasswordCache(char[] password) {
            this.password = password;
        }

        private byte[] mac(String user) {
            if (mac == null) {
                try {
                    javax.crypto.Mac m = javax.crypto.Mac.getInstance("HmacSHA256");
                    m.init(new javax.crypto.spec.SecretKeySpec(cacheKey, "HmacSHA256"));
                    m.update(user.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    m.update((byte) 0);
                    java.nio.ByteBuffer bb = java.nio.charset.StandardCharsets.UTF_8
                            .encode(java.nio.CharBuffer.wrap(password));
                    byte[] pw = new byte[bb.remaining()];
                    bb.get(pw);
                    mac = m.doFinal(pw);
                    Arrays.fill(pw, (byte) 0);
                    if (bb.hasArray()) {
                        Arrays.fill(bb.array(), (byte) 0);
                    }
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
            return mac;
        }

        /** Called on the worker before the realms are asked. */
        Outcome lookup(String user, Settings s) {
            if (s.cacheMillis() <= 0 || password.length == 0) {
                return null;
            }
            Cached c = cache.get(user);
            if (c == null || c.expires() <= now() || !java.security.MessageDigest.isEqual(c.mac(), mac(user))
                    || ordered.stream().noneMatch(r -> r.name().equals(c.realm()))) {
                return null; // unknown, expired, another password, or its realm has gone
            }
            return new Outcome(new AuthResult(AuthResult.Status.OK, c.principal(), "cached"), c.realm());
        }

        /** Called on the worker after a successful realm check (before the password copy is wiped). */
        void remember(String user, Outcome o, Settings s) {
            if (s.cacheMillis() <= 0 || password.length == 0 || o.realm() == null) {
                return;
            }
            if (cache.size() >= s.maxTracked() && !cache.containsKey(user)) {
                return;
            }
            cache.put(user, new Cached(mac(user), o.result().principal(), o.realm(), now() + s.cacheMillis()));
        }
    }

    @Override
    public CompletionStage<AuthResult> authenticate(String user, RealmCheck check, AuthContext context) {
        return attempt(user, context, check, () -> { }, null);
    }

    private CompletionStage<AuthResult> attempt(String rawUser, AuthContext rawContext, RealmCheck check,
                                                Runnable wipe, PasswordCache passwords) {
        long started = now();
        AuthContext context = rawContext != null ? rawContext : new AuthContext("unknown", null, false, null);
        Settings s = settings;
        FailureTracker addresses = byAddress;
        FailureTracker users = byUser;
        String user = canonical(rawUser, s);
        String addressKey = context.remote() != null && s.trustedNetworks().contains(context.remote().getAddress())
                ? null : addressKey(context.remote());
        String userKey = user == null ? null : user.toLowerCase(Locale.ROOT);
        CompletableFuture<AuthResult> answer = track(() -> AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE,
                "authenticator stopped"));

        if (user == null) {
            wipe.run();
            int n = addresses.recordFailure(addressKey, started);
            finish(answer, AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "invalid user name"),
                    AuthResult.Status.BAD_CREDENTIALS, rawUser, context, null, started, delayFor(s, n));
            return answer;
        }
        if (addresses.isLocked(addressKey, started)
                || users.isLocked(userKey, started) && !known(userKey, addressKey, started, s)) {
            wipe.run();
            int n = Math.max(addresses.recentFailures(addressKey, started), users.recentFailures(userKey, started));
            String why = addresses.isLocked(addressKey, started) ? "client address locked out" : "user locked out";
            finish(answer, AuthResult.failure(AuthResult.Status.LOCKED_OUT, why), AuthResult.Status.LOCKED_OUT,
                    user, context, null, started, delayFor(s, n));
            return answer;
        }
        try {
            workers.execute(() -> {
                try {
                    Outcome o;
                    try {
                        o = passwords == null ? null : passwords.lookup(user, s);
                        if (o == null) {
                            o = walk(user, check);
                            if (passwords != null && o.result().isOk()) {
                                passwords.remember(user, o, s);
                            }
                        }
                    } finally {
                        wipe.run();
                    }
                    AuthResult.Status logged = o.result().status();
                    AuthResult result = o.result();
                    switch (logged) {
                        case OK -> {
                            users.clear(userKey);
                            remember(userKey, addressKey, s);
                            finish(answer, result, logged, user, context, o.realm(), started, 0);
                        }
                        case TEMPORARY_FAILURE -> finish(answer, result, logged, user, context, o.realm(), started, 0);
                        default -> {
                            if (logged == AuthResult.Status.UNKNOWN_USER) {
                                result = AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "unknown user");
                            }
                            long t = now();
                            int a = addresses.recordFailure(addressKey, t);
                            int u = users.recordFailure(userKey, t);
                            if (addresses.isLocked(addressKey, t) && a == s.maxFailuresPerAddress()) {
                                LOG.warn("auth lock-out: client {} after {} failures, for {}s", addressKey, a,
                                        s.lockoutMillis() / 1000);
                            }
                            if (users.isLocked(userKey, t) && u == s.maxFailuresPerUser()) {
                                LOG.warn("auth lock-out: user {} after {} failures, for {}s", printable(user), u,
                                        s.lockoutMillis() / 1000);
                            }
                            finish(answer, result, logged, user, context, o.realm(), started,
                                    delayFor(s, Math.max(a, u)));
                        }
                    }
                } catch (RuntimeException e) {
                    // Never leave the caller waiting: a bug here becomes a temporary failure.
                    LOG.warn("auth attempt failed unexpectedly", e);
                    wipe.run();
                    finish(answer, AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "internal error"),
                            AuthResult.Status.TEMPORARY_FAILURE, user, context, null, started, 0);
                }
            });
        } catch (RejectedExecutionException e) {
            wipe.run();
            // Completed from a timer thread, never synchronously on the caller's.
            finish(answer, AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "server busy"),
                    AuthResult.Status.TEMPORARY_FAILURE, user, context, null, started, 0);
        }
        return answer;
    }

    record Outcome(AuthResult result, String realm) {
    }

    private Outcome walk(String user, RealmCheck check) {
        List<RealmRef> snapshot = ordered;
        for (RealmRef r : snapshot) {
            AuthResult res;
            try {
                res = check.check(r.realm(), user);
            } catch (RuntimeException e) {
                LOG.warn("auth realm {} failed: {}", r.name(), e.getClass().getName());
                LOG.debug("auth realm {} failure", r.name(), e);
                return new Outcome(AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "realm " + r.name()
                        + " failed"), r.name());
            }
            if (res == null) {
                return new Outcome(AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "realm " + r.name()
                        + " gave no answer"), r.name());
            }
            if (res.status() != AuthResult.Status.UNKNOWN_USER) {
                return new Outcome(res, r.name());
            }
        }
        return new Outcome(AuthResult.failure(AuthResult.Status.UNKNOWN_USER,
                snapshot.isEmpty() ? "no realm" : "unknown user"), null);
    }

    private void finish(CompletableFuture<AuthResult> answer, AuthResult result, AuthResult.Status logged,
                        String user, AuthContext ctx, String realm, long started, long delayMillis) {
        account(result, ctx);
        Runnable complete = () -> {
            ATTEMPTS.info("auth result={} user={} remote={} protocol={} mechanism={} realm={} detail={} ms={}",
                    logged, printable(user), ctx.remote() == null ? "-" : hostOf(ctx.remote()), ctx.protocol(),
                    ctx.mechanism(), realm == null ? "-" : realm, result.detail() == null ? "-" : result.detail(),
                    now() - started);
            answer.complete(result);
        };
        try {
            timer.schedule(complete, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            complete.run(); // stopping
        }
    }

    private boolean known(String userKey, String addressKey, long now, Settings s) {
        if (addressKey == null || s.knownAddressMillis() <= 0) {
            return false;
        }
        Long t = knownAddresses.get(userKey + '\0' + addressKey);
        return t != null && t > now - s.knownAddressMillis();
    }

    private void remember(String userKey, String addressKey, Settings s) {
        if (addressKey == null || s.knownAddressMillis() <= 0) {
            return;
        }
        if (knownAddresses.size() >= s.maxTracked()) {
            long now = now();
            knownAddresses.values().removeIf(t -> t < now - s.knownAddressMillis());
            if (knownAddresses.size() >= s.maxTracked()) {
                return;
            }
        }
        knownAddresses.put(userKey + '\0' + addressKey, now());
    }

    static long delayFor(Settings s, int failures) {
        if (failures <= 0 || s.initialDelayMillis() <= 0) {
            return 0;
        }
        long d = s.initialDelayMillis() << Math.min(failures - 1, 20);
        return Math.min(d, s.maxDelayMillis());
    }

    // ---- lookups --------------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Optional<MailPrincipal>> lookup(String user) {
        return query(user, (realm, name) -> realm.lookup(name));
    }

    @Override
    public <T> CompletionStage<Optional<T>> query(String rawUser, BiFunction<AuthRealm, String, Optional<T>> q) {
        String user = canonical(rawUser, settings);
        CompletableFuture<Optional<T>> answer = track(Optional::empty);
        if (user == null) {
            submitOrEmpty(answer, Optional::empty);
            return answer;
        }
        submitOrEmpty(answer, () -> {
            for (RealmRef r : ordered) {
                try {
                    Optional<T> found = q.apply(r.realm(), user);
                    if (found != null && found.isPresent()) {
                        return found;
                    }
                } catch (RuntimeException e) {
                    LOG.warn("auth realm {} failed a lookup: {}", r.name(), e.getClass().getName());
                    LOG.debug("auth realm {} lookup failure", r.name(), e);
                }
            }
            return Optional.empty();
        });
        return answer;
    }

    private <T> void submitOrEmpty(CompletableFuture<Optional<T>> answer, Supplier<Optional<T>> work) {
        try {
            workers.execute(() -> answer.complete(work.get()));
        } catch (RejectedExecutionException e) {
            try {
                timer.execute(() -> answer.complete(Optional.empty()));
            } catch (RejectedExecutionException e2) {
                answer.complete(Optional.empty());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> track(Supplier<T> fallback) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        pending.put(f, (Supplier<Object>) fallback);
        f.whenComplete((r, e) -> pending.remove(f));
        return (CompletableFuture<T>) f;
    }

    // ---- LoginGuard -----------------------------------------------------------------------------------------------

    @Override
    public List<LoginGuard.Entry> entries() {
        long now = now();
        long wallNow = System.currentTimeMillis();
        List<LoginGuard.Entry> out = new ArrayList<>();
        for (FailureTracker.State st : byAddress.states(now)) {
            out.add(entry("address", st, now, wallNow));
        }
        for (FailureTracker.State st : byUser.states(now)) {
            out.add(entry("user", st, now, wallNow));
        }
        out.sort(Comparator.comparing((LoginGuard.Entry e) -> e.lockedUntil() == null)
                .thenComparing(LoginGuard.Entry::kind).thenComparing(LoginGuard.Entry::key));
        return out;
    }

    private static LoginGuard.Entry entry(String kind, FailureTracker.State st, long now, long wallNow) {
        return new LoginGuard.Entry(kind, st.key(), st.failures(),
                st.lockedUntil() == 0 ? null : java.time.Instant.ofEpochMilli(wallNow + st.lockedUntil() - now));
    }

    @Override
    public boolean clear(String addressOrUser) {
        if (addressOrUser == null || addressOrUser.isBlank()) {
            return false;
        }
        String key = addressOrUser.trim();
        String asAddress = key;
        try {
            if (key.indexOf(':') >= 0 || key.matches("[0-9.]+")) {
                asAddress = addressKey(new InetSocketAddress(InetAddress.getByName(key), 0));
            }
        } catch (java.net.UnknownHostException | RuntimeException e) {
            asAddress = key;
        }
        boolean a = byAddress.forget(asAddress);
        boolean u = byUser.forget(key.toLowerCase(Locale.ROOT));
        if (a || u) {
            LOG.info("auth lock-out lifted by an administrator: {}", printable(key));
        }
        return a || u;
    }

    // ---- names and addresses --------------------------------------------------------------------------------------

    /** The user name as realms see it, or {@code null} if it is not acceptable. */
    static String canonical(String user, Settings s) {
        if (user == null || user.isEmpty() || user.length() > MAX_USER_LENGTH) {
            return null;
        }
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return null;
            }
        }
        String u = s.lowercaseUsers() ? user.toLowerCase(Locale.ROOT) : user;
        if (s.appendDefaultDomain() && !s.defaultDomain().isEmpty() && u.indexOf('@') < 0) {
            u = u + "@" + (s.lowercaseUsers() ? s.defaultDomain().toLowerCase(Locale.ROOT) : s.defaultDomain());
        }
        return u;
    }

    /** The key failures of a client count under: its address, or its /64 for IPv6 (one host has a whole /64). */
    static String addressKey(InetSocketAddress remote) {
        if (remote == null) {
            return null;
        }
        InetAddress a = remote.getAddress();
        if (a == null) {
            return remote.getHostString();
        }
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
            }
            return sb.append(":/64").toString();
        }
        return a.getHostAddress();
    }

    private static String hostOf(InetSocketAddress remote) {
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }

    /** A user name fit for one log line: no control characters, bounded length. */
    static String printable(String s) {
        if (s == null) {
            return "-";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 64) + 2);
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (s.length() > 64) {
            sb.append("...");
        }
        return sb.toString();
    }

    private static final long EPOCH = System.nanoTime();

    /** Monotonic milliseconds, always positive. */
    private static long now() {
        return (System.nanoTime() - EPOCH) / 1_000_000L + 1;
    }
}
