package io.pillarbox.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.protocol.CloseRequest;
import io.pillarbox.api.protocol.ProtocolHandlerFactory;
import io.pillarbox.api.protocol.TlsMode;
import io.pillarbox.api.server.ListenerInfo;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One server socket serving one protocol, made from a factory configuration ({@code io.pillarbox.listener}). It is
 * bound while a {@link ProtocolHandlerFactory} for its protocol is registered and unbound (its sessions told to say
 * goodbye) when that service goes away. A configuration change rebinds this listener only; sessions already open
 * keep running.
 */
@Component(service = {}, configurationPid = Listener.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ListenerConfig.class, factory = true)
public class Listener {

    static final String FACTORY_PID = "io.pillarbox.listener";
    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);

    @Reference
    private Transport transport;
    private final Map<ProtocolHandlerFactory, Integer> factories = new ConcurrentHashMap<>();
    private final Set<ConnectionImpl> connections = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, AtomicInteger> perIp = new ConcurrentHashMap<>();

    private ListenerSettings settings;
    private ProtocolHandlerFactory bound;
    private Channel serverChannel;
    private String status = "starting";
    private boolean active;

    @Activate
    synchronized void activate(ListenerConfig config, Map<String, Object> props) {
        settings = ListenerSettings.from(config, props);
        active = true;
        transport.addListener(this);
        update();
    }

    @Modified
    synchronized void modified(ListenerConfig config, Map<String, Object> props) {
        ListenerSettings next = ListenerSettings.from(config, props);
        boolean protocolChanged = !next.protocol().equals(settings.protocol());
        settings = next;
        unbindSocket();
        if (protocolChanged) {
            closeSessions("Service reconfigured");
            bound = null;
        }
        LOG.info("Listener {} reconfigured from {}", settings.name(), settings.source());
        update();
    }

    @Deactivate
    synchronized void deactivate() {
        active = false;
        unbindSocket();
        closeSessions("Server shutting down");
        bound = null;
        transport.removeListener(this);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindProtocol(ProtocolHandlerFactory factory, Map<String, Object> props) {
        factories.put(factory, ranking(props));
        synchronized (this) {
            if (active) {
                update();
            }
        }
    }

    void unbindProtocol(ProtocolHandlerFactory factory) {
        factories.remove(factory);
        synchronized (this) {
            if (active && factory == bound) {
                LOG.info("Protocol {} went away: listener {} stops serving it", settings.protocol(), settings.name());
                unbindSocket();
                closeSessions("Service stopping");
                bound = null;
                update();
            }
        }
    }

    private static int ranking(Map<String, Object> props) {
        Object r = props.get(Constants.SERVICE_RANKING);
        return r instanceof Integer i ? i : 0;
    }

    /** Binds to the best factory for our protocol if there is one and we are not bound yet. */
    private void update() {
        ProtocolHandlerFactory best = null;
        int bestRank = Integer.MIN_VALUE;
        for (Map.Entry<ProtocolHandlerFactory, Integer> e : factories.entrySet()) {
            if (settings.protocol().equalsIgnoreCase(e.getKey().protocol()) && e.getValue() > bestRank) {
                best = e.getKey();
                bestRank = e.getValue();
            }
        }
        if (best == null) {
            status = "waiting for protocol '" + settings.protocol() + "' (no bundle provides it)";
            return;
        }
        if (best != bound) {
            if (bound != null) {
                unbindSocket();
                closeSessions("Service restarting");
            }
            bound = best;
        }
        if (serverChannel == null) {
            bindSocket();
        }
    }

    private void bindSocket() {
        ListenerSettings s = settings;
        ProtocolHandlerFactory factory = bound;
        if (s.tls() == TlsMode.IMPLICIT || s.tls() == TlsMode.STARTTLS) {
            try {
                transport.sslContext();
            } catch (RuntimeException e) {
                status = "TLS unavailable: " + e.getMessage();
                LOG.error("Listener {} ({}): cannot set up TLS: {}", s.name(), s.source(), e.getMessage(), e);
                return;
            }
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(transport.group())
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 256)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accept(ch, s, factory);
                    }
                });
        ChannelFuture f = b.bind(new InetSocketAddress(s.host(), s.port())).awaitUninterruptibly();
        if (f.isSuccess()) {
            serverChannel = f.channel();
            InetSocketAddress local = (InetSocketAddress) serverChannel.localAddress();
            status = "listening";
            LOG.info("Listener {} serves {} on {}:{} (TLS {})", s.name(), s.protocol(),
                    local.getAddress().getHostAddress(), local.getPort(), s.tls().name().toLowerCase());
        } else {
            Throwable cause = f.cause();
            status = "cannot bind " + s.host() + ":" + s.port() + ": " + cause.getMessage();
            LOG.error("Listener {}: cannot bind {}:{} ({}; check keys 'host' and 'port' in {}): {}", s.name(),
                    s.host(), s.port(), cause.getClass().getSimpleName(), s.source(), cause.getMessage());
        }
    }

    private void unbindSocket() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            serverChannel = null;
        }
        status = "unbound";
    }

    /** Asks every session of this listener to say goodbye, and waits (bounded) until they have closed. */
    private void closeSessions(String reason) {
        List<ConnectionImpl> open = new ArrayList<>(connections);
        if (open.isEmpty()) {
            return;
        }
        int grace = transport.graceSeconds();
        for (ConnectionImpl c : open) {
            c.requestClose(CloseRequest.Cause.SHUTDOWN, reason, grace);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(grace + 1L);
        for (ConnectionImpl c : open) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !c.channel().closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
                c.channel().close();
            }
        }
    }

    private void accept(Channel ch, ListenerSettings s, ProtocolHandlerFactory factory) {
        ConnectionImpl c = new ConnectionImpl(transport.nextSessionId(), this, s, ch);
        InetAddress ip = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        AtomicInteger fromIp = perIp.computeIfAbsent(ip, k -> new AtomicInteger());
        boolean overLimit = fromIp.incrementAndGet() > s.maxConnectionsPerIp()
                | connections.size() >= s.maxConnections();
        connections.add(c);
        transport.register(c);
        ch.closeFuture().addListener(f -> {
            connections.remove(c);
            transport.unregister(c);
            if (fromIp.decrementAndGet() <= 0) {
                perIp.remove(ip, fromIp);
            }
        });
        ch.pipeline().addLast(ConnectionImpl.COUNTER_HANDLER, new ByteCounter(c));
        if (s.idleTimeoutSeconds() > 0) {
            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, s.idleTimeoutSeconds()));
            ch.pipeline().addLast("idle-close", new IdleCloser(c));
        }
        if (s.tls() == TlsMode.IMPLICIT) {
            ch.pipeline().addLast(ConnectionImpl.TLS_HANDLER, transport.sslContext().newHandler(ch.alloc()));
        }
        try {
            factory.initChannel(ch, c);
        } catch (RuntimeException e) {
            LOG.error("Protocol {} failed to set up {}", s.protocol(), c, e);
            ch.close();
            return;
        }
        // counted per protocol of the listener: accepted, or refused by maxConnections / maxConnectionsPerIp
        transport.metrics().increment(s.protocol(), overLimit ? MailMetrics.CONNECTIONS_REJECTED
                : MailMetrics.CONNECTIONS);
        if (overLimit) {
            LOG.warn("Listener {}: connection limit reached, refusing {}", s.name(), ch.remoteAddress());
            // after channelActive, so that the protocol's greeting state is set up before it says goodbye
            ch.eventLoop().execute(() -> c.requestClose(CloseRequest.Cause.TOO_MANY_CONNECTIONS,
                    "Too many connections", transport.graceSeconds()));
        }
    }

    Transport transport() {
        return transport;
    }

    synchronized ListenerInfo info() {
        ListenerSettings s = settings;
        int port = s.port();
        if (serverChannel != null) {
            port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        }
        return new ListenerInfo(s.name(), s.protocol(), s.host(), port, s.tls(), serverChannel != null, status,
                connections.size());
    }

    /** Counts raw bytes on the wire for {@code mail:sessions}. */
    static final class ByteCounter extends ChannelDuplexHandler {
        private final ConnectionImpl c;

        ByteCounter(ConnectionImpl c) {
            this.c = c;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            c.bytesIn.addAndGet(size(msg));
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            long n = size(msg);
            if (n > 0) {
                promise.addListener(f -> {
                    if (f.isSuccess()) {
                        c.bytesOut.addAndGet(n);
                    }
                });
            }
            ctx.write(msg, promise);
        }

        private static long size(Object msg) {
            if (msg instanceof ByteBuf b) {
                return b.readableBytes();
            }
            if (msg instanceof ByteBufHolder h) {
                return h.content().readableBytes();
            }
            if (msg instanceof io.netty.channel.FileRegion r) {
                return r.count();
            }
            return 0;
        }
    }

    /** Turns the transport-level idle limit into a polite goodbye from the protocol. */
    static final class IdleCloser extends ChannelInboundHandlerAdapter {
        private final ConnectionImpl c;

        IdleCloser(ConnectionImpl c) {
            this.c = c;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                c.requestClose(CloseRequest.Cause.IDLE_TIMEOUT, "Idle for too long",
                        c.owner().transport().graceSeconds());
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }
    }
}
