package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * PostgreSQL's input rules for the types a script may hand over as text: integers, floats,
 * booleans, uuid and bytea. Values are UTF-8 bytes at absolute indexes of a buffer. Errors use
 * PostgreSQL's wording, prefixed with the column and row.
 */
final class TextParsers {

    private TextParsers() {
    }

    static String text(ByteBuffer b, int from, int to) {
        byte[] bytes = new byte[to - from];
        b.get(from, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static PgException syntax(String column, long rowNumber, String typeName, ByteBuffer b, int from, int to) {
        return TypeErrors.value(SqlState.INVALID_TEXT_REPRESENTATION, column, rowNumber,
                "invalid input syntax for type " + typeName + ": " + TypeErrors.show(text(b, from, to)));
    }

    static boolean isSpace(byte c) {
        return DecimalValue.isSpace(c);
    }

    /** pg_strtoint: whitespace, [+-], digits, whitespace; range-checked against [min, max]. */
    static long parseInteger(ByteBuffer b, int from, int to, long min, long max, String typeName, String column,
                             long rowNumber) throws PgException {
        int i = from;
        int end = to;
        while (i < end && isSpace(b.get(i))) {
            i++;
        }
        while (end > i && isSpace(b.get(end - 1))) {
            end--;
        }
        boolean negative = false;
        if (i < end && (b.get(i) == '+' || b.get(i) == '-')) {
            negative = b.get(i) == '-';
            i++;
        }
        if (i == end) {
            throw syntax(column, rowNumber, typeName, b, from, to);
        }
        long value = 0; // accumulated negatively so that Long.MIN_VALUE fits
        boolean overflow = false;
        for (; i < end; i++) {
            int d = b.get(i) - '0';
            if (d < 0 || d > 9) {
                throw syntax(column, rowNumber, typeName, b, from, to);
            }
            if (value < (Long.MIN_VALUE + d) / 10) {
                overflow = true;
            } else {
                value = value * 10 - d;
            }
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                overflow = true;
            }
            value = -value;
        }
        if (overflow || value < min || value > max) {
            throw TypeErrors.outOfRange(column, rowNumber, "value " + TypeErrors.show(text(b, from, to))
                    + " is out of range for type " + typeName);
        }
        return value;
    }

    /**
     * float8in/float4in: whitespace, NaN, [+-]Infinity, [+-]inf, or a decimal number; a nonzero
     * number that overflows or underflows to zero is out of range.
     */
    static double parseFloat(ByteBuffer b, int from, int to, boolean single, String column, long rowNumber)
            throws PgException {
        String typeName = single ? "real" : "double precision";
        int i = from;
        int end = to;
        while (i < end && isSpace(b.get(i))) {
            i++;
        }
        while (end > i && isSpace(b.get(end - 1))) {
            end--;
        }
        String s = text(b, i, end);
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        switch (lower) {
            case "nan", "+nan", "-nan":
                return Double.NaN;
            case "infinity", "+infinity", "inf", "+inf":
                return Double.POSITIVE_INFINITY;
            case "-infinity", "-inf":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        if (!isDecimalNumber(s)) {
            throw syntax(column, rowNumber, typeName, b, from, to);
        }
        double value = single ? Float.parseFloat(s) : Double.parseDouble(s);
        boolean nonzero = hasNonZeroMantissa(s);
        if (Double.isInfinite(value) || (value == 0 && nonzero)) {
            throw TypeErrors.outOfRange(column, rowNumber, TypeErrors.show(s) + " is out of range for type " + typeName);
        }
        return value;
    }

    /** [+-] (digits [. digits] | . digits) [(e|E) [+-] digits] */
    private static boolean isDecimalNumber(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponentDigits = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean hasNonZeroMantissa(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 'e' || c == 'E') {
                return false;
            }
            if (c >= '1' && c <= '9') {
                return true;
            }
        }
        return false;
    }

    /** boolin: t/true/y/yes/on/1 and f/false/n/no/off/0, any unique prefix, any case, trimmed. */
    static boolean parseBoolean(ByteBuffer b, int from, int to, String column, long rowNumber) throws PgException {
        int i = from;
        int end = to;
        while (i < end && isSpace(b.get(i))) {
            i++;
        }
        while (end > i && isSpace(b.get(end - 1))) {
            end--;
        }
        int length = end - i;
        if (length > 0) {
            switch (Character.toLowerCase(b.get(i))) {
                case 't':
                    if (prefixOf(b, i, length, "true")) {
                        return true;
                    }
                    break;
                case 'f':
                    if (prefixOf(b, i, length, "false")) {
                        return false;
                    }
                    break;
                case 'y':
                    if (prefixOf(b, i, length, "yes")) {
                        return true;
                    }
                    break;
                case 'n':
                    if (prefixOf(b, i, length, "no")) {
                        return false;
                    }
                    break;
                case 'o':
                    // a lone "o" could be on or off
                    if (length >= 2 && prefixOf(b, i, length, "on")) {
                        return true;
                    }
                    if (length >= 2 && prefixOf(b, i, length, "off")) {
                        return false;
                    }
                    break;
                case '1':
                    if (length == 1) {
                        return true;
                    }
                    break;
                case '0':
                    if (length == 1) {
                        return false;
                    }
                    break;
                default:
                    break;
            }
        }
        throw syntax(column, rowNumber, "boolean", b, from, to);
    }

    private static boolean prefixOf(ByteBuffer b, int i, int length, String word) {
        if (length > word.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            if (Character.toLowerCase(b.get(i + k)) != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * uuid_in: 32 hex digits, optionally in braces, with an optional hyphen after any group of
     * four digits; writes the 16 bytes' halves into {@code halves}.
     */
    static void parseUuid(ByteBuffer b, int from, int to, long[] halves, String column, long rowNumber)
            throws PgException {
        int i = from;
        int end = to;
        boolean braces = i < end && b.get(i) == '{';
        if (braces) {
            i++;
        }
        long high = 0;
        long low = 0;
        for (int k = 0; k < 16; k++) {
            if (end - i < 2) {
                throw syntax(column, rowNumber, "uuid", b, from, to);
            }
            int hi = Character.digit(b.get(i), 16);
            int lo = Character.digit(b.get(i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw syntax(column, rowNumber, "uuid", b, from, to);
            }
            i += 2;
            int value = (hi << 4) | lo;
            if (k < 8) {
                high = (high << 8) | value;
            } else {
                low = (low << 8) | value;
            }
            if (k % 2 == 1 && k < 15 && i < end && b.get(i) == '-') {
                i++;
            }
        }
        if (braces) {
            if (i < end && b.get(i) == '}') {
                i++;
            } else {
                throw syntax(column, rowNumber, "uuid", b, from, to);
            }
        }
        if (i != end) {
            throw syntax(column, rowNumber, "uuid", b, from, to);
        }
        halves[0] = high;
        halves[1] = low;
    }

    /**
     * byteain: {@code \x} then hex pairs (whitespace between pairs allowed), or the escape format
     * ({@code \\} a backslash, {@code \ooo} an octal byte, anything else itself).
     */
    static void parseBytea(ByteBuffer b, int from, int to, FieldBuffer out, String column, long rowNumber)
            throws PgException {
        if (to - from >= 2 && b.get(from) == '\\' && (b.get(from + 1) == 'x' || b.get(from + 1) == 'X')) {
            int i = from + 2;
            while (i < to) {
                byte c = b.get(i);
                if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
                    i++;
                    continue;
                }
                int hi = Character.digit(c, 16);
                if (hi < 0 || i + 1 >= to) {
                    throw TypeErrors.value(SqlState.INVALID_PARAMETER_VALUE, column, rowNumber,
                            hi < 0 ? "invalid hexadecimal digit: " + TypeErrors.show(String.valueOf((char) c))
                                    : "invalid hexadecimal data: odd number of digits");
                }
                int lo = Character.digit(b.get(i + 1), 16);
                if (lo < 0) {
                    throw TypeErrors.value(SqlState.INVALID_PARAMETER_VALUE, column, rowNumber,
                            "invalid hexadecimal digit: " + TypeErrors.show(String.valueOf((char) b.get(i + 1))));
                }
                out.putByte((hi << 4) | lo);
                i += 2;
            }
            return;
        }
        int i = from;
        while (i < to) {
            byte c = b.get(i);
            if (c != '\\') {
                out.putByte(c);
                i++;
            } else if (i + 1 < to && b.get(i + 1) == '\\') {
                out.putByte('\\');
                i += 2;
            } else if (i + 3 < to && isOctal(b.get(i + 1), '3') && isOctal(b.get(i + 2), '7')
                    && isOctal(b.get(i + 3), '7')) {
                out.putByte(((b.get(i + 1) - '0') << 6) | ((b.get(i + 2) - '0') << 3) | (b.get(i + 3) - '0'));
                i += 4;
            } else {
                throw syntax(column, rowNumber, "bytea", b, from, to);
            }
        }
    }

    private static boolean isOctal(byte c, char max) {
        return c >= '0' && c <= max;
    }
}
