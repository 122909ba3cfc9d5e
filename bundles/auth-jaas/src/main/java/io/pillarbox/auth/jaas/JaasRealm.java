package io.pillarbox.auth.jaas;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.Principal;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AccountException;
import javax.security.auth.login.AccountNotFoundException;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.CredentialExpiredException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

/**
 * A realm over a JAAS login configuration: in Karaf, a JAAS realm such as {@code karaf} (users.properties, or
 * whatever login modules the realm has: LDAP, JDBC...), so Karaf's {@code jaas:} commands manage these users.
 * <p>
 * JAAS has no reliable "unknown user" answer: {@code AccountNotFoundException}, or a login exception whose message
 * says the user does not exist (as Karaf's modules say), is taken as {@code UNKNOWN_USER}; other account exceptions
 * (locked, expired) and an expired credential as a disabled account; every other login exception as a wrong password
 * (so it counts towards brute-force defence). A JAAS realm that does not exist gives temporary failures.
 * JAAS cannot look users up without a password, so this realm offers password logins only.
 */
@Component(service = AuthRealm.class, configurationPid = "io.pillarbox.auth.jaas",
        property = {AuthRealm.PROPERTY_NAME + "=jaas"})
@Designate(ocd = JaasRealm.Config.class)
public class JaasRealm implements AuthRealm {

    private static final Logger LOG = LoggerFactory.getLogger(JaasRealm.class);

    @ObjectClassDefinition(id = "io.pillarbox.auth.jaas", name = "Pillarbox JAAS realm",
            description = "Log users in through a Karaf JAAS realm")
    public @interface Config {
        @AttributeDefinition(description = "The JAAS realm (login configuration) name")
        String jaasRealm() default "karaf";

        @AttributeDefinition(description = "Only users with this role may log in (empty: every user of the JAAS "
                + "realm; consider a role such as 'mail' so that admin accounts are not mail accounts)")
        String requiredRole() default "";

        @AttributeDefinition(name = "service.ranking", description = "Order among realms (highest asked first)")
        int service_ranking() default -10;

        @AttributeDefinition(name = "pillarbox.realm", description = "The realm's name")
        String pillarbox_realm() default "jaas";
    }

    private volatile String jaasRealm = "karaf";
    private volatile String requiredRole = "";
    private volatile String name = "jaas";
    private final Configuration configuration;

    public JaasRealm() {
        this.configuration = null;
    }

    /** With an explicit JAAS configuration (tests, embedding); otherwise the JVM-wide one (Karaf's). */
    JaasRealm(Configuration configuration, String jaasRealm, String requiredRole) {
        this.configuration = configuration;
        this.jaasRealm = jaasRealm;
        this.requiredRole = requiredRole;
    }

    @Activate
    @Modified
    void activate(Config c) {
        jaasRealm = c.jaasRealm() == null || c.jaasRealm().isBlank() ? "karaf" : c.jaasRealm().trim();
        requiredRole = c.requiredRole() == null ? "" : c.requiredRole().trim();
        name = c.pillarbox_realm() == null || c.pillarbox_realm().isBlank() ? "jaas" : c.pillarbox_realm().trim();
        LOG.info("JAAS realm {} uses the JAAS realm {}{}", name, jaasRealm,
                requiredRole.isEmpty() ? "" : " (role " + requiredRole + " required)");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public AuthResult authenticate(String user, char[] secret, AuthContext context) {
        if (user == null || user.isEmpty()) {
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
        }
        if (secret == null || secret.length == 0) {
            return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "empty password");
        }
        char[] copy = secret.clone();
        Subject subject = new Subject();
        LoginContext lc;
        try {
            lc = configuration == null
                    ? new LoginContext(jaasRealm, subject, callbacks -> answer(callbacks, user, copy))
                    : new LoginContext(jaasRealm, subject, callbacks -> answer(callbacks, user, copy), configuration);
        } catch (LoginException | SecurityException e) {
            Arrays.fill(copy, '\0');
            LOG.warn("JAAS realm {} cannot be used: {}", jaasRealm, e.getClass().getName());
            return AuthResult.failure(AuthResult.Status.TEMPORARY_FAILURE, "no JAAS realm " + jaasRealm);
        }
        try {
            lc.login();
        } catch (AccountNotFoundException e) {
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
        } catch (AccountException | CredentialExpiredException e) {
            return AuthResult.failure(AuthResult.Status.DISABLED, "account locked or expired");
        } catch (LoginException e) {
            // Anything else counts as a failed login (and so towards brute-force defence), never as a temporary
            // failure: a module that throws a plain LoginException for a wrong password must not open a hole.
            return saysUnknown(e) ? AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null)
                    : AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "login refused");
        } finally {
            Arrays.fill(copy, '\0');
        }
        try {
            if (!requiredRole.isEmpty() && !hasRole(subject, requiredRole)) {
                return AuthResult.failure(AuthResult.Status.DISABLED, "user lacks role " + requiredRole);
            }
            return AuthResult.ok(new MailPrincipal(user, localPart(user), domain(user), name, null, null,
                    Map.of("jaasRealm", jaasRealm)));
        } finally {
            try {
                lc.logout();
            } catch (LoginException e) {
                LOG.debug("JAAS logout failed", e);
            }
        }
    }

    private static void answer(Callback[] callbacks, String user, char[] password)
            throws UnsupportedCallbackException {
        for (Callback cb : callbacks) {
            if (cb instanceof NameCallback n) {
                n.setName(user);
            } else if (cb instanceof PasswordCallback p) {
                p.setPassword(password); // PasswordCallback keeps its own copy
            } else {
                throw new UnsupportedCallbackException(cb);
            }
        }
    }

    /** Karaf's modules say "User x does not exist"; JDBC and LDAP modules "... not found". */
    private static boolean saysUnknown(LoginException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        return m.contains("does not exist") || m.contains("not found") || m.contains("unknown user")
                || m.contains("no such user");
    }

    private static boolean hasRole(Subject subject, String role) {
        for (Principal p : subject.getPrincipals()) {
            if (p.getClass().getSimpleName().equals("RolePrincipal") && role.equals(p.getName())) {
                return true;
            }
        }
        return false;
    }

    private static String localPart(String user) {
        int at = user.lastIndexOf('@');
        return at < 0 ? user : user.substring(0, at);
    }

    private static String domain(String user) {
        int at = user.lastIndexOf('@');
        return at < 0 ? null : user.substring(at + 1);
    }

    @Override
    public String toString() {
        return "JaasRealm[" + name + " -> " + jaasRealm + "]";
    }
}
