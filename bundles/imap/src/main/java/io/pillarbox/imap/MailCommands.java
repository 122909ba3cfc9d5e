package io.pillarbox.imap;

import io.pillarbox.api.store.AppendResult;
import io.pillarbox.api.store.CopyResult;
import io.pillarbox.api.store.FlagOp;
import io.pillarbox.api.store.FlagUpdate;
import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxStatus;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.MessageSource;
import io.pillarbox.api.store.SpecialUse;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The commands that run on the worker: mailboxes, messages, search. */
final class MailCommands {

    private MailCommands() {
    }

    static void run(ImapSession s, Command c, Out out) throws Exception {
        if (c instanceof Command.Simple simple) {
            switch (simple.name()) {
                case "NOOP", "CHECK" -> noop(s, c, out);
                case "CLOSE" -> close(s, c, out, true);
                case "UNSELECT" -> close(s, c, out, false);
                case "EXPUNGE" -> expunge(s, c, out, null);
                case "NAMESPACE" -> {
                    out.raw("* NAMESPACE ((\"\" \"/\")) NIL NIL").crlf();
                    ImapSession.tagged(out, c.tag(), "OK", null, "NAMESPACE completed");
                }
                default -> throw Failure.bad("Unknown command");
            }
        } else if (c instanceof Command.Select sel) {
            select(s, sel, out);
        } else if (c instanceof Command.Create cr) {
            create(s, cr, out);
        } else if (c instanceof Command.MailboxCmd q && Set.of("GETQUOTAROOT", "GETQUOTA", "SETQUOTA")
                .contains(q.name())) {
            quota(s, q, out);
        } else if (c instanceof Command.MailboxCmd m) {
            String name = s.mailboxName(m.mailbox());
            switch (m.name()) {
                case "DELETE" -> {
                    if (name.equals(StoreSession.INBOX)) {
                        throw Failure.no("CANNOT", "INBOX cannot be deleted");
                    }
                    s.store.delete(name);
                }
                case "SUBSCRIBE" -> s.store.subscribe(name);
                default -> s.store.unsubscribe(name);
            }
            done(s, c, out, m.name() + " completed");
        } else if (c instanceof Command.Rename r) {
            String from = s.mailboxName(r.from());
            String to = s.mailboxName(r.to());
            if (to.equals(StoreSession.INBOX)) {
                throw Failure.no("ALREADYEXISTS", "INBOX exists");
            }
            s.store.rename(from, to);
            s.server.recent().renamed(s.user(), from, to);
            done(s, c, out, "RENAME completed");
        } else if (c instanceof Command.ListCmd l) {
            Lister.list(s, l, out);
            done(s, c, out, l.name() + " completed");
        } else if (c instanceof Command.Status st) {
            status(s, st, out);
        } else if (c instanceof Command.Append a) {
            append(s, a, out);
        } else if (c instanceof Command.Fetch f) {
            Fetcher.fetch(s, f, out);
        } else if (c instanceof Command.Store st) {
            store(s, st, out);
        } else if (c instanceof Command.Search se) {
            Searcher.search(s, se, out);
        } else if (c instanceof Command.Sort so) {
            Searcher.sort(s, so, out);
        } else if (c instanceof Command.Thread th) {
            Searcher.thread(s, th, out);
        } else if (c instanceof Command.Copy cp) {
            copy(s, cp, out);
        } else if (c instanceof Command.UidExpunge ue) {
            expunge(s, c, out, ue.set());
        } else {
            throw Failure.bad("Unknown command");
        }
    }

    /** Pending updates, then the tagged OK. */
    static void done(ImapSession s, Command c, Out out, String text) {
        done(s, c, out, null, text);
    }

    static void done(ImapSession s, Command c, Out out, String code, String text) {
        s.updates(out, c);
        ImapSession.tagged(out, c.tag(), "OK", code, text);
    }

    private static void noop(ImapSession s, Command c, Out out) throws StoreException {
        Selected sel = s.selected;
        if (sel != null) {
            sel.mailbox.sync();
        }
        done(s, c, out, c.name() + " completed");
    }

