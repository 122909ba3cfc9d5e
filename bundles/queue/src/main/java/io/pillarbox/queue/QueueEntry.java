package io.pillarbox.queue;

import io.pillarbox.api.delivery.OutboundQueue.QueuedMessage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * One queued message: its envelope and delivery state. Every field is guarded by the entry's monitor; the spool
 * file of the envelope is rewritten (atomically) while holding it, so the file always shows one consistent state.
 */
final class QueueEntry {

    /** Where a recipient stands. */
    enum State {
        /** Still to deliver. */
        PENDING,
        /** Accepted by the remote server. */
        SENT,
        /** Permanently failed; the bounce has not been sent yet. */
        FAILED,
        /** Failed and the sender told (or no one to tell: null sender). */
        BOUNCED
    }

    static final class Rcpt {
        final String address;
        State state;
        /** The reply or reason of a failure (the last temporary one while pending). */
        String reply;
        /** The DSN status code (5.1.1) of a failure. */
        String status;
        /** The remote MTA that gave the reply, or null. */
        String remote;
        /** The remote reply itself ({@code 550 5.1.1 No such user}), or null. */
        String diagnostic;
        /** RFC 3461 NOTIFY as given ({@code FAILURE,DELAY}, {@code NEVER}), or null. */
        String notify;
        /** RFC 3461 ORCPT as given ({@code rfc822;xtext}), or null. */
        String orcpt;
        /** Sent to a next hop without DSN while NOTIFY asked for SUCCESS: a "relayed" notice is still owed. */
        boolean relayNotice;
        /** The sender has been warned that this recipient is delayed. */
        boolean delayWarned;

        Rcpt(String address) {
            this.address = address;
            this.state = State.PENDING;
        }

        String domain() {
            int at = address.lastIndexOf('@');
            return at < 0 ? "" : address.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
        }
    }

    final String id;
    final String sender;
    final Instant arrived;
    final long size;
    final boolean eightBit;
    final List<Rcpt> rcpts;
    /** RFC 3461 ENVID (xtext) and RET ({@code FULL}/{@code HDRS}) of the message, or null. */
    String envid;
    String ret;
    int attempts;
    Instant nextAttempt;
    boolean held;
    String lastError;
    /** A worker is attempting delivery now (not persisted). */
    boolean busy;
    /** Deleted by an administrator: the worker stops at its next step (not persisted). */
    boolean deleted;
    /** Retried or released while an attempt ran: due again as soon as it ends (not persisted). */
    boolean dueWhenDone;

    QueueEntry(String id, String sender, Instant arrived, long size, boolean eightBit, List<Rcpt> rcpts) {
        this.id = id;
        this.sender = sender;
        this.arrived = arrived;
        this.size = size;
        this.eightBit = eightBit;
        this.rcpts = rcpts;
        this.nextAttempt = arrived;
    }

    synchronized QueuedMessage info() {
        List<String> open = new ArrayList<>();
        for (Rcpt r : rcpts) {
            if (r.state == State.PENDING || r.state == State.FAILED) {
                open.add(r.address);
            }
        }
        return new QueuedMessage(id, sender, open, size, arrived, attempts, nextAttempt, held, lastError);
    }

    /**
     * Whether anything is left to do: recipients to deliver, bounces or relay notices to send. Caller holds the
     * monitor.
     */
    boolean open() {
        for (Rcpt r : rcpts) {
            if (r.state == State.PENDING || r.state == State.FAILED || r.relayNotice) {
                return true;
            }
        }
        return false;
    }

