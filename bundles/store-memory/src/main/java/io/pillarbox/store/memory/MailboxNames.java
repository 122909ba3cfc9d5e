package io.pillarbox.store.memory;

import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;

/** The naming rules of {@link StoreSession}: validation and INBOX canonicalisation. */
final class MailboxNames {

    private MailboxNames() {
    }

    /** The canonical form of a valid name ({@code INBOX} in upper case, also as a first level). */
    static String canonical(String name) throws StoreException {
        if (name == null || name.isEmpty()) {
            throw invalid(name, "empty");
        }
        if (name.charAt(0) == StoreSession.DELIMITER || name.charAt(name.length() - 1) == StoreSession.DELIMITER) {
            throw invalid(name, "starts or ends with the delimiter");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                throw invalid(name, "control character");
            }
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= name.length()
                        || !Character.isLowSurrogate(name.charAt(i + 1))) {
                    throw invalid(name, "broken surrogate pair");
                }
                i++;
            }
        }
        String[] levels = name.split(String.valueOf(StoreSession.DELIMITER), -1);
        for (String l : levels) {
            if (l.isEmpty()) {
                throw invalid(name, "empty level");
            }
            if (l.equals(".") || l.equals("..")) {
                throw invalid(name, "'.' or '..' level");
            }
        }
        if (levels[0].equalsIgnoreCase(StoreSession.INBOX) && !levels[0].equals(StoreSession.INBOX)) {
            return StoreSession.INBOX + name.substring(levels[0].length());
        }
        return name;
    }

    static boolean isInbox(String canonical) {
        return StoreSession.INBOX.equals(canonical);
    }

    static String parent(String canonical) {
        int i = canonical.lastIndexOf(StoreSession.DELIMITER);
        return i < 0 ? null : canonical.substring(0, i);
    }

    private static StoreException invalid(String name, String why) {
        String shown = name == null ? "null" : name.replaceAll("\\p{Cntrl}", "?");
        return new StoreException(StoreException.Reason.INVALID_NAME, "invalid mailbox name '" + shown + "': " + why);
    }
}
