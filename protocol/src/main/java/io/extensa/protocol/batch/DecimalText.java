package io.extensa.protocol.batch;

import java.nio.ByteBuffer;

/**
 * The grammar of DECIMAL values: {@code [+-] digits [. digits] [(e|E) [+-] digits]} (digits
 * on at least one side of the point), or {@code NaN}, {@code Infinity}, {@code -Infinity}.
 */
final class DecimalText {

    private DecimalText() {
    }

    static boolean isValid(ByteBuffer b, int start, int end) {
        int i = start;
        if (i < end && (b.get(i) == '-' || b.get(i) == '+')) {
            i++;
        }
        if (matches(b, i, end, "Infinity")) {
            return true;
        }
        if (i == start && matches(b, i, end, "NaN")) {
            return true;
        }
        int digits = 0;
        while (i < end && isDigit(b.get(i))) {
            i++;
            digits++;
        }
        if (i < end && b.get(i) == '.') {
            i++;
            while (i < end && isDigit(b.get(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < end && (b.get(i) == 'e' || b.get(i) == 'E')) {
            i++;
            if (i < end && (b.get(i) == '-' || b.get(i) == '+')) {
                i++;
            }
            int exponentDigits = 0;
            while (i < end && isDigit(b.get(i))) {
                i++;
                exponentDigits++;
            }
            if (exponentDigits == 0) {
                return false;
            }
        }
        return i == end;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static boolean matches(ByteBuffer b, int i, int end, String word) {
        if (end - i != word.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if (b.get(i + k) != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
