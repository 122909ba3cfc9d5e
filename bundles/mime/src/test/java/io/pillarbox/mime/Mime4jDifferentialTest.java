package io.pillarbox.mime;

import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.MessageStructure.BodyPart;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random well-formed MIME trees parsed by MessageParser and by Mime4j's own token stream: the leaves, their media
 * types and their raw body octets must agree exactly (with CRLF and with bare LF line ends).
 */
class Mime4jDifferentialTest {

    private final Random rnd = new Random(20260227);
    private int boundaries;

    @Test
    void leavesAgreeWithMime4j() throws Exception {
        for (int n = 0; n < 400; n++) {
            String msg = "From: a@example.org\nSubject: random " + n + "\n" + entity(0, true);
            for (String eol : new String[] {"\r\n", "\n"}) {
                byte[] bytes = msg.replace("\n", eol).getBytes(StandardCharsets.US_ASCII);
                List<String> ours = new ArrayList<>();
                collect(MessageParser.parse(new ByteArrayInputStream(bytes)).root(), bytes, ours);
                List<String> theirs = mime4j(bytes);
                assertEquals(theirs, ours, () -> "message:\n" + new String(bytes, StandardCharsets.US_ASCII));
            }
        }
    }

    private static void collect(BodyPart p, byte[] msg, List<String> out) {
        if (p.isMultipart()) {
            for (BodyPart c : p.parts()) {
                collect(c, msg, out);
            }
        } else if (p.isMessage()) {
            collect(p.message().root(), msg, out);
        } else {
            out.add(p.type() + "/" + p.subtype() + ":"
                    + new String(msg, (int) p.bodyOffset(), (int) p.bodySize(), StandardCharsets.US_ASCII));
        }
    }

    private static List<String> mime4j(byte[] msg) throws Exception {
        MimeTokenStream s = new MimeTokenStream(MimeConfig.PERMISSIVE);
        s.parse(new ByteArrayInputStream(msg));
        List<String> out = new ArrayList<>();
        for (EntityState st = s.getState(); st != EntityState.T_END_OF_STREAM; st = s.next()) {
            if (st == EntityState.T_BODY) {
                String body = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                out.add(s.getBodyDescriptor().getMimeType() + ":" + body);
            }
        }
        return out;
    }

    /** A header (without the leading fields of a message) and body. */
    private String entity(int depth, boolean top) {
        int kind = depth >= 3 ? 0 : rnd.nextInt(4);
        StringBuilder b = new StringBuilder();
        switch (kind) {
            case 1, 2 -> {
                String boundary = "=_b" + (boundaries++) + "_x";
                b.append("Content-Type: multipart/").append(kind == 1 ? "mixed" : "alternative")
                        .append(rnd.nextBoolean() ? "; boundary=\"" + boundary + "\"\n" : ";\n boundary=\"" + boundary + "\"\n");
                b.append("\n");
                if (rnd.nextBoolean()) {
                    b.append(text()).append("\n"); // preamble
                }
                int parts = 1 + rnd.nextInt(3);
                for (int i = 0; i < parts; i++) {
                    b.append("--").append(boundary).append("\n");
                    b.append(entity(depth + 1, false));
                    b.append("\n");
                }
                b.append("--").append(boundary).append("--");
                if (rnd.nextBoolean()) {
                    b.append("\n").append(text()); // epilogue
                }
                if (top || rnd.nextBoolean()) {
                    b.append("\n");
                }
            }
            case 3 -> {
                b.append("Content-Type: message/rfc822\n\n");
                b.append("Subject: inner\nFrom: b@example.org\n");
                b.append(entity(depth + 1, top));
            }
            default -> {
                if (rnd.nextBoolean()) {
                    b.append("Content-Type: ").append(rnd.nextBoolean() ? "text/plain; charset=utf-8" : "application/x-test")
                            .append("\n");
                }
                b.append("\n").append(text());
            }
        }
        return b.toString();
    }

    private String text() {
        StringBuilder b = new StringBuilder();
        int lines = rnd.nextInt(5);
        for (int i = 0; i < lines; i++) {
            switch (rnd.nextInt(6)) {
                case 0 -> b.append("");
                case 1 -> b.append("--not-a-boundary");
                case 2 -> b.append("  indented line");
                default -> b.append("word ".repeat(1 + rnd.nextInt(8)).strip());
            }
            if (i < lines - 1 || rnd.nextBoolean()) {
                b.append("\n");
            }
        }
        return b.toString();
    }
}
