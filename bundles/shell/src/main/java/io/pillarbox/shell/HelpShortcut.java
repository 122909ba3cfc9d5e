package io.pillarbox.shell;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.parsing.CommandLineImpl;
import org.apache.karaf.shell.support.parsing.DefaultParser;
import org.jline.reader.LineReader;

/**
 * Lets every {@code mail:} command take {@code -h} for help. Karaf itself only knows {@code --help}, and checks
 * required arguments before it would run the command, so {@code -h} cannot be an ordinary option: this parser
 * (named by {@code @Parsing} on each command) rewrites a stand-alone {@code -h} into {@code --help} before Karaf
 * runs the line. A {@code -h} after {@code --} (where arguments end) or inside quotes is left alone. Karaf finds it in
 * the shell's registry, hence {@code @Service}.
 *
 * <p>Karaf 4.4 runs a line on two paths, and both are covered:
 * <ul>
 * <li>{@code Session.execute} (scripts, {@code bin/client -b}, a command on {@code bin/client}'s or ssh's command
 * line) parses the line command by command and runs what {@link #preprocess} returns; the parsed buffer's length
 * tells it where the next command starts after {@code ;} or {@code |}, so that buffer stays as typed.</li>
 * <li>The interactive console hands the parser only the command under the cursor and then runs the parsed buffer
 * as the whole line: left alone, {@code echo a ; mail:sessions} would run {@code mail:sessions} only. There
 * {@link #parse} returns the console's whole line as the buffer (each {@code mail:} command in it rewritten); the
 * arguments and the word under the cursor stay those of the command, so that completion works as before.</li>
 * </ul>
 */
@Service
public class HelpShortcut extends DefaultParser {

    /** The gogo session variable under which Karaf's console keeps its line reader. */
    static final String CONSOLE_READER = ".jline.reader";
    private static final String CONSOLE_PARSER = "org.apache.karaf.shell.impl.console.parsing.KarafParser";

    @Override
    public CommandLine parse(Session session, String command, int cursor) {
        CommandLine typed = super.parse(session, command, cursor);
        String[] args = rewrite(typed.getArguments());
        String line = consoleLine(session);
        if (line == null) {
            return typed;
        }
        String run = rewriteLine(session, line);
        return new CommandLineImpl(args == null ? typed.getArguments() : args, typed.getCursorArgumentIndex(),
                typed.getArgumentPosition(), Math.min(consoleCursor(session), run.length()), run);
    }

    @Override
    public String preprocess(Session session, CommandLine line) {
        String[] args = rewrite(line.getArguments());
        return String.join(" ", args == null ? line.getArguments() : args);
    }

    /** The arguments with each stand-alone {@code -h} before {@code --} as {@code --help}; null when there is none. */
    static String[] rewrite(String[] args) {
        String[] out = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--")) {
                break;
            }
            if (args[i].equals("-h")) {
                if (out == null) {
                    out = args.clone();
                }
                out[i] = "--help";
            }
        }
        return out;
    }

    /**
     * A whole command line with the {@code -h} of each {@code mail:} command in it as {@code --help}: commands are
     * found as Karaf's {@code Session.execute} finds them (separated by {@code ;}, {@code |} or a line break); a
     * command that needs no change keeps its text as typed, a changed one is written as its arguments joined by
     * spaces (what {@code Session.execute} runs). The line is returned unchanged when it has something else between
     * commands.
     */
    static String rewriteLine(Session session, String line) {
        DefaultParser plain = new DefaultParser();
        StringBuilder out = new StringBuilder(line.length() + 8);
        boolean changed = false;
        int pos = 0;
        while (pos < line.length()) {
            String rem = line.substring(pos);
            CommandLine command = plain.parse(session, rem, rem.length());
            int length = command.getBuffer().length();
            String[] args = command.getArguments();
            String[] rewritten = args.length > 0 && isMailCommand(session, args[0]) ? rewrite(args) : null;
            if (rewritten == null) {
                out.append(rem, 0, length);
            } else {
                out.append(String.join(" ", rewritten));
                changed = true;
            }
            if (length < rem.length()) {
                char separator = rem.charAt(length);
                if (separator != ';' && separator != '|' && separator != '\n') {
                    return line;
                }
                out.append(separator);
                length++;
            }
            pos += length;
        }
        return changed ? out.toString() : line;
    }

    private static boolean isMailCommand(Session session, String name) {
        String resolved = session == null ? name : session.resolveCommand(name);
        return resolved != null && resolved.startsWith("mail:");
    }

    /** When Karaf's interactive console is parsing: the line it is reading; else null. */
    private static String consoleLine(Session session) {
        LineReader reader = consoleReader(session);
        return reader == null ? null : reader.getBuffer().toString();
    }

    private static int consoleCursor(Session session) {
        LineReader reader = consoleReader(session);
        return reader == null ? 0 : reader.getBuffer().cursor();
    }

    private static LineReader consoleReader(Session session) {
        if (session == null || !(session.get(CONSOLE_READER) instanceof LineReader reader)) {
            return null;
        }
        // the console's reader is also there while a command the console runs calls Session.execute: only the
        // console's own parser wants the whole line
        boolean console = StackWalker.getInstance().walk(frames -> frames.limit(12)
                .anyMatch(f -> f.getClassName().equals(CONSOLE_PARSER)));
        return console ? reader : null;
    }
}
