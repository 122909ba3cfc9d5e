package io.pillarbox.queue;

import io.pillarbox.api.delivery.DeliveryResult;
import io.pillarbox.api.delivery.LocalDelivery;
import io.pillarbox.api.delivery.Resolution;
import io.pillarbox.api.metrics.MailMetrics;
import io.pillarbox.api.store.MessageSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

final class TestSupport {

    private TestSupport() {
    }

    /** A configuration annotation instance: the given values, else the annotation's defaults. */
    static QueueConfig config(Map<String, Object> values) {
        return (QueueConfig) Proxy.newProxyInstance(QueueConfig.class.getClassLoader(),
                new Class<?>[]{QueueConfig.class}, (p, m, a) -> {
                    if (values.containsKey(m.getName())) {
                        return values.get(m.getName());
                    }
                    if (m.getDefaultValue() != null) {
                        return m.getDefaultValue();
                    }
                    return switch (m.getName()) {
                        case "annotationType" -> QueueConfig.class;
                        case "hashCode" -> 0;
                        case "equals" -> p == a[0];
                        default -> "QueueConfig" + values;
                    };
                });
    }

    static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Local domain {@code local.test}: every user exists except {@code nobody}; other domains are remote. */
    static final class Local implements LocalDelivery {
        final Map<String, List<byte[]>> inbox = new ConcurrentHashMap<>();
        volatile boolean temporarilyDown;

        @Override
        public Resolution resolve(String address) {
            String a = address.toLowerCase(Locale.ROOT);
            if (!a.endsWith("@local.test")) {
                return Resolution.of(Resolution.Kind.REMOTE);
            }
            if (temporarilyDown) {
                return Resolution.of(Resolution.Kind.TEMPORARY_FAILURE);
            }
            if (a.startsWith("fwd@")) {
                return Resolution.local(List.of("fwd-user@local.test"), List.of("carol@remote.test"));
            }
            return a.startsWith("nobody@") ? Resolution.of(Resolution.Kind.UNKNOWN_USER) : Resolution.local(List.of(a));
        }

        @Override
        public DeliveryResult deliver(String recipient, String mailbox, MessageSource message) {
            try (InputStream in = message.open()) {
                inbox.computeIfAbsent(recipient + "/" + mailbox, k -> new CopyOnWriteArrayList<>()).add(in.readAllBytes());
                return DeliveryResult.delivered(1);
            } catch (IOException e) {
                return DeliveryResult.failed(DeliveryResult.Status.TEMPORARY_FAILURE, e.toString());
            }
        }

        List<byte[]> inbox(String user) {
            return inbox.getOrDefault(user + "/INBOX", List.of());
        }
    }

    static final class Metrics implements MailMetrics {
        final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

        @Override
        public void add(String protocol, String counter, long delta) {
            counters.computeIfAbsent(protocol + "/" + counter, k -> new AtomicLong()).addAndGet(delta);
        }

        @Override
        public void command(String protocol, String command, long nanos) {
        }

        @Override
        public Snapshot snapshot() {
            return new Snapshot(Instant.EPOCH, Map.of(), Map.of());
        }

        long get(String protocol, String counter) {
            AtomicLong v = counters.get(protocol + "/" + counter);
            return v == null ? 0 : v.get();
        }
    }
}
