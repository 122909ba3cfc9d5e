package io.pillarbox.queue;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParsingTest {

    @Test
    void durations() {
        assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
        assertEquals(Duration.ofSeconds(45), Durations.parse("45"));
        assertEquals(Duration.ofMinutes(5), Durations.parse(" 5m "));
        assertEquals(Duration.ofHours(1), Durations.parse("1h"));
        assertEquals(Duration.ofDays(5), Durations.parse("5d"));
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("PT2M"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("soon"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5y"));
        assertEquals(List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofHours(1)),
                Durations.parseList("1m, 5m,1h"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parseList(" , "));
        assertEquals("1d2h3m4s", Durations.format(Duration.ofSeconds(86400 + 7200 + 184)));
        assertEquals("250ms", Durations.format(Duration.ofMillis(250)));
    }

    @Test
    void theRetryScheduleRepeatsItsLastDelay() {
        QueueSettings s = QueueSettings.of(TestSupport.config(Map.of("retrySchedule", "1m, 5m, 1h")));
        assertEquals(Duration.ofMinutes(1), s.delayAfter(1));
        assertEquals(Duration.ofMinutes(5), s.delayAfter(2));
        assertEquals(Duration.ofHours(1), s.delayAfter(3));
        assertEquals(Duration.ofHours(1), s.delayAfter(30));
        assertEquals(Duration.ofDays(5), s.maxAge());
        assertEquals(TlsPolicy.MAY, s.tls());
        assertEquals(25, s.remotePort());
        assertTrue(s.dnsServers().isEmpty());
        assertTrue(s.spool().endsWith(java.nio.file.Path.of("pillarbox", "queue")));
    }

    @Test
    void settingsParseServersPortsAndPolicies() {
        QueueSettings s = QueueSettings.of(TestSupport.config(Map.of("dnsServers",
                new String[]{"127.0.0.1:5353, 127.0.0.2", "[::1]:53"}, "tls", "ENCRYPT", "relayHost", " relay.test ",
                "relayUser", "u", "spoolDirectory", "${java.io.tmpdir}/q")));
        assertEquals(3, s.dnsServers().size());
        assertEquals(5353, s.dnsServers().get(0).getPort());
        assertEquals(53, s.dnsServers().get(1).getPort());
        assertEquals("relay.test", s.relayHost());
        assertEquals("u", s.relayUser());
        assertEquals(TlsPolicy.ENCRYPT, s.tls());
        assertEquals(java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "q").toAbsolutePath(), s.spool());
        assertThrows(IllegalArgumentException.class, () -> QueueSettings.of(TestSupport.config(Map.of("tls", "sometimes"))));
        assertThrows(IllegalArgumentException.class, () -> QueueSettings.of(TestSupport.config(Map.of("remotePort", 0))));
    }

    @Test
    void repliesAndEnhancedStatusCodes() {
        Reply r = new Reply(550, List.of("550-5.1.1 <x@example.net>: no such user", "550 5.1.1 see the docs"));
        assertEquals("550 5.1.1 <x@example.net>: no such user 5.1.1 see the docs", r.text());
        assertEquals("5.1.1", r.status());
        assertTrue(r.permanent());
        assertEquals("4.0.0", new Reply(451, List.of("451 try later")).status());
        assertEquals("4.0.0", new Reply(451, List.of("451 5.1.1 mismatched class")).status());
        assertEquals("4.7.1", new Reply(450, List.of("450 4.7.1 greylisted")).status());
        assertFalse(new Reply(354, List.of("354 go")).positive());
    }

    @Test
    void ehloCapabilities() {
        Ehlo e = Ehlo.parse(new Reply(250, List.of("250-mx.example.net hello", "250-SIZE 1000", "250-8BITMIME",
                "250-STARTTLS", "250-AUTH=LOGIN", "250-AUTH PLAIN LOGIN", "250 SMTPUTF8")));
        assertTrue(e.esmtp());
        assertEquals(1000, e.sizeLimit());
        assertTrue(e.has("STARTTLS") && e.has("8BITMIME") && e.has("SMTPUTF8"));
        assertEquals(java.util.Set.of("PLAIN", "LOGIN"), e.authMechanisms());
        assertFalse(Ehlo.parse(new Reply(250, List.of("250 only-greeting"))).has("STARTTLS"));
    }

    @Test
    void dsnHeadersStopAtTheBody() throws Exception {
        byte[] m = "Subject: a\r\nX-Folded: one\r\n two\nFrom: b\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals("Subject: a\r\nX-Folded: one\r\n two\r\nFrom: b\r\n",
                new String(Dsn.headers(new ByteArrayInputStream(m)), StandardCharsets.US_ASCII));
    }

    @Test
    void envelopesRoundTrip() throws Exception {
        QueueEntry.Rcpt r1 = new QueueEntry.Rcpt("a@example.net");
        QueueEntry.Rcpt r2 = new QueueEntry.Rcpt("bé@example.net");
        r2.state = QueueEntry.State.FAILED;
        r2.reply = "host x said: 550 no\nsecond line";
        r2.status = "5.0.0";
        r2.remote = "x";
        r2.diagnostic = "550 no";
        QueueEntry e = new QueueEntry("ID1", "", java.time.Instant.parse("2026-01-01T00:00:00Z"), 42, true,
                List.of(r1, r2));
        e.attempts = 3;
        e.held = true;
        e.lastError = "ünïcode error";
        QueueEntry back = QueueEntry.parse(e.serialize());
        assertEquals("", back.sender);
        assertEquals(3, back.attempts);
        assertTrue(back.held && back.eightBit);
        assertEquals("ünïcode error", back.lastError);
        assertEquals("bé@example.net", back.rcpts.get(1).address);
        assertEquals(QueueEntry.State.FAILED, back.rcpts.get(1).state);
        assertEquals("host x said: 550 no\nsecond line", back.rcpts.get(1).reply);
        assertEquals("550 no", back.rcpts.get(1).diagnostic);
        assertEquals(QueueEntry.State.PENDING, back.rcpts.get(0).state);
        assertThrows(java.io.IOException.class, () -> QueueEntry.parse("version=2\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(null, back.envid);
        assertEquals(null, back.rcpts.get(0).notify);
    }

    @Test
    void dsnParametersRoundTripAndOldEnvelopesHaveNone() throws Exception {
        QueueEntry.Rcpt r1 = new QueueEntry.Rcpt("a@example.net");
        r1.notify = "NEVER";
        r1.orcpt = "rfc822;x+2By@example.org";
        QueueEntry e = new QueueEntry("ID2", "s@example.org", java.time.Instant.parse("2026-01-01T00:00:00Z"), 1,
                false, List.of(r1, new QueueEntry.Rcpt("b@example.net")));
        e.envid = "env+2B1";
        e.ret = "FULL";
        QueueEntry back = QueueEntry.parse(e.serialize());
        assertEquals("env+2B1", back.envid);
        assertEquals("FULL", back.ret);
        assertEquals("NEVER", back.rcpts.get(0).notify);
        assertEquals("rfc822;x+2By@example.org", back.rcpts.get(0).orcpt);
        assertEquals(null, back.rcpts.get(1).notify);
        assertEquals(null, back.rcpts.get(1).orcpt);
        // an envelope written before DSN parameters were kept
        String old = "version=1\nid=OLD\nsender=s@example.org\narrived=2026-01-01T00\\:00\\:00Z\nsize=3\n"
                + "attempts=0\nnextAttempt=2026-01-01T00\\:00\\:00Z\nrcpt.count=1\nrcpt.0=a@example.net\n"
                + "rcpt.0.state=PENDING\n";
        QueueEntry o = QueueEntry.parse(old.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(null, o.envid);
        assertEquals(null, o.ret);
        assertEquals(null, o.rcpts.get(0).notify);
        assertEquals("a@example.net", o.rcpts.get(0).address);
    }

    @Test
    void xtextIsDecodedForReports() {
        assertEquals("a+b=c d", Dsn.xtextDecode("a+2Bb+3Dc+20d"));
        assertEquals("kept+zz", Dsn.xtextDecode("kept+zz"));
        assertEquals("é", Dsn.xtextDecode("+C3+A9"));
    }
}
