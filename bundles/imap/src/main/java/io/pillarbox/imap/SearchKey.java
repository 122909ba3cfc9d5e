package io.pillarbox.imap;

import java.time.LocalDate;
import java.util.List;

/** A parsed SEARCH criterion (RFC 9051 search-key, plus MODSEQ of RFC 7162 and OLDER/YOUNGER of RFC 5032). */
sealed interface SearchKey {

    record All() implements SearchKey {
    }

    record And(List<SearchKey> keys) implements SearchKey {
    }

    record Or(SearchKey a, SearchKey b) implements SearchKey {
    }

    record Not(SearchKey key) implements SearchKey {
    }

    /** Message numbers (uid false) or UIDs. */
    record Set(SequenceSet set, boolean uid) implements SearchKey {
    }

    /** A flag or keyword that must be set ({@code set}) or clear. */
    record Flag(String flag, boolean set) implements SearchKey {
    }

    record Recent(boolean recent) implements SearchKey {
    }

    /** NEW = RECENT UNSEEN. */
    record New() implements SearchKey {
    }

    /** A header field containing a string (FROM, TO, CC, BCC, SUBJECT, HEADER). */
    record Header(String field, String value) implements SearchKey {
    }

    record Body(String text) implements SearchKey {
    }

    record Text(String text) implements SearchKey {
    }

    enum DateOp { BEFORE, ON, SINCE }

    /** Internal date (sent false) or Date: header (sent true) compared by day. */
    record Date(DateOp op, LocalDate date, boolean sent) implements SearchKey {
    }

    record Size(boolean larger, long size) implements SearchKey {
    }

    record ModSeq(long modSeq) implements SearchKey {
    }

    /** OLDER / YOUNGER in seconds against the internal date. */
    record Age(boolean older, long seconds) implements SearchKey {
    }
}
