package io.pillarbox.itest;

import io.pillarbox.itest.PillarboxTestSupport.LineClient;

import java.io.IOException;

import static org.junit.Assert.assertTrue;

/** Reads SMTP replies from a {@link LineClient} for tests that script an SMTP session line by line. */
final class SmtpReplies {

    private SmtpReplies() {
    }

    /** A multi-line SMTP reply as one string (lines joined with \n). */
    static String reply(LineClient c) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            String l = c.read();
            if (l == null) {
                throw new IOException("connection closed after: " + b);
            }
            b.append(l);
            if (l.length() < 4 || l.charAt(3) != '-') {
                return b.toString();
            }
            b.append('\n');
        }
    }

    /** Sends one command line and returns the reply. */
    static String call(LineClient c, String line) throws IOException {
        c.send(line);
        return reply(c);
    }

    static void assertReply(String prefix, String reply) {
        assertTrue("expected " + prefix + " but got: " + reply, reply.startsWith(prefix));
    }
}
