package io.extensa.engine.types;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A mutable exact decimal with PostgreSQL numeric semantics: decimal digits, the position of
 * the decimal point, a display scale (digits shown after the point, trailing zeros included),
 * NaN and the infinities. Encoders keep one and reuse it, so no value allocates.
 */
final class DecimalValue {

    enum Kind { FINITE, NAN, POSITIVE_INFINITY, NEGATIVE_INFINITY }

    /** PostgreSQL's limits: 131072 digits before the point, 16383 after. */
    static final int MAX_INTEGER_DIGITS = 131072;
    static final int MAX_DISPLAY_SCALE = 0x3FFF;

    /** What {@link #parse} found. */
    enum ParseResult { OK, SYNTAX, OVERFLOW }

    private Kind kind = Kind.FINITE;
    private boolean negative;
    /** significant digits, digits[0] != 0 unless the value is zero (count 0) */
    private byte[] digits = new byte[40];
    private int count;
    /** digits before the decimal point: value = 0.d0d1d2... x 10^pointPosition */
    private int pointPosition;
    private int displayScale;
    private byte[] text = new byte[64];
    private final FloatText floatText = new FloatText();
    private final FieldBuffer floatBuffer = new FieldBuffer(32);

    Kind kind() {
        return kind;
    }

    boolean isFinite() {
        return kind == Kind.FINITE;
    }

    boolean isZero() {
        return kind == Kind.FINITE && count == 0;
    }

    boolean isNegative() {
        return negative;
    }

    int displayScale() {
        return displayScale;
    }

    /** Digits before the decimal point (may be 0 or negative for values below 1). */
    int integerDigits() {
        return count == 0 ? 0 : pointPosition;
    }

    void setSpecial(Kind special) {
        kind = special;
        negative = special == Kind.NEGATIVE_INFINITY;
        count = 0;
        pointPosition = 0;
        displayScale = 0;
    }

    void setLong(long value) {
        kind = Kind.FINITE;
        negative = value < 0;
        count = 0;
        displayScale = 0;
        if (value == 0) {
            pointPosition = 0;
            return;
        }
        // fill from the right, working in negatives so Long.MIN_VALUE fits
        long v = value < 0 ? value : -value;
        int n = 0;
        byte[] reversed = text;
        while (v != 0) {
            reversed[n++] = (byte) -(v % 10);
            v /= 10;
        }
        ensureDigits(n);
        for (int i = 0; i < n; i++) {
            digits[i] = reversed[n - 1 - i];
        }
        count = n;
        pointPosition = n;
        stripTrailingZeros();
    }

    /** A float8 through its shortest decimal text (never its binary expansion). */
    void setDouble(double value) {
        if (Double.isNaN(value)) {
            setSpecial(Kind.NAN);
            return;
        }
        if (Double.isInfinite(value)) {
            setSpecial(value > 0 ? Kind.POSITIVE_INFINITY : Kind.NEGATIVE_INFINITY);
            return;
        }
        floatBuffer.clear();
        floatText.writeDouble(floatBuffer, value, 1);
        parse(floatBuffer.array(), 0, floatBuffer.size());
    }

    /** A float4 through its shortest decimal text. */
    void setFloat(float value) {
        if (Float.isNaN(value) || Float.isInfinite(value)) {
            setDouble(value);
            return;
        }
        floatBuffer.clear();
        floatText.writeFloat(floatBuffer, value, 1);
        parse(floatBuffer.array(), 0, floatBuffer.size());
    }

    /** Parses {@code [from, to)} of a buffer (absolute indexes) with PostgreSQL's numeric input rules. */
    ParseResult parse(ByteBuffer source, int from, int to) {
        int length = to - from;
        if (text.length < length) {
            text = new byte[Math.max(length, text.length * 2)];
        }
        source.get(from, text, 0, length);
        return parse(text, 0, length);
    }

