package io.pillarbox.queue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds a delivery status notification (RFC 3464 multipart/report, RFC 6522): a bounce for failed recipients, a
 * warning for delayed ones, or a notice for recipients relayed to a next hop that could not take the DSN request on.
 */
final class Dsn {

    /** What a notification reports (its recipients' RFC 3464 {@code Action}). */
    enum Kind {
        /** Permanently failed, or given up: a bounce. */
        FAILED("failed", "Undelivered Mail Returned to Sender", "Undelivered Message"),
        /** Still being retried after a while: a warning (RFC 3461 NOTIFY=DELAY). */
        DELAYED("delayed", "Delayed Mail (still being retried)", "Delayed Message"),
        /** Accepted by a next hop that does not offer DSN, so no further notice will come (NOTIFY=SUCCESS). */
        RELAYED("relayed", "Successful Mail Delivery Report", "Delivered Message"),
        /** Delivered to a local mailbox (NOTIFY=SUCCESS). */
        DELIVERED("delivered", "Successful Mail Delivery Report", "Delivered Message");

        final String action;
        final String subject;
        final String part;

        Kind(String action, String subject, String part) {
            this.action = action;
            this.subject = subject;
            this.part = part;
        }
    }

    /** The most header octets of the original message returned (text/rfc822-headers). */
    static final int MAX_HEADERS = 64 * 1024;

    /** One failed recipient. */
    record Failure(String recipient, String status, String remoteMta, String diagnostic, String explanation,
                   String orcpt) {

        Failure(String recipient, String status, String remoteMta, String diagnostic, String explanation) {
            this(recipient, status, remoteMta, diagnostic, explanation, null);
        }
    }

    /** The largest message returned whole for RET=FULL; a larger one is returned as its header only. */
    static final long MAX_FULL = 10L * 1024 * 1024;

    private Dsn() {
    }

    static byte[] build(String hostname, String queueId, String sender, Instant arrived, List<Failure> failures,
                        InputStream original, Instant now) throws IOException {
        return build(hostname, queueId, sender, arrived, failures, original, now, null, -1);
    }

    /**
     * A bounce.
     *
     * @param envid    the RFC 3461 ENVID (xtext), or null
     * @param fullSize the message size when RET=FULL asks for the whole message, else -1 (headers only)
     */
    static byte[] build(String hostname, String queueId, String sender, Instant arrived, List<Failure> failures,
                        InputStream original, Instant now, String envid, long fullSize) throws IOException {
        return build(Kind.FAILED, hostname, queueId, sender, arrived, failures, original, now, envid, fullSize, null);
    }

