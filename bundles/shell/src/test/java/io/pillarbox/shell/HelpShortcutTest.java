package io.pillarbox.shell;

import org.apache.karaf.shell.api.console.CommandLine;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class HelpShortcutTest {

    private final HelpShortcut parser = new HelpShortcut();

    /** What Session.execute runs: the preprocessed parse of the line. */
    private String executed(String line) {
        return parser.preprocess(null, parser.parse(null, line, line.length()));
    }

    /** What the interactive console runs of a line: that line, rewritten. */
    private String console(String line) {
        return HelpShortcut.rewriteLine(null, line);
    }

    @Test
    void aStandAloneDashHBecomesDashDashHelp() {
        for (String line : new String[] {"mail:user-add -h", "mail:user-add alice -h", "mail:user-add -h alice"}) {
            String expected = line.replace("-h", "--help");
            assertEquals(expected, executed(line));
            assertEquals(expected, console(line));
        }
    }

    @Test
    void everythingElseIsLeftAsTyped() {
        for (String line : new String[] {"mail:user-add alice 'secret -h'", "mail:expunge alice INBOX -- -h",
                "mail:user-add -hx \"a b\"", "mail:sessions", "mail:user-show '-h'"}) {
            assertEquals(line, executed(line));
            assertEquals(line, console(line));
        }
    }

    @Test
    void whenMoreCommandsFollowTheBufferIsWhatWasTypedSoThatKarafFindsTheNextOne() {
        String line = "mail:user-show -h ; mail:sessions";
        CommandLine first = parser.parse(null, line, line.length());
        assertEquals("mail:user-show -h ", first.getBuffer().substring(0, "mail:user-show -h ".length()));
        assertEquals(';', line.charAt(first.getBuffer().length()));
        assertEquals("mail:user-show --help", parser.preprocess(null, first));
    }

    @Test
    void outsideTheConsoleTheParsedBufferIsWhatWasTyped() {
        String line = "mail:user-show -h al";
        CommandLine parsed = parser.parse(null, line, line.length());
        assertEquals(line, parsed.getBuffer());
        assertEquals("al", parsed.getCursorArgument());
        assertSame(null, HelpShortcut.rewrite(parser.parse(null, "mail:user-show al", 17).getArguments()));
    }

    @Test
    void aConsoleLineKeepsEveryCommandAndRewritesOnlyTheMailCommands() {
        assertEquals("echo one ; mail:sessions", console("echo one ; mail:sessions"));
        assertEquals("echo -h ;mail:user-show --help| grep -h x",
                console("echo -h ; mail:user-show -h | grep -h x"));
        assertEquals("mail:user-show --help\nmail:stats --help", console("mail:user-show -h\nmail:stats -h"));
        assertEquals("mail:sessions ; echo 'a -h'", console("mail:sessions ; echo 'a -h'"));
    }
}
