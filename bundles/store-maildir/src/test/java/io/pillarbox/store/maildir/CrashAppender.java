package io.pillarbox.store.maildir;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.AppendResult;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreSession;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Run in a separate JVM by {@link CrashTest}: appends messages in a loop and prints {@code ACK <uid> <n>} once each
 * append has returned, until it is killed (or, with a third argument, that many times).
 */
public final class CrashAppender {

    private CrashAppender() {
    }

    /** The n-th message: its size varies from a few bytes to about 300 KB so that kills land mid-write. */
    static byte[] message(long n) {
        StringBuilder sb = new StringBuilder();
        sb.append("From: crash@example.org\r\nSubject: crash ").append(n).append("\r\n\r\n");
        long lines = (n * 7919) % 5000;
        for (long i = 0; i < lines; i++) {
            sb.append("line ").append(i).append(" of message ").append(n).append(" ........................\r\n");
        }
        sb.append("end ").append(n).append("\r\n");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) throws Exception {
        String root = args[0];
        long start = Long.parseLong(args[1]);
        long count = args.length > 2 ? Long.parseLong(args[2]) : Long.MAX_VALUE;
        MaildirStore store = new MaildirStore(root, true);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
        try (StoreSession s = store.open(MailPrincipal.of("crash", "test"))) {
            out.println("READY");
            out.flush();
            for (long n = start; n - start < count; n++) {
                Set<String> flags = n % 3 == 0 ? Set.of(Flags.SEEN) : Set.of();
                AppendResult r = s.append("INBOX", MessageSource.of(message(n)), flags, null);
                out.println("ACK " + r.uid() + " " + n);
                out.flush();
            }
            out.println("DONE");
            out.flush();
        }
    }
}
