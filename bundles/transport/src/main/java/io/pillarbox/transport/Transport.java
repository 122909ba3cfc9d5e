package io.pillarbox.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.server.ListenerInfo;
import io.pillarbox.api.server.ListenerRegistry;
import io.pillarbox.api.server.SessionInfo;
import io.pillarbox.api.server.SessionRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared server core: one event-loop group for all listeners, the worker pool for blocking work, TLS material,
 * and the registry of every open session. Listeners depend on it, so they stop (and say goodbye) before it does.
 */
@Component(service = {Transport.class, SessionRegistry.class, ListenerRegistry.class}, configurationPid = Transport.PID)
@Designate(ocd = TransportConfig.class)
public class Transport implements SessionRegistry, ListenerRegistry {

    static final String PID = "io.pillarbox.transport";
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    private final Map<String, ConnectionImpl> sessions = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong sessionSeq = new AtomicLong();

    private EventLoopGroup group;
    private Class<? extends ServerChannel> serverChannelClass;
    private ThreadPoolExecutor worker;
    private TlsMaterial tls;
    private int graceSeconds;
    /** Where connections are counted; {@link MailMetrics#NONE} while no metrics service is registered. */
    private volatile MailMetrics metrics = MailMetrics.NONE;

    @Activate
    void activate(TransportConfig config) {
        int ioThreads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        IoHandlerFactory ioFactory = NioIoHandler.newFactory();
        serverChannelClass = NioServerSocketChannel.class;
        String kind = "nio";
        try {
            if (EpollSupport.available()) {
                ioFactory = EpollSupport.ioHandlerFactory();
                serverChannelClass = EpollSupport.serverChannelClass();
                kind = "epoll";
            }
        } catch (LinkageError e) {
            LOG.debug("Native epoll transport not installed; using NIO", e);
        }
        group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("pillarbox-io", true), ioFactory);
        worker = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(Math.max(1, config.workerQueue())),
                new DefaultThreadFactory("pillarbox-worker", true));
        worker.allowCoreThreadTimeOut(true);
        tls = new TlsMaterial(config);
        graceSeconds = Math.max(0, config.shutdownGraceSeconds());
        LOG.info("Pillarbox transport started: {} {} I/O threads, {} workers", ioThreads, kind, config.workerThreads());
    }

    @Deactivate
    void deactivate() {
        worker.shutdown();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Pillarbox transport stopped");
    }

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

    /** The metrics service, or {@link MailMetrics#NONE}; never {@code null}. */
    MailMetrics metrics() {
        return metrics;
    }

    EventLoopGroup group() {
        return group;
    }

    Class<? extends ServerChannel> serverChannelClass() {
        return serverChannelClass;
    }

    ExecutorService worker() {
        return worker;
    }

    /** The server TLS context, created (and a self-signed certificate generated) on first use. */
    SslContext sslContext() {
        return tls.context();
    }

    int graceSeconds() {
        return graceSeconds;
    }

    String nextSessionId() {
        return Long.toString(sessionSeq.incrementAndGet(), 36);
    }

    void register(ConnectionImpl c) {
        sessions.put(c.id(), c);
    }

    void unregister(ConnectionImpl c) {
        sessions.remove(c.id());
    }

    void addListener(Listener l) {
        listeners.add(l);
    }

    void removeListener(Listener l) {
        listeners.remove(l);
    }

    @Override
    public List<SessionInfo> sessions() {
        List<SessionInfo> list = new ArrayList<>(sessions.values());
        list.sort(Comparator.comparing(SessionInfo::since).thenComparing(SessionInfo::id));
        return list;
    }

    @Override
    public Optional<SessionInfo> find(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    @Override
    public boolean kick(String id, String reason) {
        ConnectionImpl c = sessions.get(id);
        if (c == null) {
            return false;
        }
        c.requestClose(io.pillarbox.api.protocol.CloseRequest.Cause.KICKED, reason, graceSeconds);
        return true;
    }

    @Override
    public int kickUser(String user, String reason) {
        int n = 0;
        for (ConnectionImpl c : sessions.values()) {
            if (user.equalsIgnoreCase(c.user())) {
                c.requestClose(io.pillarbox.api.protocol.CloseRequest.Cause.KICKED, reason, graceSeconds);
                n++;
            }
        }
        return n;
    }

    @Override
    public List<ListenerInfo> listeners() {
        List<ListenerInfo> list = new ArrayList<>();
        for (Listener l : listeners) {
            list.add(l.info());
        }
        list.sort(Comparator.comparing(ListenerInfo::name));
        return list;
    }
}
