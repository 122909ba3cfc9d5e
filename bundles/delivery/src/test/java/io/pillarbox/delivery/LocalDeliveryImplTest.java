package io.pillarbox.delivery;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.delivery.DeliveryResult;
import io.pillarbox.api.delivery.Resolution;
import io.pillarbox.api.delivery.Resolution.Kind;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.core.auth.CoreAuth;
import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalDeliveryImplTest {

    @TempDir
    Path dir;

    private final TestRealm realm = new TestRealm("alice@example.org", "pw", "bob@example.org", "pw", "carol", "pw",
            "admin@example.org", "pw");
    private final Authenticator auth = CoreAuth.start(realm);
    private final TestStores stores = new TestStores(new MemoryMailStore());

    @AfterEach
    void stop() {
        CoreAuth.stop(auth);
    }

    private LocalDeliveryImpl delivery(String aliases, String postmaster, boolean bareAsIs) throws Exception {
        Path f = dir.resolve("aliases");
        Files.writeString(f, aliases);
        return new LocalDeliveryImpl(auth, stores, new LocalDeliveryImpl.Settings(
                List.of("example.org", "example.net"), bareAsIs, true, f, postmaster, "INBOX", 5000));
    }

    @Test
    void localUsersUnknownUsersAndRemoteDomains() throws Exception {
        LocalDeliveryImpl d = delivery("", "", true);
        assertEquals(Resolution.local(List.of("alice@example.org")), d.resolve("alice@example.org"));
        assertEquals(Resolution.local(List.of("alice@example.org")), d.resolve("<alice@EXAMPLE.Org>"),
                "domains compare case-insensitively");
        assertEquals(Resolution.local(List.of("alice@example.org")), d.resolve("Alice@example.org"),
                "a local part in another case falls back to lower case");
        assertEquals(Kind.UNKNOWN_USER, d.resolve("nobody@example.org").kind());
        assertEquals(Kind.REMOTE, d.resolve("alice@example.com").kind());
        assertEquals(Resolution.local(List.of("carol")), d.resolve("carol@example.net"),
                "a realm with bare names is asked for the local part");
        assertEquals(Resolution.local(List.of("carol")), d.resolve("carol"), "bare names as-is");
    }

    @Test
    void bareNamesCanMeanTheFirstDomain() throws Exception {
        LocalDeliveryImpl d = delivery("", "", false);
        assertEquals(Resolution.local(List.of("alice@example.org")), d.resolve("alice"));
    }

    @Test
    void aliasesCatchAllsAndLoops() throws Exception {
        LocalDeliveryImpl d = delivery("""
                # team
                team@example.org: alice@example.org, bob@example.org
                  carol
                Info@Example.NET: team@example.org
                loop1@example.org: loop2@example.org
                loop2@example.org: loop1@example.org, alice@example.org
                fwd@example.org: someone@gmail.com
                @example.net: bob@example.org
                broken line
                """, "", true);
        assertEquals(Resolution.local(List.of("alice@example.org", "bob@example.org", "carol")),
                d.resolve("TEAM@example.org"));
        assertEquals(Resolution.local(List.of("alice@example.org", "bob@example.org", "carol")),
                d.resolve("info@example.net"), "alias names compare case-insensitively, and nest");
        assertEquals(Resolution.local(List.of("alice@example.org")), d.resolve("loop1@example.org"));
        assertEquals(Resolution.local(List.of("bob@example.org")), d.resolve("whoever@example.net"), "catch-all");
        assertEquals(Resolution.local(List.of("carol")), d.resolve("carol@example.net"),
                "an existing user wins over the catch-all");
        assertEquals(Kind.UNKNOWN_USER, d.resolve("whoever@example.org").kind(), "no catch-all there");
        assertEquals(Resolution.local(List.of(), List.of("someone@gmail.com")), d.resolve("fwd@example.org"),
                "forwarding: the remote target for the outbound queue, no local user");
    }

    @Test
    void forwardingAliasesCollectRemoteTargets() throws Exception {
        LocalDeliveryImpl d = delivery("""
                mix@example.org: alice@example.org, Alice@Elsewhere.net, fwd@example.org
                fwd@example.org: alice@elsewhere.net, bob@other.net
                back@example.org: there@example.org
                there@example.org: back@example.org, carol@remote.test
                deep1@example.org: deep2@example.org
                deep2@example.org: deep3@example.org
                deep3@example.org: deep4@example.org
                deep4@example.org: deep5@example.org
                deep5@example.org: deep6@example.org
                deep6@example.org: deep7@example.org
                deep7@example.org: deep8@example.org
                deep8@example.org: deep9@example.org
                deep9@example.org: deep10@example.org
                deep10@example.org: far@remote.test
                @example.net: catch@remote.test
                """, "", true);
        Resolution mix = d.resolve("mix@example.org");
        assertEquals(Kind.LOCAL, mix.kind());
        assertEquals(List.of("alice@example.org"), mix.users());
        assertEquals(List.of("Alice@Elsewhere.net", "bob@other.net"), mix.remoteTargets(),
                "local and remote targets, nested, remote ones distinct case-insensitively");
        assertTrue(mix.forwards());
        assertEquals(Resolution.local(List.of(), List.of("carol@remote.test")), d.resolve("back@example.org"),
                "a chain pointing back is cut, its remote target kept");
        assertEquals(Kind.TEMPORARY_FAILURE, d.resolve("deep1@example.org").kind(), "deeper than 8 levels");
        assertEquals(Resolution.local(List.of(), List.of("catch@remote.test")), d.resolve("x@example.net"),
                "a catch-all can forward");
        assertEquals(Kind.REMOTE, d.resolve("bob@other.net").kind(), "a remote address itself stays REMOTE");
        assertEquals(List.of(), d.resolve("alice@example.org").remoteTargets());
        // deliver() covers the local users only
        byte[] m = "Subject: f\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
        assertTrue(d.deliver("mix@example.org", "INBOX", MessageSource.of(m)).delivered());
    }

    @Test
    void aliasesFileIsReReadWhenItChanges() throws Exception {
        LocalDeliveryImpl d = delivery("", "", true);
        assertEquals(Kind.UNKNOWN_USER, d.resolve("sales@example.org").kind());
        Path f = dir.resolve("aliases");
        Files.writeString(f, "sales@example.org: bob@example.org\n");
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().plusSeconds(5)));
        Thread.sleep(600);
        assertEquals(Resolution.local(List.of("bob@example.org")), d.resolve("sales@example.org"));
    }

    @Test
    void postmasterAlwaysResolves() throws Exception {
        LocalDeliveryImpl d = delivery("", "admin@example.org", true);
        assertEquals(Resolution.local(List.of("admin@example.org")), d.resolve("postmaster@example.org"));
        assertEquals(Resolution.local(List.of("admin@example.org")), d.resolve("PostMaster@EXAMPLE.NET"));
        assertEquals(Resolution.local(List.of("admin@example.org")), d.resolve("postmaster"));
        LocalDeliveryImpl unset = delivery("", "", true);
        assertEquals(Kind.LOCAL, unset.resolve("postmaster@example.org").kind(),
                "accepted even without a postmaster user (RFC 5321 4.5.1)");
        LocalDeliveryImpl aliased = delivery("postmaster@example.net: bob@example.org\n", "admin@example.org", true);
        assertEquals(Resolution.local(List.of("bob@example.org")), aliased.resolve("postmaster@example.net"));
    }

    @Test
    void deliversByteExactToEachUserOfAnAlias() throws Exception {
        LocalDeliveryImpl d = delivery("team@example.org: alice@example.org, carol\n", "", true);
        byte[] msg = "Subject: hi\r\n\r\nbody \u00e9\r\n".getBytes(StandardCharsets.UTF_8);
        DeliveryResult r = d.deliver("alice@example.org", "INBOX", MessageSource.of(msg));
        assertTrue(r.delivered());
        assertTrue(r.uid() > 0);
        assertTrue(d.deliver("team@example.org", "INBOX", MessageSource.of(msg)).delivered());
        assertEquals(2, stores.inbox("alice@example.org").size());
        assertArrayEquals(msg, stores.inbox("alice@example.org").get(0));
        assertArrayEquals(msg, stores.inbox("carol").get(0));
        assertEquals(DeliveryResult.Status.UNKNOWN_RECIPIENT,
                d.deliver("nobody@example.org", "INBOX", MessageSource.of(msg)).status());
        assertTrue(d.deliver("bob@example.org", "NoSuchBox", MessageSource.of(msg)).delivered(),
                "a missing target mailbox falls back to INBOX");
        assertEquals(1, stores.inbox("bob@example.org").size());
    }

    @Test
    void storeFailuresMapToDeliveryStatuses() throws Exception {
        LocalDeliveryImpl d = delivery("", "", true);
        stores.failWith = new StoreException(StoreException.Reason.UNAVAILABLE, "down");
        assertEquals(DeliveryResult.Status.TEMPORARY_FAILURE,
                d.deliver("alice@example.org", "INBOX", MessageSource.of(new byte[]{'x'})).status());
        stores.failWith = new StoreException(StoreException.Reason.OVER_QUOTA, "full");
        assertEquals(DeliveryResult.Status.OVER_QUOTA,
                d.deliver("alice@example.org", "INBOX", MessageSource.of(new byte[]{'x'})).status());
    }
}
