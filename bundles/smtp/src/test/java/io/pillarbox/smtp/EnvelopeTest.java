package io.pillarbox.smtp;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvelopeTest {

    private static Envelope.Parsed from(String args) {
        return Envelope.parse(args, "FROM:", true, "553 5.1.7 bad");
    }

    private static Envelope.Parsed to(String args) {
        return Envelope.parse(args, "TO:", false, "553 5.1.3 bad");
    }

    @Test
    void pathsAndParameters() {
        Envelope.Parsed p = from("FROM:<a.b+c@Example.ORG> SIZE=10 BODY=8bitmime SMTPUTF8");
        assertTrue(p.ok());
        assertEquals("a.b+c@Example.ORG", p.address());
        assertEquals("10", p.params().get("SIZE"));
        assertEquals("8bitmime", p.params().get("BODY"));
        assertTrue(p.params().containsKey("SMTPUTF8"));
        assertNull(p.params().get("SMTPUTF8"));
        assertEquals("", from("from:<>").address());
        assertEquals("x@y.example", from("FROM: <x@y.example>").address(), "a space after the colon is tolerated");
        assertEquals("user@c.example", to("TO:<@a.example,@b.example:user@c.example>").address(), "source route");
        assertEquals("\"john doe\"@x.example", to("TO:<\"john doe\"@x.example>").address());
        assertEquals("\"a>b\"@x.example", to("TO:<\"a>b\"@x.example> NOTIFY=NEVER").address());
        assertEquals("postmaster", to("TO:<Postmaster>").address().toLowerCase());
        assertEquals("j\u00f6rg@b\u00fccher.example", to("TO:<j\u00f6rg@b\u00fccher.example>").address());
        assertEquals("x@[192.0.2.1]", to("TO:<x@[192.0.2.1]>").address());
        assertEquals(Map.of("ORCPT", "rfc822;x@y"), to("TO:<x@y.example> ORCPT=rfc822;x@y").params());
    }

    @Test
    void refusals() {
        assertTrue(from("FROM:x@y.example").error().startsWith("501 5.5.4 Syntax"));
        assertTrue(from("FRM:<x@y.example>").error().startsWith("501"));
        assertTrue(from("FROM:<x@y.example").error().startsWith("501"));
        assertTrue(from("FROM:<x@y.example>SIZE=1").error().startsWith("501"));
        assertTrue(from("FROM:<x@y.example> SIZE=1 SIZE=2").error().startsWith("501 5.5.4 Bad parameter"));
        assertTrue(to("TO:<>").error().startsWith("553 5.1.3"));
        assertTrue(to("TO:<alice>").error().startsWith("553 5.1.3"), "only postmaster may omit the domain");
        assertTrue(to("TO:<a b@x.example>").error().startsWith("553"));
        assertTrue(to("TO:<a..b@x.example>").error().startsWith("553"));
        assertTrue(to("TO:<a@x..example>").error().startsWith("553"));
        assertTrue(to("TO:<a@-x.example>").error().startsWith("553"));
        assertTrue(to("TO:<" + "a".repeat(65) + "@x.example>").error().startsWith("553"));
        assertTrue(to("TO:<a@" + "b".repeat(250) + ".example>").error().startsWith("553"));
        assertFalse(Envelope.isXtext("a=b"));
        assertTrue(Envelope.isXtext("QQ+2B314"));
        assertFalse(Envelope.isXtext("bad+zz"));
        assertTrue(Envelope.isAscii("abc") && !Envelope.isAscii("\u00e4"));
    }
}
