package io.extensa.engine.types;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A reusable, growable byte array that value encoders append PostgreSQL field bytes to
 * (big-endian for binary formats, as PostgreSQL's send functions write them). Clear it between
 * fields to hand single values to a DataRow writer, or keep appending to build a COPY stream.
 */
public final class FieldBuffer {

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int MAX_SIZE = Integer.MAX_VALUE - 16;
    private static final byte[] DIGIT_PAIRS = digitPairs();

    private byte[] array;
    private int size;

    public FieldBuffer() {
        this(256);
    }

    public FieldBuffer(int initialCapacity) {
        array = new byte[Math.max(16, initialCapacity)];
    }

    /** The backing array; bytes {@code [0, size())} are the content. Valid until the next append. */
    public byte[] array() {
        return array;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public void clear() {
        size = 0;
    }

    /** Drops everything after {@code newSize}. */
    public void truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IndexOutOfBoundsException(newSize);
        }
        size = newSize;
    }

    /** A big-endian view of the content, sharing the array. */
    public ByteBuffer view() {
        return ByteBuffer.wrap(array, 0, size).slice();
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(array, size);
    }

    public byte byteAt(int index) {
        return array[index];
    }

    public void putByte(int value) {
        ensure(1);
        array[size++] = (byte) value;
    }

    public void putShort(int value) {
        ensure(2);
        SHORT.set(array, size, (short) value);
        size += 2;
    }

    public void putInt(int value) {
        ensure(4);
        INT.set(array, size, value);
        size += 4;
    }

    public void putLong(long value) {
        ensure(8);
        LONG.set(array, size, value);
        size += 8;
    }

    /** Overwrites four bytes written earlier, e.g. a length prefix reserved with {@link #putInt}. */
    public void setInt(int index, int value) {
        if (index < 0 || index > size - 4) {
            throw new IndexOutOfBoundsException(index);
        }
        INT.set(array, index, value);
    }

    public int getInt(int index) {
        return (int) INT.get(array, index);
    }

    public void putBytes(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, array, size, length);
        size += length;
    }

    public void putBytes(byte[] source) {
        putBytes(source, 0, source.length);
    }

    /** Copies {@code length} bytes at absolute {@code offset} of {@code source}; its position is untouched. */
    public void putBytes(ByteBuffer source, int offset, int length) {
        ensure(length);
        source.get(offset, array, size, length);
        size += length;
    }

    /** Appends another buffer's content. */
    public void putBytes(FieldBuffer source) {
        putBytes(source.array, 0, source.size);
    }

    /** Appends characters that are all ASCII (names, keywords, digits). */
    public void putAscii(String ascii) {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            array[size++] = (byte) ascii.charAt(i);
        }
    }

    public void putUtf8(CharSequence text) {
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        putBytes(bytes, 0, bytes.length);
    }

    /** Appends a signed decimal number without allocating. */
    public void putDecimal(long value) {
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                putAscii("-9223372036854775808");
                return;
            }
            putByte('-');
            value = -value;
        }
        putUnsigned(value, 1);
    }

    /** Appends a non-negative number, left-padded with zeros to at least {@code minWidth} digits. */
    public void putUnsigned(long value, int minWidth) {
        int digits = digitCount(value);
        int width = Math.max(digits, minWidth);
        ensure(width);
        int end = size + width;
        int pos = end;
        while (value >= 100) {
            int pair = (int) (value % 100) * 2;
            value /= 100;
            array[--pos] = DIGIT_PAIRS[pair + 1];
            array[--pos] = DIGIT_PAIRS[pair];
        }
        if (value >= 10) {
            int pair = (int) value * 2;
            array[--pos] = DIGIT_PAIRS[pair + 1];
            array[--pos] = DIGIT_PAIRS[pair];
        } else {
            array[--pos] = (byte) ('0' + value);
        }
        while (pos > size) {
            array[--pos] = '0';
        }
        size = end;
    }

    /** Makes room for {@code more} bytes; {@link #array()} may change. */
    public void ensure(int more) {
        if (more > array.length - size) {
            long needed = (long) size + more;
            if (needed > MAX_SIZE) {
                throw new IllegalStateException("field would exceed " + MAX_SIZE + " bytes");
            }
            array = Arrays.copyOf(array, (int) Math.min(MAX_SIZE, Math.max(needed, (long) array.length * 2)));
        }
    }

    /** Advances past bytes written straight into {@link #array()} after {@link #ensure}. */
    public void advance(int bytes) {
        if (bytes < 0 || bytes > array.length - size) {
            throw new IndexOutOfBoundsException(bytes);
        }
        size += bytes;
    }

    @Override
    public String toString() {
        return new String(array, 0, size, StandardCharsets.UTF_8);
    }

    static int digitCount(long nonNegative) {
        int n = 1;
        while (nonNegative >= 10) {
            nonNegative /= 10;
            n++;
        }
        return n;
    }

    private static byte[] digitPairs() {
        byte[] pairs = new byte[200];
        for (int i = 0; i < 100; i++) {
            pairs[2 * i] = (byte) ('0' + i / 10);
            pairs[2 * i + 1] = (byte) ('0' + i % 10);
        }
        return pairs;
    }
}
