package io.pillarbox.imap;

import java.util.List;

/** One FETCH data item. */
sealed interface FetchItem {

    enum Kind { FLAGS, INTERNALDATE, RFC822_SIZE, ENVELOPE, BODY, BODYSTRUCTURE, UID, MODSEQ, RFC822, RFC822_HEADER,
        RFC822_TEXT }

    record Simple(Kind kind) implements FetchItem {
    }

    enum Spec { ALL, HEADER, HEADER_FIELDS, HEADER_FIELDS_NOT, TEXT, MIME }

    /**
     * BODY[...] / BODY.PEEK[...] / BINARY[...] / BINARY.PEEK[...].
     *
     * @param part    part numbers (empty for the whole message)
     * @param fields  header field names for HEADER.FIELDS(.NOT), upper-cased
     * @param start   partial start or -1
     * @param length  partial length or -1
     * @param label   the section text as the client gave it, for the response, e.g. {@code 1.HEADER.FIELDS (FROM)}
     */
    record Section(boolean binary, boolean peek, int[] part, Spec spec, List<String> fields, long start, long length,
                   String label) implements FetchItem {
    }

    record BinarySize(int[] part, String label) implements FetchItem {
    }
}
