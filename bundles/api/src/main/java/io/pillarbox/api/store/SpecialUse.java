package io.pillarbox.api.store;

/** RFC 6154 special-use roles. */
public enum SpecialUse {
    ALL("\\All"), ARCHIVE("\\Archive"), DRAFTS("\\Drafts"), FLAGGED("\\Flagged"), JUNK("\\Junk"),
    SENT("\\Sent"), TRASH("\\Trash");

    private final String attribute;

    SpecialUse(String attribute) {
        this.attribute = attribute;
    }

    /** The IMAP LIST attribute, e.g. {@code \Sent}. */
    public String attribute() {
        return attribute;
    }

    public static SpecialUse fromAttribute(String attr) {
        for (SpecialUse u : values()) {
            if (u.attribute.equalsIgnoreCase(attr)) {
                return u;
            }
        }
        return null;
    }
}
