package io.pillarbox.api.store;

import java.util.List;

/**
 * The UIDs a copy or move gave (UIDPLUS COPYUID): {@code sourceUids.get(i)} became {@code targetUids.get(i)}.
 */
public record CopyResult(long targetUidValidity, List<Long> sourceUids, List<Long> targetUids) {
    public CopyResult {
        sourceUids = List.copyOf(sourceUids);
        targetUids = List.copyOf(targetUids);
        if (sourceUids.size() != targetUids.size()) {
            throw new IllegalArgumentException("source and target UID lists differ in length");
        }
    }
}
