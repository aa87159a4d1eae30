package io.extensa.protocol.batch;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An append-only little-endian byte array that doubles when full. Builders write values here
 * without boxing; {@link #view()} hands the bytes to a payload without copying them.
 */
final class GrowableBuffer {

    /** Arrays a little under 2 GiB are the most the JVM reliably allocates. */
    static final int MAX_SIZE = Integer.MAX_VALUE - 16;

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] array;
    private int size;

    GrowableBuffer(int initialCapacity) {
        array = new byte[Math.max(initialCapacity, 16)];
    }

    int size() {
        return size;
    }

    int capacity() {
        return array.length;
    }

    void clear() {
        size = 0;
    }

    void putByte(byte v) {
        ensure(1);
        array[size++] = v;
    }

    void putShort(short v) {
        ensure(2);
        SHORT.set(array, size, v);
        size += 2;
    }

    void putInt(int v) {
        ensure(4);
        INT.set(array, size, v);
        size += 4;
    }

    void putLong(long v) {
        ensure(8);
        LONG.set(array, size, v);
        size += 8;
    }

    void putBytes(byte[] src, int offset, int length) {
        ensure(length);
        System.arraycopy(src, offset, array, size, length);
        size += length;
    }

    void putBytes(ByteBuffer src) {
        int n = src.remaining();
        ensure(n);
        src.duplicate().get(array, size, n);
        size += n;
    }

    /** Appends {@code count} zero bytes (NULL slots of fixed-width columns). */
    void putZeros(int count) {
        ensure(count);
        Arrays.fill(array, size, size + count, (byte) 0);
        size += count;
    }

    int getInt(int index) {
        return (int) INT.get(array, index);
    }

    /** Gives direct access for encoders that write a value in place, e.g. UTF-8. */
    byte[] reserve(int bytes) {
        ensure(bytes);
        return array;
    }

    void advance(int bytes) {
        size += bytes;
    }

    /** The written bytes as a little-endian buffer sharing this array; valid until the next append or clear. */
    ByteBuffer view() {
        return ByteBuffer.wrap(array, 0, size).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private void ensure(int more) {
        if (more > array.length - size) {
            grow(more);
        }
    }

    private void grow(int more) {
        long needed = (long) size + more;
        if (needed > MAX_SIZE) {
            throw new IllegalStateException("column buffer would exceed " + MAX_SIZE + " bytes; cut the batch earlier");
        }
        long doubled = Math.max(needed, (long) array.length * 2);
        array = Arrays.copyOf(array, (int) Math.min(doubled, MAX_SIZE));
    }
}
