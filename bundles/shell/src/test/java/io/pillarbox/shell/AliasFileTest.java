package io.pillarbox.shell;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AliasFileTest {

    @TempDir
    Path dir;

    private static final String SHIPPED = """
            # Pillarbox aliases: re-read when this file changes (no restart).
            #
            #abuse@localhost: postmaster@localhost
            #team@localhost: alice@localhost, bob@localhost
            """;

    @Test
    void addingToTheShippedFileKeepsItsComments() throws Exception {
        Path f = dir.resolve("pillarbox.aliases");
        Files.writeString(f, SHIPPED);
        AliasFile a = AliasFile.read(f);
        assertEquals(List.of(), a.entries());
        assertEquals(List.of("dave@example.org", "bob"), a.add("team@example.org", List.of("dave@example.org", "bob")));
        assertEquals(List.of("carol"), a.add("@example.org", List.of("carol")));
        a.write();
        assertEquals(SHIPPED + "team@example.org: dave@example.org, bob\n@example.org: carol\n", Files.readString(f));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left");
        }
    }

    @Test
    void continuationLinesAndRepeatsAreMergedAsTheDeliveryBundleReadsThem() throws Exception {
        Path f = dir.resolve("aliases");
        Files.writeString(f, "Team@Example.org: a,\n  b <c@example.org>\n# note\nother: x\nteam@example.org: d\n");
        AliasFile a = AliasFile.read(f);
        assertEquals(Map.of("team@example.org", List.of("a", "b", "c@example.org", "d"), "other", List.of("x")),
                a.table());
        // adding to it rewrites the alias on one line where it first stood, once
        assertEquals(List.of("a", "b", "c@example.org", "d", "e"), a.add("team@example.org", List.of("E", "e", "a")
                .subList(1, 2)));
        a.write();
        assertEquals("Team@Example.org: a, b, c@example.org, d, e\n# note\nother: x\n", Files.readString(f));
    }

    @Test
    void removingTargetsOrTheWholeAlias() throws Exception {
        Path f = dir.resolve("aliases");
        Files.writeString(f, "# top\nteam: a, b, c\nsolo: z\n");
        AliasFile a = AliasFile.read(f);
        assertTrue(a.remove("TEAM", List.of("b")));
        assertFalse(a.remove("team", List.of("nobody")));
        assertFalse(a.remove("missing", List.of()));
        assertTrue(a.remove("solo", List.of()));
        a.write();
        assertEquals("# top\nteam: a, c\n", Files.readString(f));
        assertTrue(a.remove("team", List.of("a", "c")), "removing every target removes the alias");
        a.write();
        assertEquals("# top\n", Files.readString(f));
    }

    @Test
    void aMissingFileIsCreated() throws Exception {
        Path f = dir.resolve("etc/pillarbox.aliases");
        AliasFile a = AliasFile.read(f);
        a.add("postmaster@example.org", List.of("admin"));
        a.write();
        assertEquals("postmaster@example.org: admin\n", Files.readString(f));
    }

    @Test
    void namesAndTargetsAreChecked() {
        assertDoesNotThrow(() -> AliasFile.checkName("team@example.org"));
        assertDoesNotThrow(() -> AliasFile.checkName("@example.org"));
        assertDoesNotThrow(() -> AliasFile.checkName("abuse"));
        for (String bad : new String[]{"", "a b", "a:b", "a@b@c", "team@", "#x", "a,b"}) {
            assertThrows(IllegalArgumentException.class, () -> AliasFile.checkName(bad), bad);
        }
        for (String bad : new String[]{"", "@example.org", "a b", "x:", "bob@"}) {
            assertThrows(IllegalArgumentException.class, () -> AliasFile.checkTarget(bad), bad);
        }
        assertEquals("example.org", AliasFile.domain("Team@Example.ORG"));
        assertEquals(null, AliasFile.domain("abuse"));
    }

    @Test
    void domainNamesAreNormalised() {
        assertEquals("example.org", DeliverySettings.normalize(" Example.ORG. "));
        assertEquals("xn--bcher-kva.example", DeliverySettings.normalize("bücher.example"));
        assertEquals("localhost", DeliverySettings.normalize("localhost"));
        for (String bad : new String[]{"", "-a.org", "a..org", "a_b.org", "exa mple.org", "x".repeat(64) + ".org"}) {
            assertThrows(IllegalArgumentException.class, () -> DeliverySettings.normalize(bad), bad);
        }
        assertEquals(List.of("localhost", "example.org"), Tools.words("localhost, Example.org localhost"));
        assertEquals(List.of("a.org", "b.org"), Tools.words(new String[]{"a.org", "b.org,a.org"}));
    }
}
