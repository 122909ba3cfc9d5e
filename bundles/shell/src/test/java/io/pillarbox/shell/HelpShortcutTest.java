package io.pillarbox.shell;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HelpShortcutTest {

    private static String rewrite(String line) {
        HelpShortcut p = new HelpShortcut();
        return p.preprocess(null, p.parse(null, line, line.length()));
    }

    @Test
    void aStandAloneDashHBecomesDashDashHelp() {
        assertEquals("mail:user-add --help", rewrite("mail:user-add -h"));
        assertEquals("mail:user-add alice --help", rewrite("mail:user-add alice -h"));
    }

    @Test
    void everythingElseIsLeftAsTyped() {
        assertEquals("mail:user-add alice 'secret -h'", rewrite("mail:user-add alice 'secret -h'"));
        assertEquals("mail:expunge alice INBOX -- -h", rewrite("mail:expunge alice INBOX -- -h"));
        assertEquals("mail:user-add -hx \"a b\"", rewrite("mail:user-add -hx \"a b\""));
        assertEquals("mail:sessions", rewrite("mail:sessions"));
    }
}
