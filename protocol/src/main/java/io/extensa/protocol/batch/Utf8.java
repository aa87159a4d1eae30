package io.extensa.protocol.batch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Strict UTF-8 validation and a UTF-8 encoder that writes straight into a column buffer. */
final class Utf8 {

    private Utf8() {
    }

    /**
     * Checks {@code [from, to)} of {@code buf} (absolute indexes) for well-formed UTF-8: no
     * overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence.
     *
     * @return -1 when valid, otherwise the index of the first bad byte
     */
    static int firstInvalid(ByteBuffer buf, int from, int to) {
        ByteBuffer le = buf.order() == ByteOrder.LITTLE_ENDIAN ? buf : buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int i = from;
        while (i < to) {
            if (to - i >= 8 && (le.getLong(i) & 0x8080808080808080L) == 0) {
                i += 8;
                continue;
            }
            int b = le.get(i) & 0xFF;
            if (b < 0x80) {
                i++;
                continue;
            }
            int need;
            int min;
            if (b >= 0xC2 && b <= 0xDF) {
                need = 1;
                min = 0x80;
            } else if (b >= 0xE0 && b <= 0xEF) {
                need = 2;
                min = 0x800;
            } else if (b >= 0xF0 && b <= 0xF4) {
                need = 3;
                min = 0x10000;
            } else {
                return i;
            }
            if (to - i <= need) {
                return i;
            }
            int cp = b & (0x3F >> need);
            for (int k = 1; k <= need; k++) {
                int c = le.get(i + k) & 0xFF;
                if ((c & 0xC0) != 0x80) {
                    return i;
                }
                cp = (cp << 6) | (c & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return i;
            }
            i += need + 1;
        }
        return -1;
    }

    /** The number of bytes {@code s} takes in UTF-8; throws on an unpaired surrogate. */
    static int encodedLength(CharSequence s) {
        int n = s.length();
        long bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 2;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("unpaired surrogate U+" + Integer.toHexString(c) + " at index " + i);
            } else {
                bytes += 2;
            }
        }
        if (bytes > GrowableBuffer.MAX_SIZE) {
            throw new IllegalArgumentException("string too long for one value: " + bytes + " UTF-8 bytes");
        }
        return (int) bytes;
    }

    /** Writes {@code s} as UTF-8 at {@code out[pos]}; the caller reserved {@link #encodedLength} bytes. */
    static void encode(CharSequence s, byte[] out, int pos) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[pos++] = (byte) c;
            } else if (c < 0x800) {
                out[pos++] = (byte) (0xC0 | (c >> 6));
                out[pos++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c)) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[pos++] = (byte) (0xF0 | (cp >> 18));
                out[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[pos++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                out[pos++] = (byte) (0xE0 | (c >> 12));
                out[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[pos++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }
}