    // ---------------------------------------------------------------- QUOTA (RFC 9208)

    /** The one quota root of a user with a limited quota: all their mailboxes. */
    static final String QUOTA_ROOT = "";

    private static void quota(ImapSession s, Command.MailboxCmd c, Out out) throws Exception {
        switch (c.name()) {
            case "SETQUOTA" -> throw Failure.no("NOPERM", "Quotas are set by the administrator");
            case "GETQUOTAROOT" -> {
                String name = s.mailboxName(c.mailbox());
                s.store.status(name); // NO [NONEXISTENT] for a mailbox that is not there
                io.pillarbox.api.store.Quota q = s.store.quota();
                out.raw("* QUOTAROOT ").mailbox(name);
                if (q != null && q.limited()) {
                    out.sp().astring(QUOTA_ROOT).crlf();
                    quotaLine(q, out);
                } else {
                    out.crlf();
                }
                done(s, c, out, "GETQUOTAROOT completed");
            }
            default -> {
                io.pillarbox.api.store.Quota q = s.store.quota();
                if (!c.mailbox().equals(QUOTA_ROOT) || q == null || !q.limited()) {
                    throw Failure.no("NONEXISTENT", "No such quota root");
                }
                quotaLine(q, out);
                done(s, c, out, "GETQUOTA completed");
            }
        }
    }

    /** {@code * QUOTA "" (STORAGE used limit MESSAGE used limit)}: the limited resources, STORAGE in KiB. */
    private static void quotaLine(io.pillarbox.api.store.Quota q, Out out) {
        out.raw("* QUOTA ").astring(QUOTA_ROOT).raw(" (");
        boolean storage = q.storageLimit() != io.pillarbox.api.store.Quota.UNLIMITED;
        if (storage) {
            out.raw("STORAGE ").num((q.storage() + 1023) / 1024).sp().num(q.storageLimit() / 1024);
        }
        if (q.messageLimit() != io.pillarbox.api.store.Quota.UNLIMITED) {
            if (storage) {
                out.sp();
            }
            out.raw("MESSAGE ").num(q.messages()).sp().num(q.messageLimit());
        }
        out.raw(")").crlf();
    }

    // ---------------------------------------------------------------- SELECT / EXAMINE / CLOSE

    private static void select(ImapSession s, Command.Select c, Out out) throws Exception {
        String name = s.mailboxName(c.mailbox());
        if (c.qresync() != null && !s.qresync) {
            throw Failure.bad("QRESYNC is not enabled");
        }
        Selected old = s.selected;
        if (old != null) {
            s.select(null);
            old.close();
            out.raw("* OK [CLOSED] Previous mailbox closed").crlf();
        }
        Mailbox mb = s.store.open(name, c.readOnly());
        Selected sel = new Selected(mb, name, c.readOnly() || mb.readOnly());
        List<MessageInfo> msgs;
        try {
            msgs = sel.open();
        } catch (StoreException | RuntimeException e) {
            sel.close();
            throw e;
        }
        if (c.condstore()) {
            s.condstore = true;
        }
        long last = msgs.isEmpty() ? 0 : msgs.get(msgs.size() - 1).uid();
        if (!sel.readOnly) {
            long prev = s.server.recent().claim(s.user(), name, last);
            for (MessageInfo m : msgs) {
                if (m.uid() > prev) {
                    sel.markRecent(m.uid());
                }
            }
        }
        sel.learnKeywords(mb.keywords());
        for (MessageInfo m : msgs) {
            sel.learnKeywords(m.flags());
        }
        flagsResponses(sel, out);
        out.raw("* ").num(msgs.size()).raw(" EXISTS").crlf();
        if (!s.rev2) {
            out.raw("* ").num(sel.recentCount()).raw(" RECENT").crlf();
            for (int i = 0; i < msgs.size(); i++) {
                if (!msgs.get(i).has(Flags.SEEN)) {
                    out.raw("* OK [UNSEEN ").num(i + 1).raw("] First unseen").crlf();
                    break;
                }
            }
        }
        out.raw("* OK [UIDVALIDITY ").num(mb.uidValidity()).raw("] UIDs valid").crlf();
        out.raw("* OK [UIDNEXT ").num(mb.uidNext()).raw("] Predicted next UID").crlf();
        out.raw("* OK [HIGHESTMODSEQ ").num(mb.highestModSeq()).raw("] Highest").crlf();
        if (s.rev2) {
            out.raw("* LIST () \"/\" ").mailbox(name).crlf();
        }
        s.select(sel);
        if (c.qresync() != null && c.qresync().uidValidity() == mb.uidValidity()) {
            qresync(s, sel, c.qresync(), msgs, out);
        }
        done(s, c, out, sel.readOnly ? "READ-ONLY" : "READ-WRITE", c.name() + " completed");
    }

