package io.pillarbox.shell;

import io.pillarbox.api.store.Flags;
import io.pillarbox.api.store.Mailbox;
import io.pillarbox.api.store.MailboxInfo;
import io.pillarbox.api.store.MessageInfo;
import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Writes a user's mail as a Maildir++ tree that Dovecot reads with every UID, flag and keyword: INBOX at the root,
 * other mailboxes as {@code .Name.Child} directories (modified UTF-7), message files in {@code cur/} named
 * {@code <date>.M<n>P<pid>.pillarbox:2,<flags>} with their internal date as modification time, keywords as letters
 * listed in {@code dovecot-keywords} (the first 26 of a mailbox; more cannot be written in file names),
 * {@code dovecot-uidlist} with the UIDVALIDITY, next UID and each message's UID, and {@code subscriptions}.
 */
final class MaildirExport {

    private MaildirExport() {
    }

    /**
     * Exports every selectable mailbox under {@code root}, which must not exist or be empty.
     *
     * @return per mailbox, the directory written and the number of messages
     */
    static Map<String, Map.Entry<Path, Integer>> export(StoreSession s, Path root) throws IOException, StoreException {
        if (Files.exists(root)) {
            try (var l = Files.list(root)) {
                if (l.findAny().isPresent()) {
                    throw new IllegalArgumentException(root + " is not empty (a Maildir export needs a new directory)");
                }
            }
        }
        Map<String, Map.Entry<Path, Integer>> done = new LinkedHashMap<>();
        List<String> subscribed = new ArrayList<>();
        java.util.Set<String> subs = s.subscriptions();
        for (MailboxInfo i : s.list()) {
            if (!i.selectable()) {
                continue;
            }
            String folder = folder(i.name());
            Path dir = folder == null ? root : root.resolve("." + folder);
            done.put(i.name(), Map.entry(dir, exportMailbox(s, i.name(), dir, folder != null)));
            if (folder != null && subs.contains(i.name())) {
                subscribed.add(folder);
            }
        }
        if (!subscribed.isEmpty()) {
            Files.write(root.resolve("subscriptions"), subscribed, StandardCharsets.UTF_8);
        }
        return done;
    }

    /** The Maildir++ folder name of a mailbox ({@code null} for INBOX). */
    static String folder(String mailbox) {
        if (mailbox.equals(StoreSession.INBOX)) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (String level : mailbox.split(String.valueOf(StoreSession.DELIMITER), -1)) {
            if (level.indexOf('.') >= 0) {
                // Maildir++ separates levels with '.': a dot inside a name becomes U+2024 (one dot leader)
                level = level.replace(".", "\u2024");
            }
            if (b.length() > 0) {
                b.append('.');
            }
            b.append(encodeUtf7(level));
        }
        return b.toString();
    }

    private static int exportMailbox(StoreSession s, String name, Path dir, boolean isFolder)
            throws IOException, StoreException {
        Files.createDirectories(dir.resolve("cur"));
        Files.createDirectories(dir.resolve("new"));
        Files.createDirectories(dir.resolve("tmp"));
        if (isFolder) {
            Files.write(dir.resolve("maildirfolder"), new byte[0]);
        }
        int n = 0;
        try (Mailbox m = s.open(name, true)) {
            List<MessageInfo> messages = m.messages();
            TreeSet<String> kw = new TreeSet<>(m.keywords());
            for (MessageInfo i : messages) {
                for (String f : i.flags()) {
                    if (!f.startsWith("\\")) {
                        kw.add(f);
                    }
                }
            }
            List<String> keywords = new ArrayList<>(kw);
            StringBuilder uidlist = new StringBuilder();
            uidlist.append("3 V").append(m.uidValidity()).append(" N").append(m.uidNext()).append('\n');
            long pid = ProcessHandle.current().pid();
            for (MessageInfo i : messages) {
                long seconds = i.internalDate() == null ? System.currentTimeMillis() / 1000
                        : i.internalDate().getEpochSecond();
                String base = seconds + ".M" + i.uid() + "P" + pid + ".pillarbox";
                String file = base + ":2," + letters(i, keywords);
                Path target = dir.resolve("cur").resolve(file);
                Path tmp = dir.resolve("tmp").resolve(base);
                try (InputStream in = m.content(i.uid()).open()) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                } catch (StoreException e) {
                    if (e.reason() == StoreException.Reason.NONEXISTENT) {
                        continue; // expunged meanwhile
                    }
                    throw e;
                }
                if (i.internalDate() != null) {
                    Files.setLastModifiedTime(tmp, FileTime.from(i.internalDate()));
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                uidlist.append(i.uid()).append(" :").append(base).append('\n');
                n++;
            }
            if (!keywords.isEmpty()) {
                StringBuilder k = new StringBuilder();
                for (int x = 0; x < keywords.size() && x < 26; x++) {
                    k.append(x).append(' ').append(keywords.get(x)).append('\n');
                }
                Files.writeString(dir.resolve("dovecot-keywords"), k, StandardCharsets.UTF_8);
            }
            Files.writeString(dir.resolve("dovecot-uidlist"), uidlist, StandardCharsets.UTF_8);
        }
        return n;
    }

    /** Maildir flag letters, in ASCII order as Maildir wants them. */
    static String letters(MessageInfo i, List<String> keywords) {
        TreeSet<Character> l = new TreeSet<>();
        if (i.has(Flags.DRAFT)) {
            l.add('D');
        }
        if (i.has(Flags.FLAGGED)) {
            l.add('F');
        }
        if (i.has("$Forwarded")) {
            l.add('P');
        }
        if (i.has(Flags.ANSWERED)) {
            l.add('R');
        }
        if (i.has(Flags.SEEN)) {
            l.add('S');
        }
        if (i.has(Flags.DELETED)) {
            l.add('T');
        }
        for (String f : i.flags()) {
            int k = keywords.indexOf(f);
            if (!f.startsWith("\\") && !f.equalsIgnoreCase("$Forwarded") && k >= 0 && k < 26) {
                l.add((char) ('a' + k));
            }
        }
        StringBuilder b = new StringBuilder();
        l.forEach(b::append);
        return b.toString();
    }

    /** RFC 3501 modified UTF-7. */
    static String encodeUtf7(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= 0x20 && c <= 0x7e) {
                out.append(c == '&' ? "&-" : String.valueOf(c));
                i++;
                continue;
            }
            int j = i;
            while (j < s.length() && (s.charAt(j) < 0x20 || s.charAt(j) > 0x7e)) {
                j++;
            }
            byte[] utf16 = s.substring(i, j).getBytes(StandardCharsets.UTF_16BE);
            out.append('&').append(Base64.getEncoder().withoutPadding().encodeToString(utf16).replace('/', ','))
                    .append('-');
            i = j;
        }
        return out.toString();
    }
}
