package io.pillarbox.shell;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatesTest {

    private final Clock clock = Clock.fixed(Instant.parse("2024-03-10T12:00:00Z"), ZoneId.of("Europe/Berlin"));

    @Test
    void agesCountBackFromNow() {
        assertEquals(Instant.parse("2024-02-09T12:00:00Z"), Dates.parse("30d", clock));
        assertEquals(Instant.parse("2024-03-10T00:00:00Z"), Dates.parse("12h", clock));
        assertEquals(Instant.parse("2024-02-25T12:00:00Z"), Dates.parse("2W", clock));
        assertEquals(Instant.parse("2024-03-10T11:15:00Z"), Dates.parse("45m", clock));
    }

    @Test
    void datesWithoutZoneUseTheServerZone() {
        // midnight in Berlin (UTC+1 in winter)
        assertEquals(Instant.parse("2024-01-30T23:00:00Z"), Dates.parse("2024-01-31", clock));
        assertEquals(Instant.parse("2024-01-31T11:00:00Z"), Dates.parse("2024-01-31T12:00", clock));
    }

    @Test
    void instantsAndOffsetsAreExact() {
        assertEquals(Instant.parse("2024-01-31T12:00:00Z"), Dates.parse("2024-01-31T12:00:00Z", clock));
        assertEquals(Instant.parse("2024-01-31T10:00:00Z"), Dates.parse("2024-01-31T12:00:00+02:00", clock));
    }

    @Test
    void garbageIsRefusedWithTheAcceptedForms() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dates.parse("yesterday", clock));
        assertTrue(e.getMessage().contains("30d"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dates.parse("2024-13-01", clock));
        assertThrows(IllegalArgumentException.class, () -> Dates.parse("-5d", clock));
    }
}
