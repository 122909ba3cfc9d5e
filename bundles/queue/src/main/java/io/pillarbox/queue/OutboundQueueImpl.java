package io.pillarbox.queue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pillarbox.api.delivery.DeliveryResult;
import io.pillarbox.api.delivery.DsnRequest;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.delivery.OutboundQueue;
import io.pillarbox.api.delivery.Resolution;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.queue.QueueEntry.Rcpt;
import io.pillarbox.queue.QueueEntry.State;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The outbound queue. Messages live in a {@link Spool}; a scheduler thread hands due messages to a bounded pool of
 * worker threads (at most {@code concurrency} at once), each of which runs one delivery attempt with the
 * {@link Courier} and records every recipient's final answer in the envelope on disk before going on. Admin
 * operations take the same per-message lock as the worker's state changes, so they are safe while an attempt runs.
 */
@Component(service = OutboundQueue.class, configurationPid = OutboundQueueImpl.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = QueueConfig.class)
public class OutboundQueueImpl implements OutboundQueue {

    static final String PID = "io.pillarbox.queue";
    static final String PROTOCOL = "queue";
    private static final Logger LOG = LoggerFactory.getLogger(OutboundQueueImpl.class);
    /** How often the scheduler looks for due messages (it is also woken on enqueue, retry and release). */
    static final long SCAN_MILLIS = 1000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile LocalDelivery localDelivery;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile MailMetrics metrics;

    Clock clock = Clock.systemUTC();

    private final Map<String, QueueEntry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger(ThreadLocalRandom.current().nextInt(0x10000));
    private final Object slots = new Object();
    private int running;
    private volatile boolean stopping;
    private QueueSettings settings;
    private Spool spool;
    private EventLoopGroup group;
    private MxResolver resolver;
    private Courier courier;
    private ScheduledExecutorService scheduler;
    private ExecutorService workers;

    @Activate
    void activate(QueueConfig config) throws IOException {
        QueueSettings s = QueueSettings.of(config);
        start(s);
    }

