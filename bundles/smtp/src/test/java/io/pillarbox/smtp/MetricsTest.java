package io.pillarbox.smtp;

import io.pillarbox.api.delivery.DeliveryResult;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.delivery.Resolution;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.testkit.RecordingMetrics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Commands timed and messages counted in {@link MailMetrics}. */
class MetricsTest extends SessionFixture {

    private final RecordingMetrics metrics = new RecordingMetrics();

    @Test
    void everyCommandIsTimedUnderItsNameAndUnknownOnesUnderUnknown() throws Exception {
        services.bindMetrics(metrics);
        mx("127.0.0.1");
        t.expectRaw("EHLO c\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<team@example.org>\r\nRCPT TO:<nobody@example.org>\r\n"
                        + "DATA\r\n", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250-.*", "250 HELP", "250 .*", "250 .*", "550 .*", "354 .*");
        assertEquals(List.of("smtp:EHLO", "smtp:MAIL", "smtp:RCPT", "smtp:RCPT"), metrics.qualifiedNames(),
                "DATA is not timed before its end");
        t.expectRaw("Subject: m\r\n\r\nx\r\n.\r\n", "250 2.0.0 .*");
        t.expect("FOO bar", "500 5.5.2 .*");
        t.expect("X-SECRET-VERB", "500 5.5.2 .*");
        t.expect("", "500 5.5.2 .*");
        t.expect("noop", "250 .*");
        t.expect("VRFY alice", "252 .*");
        t.expect("HELP", "214 .*");
        t.expect("EXPN team", "502 .*");
        t.expect("RSET", "250 .*");
        t.expectRaw("MAIL FROM:<x@y.example>\r\nRCPT TO:<carol@example.org>\r\nBDAT 3\r\nabcBDAT 0 LAST\r\n",
                "250 .*", "250 .*", "250 2.0.0 3 octets received", "250 2.0.0 .*");
        t.expect("HELO c", "250 .*");
        t.expect("DATA", "503 .*");
        t.expect("QUIT", "221 .*");
        assertEquals(List.of("smtp:EHLO", "smtp:MAIL", "smtp:RCPT", "smtp:RCPT", "smtp:DATA", "smtp:UNKNOWN",
                "smtp:UNKNOWN", "smtp:UNKNOWN", "smtp:NOOP", "smtp:VRFY", "smtp:HELP", "smtp:EXPN", "smtp:RSET",
                "smtp:MAIL", "smtp:RCPT", "smtp:BDAT", "smtp:BDAT", "smtp:HELO", "smtp:DATA", "smtp:QUIT"),
                metrics.qualifiedNames());
        // one message accepted twice, copies: alice and bob (the alias), then carol
        assertEquals(Map.of("smtp/" + MailMetrics.MESSAGES_RECEIVED, 2L, "smtp/" + MailMetrics.MESSAGES_DELIVERED, 3L),
                metrics.counters, "no logins or connections counted here");
        assertTrue(metrics.commands.stream().allMatch(c -> c.nanos() >= 0));
    }

    @Test
    void dataIsTimedFromTheEndOfTheDataToTheReply() throws Exception {
        LocalDelivery real = delivery;
        LocalDelivery slow = new LocalDelivery() {
            @Override
            public Resolution resolve(String address) {
                return real.resolve(address);
            }

            @Override
            public DeliveryResult deliver(String recipient, String mailbox, MessageSource message) {
                try {
                    Thread.sleep(60);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return real.deliver(recipient, mailbox, message);
            }
        };
        delivery = slow;
        services.bindMetrics(metrics);
        mx("127.0.0.1");
        t.expectRaw("HELO c\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n", "250 .*", "250 .*",
                "250 .*", "354 .*");
        t.write("Subject: slow client\r\n\r\n");
        Thread.sleep(1500); // the client's slowness is not the server's latency
        t.expectRaw("body\r\n.\r\n", "250 2.0.0 .*");
        long ms = TimeUnit.NANOSECONDS.toMillis(metrics.last("DATA"));
        assertTrue(ms >= 60 && ms < 1500, "DATA took " + ms + " ms");
        // the same for AUTH: from the client's last response to the final reply
        t.expect("EHLO c", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250 HELP");
        t.expect("AUTH LOGIN", "334 .*");
        Thread.sleep(300);
        t.expect(b64("alice@example.org"), "334 .*");
        Thread.sleep(300);
        t.expect(b64("alice-pw"), "235 .*");
        long auth = TimeUnit.NANOSECONDS.toMillis(metrics.last("AUTH"));
        assertTrue(auth < 300, "AUTH took " + auth + " ms");
        assertEquals(1, metrics.commands.stream().filter(c -> c.command().equals("AUTH")).count(),
                "one AUTH however many steps");
    }

    @Test
    void lmtpReportsUnderLmtpAndCountsOnlyDeliveredCopies() throws Exception {
        services.bindMetrics(metrics);
        open("lmtp", c -> { });
        stores.failWith = null;
        t.expectRaw("LHLO m\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
                        + "DATA\r\n", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*", "250-.*",
                "250 HELP", "250 .*", "250 .*", "250 .*", "354 .*");
        t.expectRaw("Subject: l\r\n\r\nlmtp\r\n.\r\n", "250 2.0.0 <alice@example.org> .*", "250 2.0.0 <bob@example.org> .*");
        t.expect("EHLO x", "500 .*");
        assertEquals(List.of("lmtp:LHLO", "lmtp:MAIL", "lmtp:RCPT", "lmtp:RCPT", "lmtp:DATA", "lmtp:EHLO"),
                metrics.qualifiedNames());
        assertEquals(Map.of("lmtp/" + MailMetrics.MESSAGES_RECEIVED, 1L, "lmtp/" + MailMetrics.MESSAGES_DELIVERED, 2L),
                metrics.counters);
        // a refused message counts nothing
        stores.failWith = new io.pillarbox.api.store.StoreException(io.pillarbox.api.store.StoreException.Reason.UNAVAILABLE,
                "down");
        t.expectRaw("MAIL FROM:<x@y.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n", "250 .*", "250 .*", "354 .*");
        t.expectRaw("x\r\n.\r\n", "4.. .*");
        assertEquals(1L, metrics.counters.get("lmtp/" + MailMetrics.MESSAGES_RECEIVED));
        assertEquals(2L, metrics.counters.get("lmtp/" + MailMetrics.MESSAGES_DELIVERED));
    }

    @Test
    void metricsComeAndGoWhileTheSessionRuns() {
        mx("127.0.0.1");
        t.expect("NOOP", "250 .*");
        services.bindMetrics(metrics);
        t.expect("NOOP", "250 .*");
        RecordingMetrics other = new RecordingMetrics();
        services.bindMetrics(other);
        services.unbindMetrics(metrics); // the greedy replacement: the new one stays
        t.expect("RSET", "250 .*");
        services.unbindMetrics(other);
        t.expect("NOOP", "250 .*");
        assertEquals(List.of("smtp:NOOP"), metrics.qualifiedNames());
        assertEquals(List.of("smtp:RSET"), other.qualifiedNames());
    }
}
