package io.pillarbox.core.store;

import io.pillarbox.api.auth.MailPrincipal;
import io.pillarbox.api.store.Quota;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Quota limits in Dovecot's {@code quota_rule} syntax, so that a Dovecot users file's {@code userdb_quota_rule}
 * works unchanged: {@code *:storage=1G} (kilobytes without a unit; {@code b}, {@code k}, {@code M}, {@code G},
 * {@code T}), {@code *:bytes=1048576}, {@code *:messages=10000}, several in one rule ({@code *:storage=1G:messages=
 * 1000}), a value of {@code 0} or {@code *:ignore} for no limit, and {@code +N}/{@code -N} relative to the default.
 * The server-wide default comes from the configuration; a user's principal attributes {@code quota_rule},
 * {@code quota_rule2}, ... override it in that order. Only {@code *} (all mailboxes) rules count: rules for one
 * mailbox (Dovecot's {@code Trash:storage=+100M}) are ignored.
 */
final class QuotaRules {

    /** The limits of one user (octets, messages), {@link Quota#UNLIMITED} where there is none. */
    record Limits(long storage, long messages) {
        static final Limits NONE = new Limits(Quota.UNLIMITED, Quota.UNLIMITED);

        boolean limited() {
            return storage != Quota.UNLIMITED || messages != Quota.UNLIMITED;
        }
    }

    private QuotaRules() {
    }

    /** The defaults from configured rules; an unreadable rule is an IllegalArgumentException. */
    static Limits defaults(String[] rules) {
        Limits l = Limits.NONE;
        for (String r : rules == null ? new String[0] : rules) {
            if (r != null && !r.isBlank()) {
                l = apply(l, Limits.NONE, r);
            }
        }
        return l;
    }

    /** A user's limits: the defaults, then the principal's {@code quota_rule*} attributes (bad ones ignored). */
    static Limits of(MailPrincipal principal, Limits defaults, List<String> problems) {
        Map<Integer, String> rules = new TreeMap<>();
        for (Map.Entry<String, String> e : principal.attributes().entrySet()) {
            String k = e.getKey().toLowerCase(Locale.ROOT);
            if (k.equals("quota_rule")) {
                rules.put(1, e.getValue());
            } else if (k.startsWith("quota_rule") && k.substring(10).matches("[0-9]{1,3}")) {
                rules.put(Integer.parseInt(k.substring(10)), e.getValue());
            }
        }
        Limits l = defaults;
        for (String r : rules.values()) {
            try {
                l = apply(l, defaults, r);
            } catch (IllegalArgumentException ex) {
                problems.add(principal.user() + ": " + ex.getMessage());
            }
        }
        return l;
    }

    private static Limits apply(Limits current, Limits defaults, String rule) {
        String[] parts = rule.strip().split(":");
        if (parts.length < 2) {
            throw new IllegalArgumentException("quota rule without a limit: " + rule);
        }
        if (!parts[0].strip().equals("*")) {
            return current; // a rule for one mailbox
        }
        long storage = current.storage();
        long messages = current.messages();
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.equalsIgnoreCase("ignore") || p.equalsIgnoreCase("noenforcing")) {
                storage = Quota.UNLIMITED;
                messages = Quota.UNLIMITED;
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not name=value: " + p + " in " + rule);
            }
            String name = p.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = p.substring(eq + 1).strip();
            switch (name) {
                case "storage" -> storage = value(value, 1024, defaults.storage());
                case "bytes" -> storage = value(value, 1, defaults.storage());
                case "messages" -> messages = value(value, 1, defaults.messages());
                default -> throw new IllegalArgumentException("unknown quota resource " + name + " in " + rule);
            }
        }
        return new Limits(storage, messages);
    }

    /** A limit: 0 is none; +N/-N is relative to the default (none stays none). */
    private static long value(String v, long unit, long base) {
        boolean relative = v.startsWith("+") || v.startsWith("-");
        long n = amount(relative ? v.substring(1) : v, unit);
        if (!relative) {
            return n == 0 ? Quota.UNLIMITED : n;
        }
        if (base == Quota.UNLIMITED) {
            return Quota.UNLIMITED;
        }
        return Math.max(0, v.startsWith("+") ? base + n : base - n);
    }

    private static long amount(String v, long unit) {
        if (v.isEmpty()) {
            throw new IllegalArgumentException("empty quota value");
        }
        char last = v.charAt(v.length() - 1);
        long factor = switch (Character.toUpperCase(last)) {
            case 'B' -> 1;
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            default -> 0;
        };
        String digits = factor == 0 ? v : v.substring(0, v.length() - 1);
        if (!digits.matches("[0-9]{1,15}")) {
            throw new IllegalArgumentException("not a quota value: " + v);
        }
        return Long.parseLong(digits) * (factor == 0 ? unit : factor);
    }

    /** For the log: "1G, 1000 messages", "none". */
    static String describe(Limits l) {
        List<String> out = new ArrayList<>();
        if (l.storage() != Quota.UNLIMITED) {
            out.add(l.storage() + " octets");
        }
        if (l.messages() != Quota.UNLIMITED) {
            out.add(l.messages() + " messages");
        }
        return out.isEmpty() ? "none" : String.join(", ", out);
    }
}