    /** FLAGS and PERMANENTFLAGS for the selected mailbox (at SELECT, and again when new keywords appear). */
    static void flagsResponses(Selected sel, Out out) {
        StringBuilder flags = new StringBuilder("\\Answered \\Flagged \\Deleted \\Seen \\Draft");
        for (String k : sel.keywords()) {
            flags.append(' ').append(k);
        }
        out.raw("* FLAGS (").raw(flags.toString()).raw(")").crlf();
        out.raw("* OK [PERMANENTFLAGS (").raw(sel.readOnly ? "" : flags + " \\*").raw(")] Flags permitted")
                .crlf();
    }

    private static void qresync(ImapSession s, Selected sel, Command.QResyncParams q, List<MessageInfo> msgs,
                                Out out) throws StoreException {
        long max = sel.lastUid();
        List<Long> vanished = new ArrayList<>();
        for (long u : sel.mailbox.expungedSince(q.modSeq())) {
            if (q.knownUids() == null || q.knownUids().contains(u, Math.max(max, u))) {
                vanished.add(u);
            }
        }
        if (!vanished.isEmpty()) {
            vanished.sort(null);
            out.raw("* VANISHED (EARLIER) ").raw(SequenceSet.format(vanished)).crlf();
        }
        for (MessageInfo m : msgs) {
            if (m.modSeq() > q.modSeq() && (q.knownUids() == null || q.knownUids().contains(m.uid(), max))) {
                out.raw("* ").num(sel.seq(m.uid())).raw(" FETCH (UID ").num(m.uid()).raw(" FLAGS ");
                s.flagList(out, m, sel);
                out.raw(" MODSEQ (").num(m.modSeq()).raw("))").crlf();
            }
        }
    }

    private static void close(ImapSession s, Command c, Out out, boolean expunge) throws StoreException {
        Selected sel = s.selected;
        s.select(null);
        try {
            if (expunge && !sel.readOnly) {
                List<Long> gone = sel.mailbox.expunge(null);
                s.expunged += gone.size();
            }
        } finally {
            sel.close();
        }
        ImapSession.tagged(out, c.tag(), "OK", null, c.name() + " completed");
    }

    private static void expunge(ImapSession s, Command c, Out out, SequenceSet uidSet) throws Exception {
        Selected sel = s.selected;
        if (sel.readOnly) {
            throw Failure.no("READ-ONLY", "Mailbox is read-only");
        }
        List<Long> gone;
        if (uidSet == null) {
            gone = sel.mailbox.expunge(null);
        } else {
            long[] uids = s.resolve(uidSet, true);
            gone = uids.length == 0 ? List.of() : sel.mailbox.expunge(boxed(uids));
        }
        s.expunged += gone.size();
        done(s, c, out, c.name() + " completed");
    }

    // ---------------------------------------------------------------- CREATE / STATUS

    private static void create(ImapSession s, Command.Create c, Out out) throws Exception {
        String name = s.mailboxName(c.mailbox());
        while (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty()) {
            throw Failure.no("CANNOT", "Invalid mailbox name");
        }
        if (name.equals(StoreSession.INBOX)) {
            throw Failure.no("ALREADYEXISTS", "INBOX exists");
        }
        SpecialUse use = null;
        for (String u : c.use()) {
            SpecialUse su = SpecialUse.fromAttribute(u);
            if (su == null || use != null) {
                throw Failure.no("USEATTR", "Unsupported special use " + u);
            }
            use = su;
        }
        s.store.create(name, use);
        done(s, c, out, "CREATE completed");
    }

