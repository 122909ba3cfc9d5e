package io.pillarbox.api.store;

import java.time.Instant;
import java.util.Set;

/**
 * What the index knows of one message, cheap to list for a whole mailbox.
 *
 * @param uid          the UID, unique and ascending within one UIDVALIDITY
 * @param flags        system flags ({@link Flags}) and keywords; immutable
 * @param internalDate when the message arrived (or the date given at APPEND)
 * @param size         the exact size in octets of the message as stored (CRLF line ends)
 * @param modSeq       the MODSEQ of the last change to this message
 */
public record MessageInfo(long uid, Set<String> flags, Instant internalDate, long size, long modSeq) {

    public MessageInfo {
        flags = Set.copyOf(flags);
    }

    public boolean has(String flag) {
        return Flags.contains(flags, flag);
    }
}
