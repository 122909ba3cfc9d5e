package io.pillarbox.api.store;

/** How {@link Mailbox#updateFlags} applies the given flags. */
public enum FlagOp { ADD, REMOVE, REPLACE }
