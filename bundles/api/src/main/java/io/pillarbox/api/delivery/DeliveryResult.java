package io.pillarbox.api.delivery;

/**
 * @param status  the outcome
 * @param detail  a human-readable reason for a failure, or {@code null}
 * @param uid     the UID the message got when delivered, else 0
 */
public record DeliveryResult(Status status, String detail, long uid) {

    public enum Status { DELIVERED, UNKNOWN_RECIPIENT, OVER_QUOTA, TOO_BIG, TEMPORARY_FAILURE, PERMANENT_FAILURE }

    public static DeliveryResult delivered(long uid) {
        return new DeliveryResult(Status.DELIVERED, null, uid);
    }

    public static DeliveryResult failed(Status status, String detail) {
        return new DeliveryResult(status, detail, 0);
    }

    public boolean delivered() {
        return status == Status.DELIVERED;
    }
}
