package io.pillarbox.api.store;

/** Where an appended message landed (UIDPLUS APPENDUID). */
public record AppendResult(String mailbox, long uidValidity, long uid) {
}