    /**
     * A notification of any kind. Warnings and relay notices return the message's header only (RFC 3461 4.3: RET
     * is about failures).
     *
     * @param retryUntil for {@link Kind#DELAYED}: until when the message will be retried (Will-Retry-Until), or null
     */
    static byte[] build(Kind kind, String hostname, String queueId, String sender, Instant arrived,
                        List<Failure> failures, InputStream original, Instant now, String envid, long fullSize,
                        Instant retryUntil) throws IOException {
        boolean full = kind == Kind.FAILED && fullSize >= 0 && fullSize <= MAX_FULL;
        String boundary = "=_" + queueId + "." + Long.toHexString(ThreadLocalRandom.current().nextLong());
        ZonedDateTime date = ZonedDateTime.ofInstant(now, ZoneId.systemDefault());
        String rfcDate = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT).format(date);
        StringBuilder b = new StringBuilder();
        b.append("From: Mail Delivery System <MAILER-DAEMON@").append(hostname).append(">\r\n");
        b.append("To: ").append(sender).append("\r\n");
        b.append("Subject: ").append(kind.subject).append("\r\n");
        b.append("Date: ").append(rfcDate).append("\r\n");
        b.append("Message-ID: <").append(queueId).append(".dsn.").append(Long.toHexString(now.toEpochMilli()))
                .append("@").append(hostname).append(">\r\n");
        b.append("Auto-Submitted: auto-replied\r\n");
        b.append("MIME-Version: 1.0\r\n");
        b.append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"")
                .append(boundary).append("\"\r\n");
        b.append("\r\n");
        b.append("This is a MIME-encapsulated message.\r\n\r\n");

        b.append("--").append(boundary).append("\r\n");
        b.append("Content-Description: Notification\r\n");
        b.append("Content-Type: text/plain; charset=utf-8\r\n");
        b.append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        b.append("This is the mail system at host ").append(hostname).append(".\r\n\r\n");
        switch (kind) {
            case FAILED -> {
                b.append("I'm sorry to have to inform you that your message could not\r\n");
                b.append("be delivered to one or more recipients. It's attached below.\r\n\r\n");
                b.append("For further assistance, please send mail to postmaster.\r\n\r\n");
            }
            case DELAYED -> {
                b.append("####### THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #######\r\n\r\n");
                b.append("Your message could not be delivered for ")
                        .append(Durations.format(Duration.between(arrived, now))).append(".\r\n");
                if (retryUntil != null) {
                    b.append("It will be retried until ").append(rfc1123(retryUntil)).append(".\r\n");
                }
                b.append("\r\nFor further assistance, please send mail to postmaster.\r\n\r\n");
            }
            case DELIVERED -> {
                b.append("Your message was successfully delivered to the mailbox(es) of the\r\n");
                b.append("recipient(s) listed below.\r\n\r\n");
            }
            case RELAYED -> {
                b.append("Your message was successfully delivered to the destination(s)\r\n");
                b.append("listed below. The next mail system does not report delivery\r\n");
                b.append("status, so you will receive no further notifications of success;\r\n");
                b.append("you may still receive notifications of delivery errors from it.\r\n\r\n");
            }
        }
        b.append("                   The mail system\r\n\r\n");
        for (Failure f : failures) {
            b.append('<').append(f.recipient()).append(">: ").append(oneLine(f.explanation())).append("\r\n");
        }
        b.append("\r\n");

        b.append("--").append(boundary).append("\r\n");
        b.append("Content-Description: Delivery report\r\n");
        b.append("Content-Type: message/delivery-status\r\n\r\n");
        if (envid != null) {
            b.append("Original-Envelope-Id: ").append(oneLine(xtextDecode(envid))).append("\r\n");
        }
        b.append("Reporting-MTA: dns; ").append(hostname).append("\r\n");
        b.append("X-Pillarbox-Queue-ID: ").append(queueId).append("\r\n");
        b.append("Arrival-Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT)
                .format(ZonedDateTime.ofInstant(arrived, ZoneId.systemDefault()))).append("\r\n");
        for (Failure f : failures) {
            b.append("\r\n");
            if (f.orcpt() != null) {
                int semi = f.orcpt().indexOf(';');
                b.append("Original-Recipient: ").append(f.orcpt(), 0, semi + 1)
                        .append(oneLine(xtextDecode(f.orcpt().substring(semi + 1)))).append("\r\n");
            }
            b.append("Final-Recipient: ").append(isAscii(f.recipient()) ? "rfc822; " : "utf-8; ")
                    .append(f.recipient()).append("\r\n");
            b.append("Action: ").append(kind.action).append("\r\n");
            b.append("Status: ").append(f.status()).append("\r\n");
            if (f.remoteMta() != null) {
                b.append("Remote-MTA: dns; ").append(f.remoteMta()).append("\r\n");
            }
            if (f.diagnostic() != null) {
                b.append("Diagnostic-Code: smtp; ").append(oneLine(f.diagnostic())).append("\r\n");
            } else if (kind != Kind.DELIVERED) {
                b.append("Diagnostic-Code: X-Pillarbox; ").append(oneLine(f.explanation())).append("\r\n");
            }
            if (kind != Kind.RELAYED && kind != Kind.DELIVERED) {
                b.append("Last-Attempt-Date: ").append(rfcDate).append("\r\n");
            }
            if (kind == Kind.DELAYED && retryUntil != null) {
                b.append("Will-Retry-Until: ").append(rfc1123(retryUntil)).append("\r\n");
            }
        }
        b.append("\r\n");

        b.append("--").append(boundary).append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (full) {
            // RET=FULL: the whole message (RFC 3461 4.3, RFC 3462/6522 third part)
            b.append("Content-Description: ").append(kind.part).append("\r\n");
            b.append("Content-Type: message/rfc822\r\n");
            b.append("Content-Transfer-Encoding: 8bit\r\n\r\n");
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
            byte[] all = original.readAllBytes();
            out.write(all);
            // the CRLF before the closing delimiter belongs to the delimiter (RFC 2046 5.1.1)
            out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            return out.toByteArray();
        }
        b.append("Content-Description: ").append(kind.part).append(" Headers\r\n");
        b.append("Content-Type: text/rfc822-headers\r\n");
        b.append("Content-Transfer-Encoding: 8bit\r\n\r\n");
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        out.write(headers(original));
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static String rfc1123(Instant t) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT).format(ZonedDateTime.ofInstant(t,
                ZoneId.systemDefault()));
    }

    /** The header section of a message (up to, not including, the empty line), lines ending in CRLF. */
    static byte[] headers(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        int total = 0;
        while ((c = in.read()) >= 0 && total < MAX_HEADERS) {
            total++;
            if (c == '\n') {
                byte[] l = line.toByteArray();
                int len = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
                if (len == 0) {
                    break;
                }
                out.write(l, 0, len);
                out.write('\r');
                out.write('\n');
                line.reset();
            } else {
                line.write(c);
            }
        }
        return out.toByteArray();
    }

    /** Decodes RFC 3461 xtext ({@code +2B} for '+'); malformed escapes are kept as they are. */
    static String xtextDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '+' && i + 2 < in.length && isHex(in[i + 1]) && isHex(in[i + 2])) {
                out.write(Integer.parseInt(new String(in, i + 1, 2, StandardCharsets.US_ASCII), 16));
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'F') || (b >= 'a' && b <= 'f');
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace("\r", " ").replace("\n", " ");
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
