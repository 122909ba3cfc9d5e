package io.pillarbox.migration;

import java.util.List;
import java.util.Set;

/**
 * What an mbox import did.
 *
 * @param mailbox          the mailbox the messages went to
 * @param messages         each imported message, in file order
 * @param skipped          messages not imported (UW IMAP's folder-internal-data pseudo-message)
 * @param sourceUidValidity UIDVALIDITY from an {@code X-IMAP}/{@code X-IMAPbase} header, or 0
 * @param sourceUidLast    the last UID the file's writer had assigned ({@code X-IMAP}/{@code X-IMAPbase}), or 0
 * @param sourceKeywords   keywords the file's header declares ({@code X-IMAP}/{@code X-IMAPbase}), in order
 * @param uidValidityKept  the mailbox was created with {@code sourceUidValidity}
 * @param keptUidCount     how many messages (the first ones, in file order) were stored with their {@code X-UID}
 * @param uidNote          why UIDs were not (all) kept, or {@code null} if they were or the file has none
 */
public record MboxImport(String mailbox, List<Message> messages, int skipped, long sourceUidValidity,
                         long sourceUidLast, List<String> sourceKeywords, boolean uidValidityKept, int keptUidCount,
                         String uidNote) {

    public MboxImport {
        messages = List.copyOf(messages);
        sourceKeywords = List.copyOf(sourceKeywords);
    }

    /** An import that kept no UIDs. */
    public MboxImport(String mailbox, List<Message> messages, int skipped, long sourceUidValidity,
                      long sourceUidLast, List<String> sourceKeywords) {
        this(mailbox, messages, skipped, sourceUidValidity, sourceUidLast, sourceKeywords, false, 0, null);
    }

    /**
     * True if the mailbox has the file's UIDVALIDITY and every imported message its {@code X-UID}: IMAP clients that
     * cached the mailbox from the file's server need not download it again.
     */
    public boolean uidsKept() {
        return uidValidityKept && keptUidCount == messages.size();
    }

    /**
     * One imported message.
     *
     * @param sourceUid its {@code X-UID} in the file, or 0
     * @param uid       the UID the store gave it
     * @param flags     the flags it was stored with
     * @param size      octets stored
     */
    public record Message(long sourceUid, long uid, Set<String> flags, long size) {
        public Message {
            flags = Set.copyOf(flags);
        }
    }
}
