package io.extensa.protocol.batch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Appends the values of one column, row by row, into growable little-endian buffers. A builder
 * is made for one {@link ColumnType}; an append method that does not fit the type throws
 * {@link IllegalStateException}. {@link #build()} returns a {@link ColumnVector} that shares the
 * builder's buffers, so encode and write it before appending again or calling {@link #reset()}.
 *
 * <p>Which append fits which type:
 * <pre>
 *  appendBoolean   BOOL
 *  appendShort     INT16
 *  appendInt       INT32, DATE (days)
 *  appendLong      INT64, TIMESTAMP, TIMESTAMPTZ, TIME (microseconds)
 *  appendFloat     FLOAT32
 *  appendDouble    FLOAT64
 *  appendInterval  INTERVAL
 *  appendUuid      UUID (also appendBytes with exactly 16 bytes)
 *  appendBytes     DECIMAL, TEXT, BYTES, JSON (text types expect UTF-8)
 *  appendUtf8      DECIMAL, TEXT, BYTES, JSON
 *  ARRAY           see {@link ArrayColumnBuilder}
 * </pre>
 */
public abstract sealed class ColumnBuilder permits FixedWidthColumnBuilder, VariableWidthColumnBuilder, ArrayColumnBuilder {

    protected final ColumnType type;
    protected int rowCount;
    protected int nullCount;
    /** One byte per row once the first NULL arrived; before that every row is present. */
    private byte[] validity;

    ColumnBuilder(ColumnType type) {
        this.type = type;
    }

    /** A builder for a scalar type; use {@link #forArray(ColumnType)} for ARRAY. */
    public static ColumnBuilder create(ColumnType type) {
        if (type == ColumnType.ARRAY) {
            throw new IllegalArgumentException("an ARRAY builder needs an element type: use forArray");
        }
        return type.isFixedWidth() ? new FixedWidthColumnBuilder(type) : new VariableWidthColumnBuilder(type);
    }

    /** A builder for {@code type}, with {@code elementType} used only when type is ARRAY. */
    public static ColumnBuilder create(ColumnType type, ColumnType elementType) {
        return type == ColumnType.ARRAY ? forArray(elementType) : create(type);
    }

    public static ArrayColumnBuilder forArray(ColumnType elementType) {
        return new ArrayColumnBuilder(elementType);
    }

    public final ColumnType type() {
        return type;
    }

    public final int rowCount() {
        return rowCount;
    }

    public final int nullCount() {
        return nullCount;
    }

    /** Bytes the encoded column will take, give or take the field headers. */
    public abstract long byteSize();

    public final void appendNull() {
        ensureValidityCapacity();
        if (nullCount == 0) {
            // the first NULL: every earlier row was present
            Arrays.fill(validity, 0, rowCount, (byte) 1);
        }
        validity[rowCount] = 0;
        appendNullSlot();
        nullCount++;
        rowCount++;
    }

    public void appendBoolean(boolean value) {
        throw wrongType("appendBoolean");
    }

    public void appendShort(short value) {
        throw wrongType("appendShort");
    }

    public void appendInt(int value) {
        throw wrongType("appendInt");
    }

    public void appendLong(long value) {
        throw wrongType("appendLong");
    }

    public void appendFloat(float value) {
        throw wrongType("appendFloat");
    }

    public void appendDouble(double value) {
        throw wrongType("appendDouble");
    }

    public void appendInterval(long micros, int days, int months) {
        throw wrongType("appendInterval");
    }

    /** A UUID as its two halves, as {@link java.util.UUID} holds them. */
    public void appendUuid(long mostSignificant, long leastSignificant) {
        throw wrongType("appendUuid");
    }

    public void appendBytes(byte[] value, int offset, int length) {
        throw wrongType("appendBytes");
    }

    public final void appendBytes(byte[] value) {
        appendBytes(value, 0, value.length);
    }

    /** Appends the buffer's remaining bytes without moving its position. */
    public void appendBytes(ByteBuffer value) {
        throw wrongType("appendBytes");
    }

    public void appendUtf8(CharSequence value) {
        throw wrongType("appendUtf8");
    }

    /** Empties the builder, keeping its buffers for the next batch. */
    public void reset() {
        rowCount = 0;
        nullCount = 0;
        if (validity != null && validity.length > 1 << 20) {
            validity = null;
        }
    }

    /** A read-only view of what was appended; shares the builder's buffers. */
    public abstract ColumnVector build();

    /** Called by subclasses after writing a present value. */
    protected final void present() {
        if (nullCount > 0) {
            ensureValidityCapacity();
            validity[rowCount] = 1;
        }
        rowCount++;
    }

    private void ensureValidityCapacity() {
        if (validity == null) {
            validity = new byte[Math.max(64, rowCount * 2)];
        } else if (rowCount >= validity.length) {
            validity = Arrays.copyOf(validity, growCapacity(Math.max(validity.length, rowCount)));
        }
    }

    protected abstract void appendNullSlot();

    protected final ByteBuffer validityView() {
        return nullCount == 0 ? null : ByteBuffer.wrap(validity, 0, rowCount).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    protected final long validityBytes() {
        return nullCount == 0 ? 0 : rowCount;
    }

    protected final IllegalStateException wrongType(String method) {
        return new IllegalStateException(method + " does not fit a " + type + " column");
    }

    private static int growCapacity(int current) {
        long doubled = (long) current * 2;
        if (doubled > GrowableBuffer.MAX_SIZE) {
            throw new IllegalStateException("too many rows in one column");
        }
        return (int) doubled;
    }
}
