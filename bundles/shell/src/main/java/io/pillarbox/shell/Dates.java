package io.pillarbox.shell;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dates as an admin types them for {@code --before}: {@code 2024-01-31} (start of that day, server time zone),
 * {@code 2024-01-31T12:00} (server time zone), {@code 2024-01-31T12:00:00Z} or with an offset, or an age such as
 * {@code 30d}, {@code 12h}, {@code 2w} (that long before now).
 */
final class Dates {

    private static final Pattern AGE = Pattern.compile("(\\d{1,9})\\s*([smhdw])");

    private Dates() {
    }

    static Instant parse(String text, Clock clock) {
        String t = text.trim();
        Matcher m = AGE.matcher(t.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
            return clock.instant().minus(d);
        }
        ZoneId zone = clock.getZone();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return LocalDate.parse(t).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a date: " + text
                    + " (use 2024-01-31, 2024-01-31T12:00, 2024-01-31T12:00:00Z or an age like 30d, 12h, 2w)");
        }
    }
}
