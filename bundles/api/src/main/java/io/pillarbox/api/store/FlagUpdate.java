package io.pillarbox.api.store;

import java.util.List;

/**
 * @param updated messages whose flags were set (with their new flags and MODSEQ), ascending UIDs
 * @param failed  UIDs not changed because they were modified after UNCHANGEDSINCE
 */
public record FlagUpdate(List<MessageInfo> updated, List<Long> failed) {
    public FlagUpdate {
        updated = List.copyOf(updated);
        failed = List.copyOf(failed);
    }
}
