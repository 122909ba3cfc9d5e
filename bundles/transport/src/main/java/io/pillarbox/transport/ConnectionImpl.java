package io.pillarbox.transport;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.pillarbox.api.protocol.CloseRequest;
import io.pillarbox.api.protocol.Connection;
import io.pillarbox.api.protocol.TlsMode;
import io.pillarbox.api.server.SessionInfo;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** One accepted connection: what the protocol sees ({@link Connection}) and what the shell sees ({@link SessionInfo}). */
final class ConnectionImpl implements Connection, SessionInfo {

    static final String TLS_HANDLER = "tls";
    static final String COUNTER_HANDLER = "bytes";

    private final String id;
    private final Listener listener;
    private final ListenerSettings settings;
    private final Channel channel;
    private final Instant since = Instant.now();
    final AtomicLong bytesIn = new AtomicLong();
    final AtomicLong bytesOut = new AtomicLong();
    private volatile String user;
    private volatile String state = "connected";
    private volatile boolean closeRequested;

    ConnectionImpl(String id, Listener listener, ListenerSettings settings, Channel channel) {
        this.id = id;
        this.listener = listener;
        this.settings = settings;
        this.channel = channel;
    }

    Channel channel() {
        return channel;
    }

    Listener owner() {
        return listener;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String listener() {
        return settings.name();
    }

    @Override
    public String protocol() {
        return settings.protocol();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public TlsMode tlsMode() {
        return settings.tls();
    }

    @Override
    public boolean isSecure() {
        return channel.pipeline().get(SslHandler.class) != null;
    }

    @Override
    public Optional<X509Certificate> peerCertificate() {
        SslHandler handler = channel.pipeline().get(SslHandler.class);
        if (handler == null || !handler.handshakeFuture().isSuccess()) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = handler.engine().getSession().getPeerCertificates();
            // the trust manager built from tls.trustedCAs verified this chain during the handshake
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? Optional.of(x) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty(); // no certificate presented (or none requested)
        }
    }

    @Override
    public boolean canStartTls() {
        return settings.tls() == TlsMode.STARTTLS && !isSecure();
    }

    @Override
    public Future<Channel> startTls() {
        if (!canStartTls()) {
            throw new IllegalStateException("STARTTLS is not available on this connection");
        }
        if (!channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("startTls() must be called on the channel's event loop");
        }
        SslHandler handler = new SslHandler(listener.transport().sslContext().newEngine(channel.alloc()), true);
        channel.pipeline().addAfter(COUNTER_HANDLER, TLS_HANDLER, handler);
        Future<Channel> handshake = handler.handshakeFuture();
        handshake.addListener(f -> {
            if (!f.isSuccess()) {
                channel.close();
            }
        });
        return handshake;
    }

    @Override
    public boolean plaintextAuthAllowed() {
        if (isSecure() || settings.allowPlaintextAuth()) {
            return true;
        }
        InetSocketAddress remote = remoteAddress();
        return remote != null && remote.getAddress() != null && remote.getAddress().isLoopbackAddress();
    }

    @Override
    public Executor worker() {
        return listener.transport().worker();
    }

    @Override
    public Map<String, Object> properties() {
        return settings.properties();
    }

    @Override
    public void setUser(String user) {
        this.user = user;
    }

    @Override
    public void setState(String state) {
        this.state = state;
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public Instant since() {
        return since;
    }

    @Override
    public String state() {
        return state;
    }

    @Override
    public boolean secure() {
        return isSecure();
    }

    @Override
    public long bytesIn() {
        return bytesIn.get();
    }

    @Override
    public long bytesOut() {
        return bytesOut.get();
    }

    /**
     * Asks the protocol to say goodbye and close; closes the channel itself after {@code graceSeconds} if the
     * protocol has not.
     */
    void requestClose(CloseRequest.Cause cause, String reason, int graceSeconds) {
        if (!channel.isOpen()) {
            return;
        }
        channel.eventLoop().execute(() -> {
            if (closeRequested || !channel.isOpen()) {
                return;
            }
            closeRequested = true;
            state = "closing";
            channel.pipeline().fireUserEventTriggered(new CloseRequest(cause, reason));
            if (channel.isOpen()) {
                channel.eventLoop().schedule(() -> {
                    channel.close();
                }, graceSeconds, TimeUnit.SECONDS);
            }
        });
    }

    @Override
    public String toString() {
        return "session " + id + " (" + settings.protocol() + " from " + channel.remoteAddress() + ")";
    }
}
