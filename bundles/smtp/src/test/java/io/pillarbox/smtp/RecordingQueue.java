package io.pillarbox.smtp;

import io.pillarbox.api.delivery.DsnRequest;
import io.pillarbox.api.delivery.OutboundQueue;
import io.pillarbox.api.store.MessageSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** An outbound queue that records what it is given (reading the message at once, as a real queue must), or fails. */
final class RecordingQueue implements OutboundQueue {

    record Call(String sender, List<String> recipients, String message, long size, DsnRequest dsn) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    volatile IOException failWith;

    @Override
    public String enqueue(String sender, List<String> recipients, MessageSource message) throws IOException {
        return enqueue(sender, recipients, message, DsnRequest.NONE);
    }

    @Override
    public String enqueue(String sender, List<String> recipients, MessageSource message, DsnRequest dsn)
            throws IOException {
        if (failWith != null) {
            throw failWith;
        }
        byte[] bytes;
        try (InputStream in = message.open()) {
            bytes = in.readAllBytes();
        }
        calls.add(new Call(sender, List.copyOf(recipients), new String(bytes, StandardCharsets.UTF_8), message.size(), dsn));
        return "Q" + calls.size();
    }

    /** The "delivered" notices asked for, recorded like the enqueued messages. */
    final List<Call> delivered = new CopyOnWriteArrayList<>();

    @Override
    public void reportDelivered(String sender, List<String> recipients, MessageSource message, DsnRequest dsn)
            throws IOException {
        if (failWith != null) {
            throw failWith;
        }
        try (InputStream in = message.open()) {
            delivered.add(new Call(sender, List.copyOf(recipients), new String(in.readAllBytes(),
                    StandardCharsets.UTF_8), message.size(), dsn));
        }
    }

    @Override
    public List<QueuedMessage> list() {
        return List.of();
    }

    @Override
    public Optional<QueuedMessage> find(String id) {
        return Optional.empty();
    }

    @Override
    public boolean retry(String id) {
        return false;
    }

    @Override
    public boolean hold(String id, boolean held) {
        return false;
    }

    @Override
    public boolean delete(String id) {
        return false;
    }
}
