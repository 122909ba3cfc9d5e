package io.pillarbox.transport;

import org.junit.jupiter.api.Test;

import java.security.GeneralSecurityException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsMaterialTest {

    @Test
    void protocolsFromArrayOrCommaSeparatedString() throws Exception {
        assertArrayEquals(new String[]{"TLSv1.3", "TLSv1.2"}, TlsMaterial.protocols(new String[]{"TLSv1.3", "TLSv1.2"}));
        assertArrayEquals(new String[]{"TLSv1.3", "TLSv1.2"}, TlsMaterial.protocols(new String[]{"TLSv1.3, TLSv1.2"}));
        assertArrayEquals(new String[]{"TLSv1.3"}, TlsMaterial.protocols(new String[]{" TLSv1.3 "}));
    }

    @Test
    void olderProtocolsAreRefusedWithAClearMessage() {
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> TlsMaterial.protocols(new String[]{"TLSv1.2,TLSv1.1"}));
        assertTrue(e.getMessage().contains("tls.protocols") && e.getMessage().contains("TLSv1.1"), e.getMessage());
        assertThrows(GeneralSecurityException.class, () -> TlsMaterial.protocols(new String[]{""}));
    }
}
