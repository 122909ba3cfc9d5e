package io.pillarbox.mime;

import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.MessageStructure.Address;
import io.pillarbox.api.store.MessageStructure.BodyPart;
import io.pillarbox.api.store.MessageStructure.Envelope;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StructureCodecTest {

    @Test
    void roundTripKeepsNullsOrderAndLargeNumbers() throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("z", "1");
        params.put("a", "ünïcode ☃");
        BodyPart leaf = new BodyPart("application", "octet-stream", params, null, "", "base64", 3_000_000_000L,
                3_000_000_100L, Long.MAX_VALUE / 4, 0, null, "attachment", Map.of("filename", "x"), List.of("en"),
                null, List.of(), null);
        MessageStructure inner = new MessageStructure(new Envelope(null, null, null, null, null, null, null, null,
                null, null), leaf);
        BodyPart msg = new BodyPart("message", "rfc822", Map.of(), null, null, "7bit", 10, 20, 30, 4, null, null,
                Map.of(), List.of(), null, List.of(), inner);
        BodyPart root = new BodyPart("multipart", "mixed", Map.of("boundary", "b"), "<id>", null, "7bit", 0, 5, 100,
                7, "md5", null, Map.of(), List.of(), "loc", List.of(msg, leaf), null);
        MessageStructure s = new MessageStructure(new Envelope("date", "subj",
                List.of(new Address("n", "@r", "m", "h"), new Address(null, null, "g", null),
                        new Address(null, null, null, null)),
                List.of(), null, null, null, null, "<irt>", "<mid>"), root);
        MessageStructure back = StructureCodec.fromBytes(StructureCodec.toBytes(s));
        assertEquals(s, back);
        assertEquals(List.of("z", "a"), List.copyOf(back.root().parts().get(1).parameters().keySet()));
    }

    @Test
    void unknownVersionAndTruncationAreIOExceptions() {
        byte[] b = StructureCodec.toBytes(new MessageStructure(null, null));
        b[0] = 99;
        assertThrows(IOException.class, () -> StructureCodec.fromBytes(b));
        byte[] full = StructureCodec.toBytes(new MessageStructure(
                new Envelope("d", "s", List.of(), null, null, null, null, null, null, null), null));
        assertThrows(IOException.class, () -> StructureCodec.fromBytes(Arrays.copyOf(full, full.length - 2)));
    }
}
