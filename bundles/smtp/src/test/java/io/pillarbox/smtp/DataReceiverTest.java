package io.pillarbox.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataReceiverTest {

    /** Result of feeding a wire text in pieces split at the given positions. */
    record Result(String message, boolean end, String rest, boolean bare, boolean nul, boolean longLine, boolean big) {
    }

    private static Result run(String wire, long max, int maxLine, int... splits) {
        return run(false, wire, max, maxLine, splits);
    }

    private static Result run(boolean normalize, String wire, long max, int maxLine, int... splits) {
        byte[] b = wire.getBytes(StandardCharsets.ISO_8859_1);
        DataReceiver d = new DataReceiver(max, maxLine, normalize);
        ByteBuf out = Unpooled.buffer();
        ByteBuf in = Unpooled.buffer();
        int from = 0;
        boolean end = false;
        int[] cuts = new int[splits.length + 1];
        System.arraycopy(splits, 0, cuts, 0, splits.length);
        cuts[splits.length] = b.length;
        for (int cut : cuts) {
            in.writeBytes(b, from, cut - from);
            from = cut;
            if (!end) {
                end = d.feed(in, out);
            }
        }
        String rest = in.toString(StandardCharsets.ISO_8859_1);
        return new Result(out.toString(StandardCharsets.ISO_8859_1), end, rest, d.bareLineEnd, d.nul, d.longLine,
                d.tooBig);
    }

    @Test
    void unstuffsAndFindsTheEnd() {
        Result r = run("a\r\n..b\r\n.c\r\n..\r\n\r\n.\r\nMAIL", 1000, 998);
        assertTrue(r.end());
        assertEquals("a\r\n.b\r\nc\r\n.\r\n\r\n", r.message());
        assertEquals("MAIL", r.rest());
        assertFalse(r.bare() || r.nul() || r.longLine() || r.big());
        Result empty = run(".\r\n", 1000, 998);
        assertTrue(empty.end());
        assertEquals("", empty.message());
    }

    @Test
    void bareFormsAreNotTheEndAndAreFlagged() {
        for (String smuggle : new String[]{"x\n.\nMAIL\r\n.\r\n", "x\r\n.\nMAIL\r\n.\r\n", "x\n.\r\nMAIL\r\n.\r\n",
                "x\r.\rMAIL\r\n.\r\n", "x\r\n.\r.\r\n.\r\n"}) {
            Result r = run(smuggle, 1000, 998);
            assertTrue(r.end(), smuggle);
            assertEquals("", r.rest(), "only the real CRLF.CRLF ends: " + smuggle);
            assertTrue(r.bare(), smuggle);
        }
        assertTrue(run("a\0b\r\n.\r\n", 1000, 998).nul());
    }

    @Test
    void normalizedBareLineFeedsBecomeCrlfButNeverEndTheData() {
        Result r = run(true, "Subject: lf\n\nline\n..dot\nlast\r\n.\r\nQUIT", 1000, 998);
        assertTrue(r.end());
        assertEquals("Subject: lf\r\n\r\nline\r\n.dot\r\nlast\r\n", r.message());
        assertEquals("QUIT", r.rest());
        assertFalse(r.bare());
        // curl without --crlf: LF-only content, then its own CRLF.CRLF
        Result curl = run(true, "a\nb\n\r\n.\r\n", 1000, 998);
        assertEquals("a\r\nb\r\n\r\n", curl.message());
        // the smuggling forms stay content: only CRLF.CRLF ends
        for (String smuggle : new String[]{"x\n.\nMAIL\r\n.\r\n", "x\r\n.\nMAIL\r\n.\r\n", "x\n.\r\nMAIL\r\n.\r\n"}) {
            Result m = run(true, smuggle, 1000, 998);
            assertTrue(m.end(), smuggle);
            assertEquals("", m.rest(), smuggle);
            assertEquals("x\r\n\r\nMAIL\r\n", m.message(), smuggle);
            assertFalse(m.bare(), smuggle);
        }
        // a bare CR is refused even so
        assertTrue(run(true, "x\r.\rMAIL\r\n.\r\n", 1000, 998).bare());
        assertTrue(run(true, "x\n.\ry\r\n.\r\n", 1000, 998).bare());
        // the normalized size counts the CRs added
        assertTrue(run(true, "12345\n12345\n\r\n.\r\n", 15, 998).big());
        assertFalse(run(true, "12345\n12345\n\r\n.\r\n", 16, 998).big());
    }

    @Test
    void limitsAreNotedButTheDataIsReadToItsEnd() {
        Result r = run("x".repeat(50) + "\r\n" + "y".repeat(50) + "\r\n.\r\nQUIT", 60, 998);
        assertTrue(r.end() && r.big());
        assertEquals("QUIT", r.rest());
        assertTrue(run("z".repeat(11) + "\r\n.\r\n", 1000, 10).longLine());
        assertFalse(run("z".repeat(10) + "\r\n.\r\n", 1000, 10).longLine());
        assertFalse(run(".." + "z".repeat(9) + "\r\n.\r\n", 1000, 10).longLine(), "the stuffing dot counts once");
    }

    @Test
    void anySplitGivesTheSameResult() {
        Random rnd = new Random(7);
        String alphabet = "ab.\r\n\0";
        for (int n = 0; n < 300; n++) {
            StringBuilder sb = new StringBuilder();
            int len = rnd.nextInt(40);
            for (int i = 0; i < len; i++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String wire = sb + "\r\n.\r\nNEXT";
            for (boolean normalize : new boolean[]{false, true}) {
                Result whole = run(normalize, wire, 1000, 998);
                for (int cut = 1; cut < wire.length(); cut++) {
                    assertEquals(whole, run(normalize, wire, 1000, 998, cut), "split at " + cut + " of " + wire);
                }
                int a = rnd.nextInt(wire.length());
                int b = a + rnd.nextInt(wire.length() - a);
                assertEquals(whole, run(normalize, wire, 1000, 998, a, b));
                if (normalize && !whole.bare()) {
                    assertFalse(whole.message().replace("\r\n", "").contains("\n"), "no bare LF stored: " + wire);
                }
            }
        }
    }
}
