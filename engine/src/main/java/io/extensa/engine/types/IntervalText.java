package io.extensa.engine.types;

import io.extensa.engine.types.SessionSettings.IntervalStyle;

/** PostgreSQL's interval text output (EncodeInterval) in each IntervalStyle, without allocating. */
final class IntervalText {

    private static final long USECS_PER_HOUR = 3_600_000_000L;
    private static final long USECS_PER_MINUTE = 60_000_000L;

    private IntervalText() {
    }

    static void write(FieldBuffer out, long micros, int days, int months, IntervalStyle style) {
        int year = months / 12;
        int mon = months % 12;
        long mday = days;
        long time = micros;
        long hour = time / USECS_PER_HOUR;
        time -= hour * USECS_PER_HOUR;
        int min = (int) (time / USECS_PER_MINUTE);
        time -= min * USECS_PER_MINUTE;
        int sec = (int) (time / DateTimeText.USECS_PER_SEC);
        time -= sec * DateTimeText.USECS_PER_SEC;
        int fsec = (int) time;
        switch (style) {
            case POSTGRES -> postgres(out, year, mon, mday, hour, min, sec, fsec);
            case POSTGRES_VERBOSE -> verbose(out, year, mon, mday, hour, min, sec, fsec);
            case SQL_STANDARD -> sqlStandard(out, year, mon, mday, hour, min, sec, fsec);
            case ISO_8601 -> iso8601(out, year, mon, mday, hour, min, sec, fsec);
        }
    }

    private static void postgres(FieldBuffer out, int year, int mon, long mday, long hour, int min, int sec,
                                 int fsec) {
        // each nonzero field sets "is before" for the next one only: "-1 days +02:00:00"
        boolean isZero = true;
        boolean isBefore = false;
        if (year != 0) {
            isBefore = postgresPart(out, year, "year", isZero, isBefore);
            isZero = false;
        }
        if (mon != 0) {
            isBefore = postgresPart(out, mon, "mon", isZero, isBefore);
            isZero = false;
        }
        if (mday != 0) {
            isBefore = postgresPart(out, mday, "day", isZero, isBefore);
            isZero = false;
        }
        if (isZero || hour != 0 || min != 0 || sec != 0 || fsec != 0) {
            boolean minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
            if (!isZero) {
                out.putByte(' ');
            }
            if (minus) {
                out.putByte('-');
            } else if (isBefore) {
                out.putByte('+');
            }
            out.putUnsigned(Math.abs(hour), 2);
            out.putByte(':');
            out.putUnsigned(Math.abs(min), 2);
            out.putByte(':');
            DateTimeText.appendSeconds(out, sec, fsec, 6, true);
        }
    }

    private static boolean postgresPart(FieldBuffer out, long value, String units, boolean isZero, boolean isBefore) {
        if (!isZero) {
            out.putByte(' ');
        }
        if (isBefore && value > 0) {
            out.putByte('+');
        }
        out.putDecimal(value);
        out.putByte(' ');
        out.putAscii(units);
        if (value != 1) {
            out.putByte('s');
        }
        return value < 0;
    }

    private static final int ZERO = 1;
    private static final int BEFORE = 2;

    private static void verbose(FieldBuffer out, int year, int mon, long mday, long hour, int min, int sec,
                                int fsec) {
        out.putByte('@');
        int state = ZERO;
        state = verbosePart(out, year, "year", state);
        state = verbosePart(out, mon, "mon", state);
        state = verbosePart(out, mday, "day", state);
        state = verbosePart(out, hour, "hour", state);
        state = verbosePart(out, min, "min", state);
        if (sec != 0 || fsec != 0) {
            out.putByte(' ');
            if (sec < 0 || (sec == 0 && fsec < 0)) {
                if ((state & ZERO) != 0) {
                    state |= BEFORE;
                } else if ((state & BEFORE) == 0) {
                    out.putByte('-');
                }
            } else if ((state & BEFORE) != 0) {
                out.putByte('-');
            }
            DateTimeText.appendSeconds(out, sec, fsec, 6, false);
            out.putAscii(Math.abs(sec) != 1 || fsec != 0 ? " secs" : " sec");
            state &= ~ZERO;
        }
        if ((state & ZERO) != 0) {
            out.putAscii(" 0");
        }
        if ((state & BEFORE) != 0) {
            out.putAscii(" ago");
        }
    }

