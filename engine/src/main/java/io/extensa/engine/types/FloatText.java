package io.extensa.engine.types;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * PostgreSQL's float4/float8 text output. With extra_float_digits above 0 (the default since
 * PostgreSQL 12) that is the shortest decimal that reads back to the same value, in fixed
 * notation for decimal exponents -4 up to 14 (float8) or 5 (float4) and {@code 1e+16} style
 * otherwise. The shortest digits come from Java's own algorithm, which agrees with PostgreSQL's
 * Ryu except in two rare cases that are detected and redone exactly: Java accepts a decimal lying
 * exactly halfway to the neighbouring value (Ryu as built into PostgreSQL never does: 1e23 prints
 * as 9.999999999999999e+22), and for subnormals Java may prefer two digits to one.
 *
 * <p>One instance per encoder: it keeps its scratch buffers.
 */
final class FloatText {

    private final StringBuilder javaText = new StringBuilder(32);
    private final char[] chars = new char[32];
    private final byte[] digits = new byte[32];
    /** the text being laid out, copied to the output in one go */
    private final byte[] text = new byte[40];
    private int digitCount;
    /** decimal exponent of the first digit */
    private int exponent;

    /** Writes a float8 as PostgreSQL prints it. */
    void writeDouble(FieldBuffer out, double value, int extraFloatDigits) {
        if (special(out, value)) {
            return;
        }
        if (extraFloatDigits <= 0) {
            writeRounded(out, new BigDecimal(value), 15 + extraFloatDigits, value < 0);
            return;
        }
        javaText.setLength(0);
        javaText.append(value);
        readJavaDigits();
        if (digitCount > 0) {
            long bits = Double.doubleToRawLongBits(value);
            int exponentBits = (int) (bits >>> 52) & 0x7FF;
            long mantissa = bits & ((1L << 52) - 1);
            boolean subnormal = exponentBits == 0;
            long m = subnormal ? mantissa : mantissa | (1L << 52);
            int e = subnormal ? -1074 : exponentBits - 1075;
            if (subnormal || onBoundary(m, e, mantissa == 0 && exponentBits > 1)) {
                exactShortest(Math.abs(value), false);
            }
        }
        write(out, value < 0 || (value == 0 && 1 / value < 0), 15);
    }

    /** Writes a float4 as PostgreSQL prints it. */
    void writeFloat(FieldBuffer out, float value, int extraFloatDigits) {
        if (special(out, value)) {
            return;
        }
        if (extraFloatDigits <= 0) {
            writeRounded(out, new BigDecimal(value), 6 + extraFloatDigits, value < 0);
            return;
        }
        javaText.setLength(0);
        javaText.append(value);
        readJavaDigits();
        if (digitCount > 0) {
            int bits = Float.floatToRawIntBits(value);
            int exponentBits = (bits >>> 23) & 0xFF;
            int mantissa = bits & ((1 << 23) - 1);
            boolean subnormal = exponentBits == 0;
            long m = subnormal ? mantissa : mantissa | (1 << 23);
            int e = subnormal ? -149 : exponentBits - 150;
            if (subnormal || onBoundary(m, e, mantissa == 0 && exponentBits > 1)) {
                exactShortest(Math.abs(value), true);
            }
        }
        write(out, value < 0 || (value == 0 && 1 / value < 0), 6);
    }

    /** The shortest text of a double, for messages. */
    String toText(double value) {
        FieldBuffer out = new FieldBuffer(32);
        writeDouble(out, value, 1);
        return out.toString();
    }

    private static boolean special(FieldBuffer out, double value) {
        if (Double.isNaN(value)) {
            out.putAscii("NaN");
            return true;
        }
        if (value == Double.POSITIVE_INFINITY) {
            out.putAscii("Infinity");
            return true;
        }
        if (value == Double.NEGATIVE_INFINITY) {
            out.putAscii("-Infinity");
            return true;
        }
        return false;
    }

