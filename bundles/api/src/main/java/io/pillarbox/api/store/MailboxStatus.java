package io.pillarbox.api.store;

/** Counts for IMAP STATUS and the shell. {@code size} is the sum of message sizes (STATUS=SIZE). */
public record MailboxStatus(String name, long messages, long unseen, long deleted, long uidNext, long uidValidity,
                            long highestModSeq, long size) {
}
