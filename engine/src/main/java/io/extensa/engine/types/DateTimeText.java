package io.extensa.engine.types;

import io.extensa.engine.types.SessionSettings.DateOrder;
import io.extensa.engine.types.SessionSettings.DateStyle;

/**
 * PostgreSQL's calendar arithmetic (proleptic Gregorian over Julian day numbers, year 0 = 1 BC)
 * and its text output of date, timestamp, timestamptz and time, written without allocating.
 * Values are PostgreSQL's own: days or microseconds since 2000-01-01.
 */
final class DateTimeText {

    static final int POSTGRES_EPOCH_JDATE = 2451545;
    static final int UNIX_EPOCH_JDATE = 2440588;
    /** days from 1970-01-01 to 2000-01-01 */
    static final int EPOCH_SHIFT_DAYS = POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE;
    static final long USECS_PER_SEC = 1_000_000L;
    static final long USECS_PER_DAY = 86_400_000_000L;
    static final long EPOCH_SHIFT_MICROS = EPOCH_SHIFT_DAYS * USECS_PER_DAY;

    /** PostgreSQL's date range: Julian day 0 (4714-11-24 BC) up to, not including, 5874898-01-01. */
    static final int DATE_MIN_PG = -POSTGRES_EPOCH_JDATE;
    static final int DATE_END_PG = 2147483494 - POSTGRES_EPOCH_JDATE;
    /** PostgreSQL's timestamp range: 4714-11-24 00:00 BC up to, not including, 294277-01-01. */
    static final long TIMESTAMP_MIN_PG = -211813488000000000L;
    static final long TIMESTAMP_END_PG = 9223371331200000000L;

    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
        "Nov", "Dec"};
    private static final String[] DAYS = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

    private DateTimeText() {
    }

    static boolean isValidPgDate(long pgDays) {
        return pgDays >= DATE_MIN_PG && pgDays < DATE_END_PG;
    }

    static boolean isValidPgTimestamp(long pgMicros) {
        return pgMicros >= TIMESTAMP_MIN_PG && pgMicros < TIMESTAMP_END_PG;
    }

    /** PostgreSQL's date2j: Julian day number of a (year, month, day), year 0 being 1 BC. */
    static int date2j(int year, int month, int day) {
        int y = year;
        int m = month;
        if (m > 2) {
            m += 1;
            y += 4800;
        } else {
            m += 13;
            y += 4799;
        }
        int century = y / 100;
        int julian = y * 365 - 32167;
        julian += y / 4 - century + century / 4;
        julian += 7834 * m / 256 + day;
        return julian;
    }

    /** PostgreSQL's j2date, packed as year * 10000 + month * 100 + day (year may be 0 or negative). */
    static long j2date(int jd) {
        long julian = Integer.toUnsignedLong(jd);
        julian += 32044;
        long quad = julian / 146097;
        long extra = (julian - quad * 146097) * 4 + 3;
        julian += 60 + quad * 3 + extra / 146097;
        quad = julian / 1461;
        julian -= quad * 1461;
        long y = julian * 4 / 1461;
        julian = ((y != 0) ? ((julian + 305) % 365) : ((julian + 306) % 366)) + 123;
        y += quad * 4;
        long year = y - 4800;
        quad = julian * 2141 / 65536;
        long day = julian - 7834 * quad / 256;
        long month = (quad + 10) % 12 + 1;
        return year * 10000 + (year < 0 ? -(month * 100 + day) : month * 100 + day);
    }

    static int year(long packed) {
        return (int) (packed / 10000);
    }

    static int month(long packed) {
        return (int) Math.abs(packed % 10000) / 100;
    }

    static int day(long packed) {
        return (int) Math.abs(packed % 100);
    }

    /** Days of a month in the proleptic Gregorian calendar (year 0 is a leap year). */
    static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    static boolean isLeap(int year) {
        return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    }

    /** A date (days since 2000-01-01, or {@link Integer#MIN_VALUE}/{@link Integer#MAX_VALUE} for infinity). */
    static void writeDate(FieldBuffer out, int pgDays, DateStyle style, DateOrder order) {
        if (pgDays == Integer.MAX_VALUE) {
            out.putAscii("infinity");
            return;
        }
        if (pgDays == Integer.MIN_VALUE) {
            out.putAscii("-infinity");
            return;
        }
        long ymd = j2date(pgDays + POSTGRES_EPOCH_JDATE);
        int year = year(ymd);
        int month = month(ymd);
        int day = day(ymd);
        int shownYear = year > 0 ? year : -(year - 1);
        switch (style) {
            case ISO -> {
                out.putUnsigned(shownYear, 4);
                out.putByte('-');
                out.putUnsigned(month, 2);
                out.putByte('-');
                out.putUnsigned(day, 2);
            }
            case SQL, POSTGRES -> {
                char separator = style == DateStyle.SQL ? '/' : '-';
                if (order == DateOrder.DMY) {
                    out.putUnsigned(day, 2);
                    out.putByte(separator);
                    out.putUnsigned(month, 2);
                } else {
                    out.putUnsigned(month, 2);
                    out.putByte(separator);
                    out.putUnsigned(day, 2);
                }
                out.putByte(separator);
                out.putUnsigned(shownYear, 4);
            }
            case GERMAN -> {
                out.putUnsigned(day, 2);
                out.putByte('.');
                out.putUnsigned(month, 2);
                out.putByte('.');
                out.putUnsigned(shownYear, 4);
            }
        }
        if (year <= 0) {
            out.putAscii(" BC");
        }
    }

    /** A timestamp without time zone (microseconds since 2000-01-01, or the long extremes for infinity). */
    static void writeTimestamp(FieldBuffer out, long pgMicros, DateStyle style, DateOrder order) {
        if (!writeInfinity(out, pgMicros)) {
            writeDateTime(out, pgMicros, style, order, false, 0, null);
        }
    }

    /** A timestamp with time zone in ISO style, shown in {@code zone}. */
    static void writeTimestampTz(FieldBuffer out, long pgMicros, PgTimeZone zone) {
        writeTimestampTz(out, pgMicros, zone, DateStyle.ISO, DateOrder.YMD);
    }

    /**
     * A timestamp with time zone shown in {@code zone}: ISO style with the numeric offset, the
     * other styles with the zone's abbreviation (the numeric offset when it has none).
     */
    static void writeTimestampTz(FieldBuffer out, long pgMicros, PgTimeZone zone, DateStyle style, DateOrder order) {
        if (writeInfinity(out, pgMicros)) {
            return;
        }
        long unixSeconds = Math.floorDiv(pgMicros, USECS_PER_SEC) + EPOCH_SHIFT_DAYS * 86_400L;
        int offset = zone.offsetAt(unixSeconds);
        String abbreviation = style == DateStyle.ISO ? null : zone.abbreviationAt(unixSeconds);
        writeDateTime(out, pgMicros + offset * USECS_PER_SEC, style, order, true, offset, abbreviation);
    }

    /** A time of day: microseconds since midnight, 0 to 24:00:00 inclusive. */
    static void writeTime(FieldBuffer out, long micros) {
        long seconds = micros / USECS_PER_SEC;
        int fraction = (int) (micros - seconds * USECS_PER_SEC);
        out.putUnsigned(seconds / 3600, 2);
        out.putByte(':');
        out.putUnsigned(seconds / 60 % 60, 2);
        out.putByte(':');
        appendSeconds(out, (int) (seconds % 60), fraction, 6, true);
    }

    /**
     * PostgreSQL's AppendSeconds: seconds (zero-padded to two digits when {@code fillZeros}), then
     * the fraction without trailing zeros. Signs are the caller's business: absolute values are printed.
     */
    static void appendSeconds(FieldBuffer out, int seconds, int fraction, int precision, boolean fillZeros) {
        out.putUnsigned(Math.abs(seconds), fillZeros ? 2 : 1);
        if (fraction == 0) {
            return;
        }
        int value = Math.abs(fraction);
        out.putByte('.');
        int start = out.size();
        out.putUnsigned(value, precision);
        int end = out.size();
        if (end - start > precision) {
            return; // more digits than the precision allows: PostgreSQL prints them all
        }
        while (end > start && out.byteAt(end - 1) == '0') {
            end--;
        }
        out.truncate(end);
    }

    private static boolean writeInfinity(FieldBuffer out, long pgMicros) {
        if (pgMicros == Long.MAX_VALUE) {
            out.putAscii("infinity");
            return true;
        }
        if (pgMicros == Long.MIN_VALUE) {
            out.putAscii("-infinity");
            return true;
        }
        return false;
    }

    private static void writeDateTime(FieldBuffer out, long localMicros, DateStyle style, DateOrder order,
                                      boolean printZone, int offsetSeconds, String abbreviation) {
        long date = Math.floorDiv(localMicros, USECS_PER_DAY);
        long time = localMicros - date * USECS_PER_DAY;
        int jd = (int) (date + POSTGRES_EPOCH_JDATE);
        long ymd = j2date(jd);
        int year = year(ymd);
        int month = month(ymd);
        int day = day(ymd);
        int shownYear = year > 0 ? year : -(year - 1);
        long seconds = time / USECS_PER_SEC;
        int fraction = (int) (time - seconds * USECS_PER_SEC);
        int hour = (int) (seconds / 3600);
        int minute = (int) (seconds / 60 % 60);
        int second = (int) (seconds % 60);
        switch (style) {
            case ISO -> {
                out.putUnsigned(shownYear, 4);
                out.putByte('-');
                out.putUnsigned(month, 2);
                out.putByte('-');
                out.putUnsigned(day, 2);
                out.putByte(' ');
                writeClock(out, hour, minute, second, fraction);
            }
            case SQL -> {
                if (order == DateOrder.DMY) {
                    out.putUnsigned(day, 2);
                    out.putByte('/');
                    out.putUnsigned(month, 2);
                } else {
                    out.putUnsigned(month, 2);
                    out.putByte('/');
                    out.putUnsigned(day, 2);
                }
                out.putByte('/');
                out.putUnsigned(shownYear, 4);
                out.putByte(' ');
                writeClock(out, hour, minute, second, fraction);
            }
            case GERMAN -> {
                out.putUnsigned(day, 2);
                out.putByte('.');
                out.putUnsigned(month, 2);
                out.putByte('.');
                out.putUnsigned(shownYear, 4);
                out.putByte(' ');
                writeClock(out, hour, minute, second, fraction);
            }
            case POSTGRES -> {
                out.putAscii(DAYS[(int) ((Integer.toUnsignedLong(jd) + 1) % 7)]);
                out.putByte(' ');
                if (order == DateOrder.DMY) {
                    out.putUnsigned(day, 2);
                    out.putByte(' ');
                    out.putAscii(MONTHS[month - 1]);
                } else {
                    out.putAscii(MONTHS[month - 1]);
                    out.putByte(' ');
                    out.putUnsigned(day, 2);
                }
                out.putByte(' ');
                writeClock(out, hour, minute, second, fraction);
                out.putByte(' ');
                out.putUnsigned(shownYear, 4);
            }
        }
        if (printZone) {
            if (style == DateStyle.ISO) {
                writeOffset(out, offsetSeconds);
            } else if (abbreviation != null) {
                out.putByte(' ');
                out.putAscii(abbreviation.length() > 10 ? abbreviation.substring(0, 10) : abbreviation);
            } else {
                out.putByte(' ');
                writeOffset(out, offsetSeconds);
            }
        }
        if (year <= 0) {
            out.putAscii(" BC");
        }
    }

    private static void writeClock(FieldBuffer out, int hour, int minute, int second, int fraction) {
        out.putUnsigned(hour, 2);
        out.putByte(':');
        out.putUnsigned(minute, 2);
        out.putByte(':');
        appendSeconds(out, second, fraction, 6, true);
    }

    /** PostgreSQL's EncodeTimezone: +hh, +hh:mm or +hh:mm:ss, east positive. */
    static void writeOffset(FieldBuffer out, int offsetSeconds) {
        int total = Math.abs(offsetSeconds);
        int hours = total / 3600;
        int minutes = total / 60 % 60;
        int seconds = total % 60;
        out.putByte(offsetSeconds >= 0 ? '+' : '-');
        out.putUnsigned(hours, 2);
        if (seconds != 0) {
            out.putByte(':');
            out.putUnsigned(minutes, 2);
            out.putByte(':');
            out.putUnsigned(seconds, 2);
        } else if (minutes != 0) {
            out.putByte(':');
            out.putUnsigned(minutes, 2);
        }
    }
}
