package io.pillarbox.core.auth;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthRealm;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator.CredentialKind;
import io.pillarbox.api.auth.MailPrincipal;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A small in-memory realm that records how it was called. */
class TestRealm implements AuthRealm {
    final String name;
    final Map<String, String> passwords = new ConcurrentHashMap<>();
    final Set<String> disabled = ConcurrentHashMap.newKeySet();
    final AtomicInteger calls = new AtomicInteger();
    final List<String> threads = new CopyOnWriteArrayList<>();
    final List<String> namesAsked = new CopyOnWriteArrayList<>();
    final Set<CredentialKind> kinds;
    volatile RuntimeException failWith;

    TestRealm(String name, String... userPasswordPairs) {
        this(name, EnumSet.of(CredentialKind.PASSWORD), userPasswordPairs);
    }

    TestRealm(String name, Set<CredentialKind> kinds, String... userPasswordPairs) {
        this.name = name;
        this.kinds = kinds;
        for (int i = 0; i < userPasswordPairs.length; i += 2) {
            passwords.put(userPasswordPairs[i], userPasswordPairs[i + 1]);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public AuthResult authenticate(String user, char[] secret, AuthContext context) {
        calls.incrementAndGet();
        threads.add(Thread.currentThread().getName());
        namesAsked.add(user);
        if (failWith != null) {
            throw failWith;
        }
        String pw = passwords.get(user);
        if (pw == null) {
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
        }
        if (!pw.equals(new String(secret))) {
            return AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, "wrong password");
        }
        if (disabled.contains(user)) {
            return AuthResult.failure(AuthResult.Status.DISABLED, "disabled");
        }
        return AuthResult.ok(MailPrincipal.of(user, name));
    }

    @Override
    public Optional<MailPrincipal> lookup(String user) {
        threads.add(Thread.currentThread().getName());
        return passwords.containsKey(user) ? Optional.of(MailPrincipal.of(user, name)) : Optional.empty();
    }

    @Override
    public Set<CredentialKind> credentialKinds() {
        return kinds;
    }
}
