package io.pillarbox.queue;

/**
 * What became of one recipient in one attempt.
 *
 * @param kind        sent, temporary or permanent failure
 * @param explanation for people: {@code host mx.example[192.0.2.1] said: 550 5.1.1 No such user (in reply to RCPT TO command)}
 * @param status      RFC 3463 status code ({@code 5.1.1}); for SENT {@code 2.0.0}
 * @param remote      the remote MTA's name, or null when none answered
 * @param diagnostic  the remote reply ({@code 550 5.1.1 No such user}), or null when the failure is ours
 * @param passedOn    for SENT: the next hop offered DSN, so the RFC 3461 request went on with the message and any
 *                    further notice is its business
 */
record Outcome(Kind kind, String explanation, String status, String remote, String diagnostic, boolean passedOn) {

    enum Kind { SENT, TEMPORARY, PERMANENT }

    Outcome(Kind kind, String explanation, String status, String remote, String diagnostic) {
        this(kind, explanation, status, remote, diagnostic, false);
    }

    /** This outcome, saying whether the next hop took the DSN request on. */
    Outcome passedOn(boolean dsn) {
        return new Outcome(kind, explanation, status, remote, diagnostic, dsn);
    }

    static Outcome temporary(String explanation) {
        return new Outcome(Kind.TEMPORARY, explanation, "4.4.1", null, null);
    }

    static Outcome permanent(String explanation, String status) {
        return new Outcome(Kind.PERMANENT, explanation, status, null, null);
    }

    static Outcome reply(String host, String address, Reply r, String inReplyTo) {
        String text = "host " + host + "[" + address + "] said: " + r.text() + " (in reply to " + inReplyTo + ")";
        Kind k = r.positive() ? Kind.SENT : r.permanent() ? Kind.PERMANENT : Kind.TEMPORARY;
        String status = r.status();
        if (k == Kind.TEMPORARY && !status.startsWith("4")) {
            status = "4.0.0";
        }
        return new Outcome(k, text, status, host, r.text());
    }
}
