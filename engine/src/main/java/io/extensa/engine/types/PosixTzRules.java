package io.extensa.engine.types;

/**
 * A POSIX TZ string: {@code std offset [dst [offset] [,start[/time],end[/time]]]}, as in the
 * footer of TZif files and in TimeZone settings such as {@code <+05>-05} or {@code EST5EDT}.
 * Offsets count hours west of Greenwich; rules are {@code Mm.w.d}, {@code Jn} or {@code n}.
 */
final class PosixTzRules implements TzRules {

    private final String stdName;
    private final int stdOffset;
    private final String dstName;
    private final int dstOffset;
    private final Rule start;
    private final Rule end;

    /** A transition rule: a day of the year, and the local time of day in seconds. */
    private record Rule(char kind, int month, int week, int day, int time) {
    }

    private PosixTzRules(String stdName, int stdOffset, String dstName, int dstOffset, Rule start, Rule end) {
        this.stdName = stdName;
        this.stdOffset = stdOffset;
        this.dstName = dstName;
        this.dstOffset = dstOffset;
        this.start = start;
        this.end = end;
    }

    /**
     * @param allowUnnamed accept a bare offset such as {@code +05:30} (PostgreSQL does for TimeZone)
     * @return the rules, or null when the text is not a TZ string
     */
    static PosixTzRules parse(String s, boolean allowUnnamed) {
        Cursor c = new Cursor(s);
        String std = c.name();
        if (std == null && !allowUnnamed) {
            return null;
        }
        Integer west = c.offset(false);
        if (west == null) {
            return null;
        }
        String stdName = std == null ? "" : std;
        if (c.atEnd()) {
            return new PosixTzRules(stdName, -west, null, 0, null, null);
        }
        String dst = c.name();
        if (dst == null) {
            return null;
        }
        int dstWest = west - 3600;
        if (!c.atEnd() && c.peek() != ',') {
            Integer explicit = c.offset(false);
            if (explicit == null) {
                return null;
            }
            dstWest = explicit;
        }
        Rule startRule;
        Rule endRule;
        if (c.atEnd()) {
            // no rule given: the United States' since 2007, as tzcode's default
            startRule = new Rule('M', 3, 2, 0, 7200);
            endRule = new Rule('M', 11, 1, 0, 7200);
        } else {
            if (!c.expect(',')) {
                return null;
            }
            startRule = c.rule();
            if (startRule == null || !c.expect(',')) {
                return null;
            }
            endRule = c.rule();
            if (endRule == null || !c.atEnd()) {
                return null;
            }
        }
        return new PosixTzRules(stdName, -west, dst, -dstWest, startRule, endRule);
    }

    @Override
    public int offsetAt(long t) {
        if (dstName == null) {
            return stdOffset;
        }
        return isDaylight(t) ? dstOffset : stdOffset;
    }

    @Override
    public String abbreviationAt(long t) {
        if (dstName == null) {
            return stdName;
        }
        return isDaylight(t) ? dstName : stdName;
    }

    @Override
    public long nextTransition(long t) {
        if (dstName == null) {
            return Long.MAX_VALUE;
        }
        int year = yearOf(t);
        long best = Long.MAX_VALUE;
        for (int y = year - 1; y <= year + 1; y++) {
            long s = transition(y, start, stdOffset);
            long e = transition(y, end, dstOffset);
            if (s > t && s < best) {
                best = s;
            }
            if (e > t && e < best) {
                best = e;
            }
        }
        return best;
    }

    private boolean isDaylight(long t) {
        int year = yearOf(t);
        long latest = Long.MIN_VALUE;
        boolean daylight = false;
        for (int y = year - 1; y <= year + 1; y++) {
            long s = transition(y, start, stdOffset);
            long e = transition(y, end, dstOffset);
            if (s <= t && s >= latest) {
                latest = s;
                daylight = true;
            }
            if (e <= t && e >= latest) {
                latest = e;
                daylight = false;
            }
        }
        return daylight;
    }

