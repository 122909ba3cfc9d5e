package io.pillarbox.imap;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A parsed IMAP command. Mailbox names are as the client sent them (decoded by the session). */
sealed interface Command {

    String tag();

    /** The command name for responses and logs, e.g. {@code UID FETCH}. */
    String name();

    /** Commands without arguments: CAPABILITY NOOP LOGOUT STARTTLS CHECK CLOSE UNSELECT IDLE EXPUNGE NAMESPACE. */
    record Simple(String tag, String name) implements Command {
    }

    record Login(String tag, String user, String password) implements Command {
        @Override
        public String name() {
            return "LOGIN";
        }
    }

    /** @param initialResponse base64 or "=" (empty), or null when absent */
    record Authenticate(String tag, String mechanism, String initialResponse) implements Command {
        @Override
        public String name() {
            return "AUTHENTICATE";
        }
    }

    record Enable(String tag, List<String> capabilities) implements Command {
        @Override
        public String name() {
            return "ENABLE";
        }
    }

    record QResyncParams(long uidValidity, long modSeq, SequenceSet knownUids, SequenceSet seqMatch,
                         SequenceSet uidMatch) {
    }

    record Select(String tag, String mailbox, boolean readOnly, boolean condstore, QResyncParams qresync)
            implements Command {
        @Override
        public String name() {
            return readOnly ? "EXAMINE" : "SELECT";
        }
    }

    record Create(String tag, String mailbox, List<String> use) implements Command {
        @Override
        public String name() {
            return "CREATE";
        }
    }

    /** DELETE SUBSCRIBE UNSUBSCRIBE. */
    record MailboxCmd(String tag, String name, String mailbox) implements Command {
    }

    record Rename(String tag, String from, String to) implements Command {
        @Override
        public String name() {
            return "RENAME";
        }
    }

    /**
     * LIST (and LSUB: {@code lsub} true).
     *
     * @param selection RFC 5258 selection options, upper-case
     * @param returns   return options, upper-case (STATUS is in {@code statusItems})
     */
    record ListCmd(String tag, boolean lsub, Set<String> selection, String reference, List<String> patterns,
                   Set<String> returns, List<String> statusItems) implements Command {
        @Override
        public String name() {
            return lsub ? "LSUB" : "LIST";
        }
    }

    record Status(String tag, String mailbox, List<String> items) implements Command {
        @Override
        public String name() {
            return "STATUS";
        }
    }

    record AppendMessage(List<String> flags, Instant date, Literal content) {
    }

    record Append(String tag, String mailbox, List<AppendMessage> messages) implements Command {
        @Override
        public String name() {
            return "APPEND";
        }
    }

    /**
     * SEARCH / UID SEARCH.
     *
     * @param returns ESEARCH return options (upper-case), or null for a classic SEARCH
     */
    record Search(String tag, boolean uid, Set<String> returns, String charset, SearchKey key) implements Command {
        @Override
        public String name() {
            return uid ? "UID SEARCH" : "SEARCH";
        }
    }

    record Fetch(String tag, boolean uid, SequenceSet set, List<FetchItem> items, long changedSince,
                 boolean vanished) implements Command {
        @Override
        public String name() {
            return uid ? "UID FETCH" : "FETCH";
        }
    }

    enum StoreOp { ADD, REMOVE, REPLACE }

    record Store(String tag, boolean uid, SequenceSet set, long unchangedSince, StoreOp op, boolean silent,
                 List<String> flags) implements Command {
        @Override
        public String name() {
            return uid ? "UID STORE" : "STORE";
        }
    }

    /** COPY and MOVE. */
    record Copy(String tag, boolean uid, boolean move, SequenceSet set, String mailbox) implements Command {
        @Override
        public String name() {
            return (uid ? "UID " : "") + (move ? "MOVE" : "COPY");
        }
    }

    record UidExpunge(String tag, SequenceSet set) implements Command {
        @Override
        public String name() {
            return "UID EXPUNGE";
        }
    }

    /** @param params null for NIL */
    record Id(String tag, Map<String, String> params) implements Command {
        @Override
        public String name() {
            return "ID";
        }
    }

    enum SortKey { ARRIVAL, CC, DATE, FROM, SIZE, SUBJECT, TO, DISPLAYFROM, DISPLAYTO }

    record SortCriterion(SortKey key, boolean reverse) {
    }

    record Sort(String tag, boolean uid, List<SortCriterion> criteria, String charset, SearchKey key)
            implements Command {
        @Override
        public String name() {
            return uid ? "UID SORT" : "SORT";
        }
    }

    record Thread(String tag, boolean uid, String algorithm, String charset, SearchKey key) implements Command {
        @Override
        public String name() {
            return uid ? "UID THREAD" : "THREAD";
        }
    }

    record Compress(String tag, String mechanism) implements Command {
        @Override
        public String name() {
            return "COMPRESS";
        }
    }
}
