package io.pillarbox.shell;

import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.parsing.DefaultParser;

/**
 * Lets every {@code mail:} command take {@code -h} for help. Karaf itself only knows {@code --help}, and checks
 * required arguments before it would run the command, so {@code -h} cannot be an ordinary option: this parser
 * (named by {@code @Parsing} on each command) rewrites a stand-alone {@code -h} into {@code --help} before Karaf
 * reads the line, in the console, over {@code bin/client} and in a {@code Session.execute} alike. A {@code -h} after
 * {@code --} (where arguments end) or inside quotes is left alone. Karaf finds it in the shell's registry, hence
 * {@code @Service}.
 */
@Service
public class HelpShortcut extends DefaultParser {

    @Override
    public String preprocess(Session session, CommandLine line) {
        String[] args = line.getArguments();
        StringBuilder b = new StringBuilder();
        boolean options = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i > 0) {
                b.append(' ');
                if (options && a.equals("--")) {
                    options = false;
                } else if (options && a.equals("-h")) {
                    a = "--help";
                }
            }
            b.append(a);
        }
        return b.toString();
    }
}
