package io.pillarbox.api.store;

import java.util.Locale;
import java.util.Set;

/** Names of the IMAP system flags. Any other flag is a keyword (an atom without a backslash). */
public final class Flags {

    public static final String SEEN = "\\Seen";
    public static final String ANSWERED = "\\Answered";
    public static final String FLAGGED = "\\Flagged";
    public static final String DELETED = "\\Deleted";
    public static final String DRAFT = "\\Draft";

    public static final Set<String> SYSTEM = Set.of(SEEN, ANSWERED, FLAGGED, DELETED, DRAFT);

    private Flags() {
    }

    /** The canonical spelling of a flag: system flags case-normalised, keywords as given. */
    public static String canonical(String flag) {
        if (flag.startsWith("\\")) {
            for (String f : SYSTEM) {
                if (f.equalsIgnoreCase(flag)) {
                    return f;
                }
            }
        }
        return flag;
    }

    /** Flag comparison as IMAP does it: case-insensitive. */
    public static boolean contains(Set<String> flags, String flag) {
        if (flags.contains(flag)) {
            return true;
        }
        String lower = flag.toLowerCase(Locale.ROOT);
        for (String f : flags) {
            if (f.toLowerCase(Locale.ROOT).equals(lower)) {
                return true;
            }
        }
        return false;
    }
}
