package io.pillarbox.store.maildir;

import io.pillarbox.api.store.StoreException;
import io.pillarbox.api.store.StoreSession;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Mailbox names: validation and the mapping between API names ({@code A/B}) and Maildir++ folder directory names
 * ({@code .A.B}). Each level is written in IMAP modified UTF-7 as Dovecot does; a {@code '.'} inside a level (it
 * would otherwise be the Maildir++ separator) is written as {@code &AC4-}, which decodes back to a dot.
 */
final class MailboxNames {

    private static final int MAX_DIR_NAME = 255;

    private MailboxNames() {
    }

    /** Validates and canonicalises a name: INBOX (first level) upper-cased. */
    static String canonical(String name) throws StoreException {
        if (name == null || name.isEmpty()) {
            throw invalid(name);
        }
        if (name.charAt(0) == StoreSession.DELIMITER || name.charAt(name.length() - 1) == StoreSession.DELIMITER) {
            throw invalid(name);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw invalid(name);
            }
        }
        List<String> levels = split(name);
        for (String level : levels) {
            if (level.isEmpty() || level.equals(".") || level.equals("..")) {
                throw invalid(name);
            }
        }
        if (levels.get(0).equalsIgnoreCase(StoreSession.INBOX)) {
            levels.set(0, StoreSession.INBOX);
        }
        String canonical = String.join(String.valueOf(StoreSession.DELIMITER), levels);
        if (!canonical.equals(StoreSession.INBOX) && dirName(canonical).length() > MAX_DIR_NAME) {
            throw invalid(name);
        }
        return canonical;
    }

    static boolean isInbox(String canonical) {
        return StoreSession.INBOX.equals(canonical);
    }

    static List<String> split(String name) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= name.length(); i++) {
            if (i == name.length() || name.charAt(i) == StoreSession.DELIMITER) {
                out.add(name.substring(start, i));
                start = i + 1;
            }
        }
        return out;
    }

    /** The folder directory name for a canonical non-INBOX name, e.g. {@code .Sent.2024}. */
    static String dirName(String canonical) {
        StringBuilder sb = new StringBuilder();
        for (String level : split(canonical)) {
            sb.append('.').append(encodeLevel(level));
        }
        return sb.toString();
    }

    /** The API name for a folder directory name, or {@code null} if it is not one of ours. */
    static String fromDirName(String dir) {
        if (dir.length() < 2 || dir.charAt(0) != '.' || dir.equals("..")) {
            return null;
        }
        String[] parts = dir.substring(1).split("\\.", -1);
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            if (p.isEmpty()) {
                return null;
            }
            String level = decodeLevel(p);
            if (level == null || level.indexOf(StoreSession.DELIMITER) >= 0 || level.equals(".")
                    || level.equals("..")) {
                return null;
            }
            if (sb.length() > 0) {
                sb.append(StoreSession.DELIMITER);
            }
            sb.append(level);
        }
        String name = sb.toString();
        List<String> levels = split(name);
        if (levels.get(0).equalsIgnoreCase(StoreSession.INBOX)) {
            levels.set(0, StoreSession.INBOX);
            name = String.join("/", levels);
        }
        return name;
    }

    static String encodeLevel(String level) {
        StringBuilder out = new StringBuilder();
        StringBuilder pending = new StringBuilder();
        for (int i = 0; i < level.length(); i++) {
            char c = level.charAt(i);
            if (c >= 0x20 && c <= 0x7e && c != '.' && c != '&') {
                flush(out, pending);
                out.append(c);
            } else if (c == '&') {
                flush(out, pending);
                out.append("&-");
            } else {
                pending.append(c);
            }
        }
        flush(out, pending);
        return out.toString();
    }

    private static void flush(StringBuilder out, StringBuilder pending) {
        if (pending.length() == 0) {
            return;
        }
        byte[] utf16 = pending.toString().getBytes(StandardCharsets.UTF_16BE);
        String b64 = Base64.getEncoder().withoutPadding().encodeToString(utf16).replace('/', ',');
        out.append('&').append(b64).append('-');
        pending.setLength(0);
    }

    static String decodeLevel(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '&') {
                out.append(c);
                i++;
                continue;
            }
            int end = s.indexOf('-', i + 1);
            if (end < 0) {
                return null;
            }
            if (end == i + 1) {
                out.append('&');
            } else {
                try {
                    byte[] utf16 = Base64.getDecoder().decode(s.substring(i + 1, end).replace(',', '/'));
                    out.append(new String(utf16, StandardCharsets.UTF_16BE));
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
            i = end + 1;
        }
        return out.toString();
    }

    static String parent(String canonical) {
        int i = canonical.lastIndexOf(StoreSession.DELIMITER);
        return i < 0 ? null : canonical.substring(0, i);
    }

    static boolean isInferior(String child, String parent) {
        return child.length() > parent.length() + 1 && child.startsWith(parent)
                && child.charAt(parent.length()) == StoreSession.DELIMITER;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    static StoreException invalid(String name) {
        return new StoreException(StoreException.Reason.INVALID_NAME, "invalid mailbox name: " + name);
    }
}
