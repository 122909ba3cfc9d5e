package io.pillarbox.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Parses durations as an administrator writes them: {@code 30s}, {@code 5m}, {@code 1h}, {@code 5d}, {@code 250ms}, ISO {@code PT1M}; a bare number is seconds. */
final class Durations {

    private Durations() {
    }

    static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration");
        }
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            return Duration.parse(s.toUpperCase(Locale.ROOT));
        }
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        long n = Long.parseLong(s.substring(0, i));
        String unit = s.substring(i).strip();
        return switch (unit) {
            case "", "s", "sec", "second", "seconds" -> Duration.ofSeconds(n);
            case "ms" -> Duration.ofMillis(n);
            case "m", "min", "minute", "minutes" -> Duration.ofMinutes(n);
            case "h", "hour", "hours" -> Duration.ofHours(n);
            case "d", "day", "days" -> Duration.ofDays(n);
            case "w", "week", "weeks" -> Duration.ofDays(7 * n);
            default -> throw new IllegalArgumentException("unknown unit in duration: " + text);
        };
    }

    /** A comma- or space-separated list; never empty. */
    static List<Duration> parseList(String text) {
        List<Duration> out = new ArrayList<>();
        if (text != null) {
            for (String p : text.split("[,\\s]+")) {
                if (!p.isBlank()) {
                    Duration d = parse(p);
                    if (d.isNegative()) {
                        throw new IllegalArgumentException("negative delay: " + p);
                    }
                    out.add(d);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the retry schedule is empty");
        }
        return List.copyOf(out);
    }

    /** Short form for display: 90s → 1m30s. */
    static String format(Duration d) {
        long s = d.getSeconds();
        if (s == 0) {
            return d.toMillis() + "ms";
        }
        StringBuilder b = new StringBuilder();
        long days = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;
        if (days > 0) {
            b.append(days).append('d');
        }
        if (h > 0) {
            b.append(h).append('h');
        }
        if (m > 0) {
            b.append(m).append('m');
        }
        if (sec > 0) {
            b.append(sec).append('s');
        }
        return b.toString();
    }
}
