package io.pillarbox.smtp;

import java.util.Locale;

/** What a listener serves. */
enum Role {
    /** Port 25: mail for local domains from anyone, relaying only for authenticated clients. */
    MX,
    /** Ports 587 and 465: authenticated clients only (RFC 6409, RFC 8314). */
    SUBMISSION,
    /** RFC 2033, from a trusted MTA: LHLO, one reply per recipient. */
    LMTP;

    static Role of(String protocol, Object configured) {
        if ("lmtp".equalsIgnoreCase(protocol)) {
            return LMTP;
        }
        String r = configured == null ? "" : configured.toString().trim().toLowerCase(Locale.ROOT);
        return switch (r) {
            case "submission", "submit", "msa" -> SUBMISSION;
            default -> MX;
        };
    }
}
