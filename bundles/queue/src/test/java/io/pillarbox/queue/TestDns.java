package io.pillarbox.queue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A small authoritative DNS server on loopback UDP, written with Netty's codec-dns: MX and A records, NXDOMAIN. */
final class TestDns implements AutoCloseable {

    record Mx(int preference, String host) {
    }

    final Map<String, List<Mx>> mx = new ConcurrentHashMap<>();
    final Map<String, byte[]> a = new ConcurrentHashMap<>();
    final Set<String> nxdomain = ConcurrentHashMap.newKeySet();
    final List<String> queries = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    TestDns() throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                new SimpleChannelInboundHandler<DatagramDnsQuery>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery q) {
                                        ctx.writeAndFlush(answer(q));
                                    }
                                });
                    }
                }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    TestDns mx(String domain, int preference, String host) {
        mx.computeIfAbsent(domain, d -> new CopyOnWriteArrayList<>()).add(new Mx(preference, host));
        return this;
    }

    TestDns a(String host, String ipv4) throws Exception {
        a.put(host, InetAddress.getByName(ipv4).getAddress());
        return this;
    }

    private DatagramDnsResponse answer(DatagramDnsQuery q) {
        DnsQuestion question = q.recordAt(DnsSection.QUESTION);
        DatagramDnsResponse r = new DatagramDnsResponse(q.recipient(), q.sender(), q.id());
        r.setRecursionDesired(q.isRecursionDesired());
        r.setRecursionAvailable(true);
        r.setAuthoritativeAnswer(true);
        r.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(question.name(), question.type()));
        String name = question.name().toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        queries.add(question.type().name() + " " + name);
        if (nxdomain.contains(name)) {
            r.setCode(DnsResponseCode.NXDOMAIN);
            return r;
        }
        if (question.type() == DnsRecordType.MX) {
            for (Mx m : mx.getOrDefault(name, List.of())) {
                ByteBuf c = Unpooled.buffer();
                c.writeShort(m.preference());
                writeName(c, m.host());
                r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.MX, 60, c));
            }
        } else if (question.type() == DnsRecordType.A) {
            byte[] ip = a.get(name);
            if (ip != null) {
                r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A, 60,
                        Unpooled.wrappedBuffer(ip)));
            }
        }
        return r;
    }

    private static void writeName(ByteBuf b, String name) {
        for (String label : name.split("\\.")) {
            if (!label.isEmpty()) {
                byte[] l = label.getBytes(StandardCharsets.US_ASCII);
                b.writeByte(l.length);
                b.writeBytes(l);
            }
        }
        b.writeByte(0);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
}