    /** The first nonzero field decides "ago"; later fields are shown relative to it. */
    private static int verbosePart(FieldBuffer out, long value, String units, int state) {
        if (value == 0) {
            return state;
        }
        if ((state & ZERO) != 0) {
            state = value < 0 ? BEFORE : 0;
            value = Math.abs(value);
        } else if ((state & BEFORE) != 0) {
            value = -value;
        }
        out.putByte(' ');
        out.putDecimal(value);
        out.putByte(' ');
        out.putAscii(units);
        if (value != 1) {
            out.putByte('s');
        }
        return state & ~ZERO;
    }

    private static void sqlStandard(FieldBuffer out, int year, int mon, long mday, long hour, int min, int sec,
                                    int fsec) {
        boolean hasNegative = year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || fsec < 0;
        boolean hasPositive = year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || fsec > 0;
        boolean hasYearMonth = year != 0 || mon != 0;
        boolean hasDayTime = mday != 0 || hour != 0 || min != 0 || sec != 0 || fsec != 0;
        boolean standardValue = !(hasNegative && hasPositive) && !(hasYearMonth && hasDayTime);
        if (hasNegative && standardValue) {
            out.putByte('-');
            year = -year;
            mon = -mon;
            mday = -mday;
            hour = -hour;
            min = -min;
            sec = -sec;
            fsec = -fsec;
        }
        if (!hasNegative && !hasPositive) {
            out.putByte('0');
        } else if (!standardValue) {
            out.putByte(year < 0 || mon < 0 ? '-' : '+');
            out.putDecimal(Math.abs(year));
            out.putByte('-');
            out.putDecimal(Math.abs(mon));
            out.putByte(' ');
            out.putByte(mday < 0 ? '-' : '+');
            out.putDecimal(Math.abs(mday));
            out.putByte(' ');
            out.putByte(hour < 0 || min < 0 || sec < 0 || fsec < 0 ? '-' : '+');
            out.putDecimal(Math.abs(hour));
            out.putByte(':');
            out.putUnsigned(Math.abs(min), 2);
            out.putByte(':');
            DateTimeText.appendSeconds(out, sec, fsec, 6, true);
        } else if (hasYearMonth) {
            out.putDecimal(year);
            out.putByte('-');
            out.putDecimal(mon);
        } else if (mday != 0) {
            out.putDecimal(mday);
            out.putByte(' ');
            out.putDecimal(hour);
            out.putByte(':');
            out.putUnsigned(min, 2);
            out.putByte(':');
            DateTimeText.appendSeconds(out, sec, fsec, 6, true);
        } else {
            out.putDecimal(hour);
            out.putByte(':');
            out.putUnsigned(min, 2);
            out.putByte(':');
            DateTimeText.appendSeconds(out, sec, fsec, 6, true);
        }
    }

    private static void iso8601(FieldBuffer out, int year, int mon, long mday, long hour, int min, int sec, int fsec) {
        if (year == 0 && mon == 0 && mday == 0 && hour == 0 && min == 0 && sec == 0 && fsec == 0) {
            out.putAscii("PT0S");
            return;
        }
        out.putByte('P');
        isoPart(out, year, 'Y');
        isoPart(out, mon, 'M');
        isoPart(out, mday, 'D');
        if (hour != 0 || min != 0 || sec != 0 || fsec != 0) {
            out.putByte('T');
        }
        isoPart(out, hour, 'H');
        isoPart(out, min, 'M');
        if (sec != 0 || fsec != 0) {
            if (sec < 0 || fsec < 0) {
                out.putByte('-');
            }
            DateTimeText.appendSeconds(out, sec, fsec, 6, false);
            out.putByte('S');
        }
    }

    private static void isoPart(FieldBuffer out, long value, char unit) {
        if (value != 0) {
            out.putDecimal(value);
            out.putByte(unit);
        }
    }
}
