package io.pillarbox.shell;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TableAndInputTest {

    @Test
    void noFormatIsOneTabSeparatedLinePerRowWithoutHeader() {
        Table t = new Table("nothing").column("A").right("B").column("C");
        t.row("x", 1, null);
        t.row("tab\there", 22, "new\nline");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        t.print(new PrintStream(b, true, StandardCharsets.UTF_8), true);
        assertEquals("x\t1\t\ntab here\t22\tnew line\n", b.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }

    @Test
    void formattedOutputHasHeadersAndTheEmptyText() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Table t = new Table("no sessions").column("ID").column("User");
        t.print(new PrintStream(b, true, StandardCharsets.UTF_8), false);
        assertTrue(b.toString(StandardCharsets.UTF_8).contains("no sessions"));
        b.reset();
        t.row("1", "bob");
        t.print(new PrintStream(b, true, StandardCharsets.UTF_8), false);
        String out = b.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("ID") && out.contains("User") && out.contains("bob"), out);
    }

    @Test
    void keyboardLinesAreReadOneAtATime() throws Exception {
        InputStream in = new ByteArrayInputStream("s3cret\r\nsécond\nlast".getBytes(StandardCharsets.UTF_8));
        assertEquals("s3cret", Passwords.readLine(in));
        assertEquals("sécond", Passwords.readLine(in));
        assertEquals("last", Passwords.readLine(in));
        assertNull(Passwords.readLine(in));
    }
}
