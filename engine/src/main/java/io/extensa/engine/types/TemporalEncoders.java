package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;

import java.nio.ByteBuffer;

/**
 * Encoders for date, timestamp, timestamptz, time and interval targets. Wire values count from
 * 1970, PostgreSQL's from 2000; both keep the int extremes as infinity. Conversions between
 * dates and timestamps are made only where exact; a zone is needed for those involving
 * timestamptz and is the session's TimeZone, as in PostgreSQL's own casts.
 */
final class TemporalEncoders {

    private static final long[] SCALES = {1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    private TemporalEncoders() {
    }

    interface IntReader {
        int read(ColumnVector column, int row, long rowNumber) throws PgException;
    }

    interface LongReader {
        long read(ColumnVector column, int row, long rowNumber) throws PgException;
    }

    // ---- readers: each returns PostgreSQL's own value ----

    /** Days since 2000-01-01; null when the source does not convert to date. */
    static IntReader dateReader(ColumnType source, EncoderContext ctx) {
        String column = ctx.column();
        PgTimeZone zone = ctx.settings().timeZone();
        return switch (source) {
            case DATE -> (c, r, n) -> pgDate(c.getInt(r), column, n);
            case TIMESTAMP -> (c, r, n) -> dateOf(pgTimestamp(c.getLong(r), column, n), column, n, "timestamp");
            case TIMESTAMPTZ -> (c, r, n) -> dateOf(toLocal(pgTimestamp(c.getLong(r), column, n), zone, column, n),
                    column, n, "timestamp with time zone");
            case TEXT -> new IntReader() {
                private final DateTimeParser parser = new DateTimeParser();
                private final VectorData data = new VectorData();

                @Override
                public int read(ColumnVector c, int r, long n) throws PgException {
                    ByteBuffer b = data.of(c);
                    int from = c.valueOffset(r);
                    return parser.parseDate(b, from, from + c.valueLength(r), column, n);
                }
            };
            default -> null;
        };
    }

    /** Microseconds since 2000-01-01, local for timestamp, UTC for timestamptz; null when not convertible. */
    static LongReader timestampReader(ColumnType source, boolean withZone, EncoderContext ctx) {
        String column = ctx.column();
        PgTimeZone zone = ctx.settings().timeZone();
        return switch (source) {
            case DATE -> (c, r, n) -> {
                long local = timestampOfDate(pgDate(c.getInt(r), column, n), column, n);
                return withZone ? toUtc(local, zone, column, n) : local;
            };
            case TIMESTAMP -> (c, r, n) -> {
                long local = pgTimestamp(c.getLong(r), column, n);
                return withZone ? toUtc(local, zone, column, n) : local;
            };
            case TIMESTAMPTZ -> (c, r, n) -> {
                long utc = pgTimestamp(c.getLong(r), column, n);
                return withZone ? utc : toLocal(utc, zone, column, n);
            };
            case TEXT -> new LongReader() {
                private final DateTimeParser parser = new DateTimeParser();
                private final VectorData data = new VectorData();

                @Override
                public long read(ColumnVector c, int r, long n) throws PgException {
                    ByteBuffer b = data.of(c);
                    int from = c.valueOffset(r);
                    return parser.parseTimestamp(b, from, from + c.valueLength(r), withZone, zone, column, n);
                }
            };
            default -> null;
        };
    }

    /** Microseconds since midnight; null when not convertible. */
    static LongReader timeReader(ColumnType source, EncoderContext ctx) {
        String column = ctx.column();
        return switch (source) {
            case TIME -> (c, r, n) -> {
                long micros = c.getLong(r);
                if (micros < 0 || micros > DateTimeText.USECS_PER_DAY) {
                    throw TypeErrors.value(SqlState.DATETIME_FIELD_OVERFLOW, column, n, "time out of range: "
                            + micros + " microseconds after midnight");
                }
                return micros;
            };
            case TEXT -> new LongReader() {
                private final DateTimeParser parser = new DateTimeParser();
                private final VectorData data = new VectorData();

                @Override
                public long read(ColumnVector c, int r, long n) throws PgException {
                    ByteBuffer b = data.of(c);
                    int from = c.valueOffset(r);
                    return parser.parseTime(b, from, from + c.valueLength(r), column, n);
                }
            };
            default -> null;
        };
    }

    static int pgDate(int wireDays, String column, long rowNumber) throws PgException {
        if (wireDays == Integer.MAX_VALUE || wireDays == Integer.MIN_VALUE) {
            return wireDays;
        }
        long pg = (long) wireDays - DateTimeText.EPOCH_SHIFT_DAYS;
        if (!DateTimeText.isValidPgDate(pg)) {
            throw TypeErrors.value(SqlState.DATETIME_FIELD_OVERFLOW, column, rowNumber, "date out of range: "
                    + wireDays + " days after 1970-01-01");
        }
        return (int) pg;
    }

    static long pgTimestamp(long wireMicros, String column, long rowNumber) throws PgException {
        if (wireMicros == Long.MAX_VALUE || wireMicros == Long.MIN_VALUE) {
            return wireMicros;
        }
        long pg = wireMicros - DateTimeText.EPOCH_SHIFT_MICROS;
        if (wireMicros < Long.MIN_VALUE + DateTimeText.EPOCH_SHIFT_MICROS || !DateTimeText.isValidPgTimestamp(pg)) {
            throw TypeErrors.value(SqlState.DATETIME_FIELD_OVERFLOW, column, rowNumber, "timestamp out of range: "
                    + wireMicros + " microseconds after 1970-01-01");
        }
        return pg;
    }

    private static long timestampOfDate(int pgDays, String column, long rowNumber) throws PgException {
        if (pgDays == Integer.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        if (pgDays == Integer.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        long micros = pgDays * DateTimeText.USECS_PER_DAY;
        if (!DateTimeText.isValidPgTimestamp(micros)) {
            FieldBuffer shown = new FieldBuffer(16);
            DateTimeText.writeDate(shown, pgDays, SessionSettings.DateStyle.ISO, SessionSettings.DateOrder.YMD);
            throw TypeErrors.value(SqlState.DATETIME_FIELD_OVERFLOW, column, rowNumber,
                    "date out of range for timestamp: " + shown);
        }
        return micros;
    }

    private static int dateOf(long pgLocalMicros, String column, long rowNumber, String typeName) throws PgException {
        if (pgLocalMicros == Long.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        if (pgLocalMicros == Long.MIN_VALUE) {
            return Integer.MIN_VALUE;
        }
        if (Math.floorMod(pgLocalMicros, DateTimeText.USECS_PER_DAY) != 0) {
            FieldBuffer shown = new FieldBuffer(32);
            DateTimeText.writeTimestamp(shown, pgLocalMicros, SessionSettings.DateStyle.ISO,
                    SessionSettings.DateOrder.YMD);
            throw TypeErrors.value(SqlState.DATETIME_FIELD_OVERFLOW, column, rowNumber, typeName + " " + shown
                    + " has a time of day, so type date cannot hold it exactly");
        }
        return (int) Math.floorDiv(pgLocalMicros, DateTimeText.USECS_PER_DAY);
    }

    static long toUtc(long pgLocal, PgTimeZone zone, String column, long rowNumber) throws PgException {
        if (pgLocal == Long.MAX_VALUE || pgLocal == Long.MIN_VALUE) {
            return pgLocal;
        }
        long localSeconds = Math.floorDiv(pgLocal, DateTimeText.USECS_PER_SEC) + DateTimeText.EPOCH_SHIFT_DAYS * 86_400L;
        long utc = pgLocal - zone.offsetForLocal(localSeconds) * DateTimeText.USECS_PER_SEC;
        if (!DateTimeText.isValidPgTimestamp(utc)) {
            throw TypeErrors.value(SqlState.DATETIME_FIELD_OVERFLOW, column, rowNumber, "timestamp out of range");
        }
        return utc;
    }

    static long toLocal(long pgUtc, PgTimeZone zone, String column, long rowNumber) throws PgException {
        if (pgUtc == Long.MAX_VALUE || pgUtc == Long.MIN_VALUE) {
            return pgUtc;
        }
        long seconds = Math.floorDiv(pgUtc, DateTimeText.USECS_PER_SEC) + DateTimeText.EPOCH_SHIFT_DAYS * 86_400L;
        long local = pgUtc + zone.offsetAt(seconds) * DateTimeText.USECS_PER_SEC;
        if (!DateTimeText.isValidPgTimestamp(local)) {
            throw TypeErrors.value(SqlState.DATETIME_FIELD_OVERFLOW, column, rowNumber, "timestamp out of range");
        }
        return local;
    }

    /** PostgreSQL's AdjustTimestampForTypmod/AdjustTimeForTypmod: round half away from zero. */
    static long roundMicros(long micros, int precision) {
        if (precision < 0 || precision >= 6) {
            return micros;
        }
        long scale = SCALES[precision];
        long offset = scale / 2;
        return micros >= 0 ? (micros + offset) / scale * scale : -((-micros + offset) / scale * scale);
    }

    // ---- encoders ----

    record DateEncoder(IntReader reader, boolean binary, SessionSettings settings) implements ValueEncoder {
        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            int days = reader.read(c, r, n);
            if (binary) {
                out.putInt(days);
            } else {
                DateTimeText.writeDate(out, days, settings.dateStyle(), settings.dateOrder());
            }
        }
    }

    /** @param outputZone the zone timestamptz text is shown in */
    record TimestampEncoder(LongReader reader, boolean withZone, int precision, boolean binary,
                            SessionSettings settings, PgTimeZone outputZone) implements ValueEncoder {
        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            long micros = reader.read(c, r, n);
            if (micros != Long.MAX_VALUE && micros != Long.MIN_VALUE) {
                // like PostgreSQL 15, no range check after rounding: 294276-12-31 23:59:59.9 rounds up and stays
                micros = roundMicros(micros, precision);
            }
            if (binary) {
                out.putLong(micros);
            } else if (withZone) {
                DateTimeText.writeTimestampTz(out, micros, outputZone, settings.dateStyle(), settings.dateOrder());
            } else {
                DateTimeText.writeTimestamp(out, micros, settings.dateStyle(), settings.dateOrder());
            }
        }
    }

    record TimeEncoder(LongReader reader, int precision, boolean binary) implements ValueEncoder {
        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) throws PgException {
            long micros = roundMicros(reader.read(c, r, n), precision);
            if (binary) {
                out.putLong(micros);
            } else {
                DateTimeText.writeTime(out, micros);
            }
        }
    }

    /**
     * interval from INTERVAL or TIME, with PostgreSQL's typmod coercion: fields below the declared
     * range are dropped (interval year keeps whole years), seconds rounded to the precision.
     */
    record IntervalEncoder(boolean fromTime, int typmod, boolean binary, SessionSettings settings)
            implements ValueEncoder {
        private static final long USECS_PER_HOUR = 3_600_000_000L;
        private static final long USECS_PER_MINUTE = 60_000_000L;

        @Override
        public void encode(ColumnVector c, int r, long n, FieldBuffer out) {
            long micros;
            int days;
            int months;
            if (fromTime) {
                micros = c.getLong(r);
                days = 0;
                months = 0;
            } else {
                micros = c.getIntervalMicros(r);
                days = c.getIntervalDays(r);
                months = c.getIntervalMonths(r);
            }
            if (typmod >= 0) {
                int range = TypeNames.intervalRange(typmod);
                switch (range) {
                    case TypeNames.YEAR -> {
                        months = months / 12 * 12;
                        days = 0;
                        micros = 0;
                    }
                    case TypeNames.MONTH, TypeNames.YEAR | TypeNames.MONTH -> {
                        days = 0;
                        micros = 0;
                    }
                    case TypeNames.DAY -> micros = 0;
                    case TypeNames.HOUR, TypeNames.DAY | TypeNames.HOUR -> micros = micros / USECS_PER_HOUR * USECS_PER_HOUR;
                    case TypeNames.MINUTE, TypeNames.DAY | TypeNames.HOUR | TypeNames.MINUTE,
                         TypeNames.HOUR | TypeNames.MINUTE -> micros = micros / USECS_PER_MINUTE * USECS_PER_MINUTE;
                    default -> {
                        // full range, or ranges ending in SECOND: only the precision applies
                    }
                }
                micros = roundMicros(micros, TypeNames.intervalPrecision(typmod));
            }
            if (binary) {
                out.putLong(micros);
                out.putInt(days);
                out.putInt(months);
            } else {
                IntervalText.write(out, micros, days, months, settings.intervalStyle());
            }
        }
    }
}
