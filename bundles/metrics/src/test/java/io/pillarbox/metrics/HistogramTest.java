package io.pillarbox.metrics;

import io.pillarbox.api.metrics.MailMetrics.Latency;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistogramTest {

    private static final long US = 1_000;
    private static final long MS = 1_000_000;

    @Test
    void bucketsAreInclusiveUpperBoundsInMicroseconds() {
        assertEquals(0, Histogram.bucketOf(0));
        assertEquals(0, Histogram.bucketOf(100 * US));
        assertEquals(1, Histogram.bucketOf(100 * US + 1), "100.001 µs is above the first bound");
        assertEquals(1, Histogram.bucketOf(250 * US));
        assertEquals(3, Histogram.bucketOf(1 * MS));
        assertEquals(15, Histogram.bucketOf(10_000 * MS));
        assertEquals(16, Histogram.bucketOf(10_000 * MS + 1), "beyond 10 s: the unbounded bucket");
        assertEquals(16, Histogram.bucketOf(Long.MAX_VALUE));
    }

    @Test
    void snapshotHasCountTotalMaxAndBounds() {
        Histogram h = new Histogram();
        h.record(50 * US);
        h.record(200 * US);
        h.record(3 * MS);
        h.record(-5); // a clock going backwards counts as 0
        Latency l = h.snapshot();
        assertEquals(4, l.count());
        assertEquals(50 * US + 200 * US + 3 * MS, l.totalNanos());
        assertEquals(3 * MS, l.maxNanos());
        assertEquals(17, l.upperMicros().size());
        assertEquals(Long.MAX_VALUE, l.upperMicros().get(16));
        assertEquals(List.of(2L, 1L, 0L, 0L, 0L, 1L), l.counts().subList(0, 6));
        assertEquals(l.count(), l.counts().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void quantilesComeFromTheBuckets() {
        Histogram h = new Histogram();
        for (int i = 0; i < 90; i++) {
            h.record(80 * US); // ≤ 100 µs
        }
        for (int i = 0; i < 9; i++) {
            h.record(2 * MS); // ≤ 2.5 ms
        }
        h.record(40_000 * MS); // 40 s: the unbounded bucket
        Latency l = h.snapshot();
        assertEquals(100, l.count());
        assertEquals(100, l.quantileMicros(0.50));
        assertEquals(100, l.quantileMicros(0.90));
        assertEquals(2_500, l.quantileMicros(0.95));
        assertEquals(2_500, l.quantileMicros(0.99));
        assertEquals(40_000_000, l.quantileMicros(1.0), "in the unbounded bucket the maximum is given");
        double mean = (90 * 0.08 + 9 * 2.0 + 40_000.0) / 100;
        assertEquals(mean, l.meanMillis(), 1e-9);
    }

    @Test
    void aQuantileIsNeverAboveTheMaximum() {
        Histogram h = new Histogram();
        h.record(300 * US); // bucket ≤ 500 µs, but the slowest was 300 µs
        assertEquals(300, h.snapshot().quantileMicros(0.99));
        assertTrue(h.snapshot().quantileMicros(0.5) <= 500);
    }

    @Test
    void anEmptyHistogramSaysZero() {
        Latency l = new Histogram().snapshot();
        assertEquals(0, l.count());
        assertEquals(0, l.quantileMicros(0.99));
        assertEquals(0.0, l.meanMillis());
    }
}
