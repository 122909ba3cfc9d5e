package io.pillarbox.queue;

import io.netty.handler.ssl.util.SelfSignedCertificate;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted SMTP server on a plain ServerSocket thread: it answers with configurable replies and records every
 * command line and every message exactly as received (still dot-stuffed).
 */
final class SmtpPeer implements AutoCloseable {

    /** One message received: the envelope and the raw DATA octets up to, not including, the final ".CRLF". */
    record Received(String mailFrom, List<String> rcptTo, byte[] raw, boolean tls) {

        /** The message as the client meant it: dot-stuffing removed. */
        byte[] unstuffed() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            boolean lineStart = true;
            for (int i = 0; i < raw.length; i++) {
                byte c = raw[i];
                if (lineStart && c == '.') {
                    lineStart = false;
                    continue;
                }
                out.write(c);
                lineStart = c == '\n';
            }
            return out.toByteArray();
        }
    }

    final List<String> commands = new CopyOnWriteArrayList<>();
    final List<Received> received = new CopyOnWriteArrayList<>();
    volatile int connections;
    volatile String greeting = "220 peer.test ESMTP ready";
    volatile boolean offerStartTls;
    volatile String authPlainExpected;
    volatile Function<String, String> rcptReply = a -> "250 2.1.5 Ok";
    volatile String dataReply = "250 2.0.0 Ok: queued as PEER1";
    volatile long sizeLimit = 10_000_000;
    /** How long the peer waits before answering RCPT (to catch the queue in the middle of an attempt). */
    volatile long rcptDelayMillis;
    /** Answers STARTTLS with 220 and then hangs up instead of a handshake. */
    volatile boolean brokenTls;
    /** Whether EHLO offers PIPELINING (the client then sends MAIL, RCPT and DATA in one write). */
    volatile boolean offerPipelining = true;
    volatile boolean offerDsn;
    volatile String mailReply = "250 2.1.0 Ok";
    private final ServerSocket server;
    private final SSLContext ssl;
    private final Thread thread;
    private volatile boolean closing;

    SmtpPeer(boolean tlsCapable) throws Exception {
        this(tlsCapable, 0);
    }

    SmtpPeer(boolean tlsCapable, int port) throws Exception {
        ssl = tlsCapable ? selfSigned() : null;
        offerStartTls = tlsCapable;
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        thread = new Thread(this::serve, "smtp-peer");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    static SSLContext selfSigned() throws Exception {
        SelfSignedCertificate c = new SelfSignedCertificate("peer.test");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("peer", c.key(), "pw".toCharArray(), new Certificate[]{c.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private void serve() {
        while (!closing) {
            try (Socket s = server.accept()) {
                connections++;
                s.setSoTimeout(20000);
                session(s);
            } catch (IOException e) {
                if (!closing) {
                    commands.add("! " + e);
                }
            }
        }
    }

    private void session(Socket socket) throws IOException {
        Socket s = socket;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        boolean tls = false;
        String from = null;
        List<String> rcpts = new CopyOnWriteArrayList<>();
        send(out, greeting);
        if (!greeting.startsWith("2")) {
            return;
        }
        while (true) {
            String line = readLine(in);
            if (line == null) {
                return;
            }
            commands.add(line);
            String upper = line.toUpperCase(Locale.ROOT);
            if (upper.startsWith("EHLO")) {
                StringBuilder b = new StringBuilder("250-peer.test\r\n250-SIZE " + sizeLimit + "\r\n250-8BITMIME\r\n");
                if (offerStartTls && !tls) {
                    b.append("250-STARTTLS\r\n");
                }
                if (authPlainExpected != null) {
                    b.append("250-AUTH PLAIN LOGIN\r\n");
                }
                if (offerDsn) {
                    b.append("250-DSN\r\n");
                }
                b.append(offerPipelining ? "250 PIPELINING" : "250 HELP");
                send(out, b.toString());
            } else if (upper.startsWith("HELO")) {
                send(out, "250 peer.test");
            } else if (upper.equals("STARTTLS") && ssl != null && !tls) {
                send(out, "220 2.0.0 Ready to start TLS");
                if (brokenTls) {
                    out.write("this is not a TLS record\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                }
                SSLSocket t = (SSLSocket) ssl.getSocketFactory().createSocket(s, "127.0.0.1", s.getPort(), true);
                t.setUseClientMode(false);
                t.startHandshake();
                s = t;
                in = t.getInputStream();
                out = t.getOutputStream();
                tls = true;
            } else if (upper.startsWith("AUTH PLAIN ")) {
                send(out, line.substring(11).equals(authPlainExpected) ? "235 2.7.0 Authentication successful"
                        : "535 5.7.8 Authentication failed");
            } else if (upper.startsWith("MAIL FROM:")) {
                rcpts.clear();
                String reply = mailReply;
                from = reply.startsWith("2") ? line.substring(10) : null;
                send(out, reply);
            } else if (upper.startsWith("RCPT TO:") && from == null) {
                send(out, "503 5.5.1 Error: need MAIL command");
            } else if (upper.startsWith("RCPT TO:")) {
                String a = line.substring(8).replaceAll("^<|>.*$", "");
                if (rcptDelayMillis > 0) {
                    try {
                        Thread.sleep(rcptDelayMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                String reply = rcptReply.apply(a);
                if (reply.startsWith("2")) {
                    rcpts.add(a);
                }
                send(out, reply);
            } else if (upper.equals("DATA") && from == null) {
                send(out, "503 5.5.1 Error: need MAIL command");
            } else if (upper.equals("DATA") && rcpts.isEmpty()) {
                send(out, "554 5.5.1 Error: no valid recipients");
            } else if (upper.equals("DATA")) {
                send(out, "354 End data with <CR><LF>.<CR><LF>");
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                ByteArrayOutputStream l = new ByteArrayOutputStream();
                while (true) {
                    int c = in.read();
                    if (c < 0) {
                        return;
                    }
                    l.write(c);
                    if (c == '\n') {
                        byte[] bytes = l.toByteArray();
                        l.reset();
                        if (bytes.length == 3 && bytes[0] == '.' && bytes[1] == '\r') {
                            break;
                        }
                        data.write(bytes);
                    }
                }
                String reply = dataReply;
                if (reply.startsWith("2")) {
                    received.add(new Received(from, List.copyOf(rcpts), data.toByteArray(), tls));
                }
                from = null;
                rcpts.clear();
                send(out, reply);
            } else if (upper.equals("RSET")) {
                from = null;
                rcpts.clear();
                send(out, "250 2.0.0 Ok");
            } else if (upper.equals("NOOP")) {
                send(out, "250 2.0.0 Ok");
            } else if (upper.equals("QUIT")) {
                send(out, "221 2.0.0 Bye");
                return;
            } else {
                send(out, "502 5.5.2 Command not recognized");
            }
        }
    }

    private static void send(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.UTF_8);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        closing = true;
        server.close();
    }
}