    /** Reads Java's "123.45", "0.001", "1.0E-5" or "1.2345E16" into digits and exponent. */
    private void readJavaDigits() {
        int length = javaText.length();
        javaText.getChars(0, length, chars, 0);
        digitCount = 0;
        int pointExponent = -1;
        int javaExponent = 0;
        int leadingZeros = 0;
        boolean seenNonZero = false;
        for (int i = 0; i < length; i++) {
            char c = chars[i];
            if (c == '-') {
                continue;
            }
            if (c == '.') {
                pointExponent = digitCount + leadingZeros - 1;
                continue;
            }
            if (c == 'E') {
                javaExponent = parseInt(i + 1, length);
                break;
            }
            if (c == '0' && !seenNonZero) {
                leadingZeros++;
                continue;
            }
            seenNonZero = true;
            digits[digitCount++] = (byte) (c - '0');
        }
        while (digitCount > 0 && digits[digitCount - 1] == 0) {
            digitCount--;
        }
        if (digitCount == 0) {
            exponent = 0;
            return;
        }
        // pointExponent is the exponent of the digit before the point, counted with leading zeros
        exponent = pointExponent - leadingZeros + javaExponent;
    }

    private int parseInt(int from, int to) {
        boolean negative = false;
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = chars[i];
            if (c == '-') {
                negative = true;
            } else {
                value = value * 10 + (c - '0');
            }
        }
        return negative ? -value : value;
    }

    /**
     * Whether the decimal read from Java equals one of the two midpoints between the value
     * {@code m * 2^e} and its neighbours: {@code (2m+1) * 2^(e-1)} above, and below
     * {@code (2m-1) * 2^(e-1)}, or {@code (4m-1) * 2^(e-2)} when m is a power of two whose lower
     * neighbour is twice as close.
     */
    private boolean onBoundary(long m, int e, boolean narrowBelow) {
        int q = exponent - digitCount + 1;
        // cheap necessary conditions first: below 1 ulp's decimal point the last digit must be 5
        // (d has no trailing zeros and must be a multiple of 5^-q); above it, 2^f must carry q twos
        if (q < 0 ? digits[digitCount - 1] != 5 : e - 1 < q && e - 2 < q) {
            return false;
        }
        long d = 0;
        for (int i = 0; i < digitCount; i++) {
            d = d * 10 + digits[i];
        }
        // d * 10^q = odd * 2^f  <=>  t = d * 5^q (exactly), f = q + v2(t), odd = t >> v2(t)
        long t = d;
        if (q >= 0) {
            for (int i = 0; i < q; i++) {
                if (t > Long.MAX_VALUE / 5) {
                    return false;
                }
                t *= 5;
            }
        } else {
            for (int i = 0; i < -q; i++) {
                if (t % 5 != 0) {
                    return false;
                }
                t /= 5;
            }
        }
        int twos = Long.numberOfTrailingZeros(t);
        long odd = t >>> twos;
        int f = q + twos;
        if (f == e - 1 && odd == 2 * m + 1) {
            return true;
        }
        return narrowBelow ? f == e - 2 && odd == 4 * m - 1 : f == e - 1 && odd == 2 * m - 1;
    }

    /**
     * The shortest decimal strictly between the midpoints to the neighbouring values, the one
     * closest to the value among those of that length (Ryu's answer, computed the slow way).
     */
    private void exactShortest(double positive, boolean single) {
        BigDecimal exact = new BigDecimal(positive);
        double up = single ? Math.nextUp((float) positive) : Math.nextUp(positive);
        double down = single ? Math.nextDown((float) positive) : Math.nextDown(positive);
        BigDecimal half = BigDecimal.valueOf(5, 1);
        BigDecimal low = exact.add(new BigDecimal(down)).multiply(half);
        BigDecimal high = Double.isInfinite(up) || single && Float.isInfinite((float) up)
                ? exact.add(exact.subtract(new BigDecimal(down)).multiply(half))
                : exact.add(new BigDecimal(up)).multiply(half);
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal floor = exact.round(new MathContext(precision, RoundingMode.FLOOR));
            BigDecimal ceiling = exact.round(new MathContext(precision, RoundingMode.CEILING));
            boolean floorInside = floor.compareTo(low) > 0 && floor.compareTo(high) < 0;
            boolean ceilingInside = ceiling.compareTo(low) > 0 && ceiling.compareTo(high) < 0;
            if (floorInside && ceilingInside) {
                int closer = exact.subtract(floor).compareTo(ceiling.subtract(exact));
                setDigits(closer < 0 || closer == 0 && floor.unscaledValue().testBit(0) == false ? floor : ceiling);
                return;
            }
            if (floorInside || ceilingInside) {
                setDigits(floorInside ? floor : ceiling);
                return;
            }
        }
    }

    private void setDigits(BigDecimal positive) {
        BigDecimal stripped = positive.stripTrailingZeros();
        String unscaled = stripped.unscaledValue().toString();
        digitCount = unscaled.length();
        for (int i = 0; i < digitCount; i++) {
            digits[i] = (byte) (unscaled.charAt(i) - '0');
        }
        exponent = digitCount - 1 - stripped.scale();
    }

    /** PostgreSQL's printf-like layout of the shortest digits; fixed below 10^fixedLimit. */
    private void write(FieldBuffer out, boolean negative, int fixedLimit) {
        byte[] t = text;
        int n = 0;
        if (negative) {
            t[n++] = '-';
        }
        if (digitCount == 0) {
            t[n++] = '0';
        } else if (exponent >= -4 && exponent < fixedLimit) {
            if (exponent >= 0) {
                for (int i = 0; i <= exponent; i++) {
                    t[n++] = (byte) ('0' + (i < digitCount ? digits[i] : 0));
                }
                if (digitCount > exponent + 1) {
                    t[n++] = '.';
                    for (int i = exponent + 1; i < digitCount; i++) {
                        t[n++] = (byte) ('0' + digits[i]);
                    }
                }
            } else {
                t[n++] = '0';
                t[n++] = '.';
                for (int i = -1; i > exponent; i--) {
                    t[n++] = '0';
                }
                for (int i = 0; i < digitCount; i++) {
                    t[n++] = (byte) ('0' + digits[i]);
                }
            }
        } else {
            t[n++] = (byte) ('0' + digits[0]);
            if (digitCount > 1) {
                t[n++] = '.';
                for (int i = 1; i < digitCount; i++) {
                    t[n++] = (byte) ('0' + digits[i]);
                }
            }
            t[n++] = 'e';
            t[n++] = (byte) (exponent < 0 ? '-' : '+');
            int e = Math.abs(exponent);
            if (e >= 100) {
                t[n++] = (byte) ('0' + e / 100);
            }
            t[n++] = (byte) ('0' + e / 10 % 10);
            t[n++] = (byte) ('0' + e % 10);
        }
        out.putBytes(t, 0, n);
    }

    private static void writeExponent(FieldBuffer out, int exponent) {
        out.putByte('e');
        out.putByte(exponent < 0 ? '-' : '+');
        out.putUnsigned(Math.abs(exponent), 2);
    }

    /** {@code %.{precision}g}, PostgreSQL's output when extra_float_digits is 0 or below. */
    private static void writeRounded(FieldBuffer out, BigDecimal exact, int precision, boolean negative) {
        precision = Math.max(1, precision);
        if (exact.signum() == 0) {
            out.putAscii(negative ? "-0" : "0");
            return;
        }
        BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN)).stripTrailingZeros();
        String unscaled = rounded.unscaledValue().abs().toString();
        int exponent = unscaled.length() - 1 - rounded.scale();
        if (rounded.signum() < 0) {
            out.putByte('-');
        }
        if (exponent < -4 || exponent >= precision) {
            out.putByte(unscaled.charAt(0));
            if (unscaled.length() > 1) {
                out.putByte('.');
                out.putAscii(unscaled.substring(1));
            }
            writeExponent(out, exponent);
        } else {
            out.putAscii(rounded.abs().toPlainString());
        }
    }
}
