package io.pillarbox.shell;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Times and durations as the metrics commands print them. */
final class Durations {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT);

    private Durations() {
    }

    /** A point in time in the server's time zone, to the second. */
    static String time(Instant t) {
        return TIME.format(t.atZone(ZoneId.systemDefault()));
    }

    /** How long ago, coarsely: {@code 42s ago}, {@code 5m ago}, {@code 3h 12m ago}, {@code 2d 4h ago}. */
    static String age(Instant t) {
        return age(t, Instant.now());
    }

    static String age(Instant t, Instant now) {
        long s = Math.max(0, Duration.between(t, now).getSeconds());
        if (s < 60) {
            return s + "s ago";
        }
        if (s < 3600) {
            return s / 60 + "m ago";
        }
        if (s < 86400) {
            return s / 3600 + "h " + s % 3600 / 60 + "m ago";
        }
        return s / 86400 + "d " + s % 86400 / 3600 + "h ago";
    }

    /** A duration given in microseconds: {@code 250us}, {@code 2.5ms}, {@code 120ms}, {@code 1.20s}. */
    static String micros(long us) {
        if (us < 1000) {
            return us + "us";
        }
        if (us < 10_000) {
            return String.format(Locale.ROOT, "%.1fms", us / 1000.0);
        }
        if (us < 1_000_000) {
            return us / 1000 + "ms";
        }
        return String.format(Locale.ROOT, "%.2fs", us / 1e6);
    }
}
