package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * Reads date, timestamp, timestamptz and time text the way PostgreSQL reads its ISO forms:
 * {@code 2024-03-01}, {@code 2024-03-01 12:34:56.789}, {@code 2024-03-01T12:34:56Z},
 * {@code 20240301}, offsets {@code +02}, {@code -05:30}, {@code +0530}, zone names
 * ({@code UTC}, {@code Europe/Berlin}), a trailing {@code BC}/{@code AD}, and {@code infinity},
 * {@code -infinity}, {@code epoch}, {@code allballs}. Years need four digits or more. Other
 * spellings PostgreSQL accepts (month names, DateStyle-ordered {@code 03/01/2024}, two-digit
 * years, zone abbreviations, {@code now}) are refused with a clear error.
 * One instance per encoder.
 */
final class DateTimeParser {

    enum Target {
        DATE("date"), TIMESTAMP("timestamp"), TIMESTAMPTZ("timestamp with time zone"), TIME("time");

        final String typeName;

        Target(String typeName) {
            this.typeName = typeName;
        }
    }

    private static final int NO_ZONE = Integer.MIN_VALUE;

    private String input;
    private int pos;
    private int year;
    private int month;
    private int day;
    private boolean hasDate;
    private long timeMicros;
    private boolean hasTime;
    private int zoneOffset;
    private PgTimeZone namedZone;

    /** PostgreSQL days since 2000-01-01 (infinity as the int extremes). */
    int parseDate(ByteBuffer b, int from, int to, String column, long rowNumber) throws PgException {
        String s = prepare(b, from, to);
        switch (s) {
            case "infinity", "+infinity":
                return Integer.MAX_VALUE;
            case "-infinity":
                return Integer.MIN_VALUE;
            case "epoch":
                return -DateTimeText.EPOCH_SHIFT_DAYS;
            default:
                break;
        }
        parse(Target.DATE, column, rowNumber);
        if (!hasDate) {
            throw syntax(Target.DATE, column, rowNumber);
        }
        long days = (long) DateTimeText.date2j(year, month, day) - DateTimeText.POSTGRES_EPOCH_JDATE;
        if (!DateTimeText.isValidPgDate(days)) {
            throw outOfRange("date", column, rowNumber);
        }
        return (int) days;
    }

    /**
     * PostgreSQL microseconds since 2000-01-01: local time for a timestamp (a zone in the text is
     * ignored, as PostgreSQL ignores it), UTC for a timestamptz (text without zone is read in
     * {@code sessionZone}).
     */
    long parseTimestamp(ByteBuffer b, int from, int to, boolean withZone, PgTimeZone sessionZone, String column,
                        long rowNumber) throws PgException {
        Target target = withZone ? Target.TIMESTAMPTZ : Target.TIMESTAMP;
        String s = prepare(b, from, to);
        switch (s) {
            case "infinity", "+infinity":
                return Long.MAX_VALUE;
            case "-infinity":
                return Long.MIN_VALUE;
            case "epoch":
                return -DateTimeText.EPOCH_SHIFT_MICROS;
            default:
                break;
        }
        parse(target, column, rowNumber);
        if (!hasDate) {
            throw syntax(target, column, rowNumber);
        }
        long days = (long) DateTimeText.date2j(year, month, day) - DateTimeText.POSTGRES_EPOCH_JDATE;
        if (!DateTimeText.isValidPgDate(days)) {
            throw outOfRange("timestamp", column, rowNumber);
        }
        long local = days * DateTimeText.USECS_PER_DAY + timeMicros;
        long result = local;
        if (withZone) {
            long localSeconds = Math.floorDiv(local, DateTimeText.USECS_PER_SEC) + DateTimeText.EPOCH_SHIFT_DAYS * 86_400L;
            int offset;
            if (zoneOffset != NO_ZONE) {
                offset = zoneOffset;
            } else {
                PgTimeZone zone = namedZone != null ? namedZone : sessionZone;
                offset = zone.offsetForLocal(localSeconds);
            }
            result = local - offset * DateTimeText.USECS_PER_SEC;
        }
        if (!DateTimeText.isValidPgTimestamp(result)) {
            throw outOfRange("timestamp", column, rowNumber);
        }
        return result;
    }

    /** Microseconds since midnight, up to 24:00:00. */
    long parseTime(ByteBuffer b, int from, int to, String column, long rowNumber) throws PgException {
        String s = prepare(b, from, to);
        if (s.equals("allballs")) {
            return 0;
        }
        parse(Target.TIME, column, rowNumber);
        if (!hasTime) {
            throw syntax(Target.TIME, column, rowNumber);
        }
        return timeMicros;
    }

