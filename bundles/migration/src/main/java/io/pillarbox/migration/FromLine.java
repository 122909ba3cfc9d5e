package io.pillarbox.migration;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code From sender date} line that starts each message of an mbox file. */
record FromLine(String sender, Instant date) {

    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

    /** asctime with optional seconds and zone before or after the year, as UW IMAP, mutt, procmail write it. */
    private static final Pattern SYNTAX = Pattern.compile("^From (.*?) +(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? +)?"
            + "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\\d{1,2}) +(\\d{1,2}):(\\d{2})(?::(\\d{2}))?"
            + "(?: +([A-Za-z]{1,5}|[+-]\\d{4}))? +(\\d{4})(?: +([+-]\\d{4}|[A-Za-z]{1,5}))?\\s*$");

    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy",
            Locale.ROOT);

    /** The From_ line in {@code line}, or {@code null} if it is not one. */
    static FromLine parse(String line) {
        if (!line.startsWith("From ")) {
            return null;
        }
        Matcher m = SYNTAX.matcher(line);
        if (!m.find()) {
            return null;
        }
        try {
            int month = MONTHS.indexOf(m.group(2)) / 3 + 1;
            LocalDateTime t = LocalDateTime.of(Integer.parseInt(m.group(8)), month, Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                    m.group(6) == null ? 0 : Integer.parseInt(m.group(6)));
            ZoneOffset zone = ZoneOffset.UTC;
            for (String z : new String[] {m.group(7), m.group(9)}) {
                if (z != null && (z.startsWith("+") || z.startsWith("-"))) {
                    zone = ZoneOffset.ofHoursMinutes(Integer.parseInt(z.substring(0, 3)),
                            (z.charAt(0) == '-' ? -1 : 1) * Integer.parseInt(z.substring(3)));
                }
            }
            String sender = m.group(1).isBlank() ? "MAILER-DAEMON" : m.group(1).strip();
            return new FromLine(sender, t.toInstant(zone));
        } catch (RuntimeException e) {
            return null; // a date that does not exist
        }
    }

    /** {@code From sender Wed Mar  4 08:00:00 2026} in UTC. */
    static String format(String sender, Instant date) {
        String s = sender == null || sender.isBlank() ? "MAILER-DAEMON" : sender.replaceAll("\\s", "");
        return "From " + s + " " + ASCTIME.format(ZonedDateTime.ofInstant(date, ZoneOffset.UTC));
    }
}
