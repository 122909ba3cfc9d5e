package io.pillarbox.queue;

import java.util.Locale;

/** When the SMTP client uses STARTTLS (the names are Postfix's smtp_tls_security_level). */
enum TlsPolicy {
    /** Never. */
    NONE,
    /** When the server offers it; any certificate is accepted (unauthenticated encryption beats none). */
    MAY,
    /** Always; a server without STARTTLS is a temporary failure. Any certificate is accepted. */
    ENCRYPT,
    /** Always, and the certificate must chain to a CA the JVM trusts and name the host connected to. */
    VERIFY;

    static TlsPolicy parse(String s) {
        if (s == null || s.isBlank()) {
            return MAY;
        }
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls must be none, may, encrypt or verify, not " + s);
        }
    }

    boolean required() {
        return this == ENCRYPT || this == VERIFY;
    }
}