    private String prepare(ByteBuffer b, int from, int to) {
        input = TextParsers.text(b, from, to).strip().toLowerCase(Locale.ROOT);
        pos = 0;
        hasDate = false;
        hasTime = false;
        timeMicros = 0;
        zoneOffset = NO_ZONE;
        namedZone = null;
        return input;
    }

    private void parse(Target target, String column, long rowNumber) throws PgException {
        String s = input;
        if (s.equals("now") || s.equals("today") || s.equals("tomorrow") || s.equals("yesterday")) {
            throw new PgException(TypeErrors.INVALID_DATETIME_FORMAT, TypeErrors.where(column, rowNumber)
                    + "\"" + s + "\" depends on the transaction's time, which a script's output cannot use; "
                    + "compute the value in the script");
        }
        boolean dateFirst = startsWithDate();
        if (dateFirst) {
            readDate(target, column, rowNumber);
            skipSpaces();
            if (pos < s.length() && (s.charAt(pos) == 't')) {
                pos++;
            }
        }
        skipSpaces();
        if (pos < s.length() && Character.isDigit(s.charAt(pos))) {
            readTime(target, column, rowNumber);
        }
        skipSpaces();
        readZone(target, column, rowNumber);
        skipSpaces();
        boolean bc = false;
        if (s.startsWith("bc", pos)) {
            bc = true;
            pos += 2;
        } else if (s.startsWith("ad", pos)) {
            pos += 2;
        }
        skipSpaces();
        if (pos != s.length() || (!hasDate && !hasTime)) {
            throw syntax(target, column, rowNumber);
        }
        if (hasDate) {
            if (bc) {
                year = -(year - 1);
            }
            if (month < 1 || month > 12 || day < 1 || day > DateTimeText.daysInMonth(year, month)) {
                throw fieldOutOfRange(column, rowNumber);
            }
        } else if (bc) {
            throw syntax(target, column, rowNumber);
        }
    }

    private boolean startsWithDate() {
        int i = pos;
        int digits = 0;
        while (i < input.length() && Character.isDigit(input.charAt(i))) {
            i++;
            digits++;
        }
        if (digits == 8 && (i == input.length() || input.charAt(i) == ' ' || input.charAt(i) == 't')) {
            return true;
        }
        return digits > 0 && i < input.length() && input.charAt(i) == '-';
    }

    private void readDate(Target target, String column, long rowNumber) throws PgException {
        int digits = countDigits();
        if (digits == 8 && (pos + 8 == input.length() || input.charAt(pos + 8) != '-')) {
            year = Integer.parseInt(input, pos, pos + 4, 10);
            month = Integer.parseInt(input, pos + 4, pos + 6, 10);
            day = Integer.parseInt(input, pos + 6, pos + 8, 10);
            pos += 8;
            hasDate = true;
            return;
        }
        if (digits < 4) {
            throw syntax(target, column, rowNumber);
        }
        if (digits > 9) {
            throw fieldOutOfRange(column, rowNumber);
        }
        year = Integer.parseInt(input, pos, pos + digits, 10);
        pos += digits;
        month = readDashField(target, column, rowNumber);
        day = readDashField(target, column, rowNumber);
        if (year == 0) {
            throw fieldOutOfRange(column, rowNumber);
        }
        hasDate = true;
    }

    private int readDashField(Target target, String column, long rowNumber) throws PgException {
        if (pos >= input.length() || input.charAt(pos) != '-') {
            throw syntax(target, column, rowNumber);
        }
        pos++;
        int digits = countDigits();
        if (digits < 1 || digits > 2) {
            throw syntax(target, column, rowNumber);
        }
        int value = Integer.parseInt(input, pos, pos + digits, 10);
        pos += digits;
        return value;
    }

    private void readTime(Target target, String column, long rowNumber) throws PgException {
        int digits = countDigits();
        if (digits < 1 || digits > 2) {
            throw syntax(target, column, rowNumber);
        }
        int hour = Integer.parseInt(input, pos, pos + digits, 10);
        pos += digits;
        if (pos >= input.length() || input.charAt(pos) != ':') {
            throw syntax(target, column, rowNumber);
        }
        pos++;
        int minute = readClockField(target, column, rowNumber);
        int second = 0;
        long fraction = 0;
        if (pos < input.length() && input.charAt(pos) == ':') {
            pos++;
            second = readClockField(target, column, rowNumber);
            if (pos < input.length() && input.charAt(pos) == '.') {
                pos++;
                int fractionDigits = countDigits();
                if (fractionDigits > 0) {
                    // PostgreSQL: rint(strtod("0.xxx") * 1e6)
                    double value = Double.parseDouble("0." + input.substring(pos, pos + fractionDigits));
                    fraction = (long) Math.rint(value * 1_000_000);
                    pos += fractionDigits;
                }
            }
        }
        if (hour > 24 || minute > 59 || second > 60
                || hour == 24 && (minute != 0 || second != 0 || fraction != 0)) {
            throw fieldOutOfRange(column, rowNumber);
        }
        timeMicros = ((hour * 60L + minute) * 60 + second) * DateTimeText.USECS_PER_SEC + fraction;
        if (target == Target.TIME && timeMicros > DateTimeText.USECS_PER_DAY) {
            throw fieldOutOfRange(column, rowNumber);
        }
        hasTime = true;
    }

