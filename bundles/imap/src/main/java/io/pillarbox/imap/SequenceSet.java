package io.pillarbox.imap;

import java.util.List;

/**
 * A sequence set as the client wrote it: ranges whose ends may be {@link #STAR} ({@code *}), or the saved search
 * result ({@code $}, RFC 5182).
 */
record SequenceSet(List<Range> ranges, boolean saved) {

    static final long STAR = Long.MAX_VALUE;
    static final SequenceSet SAVED = new SequenceSet(List.of(), true);

    SequenceSet {
        ranges = List.copyOf(ranges);
    }

    record Range(long from, long to) {
    }

    /**
     * Whether {@code n} is in the set, with {@code *} meaning {@code max} (the largest number in use). Per RFC 9051,
     * {@code n:*} with n above max still matches max.
     */
    boolean contains(long n, long max) {
        for (Range r : ranges) {
            long a = r.from == STAR ? max : r.from;
            long b = r.to == STAR ? max : r.to;
            if (a > b) {
                long t = a;
                a = b;
                b = t;
            }
            if (n >= a && n <= b) {
                return true;
            }
        }
        return false;
    }

    /** The set in IMAP syntax. */
    @Override
    public String toString() {
        if (saved) {
            return "$";
        }
        StringBuilder sb = new StringBuilder();
        for (Range r : ranges) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(r.from == STAR ? "*" : Long.toString(r.from));
            if (r.to != r.from) {
                sb.append(':').append(r.to == STAR ? "*" : Long.toString(r.to));
            }
        }
        return sb.toString();
    }

    /** Compact IMAP syntax for ascending numbers: 1:3,7,9:10. */
    static String format(List<Long> sorted) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < sorted.size()) {
            long start = sorted.get(i);
            long end = start;
            while (i + 1 < sorted.size() && sorted.get(i + 1) == end + 1) {
                end = sorted.get(++i);
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(start);
            if (end != start) {
                sb.append(':').append(end);
            }
            i++;
        }
        return sb.toString();
    }
}