    /** The envelope file's content (Java properties, ISO-8859-1 with \\u escapes). Caller holds the monitor. */
    byte[] serialize() {
        Properties p = new Properties();
        p.setProperty("version", "1");
        p.setProperty("id", id);
        p.setProperty("sender", sender);
        p.setProperty("arrived", arrived.toString());
        p.setProperty("size", Long.toString(size));
        p.setProperty("eightBit", Boolean.toString(eightBit));
        p.setProperty("attempts", Integer.toString(attempts));
        p.setProperty("nextAttempt", nextAttempt.toString());
        p.setProperty("held", Boolean.toString(held));
        if (lastError != null) {
            p.setProperty("lastError", lastError);
        }
        if (envid != null) {
            p.setProperty("envid", envid);
        }
        if (ret != null) {
            p.setProperty("ret", ret);
        }
        p.setProperty("rcpt.count", Integer.toString(rcpts.size()));
        for (int i = 0; i < rcpts.size(); i++) {
            Rcpt r = rcpts.get(i);
            p.setProperty("rcpt." + i, r.address);
            p.setProperty("rcpt." + i + ".state", r.state.name());
            if (r.reply != null) {
                p.setProperty("rcpt." + i + ".reply", r.reply);
            }
            if (r.status != null) {
                p.setProperty("rcpt." + i + ".status", r.status);
            }
            if (r.remote != null) {
                p.setProperty("rcpt." + i + ".remote", r.remote);
            }
            if (r.diagnostic != null) {
                p.setProperty("rcpt." + i + ".diagnostic", r.diagnostic);
            }
            if (r.notify != null) {
                p.setProperty("rcpt." + i + ".notify", r.notify);
            }
            if (r.orcpt != null) {
                p.setProperty("rcpt." + i + ".orcpt", r.orcpt);
            }
            if (r.relayNotice) {
                p.setProperty("rcpt." + i + ".relayNotice", "true");
            }
            if (r.delayWarned) {
                p.setProperty("rcpt." + i + ".delayWarned", "true");
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            p.store(out, "Pillarbox queue envelope");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    static QueueEntry parse(byte[] bytes) throws IOException {
        Properties p = new Properties();
        p.load(new ByteArrayInputStream(bytes));
        try {
            if (!"1".equals(p.getProperty("version"))) {
                throw new IOException("unknown envelope version " + p.getProperty("version"));
            }
            int n = Integer.parseInt(need(p, "rcpt.count"));
            List<Rcpt> rcpts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Rcpt r = new Rcpt(need(p, "rcpt." + i));
                r.state = State.valueOf(need(p, "rcpt." + i + ".state"));
                r.reply = p.getProperty("rcpt." + i + ".reply");
                r.status = p.getProperty("rcpt." + i + ".status");
                r.remote = p.getProperty("rcpt." + i + ".remote");
                r.diagnostic = p.getProperty("rcpt." + i + ".diagnostic");
                // absent in envelopes written before DSN parameters were kept: none
                r.notify = p.getProperty("rcpt." + i + ".notify");
                r.orcpt = p.getProperty("rcpt." + i + ".orcpt");
                r.relayNotice = Boolean.parseBoolean(p.getProperty("rcpt." + i + ".relayNotice"));
                r.delayWarned = Boolean.parseBoolean(p.getProperty("rcpt." + i + ".delayWarned"));
                rcpts.add(r);
            }
            QueueEntry e = new QueueEntry(need(p, "id"), need(p, "sender"), Instant.parse(need(p, "arrived")),
                    Long.parseLong(need(p, "size")), Boolean.parseBoolean(p.getProperty("eightBit")), rcpts);
            e.attempts = Integer.parseInt(need(p, "attempts"));
            e.nextAttempt = Instant.parse(need(p, "nextAttempt"));
            e.held = Boolean.parseBoolean(p.getProperty("held"));
            e.lastError = p.getProperty("lastError");
            e.envid = p.getProperty("envid");
            e.ret = p.getProperty("ret");
            return e;
        } catch (RuntimeException e) {
            throw new IOException("bad envelope: " + e.getMessage(), e);
        }
    }

    private static String need(Properties p, String key) throws IOException {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IOException("envelope without " + key);
        }
        return v;
    }
}
