package io.pillarbox.testkit;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.pillarbox.api.protocol.Connection;
import io.pillarbox.api.protocol.TlsMode;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * A {@link Connection} for protocol unit tests on an {@code EmbeddedChannel}: the worker is whatever executor the test
 * gives (often a queue the test drains), TLS is simulated by flags.
 */
public final class TestConnection implements Connection {

    private final String protocol;
    private final int port;
    private final Executor worker;
    public Channel channel;
    public boolean secure;
    public boolean starttls;
    public boolean plaintext = true;
    public String remoteHost = "127.0.0.1";
    /** The listener configuration the protocol sees (e.g. {@code smtp.role}). */
    public final Map<String, Object> properties = new java.util.HashMap<>();
    public int startTlsCalls;
    public volatile String user;
    public volatile String state;

    /**
     * @param protocol the protocol name the connection reports
     * @param port     the local port it reports
     * @param worker   where blocking work runs
     */
    public TestConnection(String protocol, int port, Executor worker) {
        this.protocol = protocol;
        this.port = port;
        this.worker = worker;
    }

    @Override
    public String id() {
        return "t1";
    }

    @Override
    public String listener() {
        return "test";
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress(remoteHost, 40000);
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Override
    public TlsMode tlsMode() {
        return starttls ? TlsMode.STARTTLS : TlsMode.NONE;
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public boolean canStartTls() {
        return starttls && !secure;
    }

    @Override
    public Future<Channel> startTls() {
        startTlsCalls++;
        secure = true;
        return channel.eventLoop().newSucceededFuture(channel);
    }

    @Override
    public boolean plaintextAuthAllowed() {
        return plaintext || secure;
    }

    @Override
    public Executor worker() {
        return worker;
    }

    @Override
    public Map<String, Object> properties() {
        return properties;
    }

    @Override
    public void setUser(String user) {
        this.user = user;
    }

    @Override
    public void setState(String state) {
        this.state = state;
    }
}
