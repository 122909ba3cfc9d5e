package io.pillarbox.imap;

import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** LIST (RFC 9051, LIST-EXTENDED RFC 5258, SPECIAL-USE RFC 6154, LIST-STATUS RFC 5819) and LSUB. */
final class Lister {

    private Lister() {
    }

    /** One name to report, with what is known about it. */
    private static final class Entry {
        final String name;
        MailboxInfo info;
        boolean subscribed;
        boolean hasChildren;
        boolean subscribedChild;

        Entry(String name) {
            this.name = name;
        }
    }

    static void list(ImapSession s, Command.ListCmd c, Out out) throws Exception {
        String ref = s.mailboxName(c.reference());
        if (!c.lsub() && c.patterns().size() == 1 && c.patterns().get(0).isEmpty()) {
            // the hierarchy delimiter and root
            out.raw("* LIST (\\Noselect) \"/\" \"\"").crlf();
            return;
        }
        StoreSession store = s.store;
        Map<String, Entry> all = new TreeMap<>();
        for (MailboxInfo i : store.list()) {
            all.computeIfAbsent(i.name(), Entry::new).info = i;
        }
        // levels that exist only as part of a longer name are shown as \Noselect parents
        for (String name : new ArrayList<>(all.keySet())) {
            int slash = name.lastIndexOf('/');
            while (slash > 0) {
                String parent = name.substring(0, slash);
                Entry p = all.computeIfAbsent(parent, Entry::new);
                if (p.info == null) {
                    p.info = new MailboxInfo(parent, null, false);
                }
                slash = parent.lastIndexOf('/');
            }
        }
        Set<String> subs = store.subscriptions();
        for (String sub : subs) {
            all.computeIfAbsent(sub, Entry::new).subscribed = true;
        }
        for (Entry e : all.values()) {
            int slash = e.name.lastIndexOf('/');
            while (slash > 0) {
                String parent = e.name.substring(0, slash);
                Entry p = all.get(parent);
                if (p != null) {
                    if (e.info != null) {
                        p.hasChildren = true;
                    }
                    if (e.subscribed) {
                        p.subscribedChild = true;
                    }
                }
                slash = parent.lastIndexOf('/');
            }
        }
        boolean subscribedOnly = c.selection().contains("SUBSCRIBED");
        boolean specialOnly = c.selection().contains("SPECIAL-USE");
        boolean recursive = c.selection().contains("RECURSIVEMATCH");
        boolean showSubscribed = subscribedOnly || c.returns().contains("SUBSCRIBED");
        List<Glob> patterns = new ArrayList<>();
        for (String p : c.patterns()) {
            patterns.add(compile(ref, s.utf8() ? p : decodePattern(p)));
        }
        Map<String, Entry> hits = new LinkedHashMap<>();
        Map<String, Boolean> childInfo = new LinkedHashMap<>();
        for (Entry e : all.values()) {
            boolean match = false;
            for (Glob p : patterns) {
                match |= p.matches(e.name);
            }
            if (c.lsub()) {
                if (e.subscribed && match) {
                    hits.put(e.name, e);
                } else if (match && e.subscribedChild && !e.subscribed && endsWithPercent(c.patterns())) {
                    hits.put(e.name, e);
                }
                continue;
            }
            if (subscribedOnly && !e.subscribed) {
                if (recursive && match && e.subscribedChild) {
                    hits.put(e.name, e);
                    childInfo.put(e.name, true);
                }
                continue;
            }
            if (!subscribedOnly && e.info == null) {
                continue;
            }
            if (specialOnly && (e.info == null || e.info.specialUse() == null)) {
                continue;
            }
            if (match) {
                hits.put(e.name, e);
            }
        }
        String word = c.lsub() ? "LSUB" : "LIST";
        for (Entry e : hits.values()) {
            List<String> attrs = new ArrayList<>();
            if (c.lsub()) {
                if (!e.subscribed || e.info == null || !e.info.selectable()) {
                    attrs.add("\\Noselect");
                }
            } else {
                if (e.info == null) {
                    attrs.add("\\NonExistent");
                } else {
                    if (!e.info.selectable()) {
                        attrs.add("\\Noselect");
                    }
                    attrs.add(e.hasChildren ? "\\HasChildren" : "\\HasNoChildren");
                    if (e.info.specialUse() != null) {
                        attrs.add(e.info.specialUse().attribute());
                    }
                }
                if (showSubscribed && e.subscribed) {
                    attrs.add("\\Subscribed");
                }
            }
            out.raw("* ").raw(word).raw(" (").raw(String.join(" ", attrs)).raw(") \"/\" ").mailbox(e.name);
            if (childInfo.containsKey(e.name)) {
                out.raw(" (\"CHILDINFO\" (\"SUBSCRIBED\"))");
            }
            out.crlf();
            if (!c.statusItems().isEmpty() && e.info != null && e.info.selectable()) {
                try {
                    MailCommands.statusLine(s, e.name, c.statusItems(), out);
                } catch (StoreException ex) {
                    // a mailbox that vanished meanwhile has no status (RFC 5819)
                }
            }
        }
    }

    private static boolean endsWithPercent(List<String> patterns) {
        for (String p : patterns) {
            if (p.endsWith("%")) {
                return true;
            }
        }
        return false;
    }

    private static String decodePattern(String p) throws Failure {
        try {
            return MUtf7.decode(p);
        } catch (IllegalArgumentException e) {
            throw Failure.bad("Invalid mailbox pattern: " + e.getMessage());
        }
    }

    /** A LIST pattern with its reference: {@code *} matches anything, {@code %} anything but the delimiter. */
    static Glob compile(String reference, String pattern) {
        String full = reference + pattern;
        if (full.length() >= 5 && full.substring(0, 5).equalsIgnoreCase("INBOX")
                && (full.length() == 5 || full.charAt(5) == '/' || full.charAt(5) == '*' || full.charAt(5) == '%')) {
            full = StoreSession.INBOX + full.substring(5);
        }
        return new Glob(full);
    }

    /** Wildcard matching in O(pattern x name) time, whatever the client writes (no regex backtracking). */
    record Glob(String pattern) {
        boolean matches(String name) {
            int p = pattern.length();
            int n = name.length();
            // can[j]: the pattern so far matches name[0..j)
            boolean[] can = new boolean[n + 1];
            can[0] = true;
            for (int i = 0; i < p; i++) {
                char c = pattern.charAt(i);
                boolean[] next = new boolean[n + 1];
                if (c == '*' || c == '%') {
                    boolean carry = false;
                    for (int j = 0; j <= n; j++) {
                        if (c == '%' && j > 0 && name.charAt(j - 1) == '/') {
                            carry = false;
                        }
                        carry |= can[j];
                        next[j] = carry;
                    }
                } else {
                    for (int j = 1; j <= n; j++) {
                        next[j] = can[j - 1] && name.charAt(j - 1) == c;
                    }
                }
                can = next;
            }
            return can[n];
        }
    }
}
