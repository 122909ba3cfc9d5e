package io.pillarbox.api.store;

import java.util.List;
import java.util.Map;

/**
 * A message's MIME tree and envelope, parsed once when the message is stored and kept in the store's index so that
 * FETCH ENVELOPE/BODYSTRUCTURE, SEARCH and SORT do not re-read the message.
 *
 * @param envelope the top-level envelope
 * @param root     the top-level body part; its header starts at offset 0
 */
public record MessageStructure(Envelope envelope, BodyPart root) {

    /**
     * One address, as IMAP's ENVELOPE has it. A group is a start marker ({@code host == null}, {@code mailbox} the
     * group name) and an end marker (both {@code null}). Strings are as in the header (RFC 2047 words undecoded).
     */
    public record Address(String name, String route, String mailbox, String host) {
    }

    /** Header fields as IMAP's ENVELOPE has them; {@code null} where the header is absent. */
    public record Envelope(String date, String subject, List<Address> from, List<Address> sender,
                           List<Address> replyTo, List<Address> to, List<Address> cc, List<Address> bcc,
                           String inReplyTo, String messageId) {
    }

    /**
     * One MIME entity. Offsets are in octets from the start of the whole message.
     *
     * @param type                 lower-case media type, e.g. {@code text}
     * @param subtype              lower-case subtype, e.g. {@code plain}
     * @param parameters           Content-Type parameters in order (names lower-case)
     * @param id                   Content-ID or {@code null}
     * @param description          Content-Description or {@code null}
     * @param encoding             Content-Transfer-Encoding (default {@code 7bit})
     * @param headerOffset         where this entity's header starts
     * @param bodyOffset           where its body starts (after the blank line)
     * @param bodySize             octets of the body
     * @param lines                lines of the body (text and message/rfc822 parts)
     * @param md5                  Content-MD5 or {@code null}
     * @param disposition          Content-Disposition type or {@code null}
     * @param dispositionParameters its parameters in order
     * @param language             Content-Language values
     * @param location             Content-Location or {@code null}
     * @param parts                children of a multipart, else empty
     * @param message              for message/rfc822 (and message/global): the embedded message, else {@code null}
     */
    public record BodyPart(String type, String subtype, Map<String, String> parameters, String id,
                           String description, String encoding, long headerOffset, long bodyOffset, long bodySize,
                           long lines, String md5, String disposition, Map<String, String> dispositionParameters,
                           List<String> language, String location, List<BodyPart> parts, MessageStructure message) {

        public boolean isMultipart() {
            return "multipart".equals(type);
        }

        public boolean isMessage() {
            return message != null;
        }
    }
}
