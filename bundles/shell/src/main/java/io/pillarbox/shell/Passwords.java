package io.pillarbox.shell;

import org.apache.karaf.shell.api.console.Session;

import java.io.IOException;
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
        String first = session.readLine("Password: ", '*');
        if (first == null || first.isEmpty()) {
            throw new IllegalArgumentException("no password given");
        }
        String second = session.readLine("Retype password: ", '*');
        if (!first.equals(second)) {
            throw new IllegalArgumentException("the passwords do not match");
        }
        return first.toCharArray();
    }

    static void clear(char[] password) {
        if (password != null) {
            Arrays.fill(password, '\0');
        }
    }
}
