package io.pillarbox.metrics;

import io.pillarbox.api.metrics.MailMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram with fixed, log-spaced buckets: lock-free adders, no allocation when recording, safe to call
 * from any number of threads (event loops included).
 */
final class Histogram {

    /** The buckets' inclusive upper bounds in microseconds; a last, unbounded bucket follows. */
    static final long[] BOUNDS_MICROS = {
            100, 250, 500,
            1_000, 2_500, 5_000,
            10_000, 25_000, 50_000,
            100_000, 250_000, 500_000,
            1_000_000, 2_500_000, 5_000_000,
            10_000_000};

    private static final List<Long> UPPER;

    static {
        List<Long> u = new ArrayList<>(BOUNDS_MICROS.length + 1);
        for (long b : BOUNDS_MICROS) {
            u.add(b);
        }
        u.add(Long.MAX_VALUE);
        UPPER = List.copyOf(u);
    }

    private final LongAdder[] buckets = new LongAdder[BOUNDS_MICROS.length + 1];
    private final LongAdder totalNanos = new LongAdder();
    private final LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);

    Histogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** The bucket a duration falls into: the first whose upper bound (µs, inclusive) is not below it. */
    static int bucketOf(long nanos) {
        // compare in nanoseconds so that 100.4 µs is not counted as 100 µs
        for (int i = 0; i < BOUNDS_MICROS.length; i++) {
            if (nanos <= BOUNDS_MICROS[i] * 1000L) {
                return i;
            }
        }
        return BOUNDS_MICROS.length;
    }

    void record(long nanos) {
        long n = Math.max(0, nanos);
        buckets[bucketOf(n)].increment();
        totalNanos.add(n);
        maxNanos.accumulate(n);
    }

    /**
     * A copy. Under concurrent recording the parts are read one after the other, so a copy may hold a duration in
     * the total but not yet in its bucket; the count is the sum of the buckets, so quantiles stay consistent.
     */
    MailMetrics.Latency snapshot() {
        List<Long> counts = new ArrayList<>(buckets.length);
        long count = 0;
        for (LongAdder b : buckets) {
            long c = b.sum();
            counts.add(c);
            count += c;
        }
        return new MailMetrics.Latency(count, totalNanos.sum(), maxNanos.get(), UPPER, counts);
    }
}
