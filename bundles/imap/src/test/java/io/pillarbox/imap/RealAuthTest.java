package io.pillarbox.imap;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.SaslService;
import io.pillarbox.core.auth.CoreAuthenticators;
import io.pillarbox.sasl.SaslServices;
import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestConnection;
import io.pillarbox.testkit.TestRealm;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** AUTHENTICATE with core's real Authenticator and the real SASL mechanisms (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256). */
class RealAuthTest {

    EventLoopGroup group;
    ExecutorService worker;
    Channel server;
    Authenticator auth;

    @BeforeEach
    void start() throws Exception {
        TestRealm realm = new TestRealm().user("alice", "s3cret");
        realm.scram = true;
        auth = CoreAuthenticators.create(realm, 100);
        SaslService sasl = SaslServices.create(auth);
        ImapServer imap = new ImapServer(ImapSettings.defaults(), auth, sasl, new TestStores(new MemoryMailStore()),
                new RecentTracker());
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        worker = Executors.newFixedThreadPool(1);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        TestConnection c = new TestConnection("imap", 143, worker);
                        c.channel = ch;
                        ImapProtocol.install(ch, c, imap);
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void stop() throws Exception {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        worker.shutdownNow();
        CoreAuthenticators.stop(auth);
    }

    SocketSessionTest.Client client() throws Exception {
        SocketSessionTest.Client c = new SocketSessionTest.Client((InetSocketAddress) server.localAddress());
        String greeting = c.line();
        assertTrue(greeting.contains("AUTH=PLAIN") && greeting.contains("AUTH=SCRAM-SHA-256"), greeting);
        return c;
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String unb64(String line) {
        return new String(Base64.getDecoder().decode(line.substring(2).trim()), StandardCharsets.UTF_8);
    }

    @Test
    void plainLoginAndCramMd5() throws Exception {
        try (SocketSessionTest.Client c = client()) {
            assertTrue(c.cmd("a", "AUTHENTICATE PLAIN " + b64("\0alice\0s3cret")).startsWith("a OK [CAPABILITY"));
        }
        try (SocketSessionTest.Client c = client()) {
            assertTrue(c.cmd("b", "AUTHENTICATE PLAIN " + b64("\0alice\0wrong")).startsWith("b NO [AUTHENTICATIONFAILED]"));
            c.send("c AUTHENTICATE LOGIN\r\n");
            assertEquals("Username:", unb64(c.line()));
            c.send(b64("alice") + "\r\n");
            assertEquals("Password:", unb64(c.line()));
            c.send(b64("s3cret") + "\r\n");
            assertTrue(c.line().startsWith("c OK [CAPABILITY"));
        }
        try (SocketSessionTest.Client c = client()) {
            c.send("d AUTHENTICATE CRAM-MD5\r\n");
            String challenge = unb64(c.line());
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacMD5"));
            String digest = HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.UTF_8)));
            c.send(b64("alice " + digest) + "\r\n");
            assertTrue(c.line().startsWith("d OK [CAPABILITY"));
        }
    }

    @Test
    void scramSha256WithServerFinalMessage() throws Exception {
        try (SocketSessionTest.Client c = client()) {
            String cnonce = "fyko+d2lbbFgONRv9qkxdawL";
            String clientFirstBare = "n=alice,r=" + cnonce;
            c.send("e AUTHENTICATE SCRAM-SHA-256 " + b64("n,," + clientFirstBare) + "\r\n");
            String serverFirst = unb64(c.line());
            Map<String, String> f = new HashMap<>();
            for (String kv : serverFirst.split(",")) {
                f.put(kv.substring(0, 1), kv.substring(2));
            }
            assertTrue(f.get("r").startsWith(cnonce));
            byte[] salt = Base64.getDecoder().decode(f.get("s"));
            int iterations = Integer.parseInt(f.get("i"));
            byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec("s3cret".toCharArray(), salt, iterations, 256)).getEncoded();
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            String finalWithoutProof = "c=biws,r=" + f.get("r");
            String authMessage = clientFirstBare + "," + serverFirst + "," + finalWithoutProof;
            byte[] signature = hmac(storedKey, authMessage);
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) {
                proof[i] = (byte) (clientKey[i] ^ signature[i]);
            }
            c.send(b64(finalWithoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)) + "\r\n");
            String serverFinal = unb64(c.line());
            byte[] serverKey = hmac(salted, "Server Key");
            assertEquals("v=" + Base64.getEncoder().encodeToString(hmac(serverKey, authMessage)), serverFinal);
            c.send("\r\n");
            assertTrue(c.line().startsWith("e OK [CAPABILITY"));
            assertTrue(c.cmd("f", "SELECT INBOX").contains("f OK [READ-WRITE]"));
        }
    }

    static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
}