    private static void status(ImapSession s, Command.Status c, Out out) throws Exception {
        String name = s.mailboxName(c.mailbox());
        statusLine(s, name, c.items(), out);
        done(s, c, out, "STATUS completed");
    }

    static void statusLine(ImapSession s, String name, List<String> items, Out out) throws StoreException {
        MailboxStatus st = s.store.status(name);
        out.raw("* STATUS ").mailbox(name).raw(" (");
        boolean first = true;
        for (String item : items) {
            if (!first) {
                out.sp();
            }
            first = false;
            out.raw(item).sp();
            switch (item) {
                case "MESSAGES" -> out.num(st.messages());
                case "UIDNEXT" -> out.num(st.uidNext());
                case "UIDVALIDITY" -> out.num(st.uidValidity());
                case "UNSEEN" -> out.num(st.unseen());
                case "DELETED" -> out.num(st.deleted());
                case "SIZE" -> out.num(st.size());
                case "HIGHESTMODSEQ" -> out.num(st.highestModSeq());
                case "APPENDLIMIT" -> out.num(s.settings.maxLiteralSize());
                case "RECENT" -> {
                    long claimed = s.server.recent().claimed(s.user(), name);
                    out.num(Math.max(0, Math.min(st.messages(), st.uidNext() - 1 - claimed)));
                }
                default -> out.nil();
            }
        }
        out.raw(")").crlf();
    }

    // ---------------------------------------------------------------- APPEND

    private static void append(ImapSession s, Command.Append c, Out out) throws Exception {
        String name = s.mailboxName(c.mailbox());
        List<AppendResult> done = new ArrayList<>();
        try {
            for (Command.AppendMessage m : c.messages()) {
                Literal lit = m.content();
                try {
                    lit.ready().join();
                } catch (RuntimeException e) {
                    throw Failure.no("SERVERBUG", "Could not spool the message");
                }
                if (lit.size() > s.settings.maxLiteralSize()) {
                    throw Failure.no("TOOBIG", "Message too big");
                }
                if (lit.size() == 0) {
                    throw Failure.no("CANNOT", "Empty message");
                }
                Set<String> flags = s.canonicalFlags(m.flags());
                MessageSource src = new MessageSource() {
                    @Override
                    public InputStream open() throws IOException {
                        return lit.open();
                    }

                    @Override
                    public long size() {
                        return lit.size();
                    }
                };
                done.add(s.store.append(name, src, flags, m.date()));
            }
        } catch (StoreException e) {
            rollback(s, name, done);
            throw Failure.of(e, true);
        } catch (Failure e) {
            rollback(s, name, done);
            throw e;
        }
        s.appended += done.size();
        s.count(io.pillarbox.api.metrics.MailMetrics.MESSAGES_RECEIVED, done.size());
        List<Long> uids = new ArrayList<>();
        for (AppendResult r : done) {
            uids.add(r.uid());
        }
        String set = uids.size() == 1 ? Long.toString(uids.get(0)) : SequenceSet.format(sorted(uids));
        done(s, c, out, "APPENDUID " + done.get(0).uidValidity() + " " + set, "APPEND completed");
    }

    /** MULTIAPPEND is all or nothing (RFC 3502): removes what was appended before a failure. */
    private static void rollback(ImapSession s, String name, List<AppendResult> done) {
        if (done.isEmpty()) {
            return;
        }
        try (Mailbox mb = s.store.open(name, false)) {
            List<Long> uids = new ArrayList<>();
            for (AppendResult r : done) {
                uids.add(r.uid());
            }
            mb.updateFlags(uids, FlagOp.ADD, Set.of(Flags.DELETED), -1);
            mb.expunge(uids);
        } catch (StoreException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(MailCommands.class).warn("MULTIAPPEND rollback failed in {}", name, e);
        }
    }

