package io.pillarbox.sasl;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.Authenticator.RealmCheck;
import io.pillarbox.api.auth.SaslExchange;
import io.pillarbox.api.auth.ScramCredential;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SCRAM-SHA-256 / SCRAM-SHA-1 (RFC 5802, RFC 7677) without channel binding. The salt and iteration count come from
 * the first realm that knows the user ({@link Authenticator#query}); unknown users get a made-up but stable salt so
 * that names cannot be probed. The proof is checked through {@link Authenticator#authenticate(String, RealmCheck,
 * AuthContext)} so delays, lock-outs and the log line apply; the server-final message goes out as additional data
 * with the success.
 */
final class ScramExchange implements SaslExchange {

    /** What the first step found: the realm that holds the user's credential (credential null: none usable). */
    record Found(String realm, ScramCredential credential) {
    }

    private final Authenticator authenticator;
    private final AuthContext context;
    private final String algorithm;
    private final String mac;
    private final Supplier<String> serverNonce;
    private final byte[] fakeSaltKey;
    private int step;

    private String user;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private Found found;

    ScramExchange(Authenticator authenticator, AuthContext context, String algorithm, Supplier<String> serverNonce,
                  byte[] fakeSaltKey) {
        this.authenticator = authenticator;
        this.context = context;
        this.algorithm = algorithm;
        this.mac = ScramCredential.macName(algorithm);
        this.serverNonce = serverNonce;
        this.fakeSaltKey = fakeSaltKey;
    }

    @Override
    public CompletionStage<SaslStep> evaluate(byte[] response) {
        try {
            int s = step++;
            if (s == 0 && response == null) {
                return Sasl.challenge(new byte[0]);
            }
            if (response == null) {
                return Sasl.fail("unexpected response");
            }
            if (s <= 1 && clientFirstBare == null) {
                step = 2;
                return clientFirst(Sasl.utf8(response, 0, response.length));
            }
            if (s == 2 && clientFirstBare != null) {
                step = 3;
                return clientFinal(Sasl.utf8(response, 0, response.length));
            }
            return Sasl.fail("unexpected response");
        } catch (RuntimeException | CharacterCodingException | GeneralSecurityException e) {
            step = 3;
            return Sasl.fail("malformed SCRAM message");
        }
    }

    private CompletionStage<SaslStep> clientFirst(String msg) {
        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        int c1 = msg.indexOf(',');
        int c2 = c1 < 0 ? -1 : msg.indexOf(',', c1 + 1);
        if (c1 < 0 || c2 < 0) {
            return failAll("malformed client-first-message");
        }
        String flag = msg.substring(0, c1);
        if (!flag.equals("n") && !flag.equals("y")) {
            return failAll(flag.startsWith("p=") ? "channel binding not supported" : "malformed gs2 header");
        }
        String authzid = msg.substring(c1 + 1, c2);
        gs2Header = msg.substring(0, c2 + 1);
        clientFirstBare = msg.substring(c2 + 1);
        String[] attrs = clientFirstBare.split(",", -1);
        if (attrs.length < 2 || !attrs[0].startsWith("n=") || !attrs[1].startsWith("r=")) {
            return failAll("malformed client-first-message");
        }
        user = saslName(attrs[0].substring(2));
        String clientNonce = attrs[1].substring(2);
        if (user == null || user.isEmpty() || Sasl.hasControl(user) || !validNonce(clientNonce)) {
            return failAll("malformed client-first-message");
        }
        for (int i = 2; i < attrs.length; i++) {
            if (attrs[i].startsWith("m=")) {
                return failAll("mandatory extension not supported");
            }
        }
        if (!authzid.isEmpty()) {
            if (!authzid.startsWith("a=") || !user.equals(saslName(authzid.substring(2)))) {
                return failAll("authorization identity not allowed");
            }
        }
        nonce = clientNonce + serverNonce.get();
        String alg = algorithm;
        return authenticator.<Found>query(user, (realm, name) -> {
            Optional<ScramCredential> cred = realm.scramCredential(name, alg);
            if (cred.isPresent() && alg.equals(cred.get().algorithm())) {
                return Optional.of(new Found(realm.name(), cred.get()));
            }
            return realm.lookup(name).isPresent() ? Optional.of(new Found(realm.name(), null)) : Optional.empty();
        }).handle((result, error) -> {
            found = error == null && result != null ? result.orElse(null) : null;
            byte[] salt;
            int iterations;
            if (found != null && found.credential() != null) {
                salt = found.credential().salt();
                iterations = found.credential().iterations();
            } else {
                salt = fakeSalt(user);
                iterations = 4096;
            }
            serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(salt) + ",i=" + iterations;
            return SaslStep.challenge(serverFirst.getBytes(StandardCharsets.UTF_8));
        });
    }

    private CompletionStage<SaslStep> clientFinal(String msg) throws GeneralSecurityException {
        int p = msg.lastIndexOf(",p=");
        if (p < 0) {
            return Sasl.fail("malformed client-final-message");
        }
        String withoutProof = msg.substring(0, p);
        byte[] proof = Base64.getDecoder().decode(msg.substring(p + 3));
        String[] attrs = withoutProof.split(",", -1);
        if (attrs.length < 2 || !attrs[0].startsWith("c=") || !attrs[1].startsWith("r=")) {
            return Sasl.fail("malformed client-final-message");
        }
        byte[] binding = Base64.getDecoder().decode(attrs[0].substring(2));
        if (!Arrays.equals(binding, gs2Header.getBytes(StandardCharsets.UTF_8))) {
            return Sasl.fail("channel binding mismatch");
        }
        if (!attrs[1].substring(2).equals(nonce)) {
            return Sasl.fail("nonce mismatch");
        }
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);
        Found f = found;
        byte[][] serverSignature = new byte[1][];
        return authenticator.authenticate(user, RealmCheck.of((realm, name) -> {
            if (f == null || !realm.name().equals(f.realm())) {
                return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
            }
            if (f.credential() == null) {
                return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "no " + algorithm
                        + " SCRAM credential for the user");
            }
            try {
                ScramCredential cred = f.credential();
                byte[] clientSignature = hmac(cred.storedKey(), authMessage);
                if (proof.length != clientSignature.length) {
                    return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "wrong SCRAM proof");
                }
                byte[] clientKey = new byte[proof.length];
                for (int i = 0; i < proof.length; i++) {
                    clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
                }
                byte[] storedKey = MessageDigest.getInstance(algorithm).digest(clientKey);
                if (!MessageDigest.isEqual(storedKey, cred.storedKey())) {
                    return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "wrong SCRAM proof");
                }
                serverSignature[0] = hmac(cred.serverKey(), authMessage);
                return AuthResult.ok(Sasl.principal(realm, name));
            } catch (GeneralSecurityException e) {
                return AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "SCRAM computation failed");
            }
        }), context).thenApply(result -> result.isOk() && serverSignature[0] != null
                ? SaslStep.done(result, ("v=" + Base64.getEncoder().encodeToString(serverSignature[0]))
                .getBytes(StandardCharsets.US_ASCII))
                : SaslStep.done(result)).handle(Sasl::orTemporaryFailure);
    }

    private CompletionStage<SaslStep> failAll(String detail) {
        step = 3;
        return Sasl.fail(detail);
    }

    private byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac m = Mac.getInstance(mac);
        m.init(new SecretKeySpec(key, mac));
        return m.doFinal(data);
    }

    private byte[] fakeSalt(String name) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(fakeSaltKey, "HmacSHA256"));
            m.update(algorithm.getBytes(StandardCharsets.US_ASCII));
            return Arrays.copyOf(m.doFinal(name.getBytes(StandardCharsets.UTF_8)), 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Decodes a saslname ({@code =2C} is ',', {@code =3D} is '='); null if malformed. */
    static String saslName(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',') {
                return null;
            }
            if (c == '=') {
                if (s.startsWith("=2C", i)) {
                    sb.append(',');
                } else if (s.startsWith("=3D", i)) {
                    sb.append('=');
                } else {
                    return null;
                }
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean validNonce(String n) {
        if (n.isEmpty()) {
            return false;
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c < 0x21 || c > 0x7e || c == ',') {
                return false;
            }
        }
        return true;
    }
}
