package io.pillarbox.shell;

import org.apache.karaf.shell.api.console.Session;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads a new password from the admin's terminal with echo off, twice. */
final class Passwords {

    private Passwords() {
    }

    static char[] read(Session session, String given) throws IOException {
        if (given != null) {
            if (given.isEmpty()) {
                throw new IllegalArgumentException("empty password");
            }
            return given.toCharArray();
        }
        if (session == null) {
            throw new IllegalArgumentException("no password given and no terminal to ask for one");
        }
        String first = ask(session, "Password: ");
        if (first == null || first.isEmpty()) {
            throw new IllegalArgumentException("no password given");
        }
        String second = ask(session, "Retype password: ");
        if (!first.equals(second)) {
            throw new IllegalArgumentException("the passwords do not match");
        }
        return first.toCharArray();
    }

    /**
     * One line from the admin: through the terminal with echo off, or, in a session without a terminal (scripts,
     * {@code bin/client -b}), the next line of its input, which nobody sees typed.
     */
    static String ask(Session session, String prompt) throws IOException {
        try {
            return session.readLine(prompt, '*');
        } catch (UnsupportedOperationException headless) {
            PrintStream console = session.getConsole();
            if (console != null) {
                console.print(prompt);
                console.flush();
            }
            InputStream in = session.getKeyboard();
            return in == null ? null : readLine(in);
        }
    }

    /** Reads up to a line end byte by byte (so that nothing after it is consumed); null at once at end of input. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            b.write(c);
        }
        if (c == -1 && b.size() == 0) {
            return null;
        }
        String line = b.toString(StandardCharsets.UTF_8);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    static void clear(char[] password) {
        if (password != null) {
            Arrays.fill(password, '\0');
        }
    }
}
