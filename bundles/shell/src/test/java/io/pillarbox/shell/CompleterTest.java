package io.pillarbox.shell;

import org.apache.karaf.shell.api.console.CommandLine;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CompleterTest {

    /** The command line as Karaf hands it to a completer, the cursor in the last word. */
    static CommandLine line(String... words) {
        return new CommandLine() {
            public int getCursorArgumentIndex() {
                return words.length - 1;
            }

            public String getCursorArgument() {
                return words[words.length - 1];
            }

            public int getArgumentPosition() {
                return words[words.length - 1].length();
            }

            public String[] getArguments() {
                return words;
            }

            public int getBufferPosition() {
                return String.join(" ", words).length();
            }

            public String getBuffer() {
                return String.join(" ", words);
            }
        };
    }

    @Test
    void theMailboxCompleterFindsTheUserBeforeTheCursor() {
        assertEquals("bob", MailboxCompleter.firstArgument(line("mail:expunge", "bob", "IN")));
        assertEquals("bob", MailboxCompleter.firstArgument(line("mail:expunge", "--before", "30d", "bob", "")));
        assertEquals("bob", MailboxCompleter.firstArgument(line("mail:export", "-m", "X", "--force", "bob", "")));
        assertNull(MailboxCompleter.firstArgument(line("mail:expunge", "bo")), "the user is still being typed");
        assertNull(MailboxCompleter.firstArgument(line("mail:expunge", "--before", "")));
    }
}
