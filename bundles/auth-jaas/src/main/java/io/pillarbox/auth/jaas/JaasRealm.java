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
 * says the user does not exist, is taken as {@code UNKNOWN_USER}; one that speaks of the password as a wrong password;
 * other account exceptions (locked, expired) and an expired credential as a disabled account. A failure that says
 * neither (Karaf's modules say only "login failed" by default) is an unknown user when
 * {@code genericFailureIsUnknown} (default), so that lower-ranked realms are asked, else a wrong password. Either way
 * the attempt counts as a failed login for brute-force defence. A JAAS realm that does not exist gives temporary
 * failures.
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

        @AttributeDefinition(description = "How to read a failure that does not say whether the user exists (Karaf's "
                + "modules say only 'login failed' unless detailed.login.exception=true): as an unknown user, so that "
                + "lower-ranked realms are asked (the client sees a failed login either way), or as a wrong password")
        boolean genericFailureIsUnknown() default true;

        @AttributeDefinition(name = "service.ranking", description = "Order among realms (highest asked first)")
        int service_ranking() default -10;

        @AttributeDefinition(name = "pillarbox.realm", description = "The realm's name")
        String pillarbox_realm() default "jaas";
    }

    private volatile String jaasRealm = "karaf";
    private volatile String requiredRole = "";
    private volatile String name = "jaas";
    private volatile boolean genericFailureIsUnknown = true;
    private final Configuration configuration;

    public JaasRealm() {
        this.configuration = null;
    }

    /** With an explicit JAAS configuration (tests, embedding); otherwise the JVM-wide one (Karaf's). */
    JaasRealm(Configuration configuration, String jaasRealm, String requiredRole, boolean genericFailureIsUnknown) {
        this.configuration = configuration;
        this.genericFailureIsUnknown = genericFailureIsUnknown;
        this.jaasRealm = jaasRealm;
        this.requiredRole = requiredRole;
    }

    @Activate
    @Modified
    void activate(Config c) {
        jaasRealm = c.jaasRealm() == null || c.jaasRealm().isBlank() ? "karaf" : c.jaasRealm().trim();
        requiredRole = c.requiredRole() == null ? "" : c.requiredRole().trim();
        genericFailureIsUnknown = c.genericFailureIsUnknown();
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
        // Karaf's JAAS entries name org.apache.karaf.jaas.boot.ProxyLoginModule, which lives on the launcher's class
        // path: LoginContext loads login modules through the context class loader, so make that the system one.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ClassLoader.getSystemClassLoader());
        try {
            return login(user, copy);
        } finally {
            thread.setContextClassLoader(previous);
            Arrays.fill(copy, '\0');
        }
    }

    private AuthResult login(String user, char[] copy) {
        Subject subject = new Subject();
        LoginContext lc;
        try {
            lc = configuration == null
                    ? new LoginContext(jaasRealm, subject, callbacks -> answer(callbacks, user, copy))
                    : new LoginContext(jaasRealm, subject, callbacks -> answer(callbacks, user, copy), configuration);
        } catch (LoginException | SecurityException e) {
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
            if (saysUnknown(e)) {
                return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
            }
            if (saysWrongPassword(e) || !genericFailureIsUnknown) {
                return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "login refused");
            }
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, "login failed (user unknown or wrong password)");
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

    private static boolean saysWrongPassword(LoginException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        return m.contains("does not match") || m.contains("password") || m.contains("credential");
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
