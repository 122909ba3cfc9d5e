package io.pillarbox.api.protocol;

/** How a listener uses TLS. */
public enum TlsMode {
    /** Plain text only. */
    NONE,
    /** Plain text with an upgrade by STARTTLS / STLS. */
    STARTTLS,
    /** TLS from the first byte (IMAPS 993, POP3S 995, SMTPS 465). */
    IMPLICIT
}
