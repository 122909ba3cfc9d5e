package io.pillarbox.migration;

/** How {@code From } lines inside messages are quoted in an mbox file. */
public enum MboxFormat {
    /**
     * mboxo (UW IMAP, pine, mutt, Thunderbird): a line starting with {@code From } is written as {@code >From };
     * reading turns exactly {@code >From } back into {@code From } (lossy for lines that really began with
     * {@code >From }).
     */
    MBOXO,
    /**
     * mboxrd: any line matching {@code >*From } gets one more {@code >}; reading removes one. Reversible, and the
     * safer choice for reading files of unknown origin.
     */
    MBOXRD
}
