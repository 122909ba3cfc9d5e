package io.pillarbox.pop2;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.pillarbox.api.protocol.Connection;
import io.pillarbox.api.protocol.TlsMode;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executor;

/** A {@link Connection} for tests: the worker is whatever executor the test gives. */
final class TestConnection implements Connection {

    private final Executor worker;
    Channel channel;
    boolean secure;
    boolean starttls;
    boolean plaintext = true;
    String remoteHost = "127.0.0.1";
    int startTlsCalls;
    volatile String user;
    volatile String state;

    TestConnection(Executor worker) {
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
        return "pop2";
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress(remoteHost, 40000);
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 109);
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
        return Map.of();
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
