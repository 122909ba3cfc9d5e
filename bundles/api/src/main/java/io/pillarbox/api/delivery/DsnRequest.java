package io.pillarbox.api.delivery;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The delivery status notification parameters of RFC 3461 that came with a message: {@code ENVID} and {@code RET}
 * of its {@code MAIL} command, {@code NOTIFY} and {@code ORCPT} of each {@code RCPT}. Values are kept as they travel
 * in SMTP (xtext-encoded), so they can be passed on unchanged; a report decodes them.
 *
 * @param envelopeId the {@code ENVID} (xtext), or {@code null}
 * @param ret        {@code RET}, or {@code null} when not given (headers only, as for {@link Return#HDRS})
 * @param recipients per envelope recipient (the address as passed to {@link OutboundQueue#enqueue}); recipients
 *                   without parameters may be missing. Looked up case-insensitively by {@link #recipient}.
 * @since 1.1
 */
public record DsnRequest(String envelopeId, Return ret, Map<String, Recipient> recipients) {

    /** No parameters at all: failures are reported with the headers only, as when a client gives none. */
    public static final DsnRequest NONE = new DsnRequest(null, null, Map.of());

    /** {@code RET}: what a failure report returns of the message. */
    public enum Return { FULL, HDRS }

    /** {@code NOTIFY} keywords. */
    public enum Notify { NEVER, SUCCESS, FAILURE, DELAY }

    /**
     * @param notifications     the {@code NOTIFY} keywords; empty when not given (failures and delays reported,
     *                          RFC 3461 4.1)
     * @param originalRecipient the {@code ORCPT} value as {@code addr-type;xtext} (e.g. {@code rfc822;bob@example.org}),
     *                          or {@code null}
     */
    public record Recipient(Set<Notify> notifications, String originalRecipient) {

        public static final Recipient NONE = new Recipient(Set.of(), null);

        public Recipient {
            notifications = notifications == null ? Set.of() : Set.copyOf(notifications);
        }

        /** Whether a failure of this recipient is to be reported (no NOTIFY, or NOTIFY including FAILURE). */
        public boolean reportFailure() {
            return notifications.isEmpty() || notifications.contains(Notify.FAILURE);
        }

        /** The {@code NOTIFY} value for SMTP ({@code FAILURE,DELAY}), or {@code null} when not given. */
        public String notifyParameter() {
            if (notifications.isEmpty()) {
                return null;
            }
            StringBuilder b = new StringBuilder();
            for (Notify n : Notify.values()) {
                if (notifications.contains(n)) {
                    b.append(b.length() == 0 ? "" : ",").append(n.name());
                }
            }
            return b.toString();
        }

        /** Parses an SMTP {@code NOTIFY} value ({@code NEVER} or a comma-separated list); null/empty: none. */
        public static Set<Notify> parseNotify(String value) {
            if (value == null || value.isBlank()) {
                return Set.of();
            }
            java.util.EnumSet<Notify> s = java.util.EnumSet.noneOf(Notify.class);
            for (String p : value.split(",")) {
                s.add(Notify.valueOf(p.strip().toUpperCase(Locale.ROOT)));
            }
            return s;
        }
    }

    public DsnRequest {
        Map<String, Recipient> m = new LinkedHashMap<>();
        if (recipients != null) {
            recipients.forEach((k, v) -> m.put(k, v == null ? Recipient.NONE : v));
        }
        recipients = java.util.Collections.unmodifiableMap(m);
    }

    /** The parameters of one recipient (compared case-insensitively), {@link Recipient#NONE} when it has none. */
    public Recipient recipient(String address) {
        Recipient r = recipients.get(address);
        if (r != null) {
            return r;
        }
        for (Map.Entry<String, Recipient> e : recipients.entrySet()) {
            if (e.getKey().equalsIgnoreCase(address)) {
                return e.getValue();
            }
        }
        return Recipient.NONE;
    }
}
