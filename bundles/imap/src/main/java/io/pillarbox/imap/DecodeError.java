package io.pillarbox.imap;

/** Input the decoder could not frame (line or literal over the limits): answered with {@code tag BAD}. */
record DecodeError(String tag, String message) {
}
