package io.pillarbox.imap;

import io.pillarbox.api.store.SpecialUse;
import org.junit.jupiter.api.Test;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ImapProtocolTest {

    /** A configuration as Configuration Admin would give it, with a few values changed. */
    static ImapConfig config(String[] specialUse, int lineLength, String spool) {
        return new ImapConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return ImapConfig.class;
            }

            @Override
            public int maxLineLength() {
                return lineLength;
            }

            @Override
            public long maxLiteralSize() {
                return 1000;
            }

            @Override
            public long maxPreAuthLiteral() {
                return 10;
            }

            @Override
            public int spoolThreshold() {
                return 5000;
            }

            @Override
            public String spoolDirectory() {
                return spool;
            }

            @Override
            public int maxBadCommands() {
                return 3;
            }

            @Override
            public int maxQueuedCommands() {
                return 8;
            }

            @Override
            public int autologoutSeconds() {
                return 600;
            }

            @Override
            public int preAuthAutologoutSeconds() {
                return 30;
            }

            @Override
            public String[] specialUseMailboxes() {
                return specialUse;
            }

            @Override
            public String serverName() {
                return "Mail";
            }

            @Override
            public boolean compress() {
                return false;
            }

            @Override
            public String[] traceUsers() {
                return new String[0];
            }
        };
    }

    @Test
    void configurationBecomesSettings() {
        ImapSettings s = ImapProtocol.settings(config(new String[]{"Entw\u00fcrfe:drafts", "Papierkorb: TRASH",
            "broken", "X:nosuchrole", "Gesendet:sent"}, 10, "/var/tmp/imap"));
        assertEquals(List.of("Entw\u00fcrfe", "Papierkorb", "Gesendet"), List.copyOf(s.specialUse().keySet()));
        assertEquals(List.of(SpecialUse.DRAFTS, SpecialUse.TRASH, SpecialUse.SENT),
                List.copyOf(s.specialUse().values()));
        assertEquals(1024, s.maxLineLength(), "too small a line length is raised");
        assertEquals(1000, s.maxLiteralSize());
        assertEquals("/var/tmp/imap", s.spoolDirectory().toString());
        assertEquals(Duration.ofMinutes(10), s.autologoutAuthenticated());
        assertEquals(Duration.ofSeconds(30), s.autologoutPreAuth());
        assertEquals("Mail", s.serverName());
        ImapSettings d = ImapProtocol.settings(config(new String[0], 100000, ""));
        assertEquals(System.getProperty("java.io.tmpdir"), d.spoolDirectory().toString());
        assertEquals(0, d.specialUse().size());
    }
}
