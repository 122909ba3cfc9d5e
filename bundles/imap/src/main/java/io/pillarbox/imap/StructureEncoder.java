package io.pillarbox.imap;

import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.MessageStructure.Address;
import io.pillarbox.api.store.MessageStructure.BodyPart;
import io.pillarbox.api.store.MessageStructure.Envelope;

import java.util.List;
import java.util.Map;

/** Writes ENVELOPE, BODY and BODYSTRUCTURE (RFC 9051 section 7.5.2) from a stored {@link MessageStructure}. */
final class StructureEncoder {

    private StructureEncoder() {
    }

    static void envelope(Out out, Envelope e) {
        out.raw('(');
        out.nstring(e.date()).sp();
        out.nstring(e.subject()).sp();
        List<Address> from = e.from();
        addresses(out, from).sp();
        addresses(out, e.sender() == null || e.sender().isEmpty() ? from : e.sender()).sp();
        addresses(out, e.replyTo() == null || e.replyTo().isEmpty() ? from : e.replyTo()).sp();
        addresses(out, e.to()).sp();
        addresses(out, e.cc()).sp();
        addresses(out, e.bcc()).sp();
        out.nstring(e.inReplyTo()).sp();
        out.nstring(e.messageId());
        out.raw(')');
    }

    private static Out addresses(Out out, List<Address> list) {
        if (list == null || list.isEmpty()) {
            return out.nil();
        }
        out.raw('(');
        for (Address a : list) {
            out.raw('(').nstring(a.name()).sp().nstring(a.route()).sp().nstring(a.mailbox()).sp()
                    .nstring(a.host()).raw(')');
        }
        return out.raw(')');
    }

    /** BODYSTRUCTURE ({@code extended} true) or BODY. */
    static void body(Out out, BodyPart p, boolean extended) {
        out.raw('(');
        if (p.isMultipart() && !p.parts().isEmpty()) {
            for (BodyPart child : p.parts()) {
                body(out, child, extended);
            }
            out.sp().string(upper(p.subtype()));
            if (extended) {
                out.sp();
                params(out, p.parameters());
                out.sp();
                extensionTail(out, p);
            }
            out.raw(')');
            return;
        }
        String type = p.isMultipart() ? "text" : p.type();
        String subtype = p.isMultipart() ? "plain" : p.subtype();
        out.string(upper(type)).sp().string(upper(subtype)).sp();
        params(out, p.parameters());
        out.sp().nstring(p.id()).sp().nstring(p.description()).sp()
                .string(upper(p.encoding() == null ? "7bit" : p.encoding())).sp().num(p.bodySize());
        if (p.isMessage()) {
            out.sp();
            envelope(out, p.message().envelope());
            out.sp();
            body(out, p.message().root(), extended);
            out.sp().num(p.lines());
        } else if ("text".equalsIgnoreCase(type)) {
            out.sp().num(p.lines());
        }
        if (extended) {
            out.sp().nstring(p.md5()).sp();
            extensionTail(out, p);
        }
        out.raw(')');
    }

    /** body-fld-dsp SP body-fld-lang SP body-fld-loc. */
    private static void extensionTail(Out out, BodyPart p) {
        if (p.disposition() == null) {
            out.nil();
        } else {
            out.raw('(').string(upper(p.disposition())).sp();
            params(out, p.dispositionParameters());
            out.raw(')');
        }
        out.sp();
        List<String> lang = p.language();
        if (lang == null || lang.isEmpty()) {
            out.nil();
        } else if (lang.size() == 1) {
            out.string(lang.get(0));
        } else {
            out.raw('(');
            for (int i = 0; i < lang.size(); i++) {
                if (i > 0) {
                    out.sp();
                }
                out.string(lang.get(i));
            }
            out.raw(')');
        }
        out.sp().nstring(p.location());
    }

    private static void params(Out out, Map<String, String> params) {
        if (params == null || params.isEmpty()) {
            out.nil();
            return;
        }
        out.raw('(');
        boolean first = true;
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!first) {
                out.sp();
            }
            first = false;
            out.string(upper(e.getKey())).sp().string(e.getValue() == null ? "" : e.getValue());
        }
        out.raw(')');
    }

    /**
     * Media types, parameter names and dispositions are sent as the store has them (lower case), as Dovecot does:
     * Jakarta Mail hands them to applications unchanged, and some compare with {@code Part.ATTACHMENT} exactly.
     */
    private static String upper(String s) {
        return s == null ? "" : s;
    }

    /** The body part for a section's part numbers, or null when there is none. */
    static BodyPart part(MessageStructure m, int[] numbers) {
        BodyPart p = m.root();
        for (int n : numbers) {
            if (p.isMultipart()) {
                if (n < 1 || n > p.parts().size()) {
                    return null;
                }
                p = p.parts().get(n - 1);
            } else if (p.isMessage()) {
                BodyPart inner = p.message().root();
                if (inner.isMultipart()) {
                    if (n < 1 || n > inner.parts().size()) {
                        return null;
                    }
                    p = inner.parts().get(n - 1);
                } else if (n == 1) {
                    p = inner;
                } else {
                    return null;
                }
            } else if (n == 1 && p == m.root()) {
                // a single-part message has part 1: itself
                continue;
            } else {
                return null;
            }
        }
        return p;
    }
}
