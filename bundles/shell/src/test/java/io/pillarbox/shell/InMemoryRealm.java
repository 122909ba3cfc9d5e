package io.pillarbox.shell;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.auth.WritableRealm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A small writable realm for tests: users and passwords in a map. */
final class InMemoryRealm implements WritableRealm {

    private final String name;
    private final Map<String, char[]> users = new TreeMap<>();

    InMemoryRealm(String name, String... users) {
        this.name = name;
        for (String u : users) {
            this.users.put(u, "pw".toCharArray());
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized AuthResult authenticate(String user, char[] secret, AuthContext context) {
        char[] pw = users.get(user);
        if (pw == null) {
            return AuthResult.failure(AuthResult.Status.UNKNOWN_USER, null);
        }
        return Arrays.equals(pw, secret) ? AuthResult.ok(MailPrincipal.of(user, name))
                : AuthResult.failure(AuthResult.Status.BAD_CREDENTIALS, null);
    }

    @Override
    public synchronized Optional<MailPrincipal> lookup(String user) {
        return users.containsKey(user) ? Optional.of(MailPrincipal.of(user, name)) : Optional.empty();
    }

    @Override
    public synchronized List<String> users() {
        return new ArrayList<>(users.keySet());
    }

    @Override
    public synchronized void addUser(String user, char[] password) throws IOException {
        if (users.putIfAbsent(user, password.clone()) != null) {
            throw new IOException("exists");
        }
    }

    @Override
    public synchronized void setPassword(String user, char[] password) {
        users.put(user, password.clone());
    }

    @Override
    public synchronized boolean removeUser(String user) {
        return users.remove(user) != null;
    }
}