    private static int yearOf(long epochSecond) {
        long days = Math.floorDiv(epochSecond, 86_400L);
        return DateTimeText.year(DateTimeText.j2date((int) (days + DateTimeText.UNIX_EPOCH_JDATE)));
    }

    /** The UTC instant a rule fires in a year, given the offset in effect before it. */
    private static long transition(int year, Rule rule, int offsetBefore) {
        int jan1 = DateTimeText.date2j(year, 1, 1);
        int dayOfYear;
        switch (rule.kind) {
            case 'J' -> {
                dayOfYear = rule.day - 1;
                if (DateTimeText.isLeap(year) && rule.day >= 60) {
                    dayOfYear++;
                }
            }
            case 'N' -> dayOfYear = rule.day;
            default -> {
                int first = DateTimeText.date2j(year, rule.month, 1);
                int dow = (first + 1) % 7;
                int d = Math.floorMod(rule.day - dow, 7);
                int length = DateTimeText.daysInMonth(year, rule.month);
                for (int i = 1; i < rule.week; i++) {
                    if (d + 7 >= length) {
                        break;
                    }
                    d += 7;
                }
                dayOfYear = first - jan1 + d;
            }
        }
        long localMidnight = ((long) jan1 + dayOfYear - DateTimeText.UNIX_EPOCH_JDATE) * 86_400L;
        return localMidnight + rule.time - offsetBefore;
    }

    private static final class Cursor {
        private final String s;
        private int i;

        Cursor(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return i >= s.length();
        }

        char peek() {
            return s.charAt(i);
        }

        boolean expect(char c) {
            if (!atEnd() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        String name() {
            if (atEnd()) {
                return null;
            }
            if (s.charAt(i) == '<') {
                int close = s.indexOf('>', i);
                if (close < 0) {
                    return null;
                }
                String name = s.substring(i + 1, close);
                i = close + 1;
                return name;
            }
            int start = i;
            while (i < s.length() && Character.isLetter(s.charAt(i))) {
                i++;
            }
            if (i - start < 3) {
                i = start;
                return null;
            }
            return s.substring(start, i);
        }

        /** [+-]hh[:mm[:ss]] in seconds; rule times may exceed 24 hours. */
        Integer offset(boolean ruleTime) {
            int sign = 1;
            if (!atEnd() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                sign = s.charAt(i) == '-' ? -1 : 1;
                i++;
            }
            Integer hours = number(ruleTime ? 167 : 24);
            if (hours == null) {
                return null;
            }
            int seconds = hours * 3600;
            if (expect(':')) {
                Integer minutes = number(59);
                if (minutes == null) {
                    return null;
                }
                seconds += minutes * 60;
                if (expect(':')) {
                    Integer secs = number(59);
                    if (secs == null) {
                        return null;
                    }
                    seconds += secs;
                }
            }
            return sign * seconds;
        }

        Rule rule() {
            char kind;
            int month = 0;
            int week = 0;
            int day;
            if (expect('J')) {
                kind = 'J';
                Integer n = number(365);
                if (n == null || n < 1) {
                    return null;
                }
                day = n;
            } else if (expect('M')) {
                kind = 'M';
                Integer m = number(12);
                if (m == null || m < 1 || !expect('.')) {
                    return null;
                }
                Integer w = number(5);
                if (w == null || w < 1 || !expect('.')) {
                    return null;
                }
                Integer d = number(6);
                if (d == null) {
                    return null;
                }
                month = m;
                week = w;
                day = d;
            } else {
                kind = 'N';
                Integer n = number(365);
                if (n == null) {
                    return null;
                }
                day = n;
            }
            int time = 7200;
            if (expect('/')) {
                Integer t = offset(true);
                if (t == null) {
                    return null;
                }
                time = t;
            }
            return new Rule(kind, month, week, day, time);
        }

        private Integer number(int max) {
            int start = i;
            int value = 0;
            while (i < s.length() && Character.isDigit(s.charAt(i)) && i - start < 4) {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || value > max) {
                return null;
            }
            return value;
        }
    }
}
