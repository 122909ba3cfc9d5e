package io.pillarbox.imap;

import io.pillarbox.api.store.StoreException;

/** A command that cannot be carried out: its tagged response ({@code NO} or {@code BAD}, a code and a text). */
final class Failure extends Exception {

    private static final long serialVersionUID = 1L;

    final String status;
    final String code;

    Failure(String status, String code, String text) {
        super(text, null, false, false);
        this.status = status;
        this.code = code;
    }

    static Failure no(String code, String text) {
        return new Failure("NO", code, text);
    }

    static Failure bad(String text) {
        return new Failure("BAD", null, text);
    }

    /** Maps a store failure to its response code; {@code tryCreate} for a missing APPEND/COPY/MOVE target. */
    static Failure of(StoreException e, boolean tryCreate) {
        String code = switch (e.reason()) {
            case NONEXISTENT -> tryCreate ? "TRYCREATE" : "NONEXISTENT";
            case ALREADY_EXISTS -> "ALREADYEXISTS";
            case INVALID_NAME, NOT_ALLOWED -> "CANNOT";
            case TOO_BIG -> "TOOBIG";
            case OVER_QUOTA -> "OVERQUOTA";
            case UNAVAILABLE -> "UNAVAILABLE";
            case CORRUPTION -> "CORRUPTION";
            case IO -> "SERVERBUG";
        };
        String text = e.getMessage() == null || e.getMessage().isBlank() ? "Failed" : e.getMessage();
        return new Failure("NO", code, text.replace('\r', ' ').replace('\n', ' '));
    }
}
