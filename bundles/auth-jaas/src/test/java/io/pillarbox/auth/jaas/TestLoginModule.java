package io.pillarbox.auth.jaas;

import java.security.Principal;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AccountLockedException;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

/** A login module like Karaf's PropertiesLoginModule (same messages), with users fixed for the tests. */
public class TestLoginModule implements LoginModule {

    static final Map<String, String> PASSWORDS = Map.of("contract-user", "Contract-Pass-4711",
            "blocked", "Blocked-Pass-0815", "admin", "Admin-Pass-1", "mailer", "Mailer-Pass-1", "odd", "Odd-Pass-1",
            "generic", "Generic-Pass-1");
    static final Set<String> LOCKED = Set.of("blocked");
    static final Map<String, String> ROLES = Map.of("admin", "admin", "mailer", "mail");

    /** Test principal classes named like Karaf's. */
    public record UserPrincipal(String getName) implements Principal {
    }

    public record RolePrincipal(String getName) implements Principal {
    }

    private Subject subject;
    private CallbackHandler handler;
    private String user;

    @Override
    public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> sharedState,
                           Map<String, ?> options) {
        this.subject = subject;
        this.handler = handler;
    }

    @Override
    public boolean login() throws LoginException {
        NameCallback n = new NameCallback("user");
        PasswordCallback p = new PasswordCallback("password", false);
        try {
            handler.handle(new Callback[] {n, p});
        } catch (Exception e) {
            throw new LoginException(e.getMessage());
        }
        String name = n.getName();
        char[] given = p.getPassword();
        p.clearPassword();
        String pw = PASSWORDS.get(name);
        if (pw == null) {
            throw new FailedLoginException("User " + name + " does not exist");
        }
        if (name.equals("odd") && !Arrays.equals(pw.toCharArray(), given)) {
            throw new LoginException("Invalid password"); // a module that does not use FailedLoginException
        }
        if (name.equals("generic") && !Arrays.equals(pw.toCharArray(), given)) {
            throw new FailedLoginException("login failed"); // as Karaf says without detailed.login.exception
        }
        if (!Arrays.equals(pw.toCharArray(), given)) {
            throw new FailedLoginException("Password for " + name + " does not match");
        }
        if (LOCKED.contains(name)) {
            throw new AccountLockedException("Account " + name + " is locked");
        }
        user = name;
        return true;
    }

    @Override
    public boolean commit() {
        subject.getPrincipals().add(new UserPrincipal(user));
        if (ROLES.containsKey(user)) {
            subject.getPrincipals().add(new RolePrincipal(ROLES.get(user)));
        }
        return true;
    }

    @Override
    public boolean abort() {
        return true;
    }

    @Override
    public boolean logout() {
        subject.getPrincipals().clear();
        return true;
    }
}
