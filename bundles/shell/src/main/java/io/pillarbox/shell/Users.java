package io.pillarbox.shell;

/** Checks on user names typed in the shell, before a realm sees them. */
final class Users {

    private Users() {
    }

    /** Refuses names no realm could store safely: empty, too long, with spaces, control characters or {@code :}. */
    static void checkName(String user) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("empty user name");
        }
        if (user.length() > 320) {
            throw new IllegalArgumentException("user name longer than 320 characters");
        }
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c <= ' ' || c == 0x7f || c == ':' || Character.isWhitespace(c) || Character.isSpaceChar(c)
                    || Character.isISOControl(c)) {
                throw new IllegalArgumentException("user name " + user.strip()
                        + " contains a space, a control character or ':'");
            }
        }
        if (user.startsWith("@") || user.endsWith("@") || user.indexOf('@') != user.lastIndexOf('@')) {
            throw new IllegalArgumentException("user name " + user + " is not of the form local or local@domain");
        }
    }
}
