package io.pillarbox.itest;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Assert;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs {@code mail:} commands as an admin types them, through Karaf's shell. Kept apart from PillarboxTestSupport so
 * that tests which do not use the shell (StockKarafIT installs features, which refreshes Karaf's shell bundle) never
 * wire the test probe to the shell's packages.
 */
final class ShellRunner {

    private ShellRunner() {
    }

    /**
     * Runs one command line in a fresh Karaf shell session, as an admin would type it, with the given keyboard input:
     * what it printed, and the error's message or {@code null} when it succeeded.
     */
    static String[] shellAllowingFailure(SessionFactory factory, String command,
                                         String keyboard) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session session = factory.create(
                new ByteArrayInputStream(keyboard.getBytes(StandardCharsets.UTF_8)), ps, ps);
        String error = null;
        try {
            session.execute(command);
        } catch (Exception e) {
            error = String.valueOf(e.getMessage());
        } finally {
            ps.flush();
            session.close();
        }
        return new String[]{out.toString(StandardCharsets.UTF_8), error};
    }

    /** Runs a command line that must succeed (else the error is thrown); returns what it printed. */
    static String shell(SessionFactory factory, String command, String keyboard)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session session = factory.create(
                new ByteArrayInputStream(keyboard.getBytes(StandardCharsets.UTF_8)), ps, ps);
        try {
            session.execute(command);
        } finally {
            ps.flush();
            session.close();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Asserts that a command's output contains each part. */
    static void contains(String output, String... parts) {
        for (String p : parts) {
            Assert.assertTrue("expected '" + p + "' in:\n" + output, output.contains(p));
        }
    }
}
