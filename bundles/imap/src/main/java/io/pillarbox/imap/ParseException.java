package io.pillarbox.imap;

/** A command that does not follow the grammar: answered with {@code tag BAD message}. */
final class ParseException extends Exception {

    private static final long serialVersionUID = 1L;

    ParseException(String message) {
        super(message, null, false, false);
    }
}
