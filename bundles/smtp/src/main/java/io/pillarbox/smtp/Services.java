package io.pillarbox.smtp;

import io.pillarbox.api.delivery.OutboundQueue;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.transport.session.SessionTrace;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The optional services and the trace switch that sessions read live: they come and go (or change) while sessions
 * run, so sessions ask here each time instead of keeping a copy. One per protocol component, outliving
 * configuration changes.
 */
final class Services {

    private final AtomicReference<OutboundQueue> queue = new AtomicReference<>();
    private final AtomicReference<MailMetrics> metrics = new AtomicReference<>();
    final SessionTrace trace = Trace.newTrace();

    /** The outbound queue, or null while none is registered. */
    OutboundQueue queue() {
        return queue.get();
    }

    /** The metrics service, or {@link MailMetrics#NONE} while none is registered. */
    MailMetrics metrics() {
        MailMetrics m = metrics.get();
        return m == null ? MailMetrics.NONE : m;
    }

    void bindQueue(OutboundQueue q) {
        queue.set(q);
    }

    /** Forgets the queue only if it is still the one bound (a greedy replacement binds the new one first). */
    void unbindQueue(OutboundQueue q) {
        queue.compareAndSet(q, null);
    }

    void bindMetrics(MailMetrics m) {
        metrics.set(m);
    }

    void unbindMetrics(MailMetrics m) {
        metrics.compareAndSet(m, null);
    }
}
