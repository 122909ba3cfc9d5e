package io.pillarbox.api.auth;

import java.util.concurrent.CompletionStage;

/** One SASL authentication in progress: not thread-safe; call {@link #evaluate} once per client response. */
public interface SaslExchange {

    /**
     * Feeds the client's next response (already base64-decoded). The first call carries the initial response:
     * {@code null} when the client sent none, an empty array for an empty one.
     */
    CompletionStage<SaslStep> evaluate(byte[] response);

    /**
     * The next challenge for the client, or the final result. A final step may carry a challenge too: additional
     * data for the client with the success (SCRAM's server-final-message), which the protocol sends as its framing
     * allows (RFC 4954, RFC 9051 section 6.2.2).
     */
    record SaslStep(byte[] challenge, AuthResult result) {
        public static SaslStep challenge(byte[] challenge) {
            return new SaslStep(challenge, null);
        }

        public static SaslStep done(AuthResult result) {
            return new SaslStep(null, result);
        }

        public static SaslStep done(AuthResult result, byte[] additionalData) {
            return new SaslStep(additionalData, result);
        }

        public boolean isDone() {
            return result != null;
        }
    }
}
