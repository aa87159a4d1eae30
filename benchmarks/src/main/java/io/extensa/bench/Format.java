package io.extensa.bench;

import java.util.Locale;

/** Number formatting for the report: fixed, locale-independent, with thousands separators for big values. */
public final class Format {

    private Format() {
    }

    /** Milliseconds with a precision that suits the magnitude: 0.064, 12.3, 1,864. */
    public static String millis(double ms) {
        if (ms < 1) {
            return String.format(Locale.ROOT, "%.3f", ms);
        }
        if (ms < 100) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        return String.format(Locale.ROOT, "%,.0f", ms);
    }

    public static String count(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    public static String decimal(double value, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", value);
    }

    /** A ratio such as 1.27×. */
    public static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f×", value);
    }

    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
    }
}