    void start(QueueSettings s) throws IOException {
        this.settings = s;
        this.spool = new Spool(s.spool());
        for (QueueEntry e : spool.load()) {
            entries.put(e.id, e);
        }
        group = new MultiThreadIoEventLoopGroup(Math.min(2, Math.max(1, s.concurrency())),
                new DefaultThreadFactory("pillarbox-queue-io", true), NioIoHandler.newFactory());
        try {
            resolver = new MxResolver(group, s.dnsServers(), s.dnsTimeout());
            courier = new Courier(s, group, resolver);
        } catch (IOException | RuntimeException e) {
            if (resolver != null) {
                resolver.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        workers = Executors.newFixedThreadPool(s.concurrency(), new DefaultThreadFactory("pillarbox-queue", true));
        scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("pillarbox-queue-scheduler",
                true));
        scheduler.scheduleWithFixedDelay(this::scan, 0, SCAN_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info("Outbound queue started: {} message(s) in {}; {}", entries.size(), s.spool(),
                s.relayHost() == null ? "direct delivery (MX)" : "relay host " + s.relayHost() + ":" + s.relayPort());
    }

    @Deactivate
    void deactivate() {
        stopping = true;
        scheduler.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Delivery attempts still running after 10 s; interrupting them (their messages stay queued)");
                workers.shutdownNow();
                workers.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        resolver.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    QueueSettings settings() {
        return settings;
    }

    private MailMetrics metrics() {
        MailMetrics m = metrics;
        return m == null ? MailMetrics.NONE : m;
    }

    // ---------------------------------------------------------------- API

    @Override
    public String enqueue(String sender, List<String> recipients, MessageSource message) throws IOException {
        return enqueue(sender, recipients, message, DsnRequest.NONE);
    }

    @Override
    public String enqueue(String sender, List<String> recipients, MessageSource message, DsnRequest dsn)
            throws IOException {
        DsnRequest d = dsn == null ? DsnRequest.NONE : dsn;
        if (stopping) {
            throw new IOException("the outbound queue is stopping");
        }
        if (sender == null || recipients == null || recipients.isEmpty() || message == null) {
            throw new IllegalArgumentException("a sender, at least one recipient and a message are needed");
        }
        List<Rcpt> rcpts = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (String r : recipients) {
            String a = strip(r);
            if (a.isEmpty() || a.indexOf('@') <= 0 || a.endsWith("@")) {
                throw new IllegalArgumentException("not a remote address: " + r);
            }
            if (!seen.contains(a.toLowerCase(Locale.ROOT))) {
                seen.add(a.toLowerCase(Locale.ROOT));
                Rcpt rc = new Rcpt(a);
                DsnRequest.Recipient p = d.recipient(r);
                if (p == DsnRequest.Recipient.NONE && !r.equals(a)) {
                    p = d.recipient(a);
                }
                rc.notify = p.notifyParameter();
                rc.orcpt = p.originalRecipient();
                rcpts.add(rc);
            }
        }
        String id = newId();
        Spool.Stored stored;
        try (InputStream in = message.open()) {
            stored = spool.storeMessage(id, in);
        }
        QueueEntry e = new QueueEntry(id, strip(sender), clock.instant(), stored.size(), stored.eightBit(), rcpts);
        e.envid = d.envelopeId();
        e.ret = d.ret() == null ? null : d.ret().name();
        try {
            synchronized (e) {
                spool.storeEnvelope(id, e.serialize());
            }
        } catch (IOException | RuntimeException ex) {
            try {
                spool.delete(id);
            } catch (IOException ignored) {
                // removed on the next load
            }
            throw ex;
        }
        entries.put(id, e);
        LOG.info("{}: queued from <{}> to {} ({} octets)", id, e.sender, seen, stored.size());
        wake();
        return id;
    }

    private static String strip(String a) {
        String s = a == null ? "" : a.strip();
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1);
        }
        return s;
    }

    private String newId() {
        while (true) {
            String id = String.format(Locale.ROOT, "%011X%04X", clock.millis(), sequence.getAndIncrement() & 0xFFFF);
            if (!entries.containsKey(id) && !spool.exists(id)) {
                return id;
            }
        }
    }

    @Override
    public List<QueuedMessage> list() {
        List<QueuedMessage> out = new ArrayList<>();
        for (QueueEntry e : entries.values()) {
            out.add(e.info());
        }
        out.sort(Comparator.comparing(QueuedMessage::arrived).thenComparing(QueuedMessage::id));
        return out;
    }

    @Override
    public Optional<QueuedMessage> find(String id) {
        QueueEntry e = id == null ? null : entries.get(id);
        return e == null ? Optional.empty() : Optional.of(e.info());
    }

    @Override
    public boolean retry(String id) {
        boolean found = underLock(id, e -> {
            if (e.busy) {
                e.dueWhenDone = true;
            } else if (!e.held) {
                e.nextAttempt = clock.instant();
                persist(e);
            }
        });
        if (found) {
            wake();
        }
        return found;
    }

    @Override
    public boolean hold(String id, boolean held) {
        boolean found = underLock(id, e -> {
            if (e.held != held) {
                e.held = held;
                if (!held && e.busy) {
                    e.dueWhenDone = true;
                } else if (!held) {
                    e.nextAttempt = clock.instant();
                }
                persist(e);
                LOG.info("{}: {}", id, held ? "held" : "released");
            }
        });
        if (found && !held) {
            wake();
        }
        return found;
    }

    @Override
    public boolean delete(String id) {
        boolean found = underLock(id, e -> {
            e.deleted = true;
            entries.remove(id, e);
            try {
                spool.delete(id);
            } catch (IOException ex) {
                LOG.error("{}: deleting the spool files failed: {}", id, ex.toString());
            }
        });
        if (found) {
            LOG.info("{}: deleted by an administrator", id);
        }
        return found;
    }

    /**
     * Runs {@code action} on the entry {@code id} while holding its lock.
     *
     * @return false, without running the action, when there is no such entry or it was deleted meanwhile
     */
    private boolean underLock(String id, Consumer<QueueEntry> action) {
        QueueEntry e = id == null ? null : entries.get(id);
        if (e == null) {
            return false;
        }
        synchronized (e) {
            if (e.deleted) {
                return false;
            }
            action.accept(e);
        }
        return true;
    }

    /** Writes the envelope; a failure is logged (the in-memory state goes on; the next write may succeed). */
    private void persist(QueueEntry e) {
        if (e.deleted) {
            return;
        }
        try {
            spool.storeEnvelope(e.id, e.serialize());
        } catch (IOException ex) {
            LOG.error("{}: cannot write the envelope: {}", e.id, ex.toString());
        }
    }

    // ---------------------------------------------------------------- scheduling

    void wake() {
        ScheduledExecutorService s = scheduler;
        if (s != null && !stopping) {
            try {
                s.execute(this::scan);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // stopping
            }
        }
    }

    private void scan() {
        try {
            Instant now = clock.instant();
            List<QueueEntry> due = new ArrayList<>();
            for (QueueEntry e : entries.values()) {
                synchronized (e) {
                    if (!e.busy && !e.held && !e.deleted && !e.nextAttempt.isAfter(now)) {
                        due.add(e);
                    }
                }
            }
            due.sort(Comparator.comparing((QueueEntry e) -> e.nextAttempt).thenComparing(e -> e.id));
            for (QueueEntry e : due) {
                synchronized (slots) {
                    if (running >= settings.concurrency() || stopping) {
                        return;
                    }
                    synchronized (e) {
                        if (e.busy || e.held || e.deleted || e.nextAttempt.isAfter(now)) {
                            continue;
                        }
                        e.busy = true;
                        e.dueWhenDone = false;
                        // shown until the attempt ends; tells the health check the message is being worked on
                        e.nextAttempt = now.plus(settings.delayAfter(e.attempts + 1));
                    }
                    running++;
                }
                try {
                    workers.execute(() -> attempt(e));
                } catch (java.util.concurrent.RejectedExecutionException ex) {
                    synchronized (slots) {
                        running--;
                    }
                    synchronized (e) {
                        e.busy = false;
                        e.nextAttempt = now;
                    }
                    return;
                }
            }
        } catch (RuntimeException ex) {
            LOG.error("Queue scan failed", ex);
        }
    }

    // ---------------------------------------------------------------- one attempt

    private void attempt(QueueEntry e) {
        try {
            deliver(e);
        } catch (Throwable t) {
            LOG.error("{}: delivery attempt failed", e.id, t);
            synchronized (e) {
                e.lastError = "internal error: " + t;
                e.nextAttempt = clock.instant().plus(settings.delayAfter(Math.max(1, e.attempts)));
                persist(e);
            }
        } finally {
            synchronized (e) {
                e.busy = false;
                if (e.dueWhenDone) {
                    e.dueWhenDone = false;
                    if (!e.held && !e.deleted) {
                        e.nextAttempt = clock.instant();
                        persist(e);
                    }
                }
            }
            synchronized (slots) {
                running--;
            }
            wake();
        }
    }

    private void deliver(QueueEntry e) throws IOException {
        Map<String, List<Rcpt>> byDomain = new LinkedHashMap<>();
        Courier.Message m;
        synchronized (e) {
            if (e.deleted) {
                return;
            }
            for (Rcpt r : e.rcpts) {
                if (r.state == State.PENDING) {
                    byDomain.computeIfAbsent(r.domain(), d -> new ArrayList<>()).add(r);
                }
            }
            m = new Courier.Message(e.id, e.sender, spool.message(e.id), e.size, e.eightBit, e.envid, e.ret);
        }
        String[] firstTemp = new String[1];
        Courier.Sink sink = (r, o) -> {
            synchronized (e) {
                if (e.deleted) {
                    return false;
                }
                r.reply = o.explanation();
                r.remote = o.remote();
                switch (o.kind()) {
                    case SENT -> {
                        r.state = State.SENT;
                        r.status = o.status();
                        if (!o.passedOn() && DsnRequest.Recipient.parseNotify(r.notify)
                                .contains(DsnRequest.Notify.SUCCESS)) {
                            // RFC 3461 5.2.2: the next hop cannot report success, so we tell the sender now
                            r.relayNotice = true;
                            r.diagnostic = o.diagnostic();
                        }
                        persist(e);
                        metrics().increment(PROTOCOL, MailMetrics.MESSAGES_SENT);
                    }
                    case PERMANENT -> {
                        r.state = State.FAILED;
                        r.status = o.status();
                        r.diagnostic = o.diagnostic();
                        persist(e);
                        LOG.info("{}: <{}> failed: {}", e.id, r.address, o.explanation());
                    }
                    default -> {
                        r.status = o.status();
                        r.diagnostic = o.diagnostic();
                        if (firstTemp[0] == null) {
                            firstTemp[0] = "<" + r.address + ">: " + o.explanation();
                        }
                        LOG.info("{}: <{}> deferred: {}", e.id, r.address, o.explanation());
                    }
                }
                return true;
            }
        };
        try {
            for (Map.Entry<String, List<Rcpt>> d : byDomain.entrySet()) {
                if (stopping) {
                    break;
                }
                courier.deliver(m, d.getKey(), d.getValue(), sink);
            }
        } catch (Courier.Aborted a) {
            return;
        }
        Instant now = clock.instant();
        synchronized (e) {
            if (e.deleted) {
                return;
            }
            e.attempts++;
            boolean pending = false;
            for (Rcpt r : e.rcpts) {
                pending |= r.state == State.PENDING;
            }
            if (pending) {
                e.lastError = firstTemp[0] != null ? firstTemp[0] : stopping ? "delivery interrupted by a restart"
                        : e.lastError;
                Instant expires = e.arrived.plus(settings.maxAge());
                if (!now.isBefore(expires)) {
                    String age = Durations.format(settings.maxAge());
                    for (Rcpt r : e.rcpts) {
                        if (r.state == State.PENDING) {
                            r.state = State.FAILED;
                            String last = r.reply == null ? "" : "; last error: " + r.reply;
                            r.reply = "delivery gave up after " + age + last;
                            r.status = "4.4.7";
                        }
                    }
                    LOG.info("{}: expired after {}", e.id, age);
                } else {
                    Instant next = now.plus(settings.delayAfter(e.attempts));
                    e.nextAttempt = next.isAfter(expires) ? expires : next;
                }
            }
            persist(e);
        }
        bounce(e);
        notices(e, now);
        synchronized (e) {
            if (e.deleted) {
                return;
            }
            if (!e.open()) {
                entries.remove(e.id, e);
                e.deleted = true;
                spool.delete(e.id);
                LOG.info("{}: removed from the queue (done)", e.id);
            } else {
                boolean pending = false;
                for (Rcpt r : e.rcpts) {
                    pending |= r.state == State.PENDING;
                }
                if (!pending) {
                    // only bounces or notices left to send (the sender's mailbox was not available): try again later
                    e.nextAttempt = now.plus(settings.delayAfter(e.attempts));
                }
                persist(e);
            }
        }
    }

    /** Sends one DSN for the recipients that failed and have not been bounced yet. */
    private void bounce(QueueEntry e) throws IOException {
        List<Rcpt> failed = new ArrayList<>();
        List<Dsn.Failure> failures = new ArrayList<>();
        boolean full;
        String envid;
        synchronized (e) {
            if (e.deleted) {
                return;
            }
            List<Rcpt> unwanted = new ArrayList<>();
            for (Rcpt r : e.rcpts) {
                if (r.state == State.FAILED) {
                    if (!DsnRequest.Recipient.parseNotify(r.notify).isEmpty()
                            && !DsnRequest.Recipient.parseNotify(r.notify).contains(DsnRequest.Notify.FAILURE)) {
                        unwanted.add(r); // NOTIFY=NEVER, or without FAILURE (RFC 3461 4.1)
                        continue;
                    }
                    failed.add(r);
                    failures.add(new Dsn.Failure(r.address, r.status == null ? "5.0.0" : r.status, r.remote,
                            r.diagnostic, r.reply, r.orcpt));
                }
            }
            if (!unwanted.isEmpty()) {
                for (Rcpt r : unwanted) {
                    r.state = State.BOUNCED;
                }
                persist(e);
                LOG.info("{}: {} recipient(s) failed; no bounce for them (NOTIFY {})", e.id, unwanted.size(),
                        unwanted.stream().map(r -> r.notify).distinct().toList());
            }
            if (failed.isEmpty()) {
                return;
            }
            full = "FULL".equals(e.ret);
            envid = e.envid;
            if (e.sender.isEmpty()) {
                for (Rcpt r : failed) {
                    r.state = State.BOUNCED;
                }
                persist(e);
                LOG.info("{}: {} recipient(s) failed; no bounce for the null sender", e.id, failed.size());
                return;
            }
        }
        byte[] dsn;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(spool.message(e.id)))) {
            dsn = Dsn.build(settings.hostname(), e.id, e.sender, e.arrived, failures, in, clock.instant(), envid,
                    full ? e.size : -1);
        }
        String where = sendReport(e, dsn);
        if (where == null) {
            return;
        }
        synchronized (e) {
            for (Rcpt r : failed) {
                r.state = State.BOUNCED;
            }
            persist(e);
        }
        metrics().add(PROTOCOL, MailMetrics.MESSAGES_BOUNCED, failed.size());
        LOG.info("{}: bounce for {} recipient(s) sent to <{}> ({})", e.id, failed.size(), e.sender, where);
    }

    /**
     * Sends the "relayed" notices still owed and, once the message is {@code delayWarning} old, one warning for the
     * recipients still being retried that want it (no NOTIFY, or one with DELAY). Nothing goes to the null sender.
     */
    private void notices(QueueEntry e, Instant now) throws IOException {
        List<Rcpt> relayed = new ArrayList<>();
        List<Dsn.Failure> relayedItems = new ArrayList<>();
        List<Rcpt> delayed = new ArrayList<>();
        List<Dsn.Failure> delayedItems = new ArrayList<>();
        Duration warnAfter = settings.delayWarning();
        boolean warn = !warnAfter.isZero() && !now.isBefore(e.arrived.plus(warnAfter));
        synchronized (e) {
            if (e.deleted) {
                return;
            }
            for (Rcpt r : e.rcpts) {
                if (r.relayNotice) {
                    relayed.add(r);
                    relayedItems.add(new Dsn.Failure(r.address, r.status == null ? "2.0.0" : r.status, r.remote,
                            r.diagnostic, r.reply, r.orcpt));
                } else if (warn && r.state == State.PENDING && !r.delayWarned && wantsDelayNotice(r.notify)) {
                    delayed.add(r);
                    delayedItems.add(new Dsn.Failure(r.address, r.status != null && r.status.startsWith("4.")
                            ? r.status : "4.0.0", r.remote, r.diagnostic,
                            r.reply == null ? "not delivered yet" : r.reply, r.orcpt));
                }
            }
            if (relayed.isEmpty() && delayed.isEmpty()) {
                return;
            }
            if (e.sender.isEmpty()) {
                relayed.forEach(r -> r.relayNotice = false);
                delayed.forEach(r -> r.delayWarned = true);
                persist(e);
                return;
            }
        }
        if (!relayed.isEmpty() && report(e, Dsn.Kind.RELAYED, relayedItems, null)) {
            synchronized (e) {
                relayed.forEach(r -> r.relayNotice = false);
                persist(e);
            }
        }
        if (!delayed.isEmpty() && report(e, Dsn.Kind.DELAYED, delayedItems, e.arrived.plus(settings.maxAge()))) {
            synchronized (e) {
                delayed.forEach(r -> r.delayWarned = true);
                persist(e);
            }
        }
    }

    /** RFC 3461 4.1: without NOTIFY the MTA decides (we warn); with it, only if it names DELAY. */
    private static boolean wantsDelayNotice(String notify) {
        Set<DsnRequest.Notify> n = DsnRequest.Recipient.parseNotify(notify);
        return n.isEmpty() || n.contains(DsnRequest.Notify.DELAY);
    }

    /** Builds and sends one warning or notice; false when it must be tried again later. */
    private boolean report(QueueEntry e, Dsn.Kind kind, List<Dsn.Failure> items, Instant retryUntil)
            throws IOException {
        byte[] dsn;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(spool.message(e.id)))) {
            dsn = Dsn.build(kind, settings.hostname(), e.id, e.sender, e.arrived, items, in, clock.instant(),
                    e.envid, -1, retryUntil);
        }
        String where = sendReport(e, dsn);
        if (where != null) {
            LOG.info("{}: {} notice for {} recipient(s) sent to <{}> ({})", e.id, kind.action, items.size(), e.sender,
                    where);
        }
        return where != null;
    }

    @Override
    public void reportDelivered(String sender, List<String> recipients, MessageSource message, DsnRequest dsn)
            throws IOException {
        if (sender == null || sender.isEmpty() || recipients.isEmpty()) {
            return;
        }
        DsnRequest request = dsn == null ? DsnRequest.NONE : dsn;
        List<Dsn.Failure> items = new ArrayList<>();
        for (String r : recipients) {
            items.add(new Dsn.Failure(r, "2.0.0", null, null, "delivered to the mailbox",
                    request.recipient(r).originalRecipient()));
        }
        String id = newId();
        Instant now = clock.instant();
        byte[] report;
        try (InputStream in = new BufferedInputStream(message.open())) {
            report = Dsn.build(Dsn.Kind.DELIVERED, settings.hostname(), id, sender, now, items, in, now,
                    request.envelopeId(), -1, null);
        }
        QueueEntry e = new QueueEntry(id, sender, now, report.length, false, List.of());
        String where = sendReport(e, report);
        if (where == null) {
            throw new IOException("the sender's mailbox is not available now");
        }
        LOG.info("{}: delivered notice for {} recipient(s) sent to <{}> ({})", id, items.size(), sender, where);
    }

    /** @return where the report went, or null when it must be tried again later */
    private String sendReport(QueueEntry e, byte[] dsn) throws IOException {
        LocalDelivery local = localDelivery;
        MessageSource src = MessageSource.of(dsn);
        if (local != null) {
            Resolution res = local.resolve(e.sender);
            switch (res.kind()) {
                case LOCAL -> {
                    for (String user : res.users()) {
                        DeliveryResult d = local.deliver(user, "INBOX", src);
                        if (d.status() == DeliveryResult.Status.TEMPORARY_FAILURE) {
                            LOG.warn("{}: bounce to {} deferred: {}", e.id, user, d.detail());
                            return null;
                        }
                        if (!d.delivered()) {
                            LOG.warn("{}: bounce to {} dropped: {} {}", e.id, user, d.status(), d.detail());
                        }
                    }
                    if (res.forwards()) {
                        // the sender is an alias of ours that forwards (also) to remote addresses: after the local
                        // copies, so that a deferred local copy never queues the forwarded one twice
                        String id = enqueue("", res.remoteTargets(), src);
                        return "local delivery, forwarded to " + res.remoteTargets() + " as " + id;
                    }
                    return "local delivery";
                }
                case UNKNOWN_USER -> {
                    LOG.warn("{}: bounce dropped: the sender <{}> is not a known local user", e.id, e.sender);
                    return "dropped";
                }
                case TEMPORARY_FAILURE -> {
                    LOG.warn("{}: bounce deferred: cannot resolve the sender <{}> now", e.id, e.sender);
                    return null;
                }
                default -> {
                    // remote sender: through the queue
                }
            }
        }
        String id = enqueue("", List.of(e.sender), src);
        return "queued as " + id;
    }
}