    /**
     * PostgreSQL's numeric_in: surrounding whitespace, NaN, [+-]Infinity and [+-]inf in any case,
     * [+-] digits [. digits] [e [+-] digits].
     */
    ParseResult parse(byte[] s, int from, int to) {
        while (from < to && isSpace(s[from])) {
            from++;
        }
        while (to > from && isSpace(s[to - 1])) {
            to--;
        }
        if (matchesIgnoreCase(s, from, to, "NaN")) {
            setSpecial(Kind.NAN);
            return ParseResult.OK;
        }
        int i = from;
        boolean minus = false;
        if (i < to && (s[i] == '+' || s[i] == '-')) {
            minus = s[i] == '-';
            i++;
        }
        if (matchesIgnoreCase(s, i, to, "Infinity") || matchesIgnoreCase(s, i, to, "inf")) {
            setSpecial(minus ? Kind.NEGATIVE_INFINITY : Kind.POSITIVE_INFINITY);
            return ParseResult.OK;
        }
        kind = Kind.FINITE;
        negative = minus;
        count = 0;
        int integerPart = 0;
        int fractionPart = 0;
        boolean seenPoint = false;
        boolean seenDigit = false;
        int leadingZeros = 0;
        ensureDigits(to - i);
        for (; i < to; i++) {
            byte c = s[i];
            if (c >= '0' && c <= '9') {
                seenDigit = true;
                if (seenPoint) {
                    fractionPart++;
                } else {
                    integerPart++;
                }
                if (c == '0' && count == 0) {
                    leadingZeros++;
                } else {
                    digits[count++] = (byte) (c - '0');
                }
            } else if (c == '.' && !seenPoint) {
                seenPoint = true;
            } else {
                break;
            }
        }
        if (!seenDigit) {
            return ParseResult.SYNTAX;
        }
        long exponent = 0;
        if (i < to && (s[i] == 'e' || s[i] == 'E')) {
            i++;
            boolean exponentMinus = false;
            if (i < to && (s[i] == '+' || s[i] == '-')) {
                exponentMinus = s[i] == '-';
                i++;
            }
            int start = i;
            while (i < to && s[i] >= '0' && s[i] <= '9') {
                if (exponent < 1_000_000_000L) {
                    exponent = exponent * 10 + (s[i] - '0');
                }
                i++;
            }
            if (i == start) {
                return ParseResult.SYNTAX;
            }
            if (exponent >= Integer.MAX_VALUE / 2) {
                return ParseResult.OVERFLOW;
            }
            if (exponentMinus) {
                exponent = -exponent;
            }
        }
        if (i != to) {
            return ParseResult.SYNTAX;
        }
        pointPosition = (int) (integerPart - leadingZeros + exponent);
        displayScale = (int) Math.max(0, fractionPart - exponent);
        stripTrailingZeros();
        if (count == 0) {
            negative = false;
            pointPosition = 0;
        }
        return withinLimits() ? ParseResult.OK : ParseResult.OVERFLOW;
    }

    /** Whether PostgreSQL's numeric storage can hold the value. */
    boolean withinLimits() {
        return kind != Kind.FINITE || (displayScale <= MAX_DISPLAY_SCALE && integerDigits() <= MAX_INTEGER_DIGITS);
    }

    /**
     * Rounds half away from zero to {@code scale} digits after the point (negative: to tens,
     * hundreds, ...) and sets the display scale, as PostgreSQL's round_var does.
     */
    void round(int scale) {
        if (kind != Kind.FINITE) {
            return;
        }
        displayScale = Math.max(scale, 0);
        int keep = pointPosition + scale;
        if (keep >= count) {
            return;
        }
        if (keep < 0) {
            setZeroKeepingScale();
            return;
        }
        boolean up = digits[keep] >= 5;
        count = keep;
        if (up) {
            int i = keep - 1;
            while (i >= 0 && digits[i] == 9) {
                digits[i] = 0;
                i--;
            }
            if (i >= 0) {
                digits[i]++;
            } else {
                // 999.5 -> 1000: a new leading digit
                digits[0] = 1;
                count = 1;
                pointPosition++;
            }
        }
        stripTrailingZeros();
        if (count == 0) {
            setZeroKeepingScale();
        }
    }

    private void setZeroKeepingScale() {
        count = 0;
        negative = false;
        pointPosition = 0;
    }

    boolean isIntegral() {
        return kind == Kind.FINITE && (count == 0 || count <= pointPosition);
    }

    /** Whether the value is an integer within the range of a long. */
    boolean fitsLong() {
        if (!isIntegral()) {
            return false;
        }
        if (count == 0) {
            return true;
        }
        if (pointPosition > 19) {
            return false;
        }
        long v = 0;
        for (int i = 0; i < pointPosition; i++) {
            int d = i < count ? digits[i] : 0;
            if (v < (Long.MIN_VALUE + d) / 10) {
                return false;
            }
            v = v * 10 - d;
        }
        return negative || v != Long.MIN_VALUE;
    }

