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

    /**
     * The set with {@code *} replaced by {@code max}, as sorted, merged, inclusive intervals {from0, to0, from1, ...},
     * so that membership is a binary search however many ranges the client wrote.
     */
    long[] resolve(long max) {
        long[][] r = new long[ranges.size()][];
        for (int i = 0; i < r.length; i++) {
            Range x = ranges.get(i);
            long a = x.from == STAR ? max : x.from;
            long b = x.to == STAR ? max : x.to;
            r[i] = new long[]{Math.min(a, b), Math.max(a, b)};
        }
        java.util.Arrays.sort(r, (p, q) -> Long.compare(p[0], q[0]));
        long[] out = new long[r.length * 2];
        int n = 0;
        for (long[] x : r) {
            if (n > 0 && x[0] <= out[n - 1] + 1) {
                out[n - 1] = Math.max(out[n - 1], x[1]);
            } else {
                out[n++] = x[0];
                out[n++] = x[1];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Membership in intervals from {@link #resolve}. */
    static boolean in(long[] intervals, long v) {
        int lo = 0;
        int hi = intervals.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (v < intervals[2 * mid]) {
                hi = mid - 1;
            } else if (v > intervals[2 * mid + 1]) {
                lo = mid + 1;
            } else {
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
