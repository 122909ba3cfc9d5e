package io.pillarbox.shell;

import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageStructure;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code mail:check} verifies through the store API, for any store: per mailbox, a UIDVALIDITY, UIDs strictly
 * ascending and below UIDNEXT, every message readable to its end with exactly the size the index gives, and its
 * parsed structure available. It reads every message, so it costs as much as reading the whole mailbox once.
 */
final class StoreCheck {

    private StoreCheck() {
    }

    /** The maintenance service of the named store, or null when it offers none. */
    static io.pillarbox.api.store.StoreMaintenance maintenance(org.osgi.framework.BundleContext bc, String store)
            throws org.osgi.framework.InvalidSyntaxException {
        if (bc == null || store == null) {
            return null;
        }
        String filter = "(" + io.pillarbox.api.store.MailStore.PROPERTY_NAME + "=" + escape(store) + ")";
        for (org.osgi.framework.ServiceReference<io.pillarbox.api.store.StoreMaintenance> r
                : bc.getServiceReferences(io.pillarbox.api.store.StoreMaintenance.class, filter)) {
            io.pillarbox.api.store.StoreMaintenance m = bc.getService(r);
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    /** RFC 4515 escaping of a filter value. */
    static String escape(String v) {
        StringBuilder b = new StringBuilder();
        for (char c : v.toCharArray()) {
            if (c == '*' || c == '(' || c == ')' || c == '\\' || c == 0) {
                b.append('\\').append(String.format("%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** One mailbox's result. */
    record Result(String mailbox, int messages, long octets, List<String> problems) {
    }

    static List<Result> checkAll(StoreSession s, String only) throws StoreException {
        List<Result> out = new ArrayList<>();
        for (MailboxInfo i : s.list()) {
            if (!i.selectable() || (only != null && !only.equals(i.name()))) {
                continue;
            }
            out.add(checkMailbox(s, i.name()));
        }
        if (only != null && out.isEmpty()) {
            throw new IllegalArgumentException("no mailbox " + only);
        }
        return out;
    }

    static Result checkMailbox(StoreSession s, String name) {
        List<String> problems = new ArrayList<>();
        int count = 0;
        long octets = 0;
        try (Mailbox m = s.open(name, true)) {
            if (m.uidValidity() <= 0) {
                problems.add("UIDVALIDITY is " + m.uidValidity());
            }
            long last = 0;
            for (MessageInfo i : m.messages()) {
                count++;
                if (i.uid() <= last) {
                    problems.add("UID " + i.uid() + " follows UID " + last + " (not ascending)");
                }
                if (i.uid() >= m.uidNext()) {
                    problems.add("UID " + i.uid() + " is not below UIDNEXT " + m.uidNext());
                }
                last = i.uid();
                long read = 0;
                try (InputStream in = m.content(i.uid()).open()) {
                    byte[] buf = new byte[65536];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        read += n;
                    }
                    octets += read;
                    if (read != i.size()) {
                        problems.add("UID " + i.uid() + ": " + read + " octets readable, index says " + i.size()
                                + (read < i.size() ? " (truncated)" : ""));
                    }
                } catch (Exception e) {
                    problems.add("UID " + i.uid() + " unreadable: " + e.getMessage());
                    continue;
                }
                try {
                    MessageStructure st = m.structure(i.uid());
                    if (st == null || st.root() == null) {
                        problems.add("UID " + i.uid() + ": no parsed structure");
                    }
                } catch (Exception e) {
                    problems.add("UID " + i.uid() + ": structure unavailable: " + e.getMessage());
                }
            }
        } catch (StoreException e) {
            problems.add("cannot open: " + e.getMessage() + " (" + e.reason() + ")");
        }
        return new Result(name, count, octets, problems);
    }
}
