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
        if (args.length > 2 && args[2].equals("mixed")) {
            mixed(args[0], Long.parseLong(args[1]));
            return;
        }
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

    /**
     * Appends, flags and expunges in a loop with the mailbox open, printing {@code ACK <uid> <n>} after an append,
     * {@code FLAG <uid>} after \\Flagged was set and {@code EXP <uid>} after an expunge returned.
     */
    static void mixed(String root, long start) throws Exception {
        MaildirStore store = new MaildirStore(root, true);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
        java.util.Random random = new java.util.Random(start);
        try (StoreSession s = store.open(MailPrincipal.of("crash", "test"));
             io.pillarbox.api.store.Mailbox mb = s.open("INBOX", false)) {
            for (long n = start; ; n++) {
                AppendResult r = s.append("INBOX", MessageSource.of(message(n)), Set.of(), null);
                out.println("ACK " + r.uid() + " " + n);
                out.flush();
                java.util.List<io.pillarbox.api.store.MessageInfo> all = mb.messages();
                if (all.size() > 3) {
                    long flagged = all.get(random.nextInt(all.size())).uid();
                    mb.updateFlags(java.util.List.of(flagged), io.pillarbox.api.store.FlagOp.ADD,
                            Set.of(Flags.FLAGGED), -1);
                    out.println("FLAG " + flagged);
                    out.flush();
                    if (random.nextInt(3) == 0) {
                        long doomed = all.get(random.nextInt(all.size())).uid();
                        out.println("EXPUNGING " + doomed); // may be gone from here on, even without the EXP
                        out.flush();
                        mb.updateFlags(java.util.List.of(doomed), io.pillarbox.api.store.FlagOp.ADD,
                                Set.of(Flags.DELETED), -1);
                        if (mb.expunge(java.util.List.of(doomed)).contains(doomed)) {
                            out.println("EXP " + doomed);
                            out.flush();
                        }
                    }
                }
            }
        }
    }
}