    // ---------------------------------------------------------------- STORE / COPY / MOVE

    private static void store(ImapSession s, Command.Store c, Out out) throws Exception {
        Selected sel = s.selected;
        if (sel.readOnly) {
            throw Failure.no("READ-ONLY", "Mailbox is read-only");
        }
        long[] uids = s.resolve(c.set(), c.uid());
        if (c.unchangedSince() >= 0) {
            s.condstore = true;
        }
        Set<String> flags = s.canonicalFlags(c.flags());
        FlagOp op = switch (c.op()) {
            case ADD -> FlagOp.ADD;
            case REMOVE -> FlagOp.REMOVE;
            case REPLACE -> FlagOp.REPLACE;
        };
        FlagUpdate fu = uids.length == 0 ? new FlagUpdate(List.of(), List.of())
                : sel.mailbox.updateFlags(boxed(uids), op, flags, c.unchangedSince());
        if (sel.learnKeywords(flags)) {
            flagsResponses(sel, out);
        }
        for (MessageInfo m : fu.updated()) {
            int seq = sel.seq(m.uid());
            if (seq < 0) {
                continue;
            }
            boolean modseq = s.condstore;
            if (c.silent() && !modseq) {
                continue;
            }
            out.raw("* ").num(seq).raw(" FETCH (");
            boolean any = false;
            if (c.uid() || s.qresync) {
                out.raw("UID ").num(m.uid());
                any = true;
            }
            if (!c.silent()) {
                out.raw(any ? " " : "").raw("FLAGS ");
                s.flagList(out, m, sel);
                any = true;
            }
            if (modseq) {
                out.raw(any ? " " : "").raw("MODSEQ (").num(m.modSeq()).raw(")");
            }
            out.raw(")").crlf();
        }
        String code = null;
        if (!fu.failed().isEmpty()) {
            List<Long> failed = new ArrayList<>();
            for (long u : fu.failed()) {
                failed.add(c.uid() ? u : sel.seq(u));
            }
            failed.removeIf(x -> x < 0);
            code = "MODIFIED " + SequenceSet.format(sorted(failed));
        }
        done(s, c, out, code, c.name() + " completed");
    }

    private static void copy(ImapSession s, Command.Copy c, Out out) throws Exception {
        Selected sel = s.selected;
        String target = s.mailboxName(c.mailbox());
        long[] uids = s.resolve(c.set(), c.uid());
        if (c.move() && sel.readOnly) {
            throw Failure.no("READ-ONLY", "Mailbox is read-only");
        }
        if (uids.length == 0) {
            done(s, c, out, c.name() + " completed (no messages)");
            return;
        }
        CopyResult r;
        try {
            r = c.move() ? sel.mailbox.move(boxed(uids), target) : sel.mailbox.copy(boxed(uids), target);
        } catch (StoreException e) {
            throw Failure.of(e, true);
        }
        String code = r.sourceUids().isEmpty() ? null : "COPYUID " + r.targetUidValidity() + " "
                + SequenceSet.format(r.sourceUids()) + " " + SequenceSet.format(r.targetUids());
        if (c.move()) {
            if (code != null) {
                out.raw("* OK [").raw(code).raw("] Moved").crlf();
            }
            done(s, c, out, c.name() + " completed");
        } else {
            done(s, c, out, code, c.name() + " completed");
        }
    }

    // ---------------------------------------------------------------- helpers

    static List<Long> boxed(long[] uids) {
        List<Long> l = new ArrayList<>(uids.length);
        for (long u : uids) {
            l.add(u);
        }
        return l;
    }

    static List<Long> sorted(List<Long> l) {
        List<Long> c = new ArrayList<>(new LinkedHashSet<>(l));
        c.sort(null);
        return c;
    }

    static Map<Long, MessageInfo> infos(Selected sel) throws StoreException {
        Map<Long, MessageInfo> m = new HashMap<>();
        for (MessageInfo i : sel.mailbox.messages()) {
            m.put(i.uid(), i);
        }
        return m;
    }
}