    /** A minute or second field: one or two digits. */
    private int readClockField(Target target, String column, long rowNumber) throws PgException {
        int digits = countDigits();
        if (digits < 1 || digits > 2) {
            throw syntax(target, column, rowNumber);
        }
        int value = Integer.parseInt(input, pos, pos + digits, 10);
        pos += digits;
        return value;
    }

    private int readTwoDigits(Target target, String column, long rowNumber) throws PgException {
        if (countDigits() != 2) {
            throw syntax(target, column, rowNumber);
        }
        int value = Integer.parseInt(input, pos, pos + 2, 10);
        pos += 2;
        return value;
    }

    private void readZone(Target target, String column, long rowNumber) throws PgException {
        if (pos >= input.length()) {
            return;
        }
        char c = input.charAt(pos);
        if (c == 'z' && (pos + 1 == input.length() || input.charAt(pos + 1) == ' ')) {
            zoneOffset = 0;
            pos++;
            return;
        }
        if (c == '+' || c == '-') {
            pos++;
            int digits = countDigits();
            int hours;
            int minutes = 0;
            int seconds = 0;
            if (digits == 4) {
                hours = Integer.parseInt(input, pos, pos + 2, 10);
                minutes = Integer.parseInt(input, pos + 2, pos + 4, 10);
                pos += 4;
            } else if (digits == 1 || digits == 2) {
                hours = Integer.parseInt(input, pos, pos + digits, 10);
                pos += digits;
                if (pos < input.length() && input.charAt(pos) == ':') {
                    pos++;
                    minutes = readTwoDigits(target, column, rowNumber);
                    if (pos < input.length() && input.charAt(pos) == ':') {
                        pos++;
                        seconds = readTwoDigits(target, column, rowNumber);
                    }
                }
            } else {
                throw syntax(target, column, rowNumber);
            }
            if (hours > 15 || minutes > 59 || seconds > 59) {
                throw new PgException(TypeErrors.INVALID_TIME_ZONE_DISPLACEMENT, TypeErrors.where(column, rowNumber)
                        + "time zone displacement out of range: " + TypeErrors.show(input));
            }
            int offset = hours * 3600 + minutes * 60 + seconds;
            zoneOffset = c == '-' ? -offset : offset;
            return;
        }
        if (Character.isLetter(c)) {
            int end = pos;
            while (end < input.length() && input.charAt(end) != ' ') {
                end++;
            }
            String name = input.substring(pos, end);
            if (name.equals("bc") || name.equals("ad")) {
                return;
            }
            PgTimeZone zone = name.equals("utc") || name.equals("gmt") ? PgTimeZone.UTC : PgTimeZone.region(name);
            if (zone == null || name.indexOf('/') < 0 && name.length() <= 5 && zone != PgTimeZone.UTC) {
                // zone abbreviations (EST, CET, ...) mean what PostgreSQL's abbreviation table says
                throw new PgException(TypeErrors.INVALID_DATETIME_FORMAT, TypeErrors.where(column, rowNumber)
                        + "time zone " + TypeErrors.show(name) + " in " + TypeErrors.show(input)
                        + " is not understood by Extensa; use a numeric offset (+02:00) or a full zone name");
            }
            namedZone = zone;
            pos = end;
        }
    }

    private int countDigits() {
        int i = pos;
        while (i < input.length() && input.charAt(i) >= '0' && input.charAt(i) <= '9') {
            i++;
        }
        return i - pos;
    }

    private void skipSpaces() {
        while (pos < input.length() && input.charAt(pos) == ' ') {
            pos++;
        }
    }

    private PgException syntax(Target target, String column, long rowNumber) {
        return new PgException(TypeErrors.INVALID_DATETIME_FORMAT, TypeErrors.where(column, rowNumber)
                + "invalid input syntax for type " + target.typeName + ": " + TypeErrors.show(input));
    }

    private PgException fieldOutOfRange(String column, long rowNumber) {
        return new PgException(SqlState.DATETIME_FIELD_OVERFLOW, TypeErrors.where(column, rowNumber)
                + "date/time field value out of range: " + TypeErrors.show(input));
    }

    private PgException outOfRange(String what, String column, long rowNumber) {
        return new PgException(SqlState.DATETIME_FIELD_OVERFLOW, TypeErrors.where(column, rowNumber)
                + what + " out of range: " + TypeErrors.show(input));
    }
}
