package io.pillarbox.health;

import io.pillarbox.api.auth.AuthContext;
import io.pillarbox.api.auth.AuthResult;
import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.protocol.TlsMode;
import io.pillarbox.api.server.ListenerInfo;
import io.pillarbox.api.store.MailStores;
import io.pillarbox.api.store.StoreSession;
import org.apache.felix.hc.api.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthChecksTest {

    @TempDir
    Path dir;

    private static String text(Result r) {
        StringBuilder b = new StringBuilder();
        r.forEach(e -> b.append(e.getStatus()).append(' ').append(e.getMessage()).append('\n'));
        return b.toString();
    }

    @Test
    void listenersAreCriticalWhenOneIsNotBound() {
        ListenerInfo ok = new ListenerInfo("imap", "imap", "127.0.0.1", 143, TlsMode.STARTTLS, true, "listening", 3);
        ListenerInfo bad = new ListenerInfo("smtp", "smtp", "127.0.0.1", 25, TlsMode.STARTTLS, false,
                "cannot bind 127.0.0.1:25 (address in use)", 0);
        assertEquals(Result.Status.OK, ListenersHealthCheck.check(() -> List.of(ok)).getStatus());
        Result r = ListenersHealthCheck.check(() -> List.of(ok, bad));
        assertEquals(Result.Status.CRITICAL, r.getStatus());
        assertTrue(text(r).contains("address in use"), text(r));
        assertEquals(Result.Status.WARN, ListenersHealthCheck.check(List::of).getStatus());
        assertEquals(Result.Status.CRITICAL, ListenersHealthCheck.check(null).getStatus());
    }

    static MailStores stores(List<String> names) {
        return new MailStores() {
            @Override
            public StoreSession open(MailPrincipal principal, Runnable onUnavailable) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<String> names() {
                return names;
            }
        };
    }

    @Test
    void storeNeedsAStoreAWritableDirectoryAndRoom() throws Exception {
        Path mail = dir.resolve("data/mail");
        assertEquals(Result.Status.OK, StoreHealthCheck.check(stores(List.of("maildir")), List.of(mail), 0, 0)
                .getStatus(), "a directory not created yet is judged by its parent");
        assertEquals(Result.Status.CRITICAL, StoreHealthCheck.check(stores(List.of()), List.of(mail), 0, 0).getStatus());
        assertEquals(Result.Status.CRITICAL, StoreHealthCheck.check(null, List.of(), 0, 0).getStatus());
        Result full = StoreHealthCheck.check(stores(List.of("maildir")), List.of(dir), Long.MAX_VALUE, 0);
        assertEquals(Result.Status.CRITICAL, full.getStatus());
        assertTrue(text(full).contains("only"), text(full));
        assertEquals(Result.Status.CRITICAL,
                StoreHealthCheck.check(stores(List.of("maildir")), List.of(dir), 0, 101).getStatus());
        Path readOnly = Files.createDirectories(dir.resolve("ro"));
        readOnly.toFile().setWritable(false);
        try {
            if (!Files.isWritable(readOnly)) { // root may write anyway: then this case cannot be made here
                assertEquals(Result.Status.CRITICAL,
                        StoreHealthCheck.check(stores(List.of("maildir")), List.of(readOnly), 0, 0).getStatus());
            }
        } finally {
            readOnly.toFile().setWritable(true);
        }
        System.setProperty("pillarbox.test.dir", "/x");
        assertEquals("/x/mail and ${no.such.property}", StoreHealthCheck.expand("${pillarbox.test.dir}/mail and ${no.such.property}"));
    }

    static Authenticator authenticator(List<String> realms, CompletionStage<Optional<MailPrincipal>> answer) {
        return new Authenticator() {
            @Override
            public CompletionStage<AuthResult> authenticate(String user, char[] secret, AuthContext context) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletionStage<Optional<MailPrincipal>> lookup(String user) {
                return answer;
            }

            @Override
            public CompletionStage<AuthResult> authenticate(String user, RealmCheck check, AuthContext context) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<String> realms() {
                return realms;
            }

            @Override
            public boolean supports(CredentialKind kind) {
                return true;
            }
        };
    }

    @Test
    void realmsMustExistAndAnswer() {
        assertEquals(Result.Status.OK, RealmsHealthCheck.check(authenticator(List.of("file"),
                CompletableFuture.completedFuture(Optional.empty())), 1).getStatus());
        assertEquals(Result.Status.CRITICAL, RealmsHealthCheck.check(authenticator(List.of(),
                CompletableFuture.completedFuture(Optional.empty())), 1).getStatus());
        assertEquals(Result.Status.CRITICAL, RealmsHealthCheck.check(authenticator(List.of("ldap"),
                CompletableFuture.failedFuture(new IllegalStateException("directory down"))), 1).getStatus());
        Result hanging = RealmsHealthCheck.check(authenticator(List.of("ldap"), new CompletableFuture<>()), 1);
        assertEquals(Result.Status.CRITICAL, hanging.getStatus());
        assertTrue(text(hanging).contains("did not answer"), text(hanging));
        assertEquals(Result.Status.CRITICAL, RealmsHealthCheck.check(null, 1).getStatus());
    }
}
