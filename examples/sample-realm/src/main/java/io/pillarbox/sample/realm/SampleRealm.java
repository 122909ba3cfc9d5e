package io.pillarbox.sample.realm;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.MailPrincipal;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A complete third-party realm: one DS component that registers {@link AuthRealm}. Drop the bundle into Karaf's
 * {@code deploy/} folder (or {@code bundle:install} it) and its users can log in over IMAP, POP3 and SMTP within a
 * second; remove it and they cannot, while sessions already logged in go on.
 * <p>
 * What a realm must do (the contract suite {@code pillarbox-auth-contract} checks it):
 * <ul>
 * <li>answer {@code UNKNOWN_USER} for users it does not know, so the next realm is asked;</li>
 * <li>{@code BAD_CREDENTIALS} for a wrong (or empty) password, {@code DISABLED} for a disabled account;</li>
 * <li>put its own {@link #name()} in the principals it returns;</li>
 * <li>be thread-safe, may block (it is never called on a network thread), and never log or print a secret.</li>
 * </ul>
 * The users of this sample come from its configuration ({@code etc/io.pillarbox.sample.realm.cfg}); a real realm
 * would ask a database or a web service here.
 */
@Component(service = AuthRealm.class, configurationPid = "io.pillarbox.sample.realm",
        property = {AuthRealm.PROPERTY_NAME + "=sample", "service.ranking:Integer=10"})
@Designate(ocd = SampleRealm.Config.class)
public class SampleRealm implements AuthRealm {

    @ObjectClassDefinition(id = "io.pillarbox.sample.realm", name = "Pillarbox sample realm")
    public @interface Config {
        /**
         * Configuration key {@code .users}: a leading dot keeps a property out of the service properties, which
         * anyone may list ({@code service:list}); use it for anything secret.
         */
        @AttributeDefinition(name = ".users", description = "Users as name:password[:disabled] (a sample: real "
                + "realms never keep clear-text passwords in configuration)")
        String[] _users() default {"sample@example.org:sample-secret", "locked@example.org:locked-secret:disabled"};
    }

    private record User(String name, byte[] password, boolean disabled) {
        @Override
        public String toString() {
            return "User[" + name + "]"; // never the password
        }
    }

    private volatile Map<String, User> users = Map.of();

    @Activate
    @Modified
    void configure(Config config) {
        Map<String, User> m = new HashMap<>();
        for (String u : config._users()) {
            String[] f = u.split(":", 3);
            if (f.length >= 2 && !f[0].isEmpty()) {
                m.put(f[0].toLowerCase(Locale.ROOT), new User(f[0], f[1].getBytes(StandardCharsets.UTF_8),
                        f.length == 3 && f[2].equals("disabled")));
            }
        }
        users = Map.copyOf(m);
    }

    @Override
    public String name() {
        return "sample";
    }

    @Override
    public AuthResult authenticate(String user, char[] secret, AuthContext context) {
        User u = user == null ? null : users.get(user.toLowerCase(Locale.ROOT));
        if (u == null) {
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
        }
        // Encode without making a String of the password (Strings cannot be wiped); wipe the bytes afterwards.
        ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(secret));
        byte[] given = new byte[bb.remaining()];
        bb.get(given);
        Arrays.fill(bb.array(), (byte) 0);
        // Constant-time comparison; an empty password never matches.
        boolean match = given.length > 0 && MessageDigest.isEqual(given, u.password());
        Arrays.fill(given, (byte) 0);
        if (!match) {
            return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "wrong password");
        }
        if (u.disabled()) {
            return AuthResult.failure(AuthResult.Status.DISABLED, "account disabled");
        }
        return AuthResult.ok(MailPrincipal.of(u.name(), name()));
    }

    @Override
    public Optional<MailPrincipal> lookup(String user) {
        User u = user == null ? null : users.get(user.toLowerCase(Locale.ROOT));
        return u == null || u.disabled() ? Optional.empty() : Optional.of(MailPrincipal.of(u.name(), name()));
    }

    @Override
    public String toString() {
        return "SampleRealm" + users.values();
    }
}
