package io.pillarbox.queue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** MX and address lookups with Netty's asynchronous DNS resolver, waited for on the calling (worker) thread. */
final class MxResolver implements AutoCloseable {

    /** A mail exchanger. */
    record Host(String name, int preference) {
    }

    enum Kind {
        /** Hosts to try, in order (the domain itself when it has no MX: RFC 5321 5.1). */
        HOSTS,
        /** The domain publishes a null MX (RFC 7505): it accepts no mail. */
        NULL_MX,
        /** The domain does not exist (NXDOMAIN). */
        NO_DOMAIN,
        /** The lookup failed for now (timeout, SERVFAIL). */
        TEMPORARY
    }

    record Route(Kind kind, List<Host> hosts, String error) {
    }

    private final DnsNameResolver resolver;
    private final Duration timeout;

    MxResolver(EventLoopGroup group, List<InetSocketAddress> servers, Duration timeout) {
        this.timeout = timeout;
        DnsNameResolverBuilder b = new DnsNameResolverBuilder(group.next())
                .datagramChannelType(NioDatagramChannel.class)
                .socketChannelType(NioSocketChannel.class)
                .queryTimeoutMillis(timeout.toMillis())
                .searchDomains(List.of())
                .ndots(1)
                .recursionDesired(true)
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .nameServerProvider(servers.isEmpty() ? DnsServerAddressStreamProviders.platformDefault()
                        : new SequentialDnsServerAddressStreamProvider(servers));
        this.resolver = b.build();
    }

    /** The mail exchangers of a domain, best first; equal preferences in random order (RFC 5321 5.1). */
    Route route(String domain) {
        String name = domain.endsWith(".") ? domain : domain + ".";
        Future<AddressedEnvelope<DnsResponse, InetSocketAddress>> f =
                resolver.query(new DefaultDnsQuestion(name, DnsRecordType.MX));
        AddressedEnvelope<DnsResponse, InetSocketAddress> env;
        try {
            if (!f.await(timeout.toMillis() * 3 + 1000)) {
                return new Route(Kind.TEMPORARY, List.of(), "MX lookup of " + domain + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Route(Kind.TEMPORARY, List.of(), "interrupted");
        }
        if (!f.isSuccess()) {
            return new Route(Kind.TEMPORARY, List.of(), "MX lookup of " + domain + " failed: "
                    + SmtpClient.describe(f.cause()));
        }
        env = f.getNow();
        try {
            DnsResponse r = env.content();
            if (r.code() == DnsResponseCode.NXDOMAIN) {
                return new Route(Kind.NO_DOMAIN, List.of(), "Host or domain name not found. Name service error for name="
                        + domain + " type=MX: Host not found");
            }
            if (r.code() != DnsResponseCode.NOERROR) {
                return new Route(Kind.TEMPORARY, List.of(), "MX lookup of " + domain + " failed: " + r.code());
            }
            List<Host> hosts = new ArrayList<>();
            boolean nullMx = false;
            int n = r.count(DnsSection.ANSWER);
            for (int i = 0; i < n; i++) {
                DnsRecord rec = r.recordAt(DnsSection.ANSWER, i);
                if (rec.type() != DnsRecordType.MX || !(rec instanceof DnsRawRecord raw)) {
                    continue;
                }
                ByteBuf c = raw.content().duplicate();
                c.writerIndex(c.capacity());
                if (c.readableBytes() < 3) {
                    continue;
                }
                int pref = c.readUnsignedShort();
                String host = DefaultDnsRecordDecoder.decodeName(c);
                if (host.endsWith(".")) {
                    host = host.substring(0, host.length() - 1);
                }
                if (host.isEmpty()) {
                    nullMx = true;
                } else {
                    hosts.add(new Host(host.toLowerCase(Locale.ROOT), pref));
                }
            }
            if (nullMx) {
                return new Route(Kind.NULL_MX, List.of(), "Domain " + domain
                        + " does not accept mail (null MX, RFC 7505)");
            }
            if (hosts.isEmpty()) {
                return new Route(Kind.HOSTS, List.of(new Host(domain.toLowerCase(Locale.ROOT), 0)), null);
            }
            Collections.shuffle(hosts, ThreadLocalRandom.current());
            hosts.sort(Comparator.comparingInt(Host::preference));
            return new Route(Kind.HOSTS, List.copyOf(hosts), null);
        } finally {
            env.release();
        }
    }

    /** The addresses of a host (IPv4 first), or an exception saying why there are none. */
    List<InetAddress> addresses(String host) throws IOException {
        Future<List<InetAddress>> f = resolver.resolveAll(host);
        try {
            if (!f.await(timeout.toMillis() * 3 + 1000)) {
                throw new IOException("address lookup of " + host + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (!f.isSuccess()) {
            Throwable c = f.cause();
            if (c instanceof UnknownHostException) {
                throw new UnknownHostException("Host not found: " + host);
            }
            throw new IOException("address lookup of " + host + " failed: " + SmtpClient.describe(c), c);
        }
        List<InetAddress> a = f.getNow();
        if (a == null || a.isEmpty()) {
            throw new UnknownHostException("Host not found: " + host);
        }
        return a;
    }

    @Override
    public void close() {
        resolver.close();
    }
}
