package io.pillarbox.delivery;

import io.pillarbox.api.auth.Authenticator;
import io.pillarbox.api.delivery.Resolution;
import io.pillarbox.api.delivery.Resolution.Kind;
import io.pillarbox.core.auth.CoreAuth;
import io.pillarbox.store.memory.MemoryMailStore;
import io.pillarbox.testkit.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SrsTest {

    private static final byte[] SECRET = "a secret of sixteen or more".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

    @TempDir
    Path dir;

    private final TestRealm realm = new TestRealm("alice@fwd.example", "pw");
    private final Authenticator auth = CoreAuth.start(realm);

    @AfterEach
    void stop() {
        CoreAuth.stop(auth);
    }

    private static Srs srs(Instant now) {
        return new Srs(SECRET, "fwd.example", 21, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static String local(String address) {
        return address.substring(0, address.lastIndexOf('@'));
    }

    @Test
    void aSenderIsRewrittenIntoOurDomainAndLeadsBack() {
        Srs s = srs(NOW);
        String rewritten = s.forward("Bob.Smith=x@Example.COM");
        assertTrue(rewritten.matches("SRS0=[A-Z2-7]{5}=[A-Z2-7]{2}=Example\\.COM=Bob\\.Smith=x@fwd\\.example"),
                rewritten);
        assertEquals("Bob.Smith=x@Example.COM", s.reverse(local(rewritten)));
        // servers on the way may change the case of the local part: still ours
        assertEquals("bob.smith=x@example.com", s.reverse(local(rewritten).toLowerCase(Locale.ROOT)));
        assertEquals(rewritten, s.forward("Bob.Smith=x@Example.COM"), "the same on the same day");
    }

    @Test
    void anAlteredOrForeignOrExpiredAddressLeadsNowhere() {
        Srs s = srs(NOW);
        String l = local(s.forward("bob@example.com"));
        assertNull(s.reverse(l.replace("=example.com=", "=evil.example=")), "another destination");
        char c = l.charAt(5);
        assertNull(s.reverse("SRS0=" + (c == 'A' ? 'B' : 'A') + l.substring(6)), "another hash");
        assertNull(new Srs("another secret, sixteen+".getBytes(StandardCharsets.UTF_8), "fwd.example", 21,
                Clock.fixed(NOW, ZoneOffset.UTC)).reverse(l), "another server's key");
        assertEquals("bob@example.com", srs(NOW.plus(Duration.ofDays(21))).reverse(l));
        assertNull(srs(NOW.plus(Duration.ofDays(22))).reverse(l), "older than 21 days");
        assertNull(s.reverse("SRS0=short"));
        assertNull(s.reverse("SRS0=AAAAA=ZZ=example.com="));
        assertNull(s.reverse("bob"));
    }

    @Test
    void anotherForwardersSrs0BecomesSrs1LeadingBackToThatForwarder() {
        Srs s = srs(NOW);
        String theirs = "SRS0=HHHH=TT=orig.example=alice@first.example";
        String rewritten = s.forward(theirs);
        assertTrue(rewritten.matches("SRS1=[A-Z2-7]{5}=first\\.example==HHHH=TT=orig\\.example=alice@fwd\\.example"),
                rewritten);
        assertEquals(theirs, s.reverse(local(rewritten)));
        // forwarded once more by us: still one SRS1 hop back to the first forwarder
        String again = s.forward(rewritten);
        assertTrue(again.matches("SRS1=[A-Z2-7]{5}=first\\.example==HHHH=TT=orig\\.example=alice@fwd\\.example"), again);
        assertNull(s.reverse(local(rewritten).replace("first.example", "other.example")));
    }

    @Test
    void resolutionForwardsAValidAddressAndRefusesOthers() throws Exception {
        Path aliases = dir.resolve("aliases");
        Files.writeString(aliases, "list@fwd.example: someone@far.example\n");
        Srs s = srs(Instant.now());
        LocalDeliveryImpl d = new LocalDeliveryImpl(auth, new TestStores(new MemoryMailStore()),
                new LocalDeliveryImpl.Settings(List.of("fwd.example"), true, true, aliases, "", "INBOX", 5000, s));
        String rewritten = d.forwardingSender("bob@example.com");
        assertTrue(rewritten.startsWith("SRS0=") && rewritten.endsWith("@fwd.example"), rewritten);
        assertEquals(Resolution.local(List.of(), List.of("bob@example.com")), d.resolve(rewritten),
                "a bounce to the rewritten sender is forwarded to the original one");
        assertEquals(Kind.UNKNOWN_USER, d.resolve("SRS0=AAAAA=AA=example.com=bob@fwd.example").kind());
        // an SRS address of ours for one of our own users resolves to that user
        assertEquals(Resolution.local(List.of("alice@fwd.example")),
                d.resolve(local(s.forward("alice@fwd.example")) + "@fwd.example"));
        // our own users and the null sender are not rewritten
        assertEquals("alice@fwd.example", d.forwardingSender("alice@fwd.example"));
        assertEquals("", d.forwardingSender(""));
        // without SRS: every sender is kept
        LocalDeliveryImpl plain = new LocalDeliveryImpl(auth, new TestStores(new MemoryMailStore()),
                new LocalDeliveryImpl.Settings(List.of("fwd.example"), true, true, aliases, "", "INBOX", 5000));
        assertEquals("bob@example.com", plain.forwardingSender("bob@example.com"));
    }

    @Test
    void theSrsDomainIsTheFirstLocalDomainTheWorldCanReach() {
        assertEquals("example.org", LocalDeliveryImpl.Settings.srsDomain("", List.of("localhost", "example.org",
                "example.net")), "after mail:domain-add example.org on the distribution's localhost");
        assertEquals("mail.example.org", LocalDeliveryImpl.Settings.srsDomain(" Mail.Example.org ",
                List.of("example.org")));
        assertEquals("", LocalDeliveryImpl.Settings.srsDomain(null, List.of("localhost", "intranet")),
                "no SRS without a domain of the world");
    }

    @Test
    void theSecretIsMadeOnceOwnerOnlyAndKept() throws Exception {
        Path f = dir.resolve("data/pillarbox/srs.secret");
        byte[] first = Srs.secretFile(f);
        assertEquals(32, first.length);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertArrayEquals(first, Srs.secretFile(f));
    }
}