    /** The integral value; call {@link #fitsLong()} first. */
    long toLong() {
        long v = 0;
        for (int i = 0; i < pointPosition; i++) {
            v = v * 10 - (i < count ? digits[i] : 0);
        }
        return negative ? v : -v;
    }

    double toDouble() {
        switch (kind) {
            case NAN:
                return Double.NaN;
            case POSITIVE_INFINITY:
                return Double.POSITIVE_INFINITY;
            case NEGATIVE_INFINITY:
                return Double.NEGATIVE_INFINITY;
            default:
                if (count == 0) {
                    return 0.0;
                }
                if (pointPosition > 400) {
                    return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                }
                if (pointPosition < -400) {
                    return negative ? -0.0 : 0.0;
                }
                StringBuilder sb = new StringBuilder(count + 12);
                if (negative) {
                    sb.append('-');
                }
                sb.append("0.");
                for (int i = 0; i < count; i++) {
                    sb.append((char) ('0' + digits[i]));
                }
                sb.append('E').append(pointPosition);
                return Double.parseDouble(sb.toString());
        }
    }

    /** numeric_out: plain notation with exactly the display scale's digits after the point. */
    void writeText(FieldBuffer out) {
        switch (kind) {
            case NAN -> out.putAscii("NaN");
            case POSITIVE_INFINITY -> out.putAscii("Infinity");
            case NEGATIVE_INFINITY -> out.putAscii("-Infinity");
            default -> {
                if (negative) {
                    out.putByte('-');
                }
                int integer = integerDigits();
                if (integer <= 0) {
                    out.putByte('0');
                } else {
                    out.ensure(integer);
                    for (int i = 0; i < integer; i++) {
                        out.putByte('0' + (i < count ? digits[i] : 0));
                    }
                }
                if (displayScale > 0) {
                    out.ensure(displayScale + 1);
                    out.putByte('.');
                    int position = count == 0 ? 0 : pointPosition;
                    for (int k = 0; k < displayScale; k++) {
                        int index = position + k;
                        out.putByte('0' + (index >= 0 && index < count ? digits[index] : 0));
                    }
                }
            }
        }
    }

    /**
     * numeric_send: int16 ndigits, int16 weight, int16 sign, int16 dscale, then ndigits base-10000
     * digits, most significant first, with no leading or trailing zero digit.
     */
    void writeBinary(FieldBuffer out) {
        switch (kind) {
            case NAN -> writeHeader(out, 0, 0, 0xC000, 0);
            case POSITIVE_INFINITY -> writeHeader(out, 0, 0, 0xD000, 0);
            case NEGATIVE_INFINITY -> writeHeader(out, 0, 0, 0xF000, 0);
            default -> {
                if (count == 0) {
                    writeHeader(out, 0, 0, 0, displayScale);
                    return;
                }
                int first = pointPosition - 1;          // exponent of digits[0]
                int last = pointPosition - count;       // exponent of the last digit
                int weight = Math.floorDiv(first, 4);
                int lastGroup = Math.floorDiv(last, 4);
                writeHeader(out, weight - lastGroup + 1, weight, negative ? 0x4000 : 0, displayScale);
                for (int group = weight; group >= lastGroup; group--) {
                    int value = 0;
                    for (int e = 4 * group + 3; e >= 4 * group; e--) {
                        int index = pointPosition - 1 - e;
                        value = value * 10 + (index >= 0 && index < count ? digits[index] : 0);
                    }
                    out.putShort(value);
                }
            }
        }
    }

    private static void writeHeader(FieldBuffer out, int ndigits, int weight, int sign, int dscale) {
        out.putShort(ndigits);
        out.putShort(weight);
        out.putShort(sign);
        out.putShort(dscale);
    }

    @Override
    public String toString() {
        FieldBuffer out = new FieldBuffer(count + 16);
        writeText(out);
        return out.toString();
    }

    private void stripTrailingZeros() {
        while (count > 0 && digits[count - 1] == 0) {
            count--;
        }
    }

    private void ensureDigits(int n) {
        if (digits.length < n) {
            digits = Arrays.copyOf(digits, Math.max(n, digits.length * 2));
        }
    }

    static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
    }

    static boolean matchesIgnoreCase(byte[] s, int from, int to, String word) {
        if (to - from != word.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            int c = s[from + i];
            if (Character.toLowerCase(c) != Character.toLowerCase(word.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
