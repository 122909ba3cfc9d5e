package io.pillarbox.imap;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestConnection;
import io.pillarbox.testkit.TestStores;
import jakarta.mail.BodyPart;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.FlagTerm;
import jakarta.mail.search.SubjectTerm;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Angus Mail's IMAP provider (what Jakarta Mail applications use) against a real server socket. */
class AngusMailTest {

    EventLoopGroup group;
    ExecutorService worker;
    Channel server;
    Session mail;

    @BeforeEach
    void start() throws Exception {
        TestAuth auth = new TestAuth(Map.of("alice", "secret"));
        ImapServer imap = new ImapServer(ImapSettings.defaults(), auth, auth, new TestStores(new MemoryMailStore()),
                new RecentTracker());
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
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
        Properties p = new Properties();
        p.put("mail.imap.host", "127.0.0.1");
        p.put("mail.imap.port", String.valueOf(((InetSocketAddress) server.localAddress()).getPort()));
        p.put("mail.imap.connectiontimeout", "5000");
        p.put("mail.imap.timeout", "10000");
        mail = Session.getInstance(p);
        mail.setDebug(Boolean.getBoolean("angus.debug"));
    }

    @AfterEach
    void stop() throws Exception {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        worker.shutdownNow();
    }

    Store connect() throws Exception {
        Store s = mail.getStore("imap");
        s.connect("alice", "secret");
        return s;
    }

    @Test
    void appendFetchFlagsSearchMoveExpunge() throws Exception {
        try (Store store = connect()) {
            Set<String> names = Arrays.stream(store.getDefaultFolder().list("*")).map(Folder::getFullName)
                    .collect(Collectors.toSet());
            assertEquals(Set.of("INBOX", "Drafts", "Sent", "Trash", "Junk", "Archive"), names);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            Message[] in = {
                new MimeMessage(mail, new ByteArrayInputStream(Messages.SIMPLE.getBytes(StandardCharsets.UTF_8))),
                new MimeMessage(mail, new ByteArrayInputStream(Messages.ALTERNATIVE.getBytes(StandardCharsets.UTF_8))),
                new MimeMessage(mail, new ByteArrayInputStream(Messages.FORWARD.getBytes(StandardCharsets.UTF_8)))};
            inbox.appendMessages(in);
            assertEquals(3, inbox.getMessageCount());
            Message[] msgs = inbox.getMessages();
            FetchProfile fp = new FetchProfile();
            fp.add(FetchProfile.Item.ENVELOPE);
            fp.add(FetchProfile.Item.FLAGS);
            fp.add(FetchProfile.Item.CONTENT_INFO);
            fp.add(UIDFolder.FetchProfileItem.UID);
            inbox.fetch(msgs, fp);
            assertEquals("Lunch tomorrow", msgs[0].getSubject());
            assertEquals("Quarterly r\u00e9sum\u00e9", msgs[1].getSubject());
            assertEquals("carol@example.com", ((InternetAddress) msgs[1].getFrom()[0]).getAddress());
            assertEquals(2, msgs[1].getRecipients(Message.RecipientType.TO).length);
            assertEquals("Shall we meet at noon?\r\nAlice\r\n", msgs[0].getContent());
            Multipart mixed = (Multipart) msgs[1].getContent();
            assertEquals(2, mixed.getCount());
            Multipart alt = (Multipart) mixed.getBodyPart(0).getContent();
            assertEquals("Caf\u00e9 numbers are up.", alt.getBodyPart(0).getContent());
            BodyPart pdf = mixed.getBodyPart(1);
            assertEquals("report.pdf", pdf.getFileName());
            assertEquals("attachment", pdf.getDisposition());
            byte[] pdfBytes = pdf.getInputStream().readAllBytes();
            assertArrayEquals("%PDF-1.4".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(pdfBytes, 8));
            Multipart fwd = (Multipart) msgs[2].getContent();
            Message inner = (Message) fwd.getBodyPart(1).getContent();
            assertEquals("Lunch tomorrow", inner.getSubject());
            assertTrue(msgs[0].isSet(Flags.Flag.SEEN));

            msgs[2].setFlag(Flags.Flag.FLAGGED, true);
            assertEquals(1, inbox.search(new FlagTerm(new Flags(Flags.Flag.FLAGGED), true)).length);
            assertEquals(2, inbox.search(new SubjectTerm("lunch")).length);
            long uid = ((UIDFolder) inbox).getUID(msgs[1]);
            assertEquals(2, uid);

            Folder archive = store.getFolder("Archive");
            ((IMAPFolder) inbox).moveMessages(new Message[]{msgs[2]}, archive);
            assertTrue(msgs[2].isExpunged());
            assertEquals(1, archive.getMessageCount());
            msgs[0].setFlag(Flags.Flag.DELETED, true);
            Message[] gone = inbox.expunge();
            assertTrue(Arrays.asList(gone).contains(msgs[0]));
            assertEquals(1, store.getFolder("INBOX").getMessageCount());
            Folder sub = store.getFolder("Projects/2024");
            assertTrue(sub.create(Folder.HOLDS_MESSAGES));
            assertTrue(store.getFolder("Projects").exists());
            assertTrue(sub.renameTo(store.getFolder("Projects/2025")));
            assertTrue(store.getFolder("Projects/2025").delete(false));
            inbox.close(false);
            assertTrue(((IMAPStore) store).hasCapability("IMAP4rev2"));
        }
    }

    @Test
    void idleIsToldOfANewMessage() throws Exception {
        try (Store a = connect(); Store b = connect()) {
            IMAPFolder inbox = (IMAPFolder) a.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            CountDownLatch added = new CountDownLatch(1);
            inbox.addMessageCountListener(new jakarta.mail.event.MessageCountAdapter() {
                @Override
                public void messagesAdded(jakarta.mail.event.MessageCountEvent e) {
                    added.countDown();
                }
            });
            Thread idler = new Thread(() -> {
                try {
                    inbox.idle(true);
                } catch (Exception e) {
                    // the test fails on the latch
                }
            });
            idler.start();
            Thread.sleep(200);
            long t0 = System.nanoTime();
            b.getFolder("INBOX").appendMessages(new Message[]{new MimeMessage(mail,
                    new ByteArrayInputStream(Messages.REPLY.getBytes(StandardCharsets.UTF_8)))});
            assertTrue(added.await(5, TimeUnit.SECONDS), "IDLE was not told");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "IDLE told within a second");
            idler.join(5000);
            assertEquals(1, inbox.getMessageCount());
        }
    }
}
