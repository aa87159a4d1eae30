package io.extensa.protocol.batch;

import java.nio.ByteBuffer;

/** Builds a column of a fixed-width type: {@code width} bytes per row, zero for NULL. */
public final class FixedWidthColumnBuilder extends ColumnBuilder {

    private final GrowableBuffer data;
    private final int width;

    FixedWidthColumnBuilder(ColumnType type) {
        super(type);
        this.width = type.width();
        this.data = new GrowableBuffer(width * 256);
    }

    @Override
    public void appendBoolean(boolean value) {
        check(ColumnType.BOOL, "appendBoolean");
        data.putByte((byte) (value ? 1 : 0));
        present();
    }

    @Override
    public void appendShort(short value) {
        check(ColumnType.INT16, "appendShort");
        data.putShort(value);
        present();
    }

    @Override
    public void appendInt(int value) {
        if (type != ColumnType.INT32 && type != ColumnType.DATE) {
            throw wrongType("appendInt");
        }
        data.putInt(value);
        present();
    }

    @Override
    public void appendLong(long value) {
        switch (type) {
            case INT64, TIMESTAMP, TIMESTAMPTZ, TIME -> data.putLong(value);
            default -> throw wrongType("appendLong");
        }
        present();
    }

    @Override
    public void appendFloat(float value) {
        check(ColumnType.FLOAT32, "appendFloat");
        data.putInt(Float.floatToRawIntBits(value));
        present();
    }

    @Override
    public void appendDouble(double value) {
        check(ColumnType.FLOAT64, "appendDouble");
        data.putLong(Double.doubleToRawLongBits(value));
        present();
    }

    @Override
    public void appendInterval(long micros, int days, int months) {
        check(ColumnType.INTERVAL, "appendInterval");
        data.putLong(micros);
        data.putInt(days);
        data.putInt(months);
        present();
    }

    @Override
    public void appendUuid(long mostSignificant, long leastSignificant) {
        check(ColumnType.UUID, "appendUuid");
        // RFC 4122 byte order is big-endian; the buffer writes little-endian
        data.putLong(Long.reverseBytes(mostSignificant));
        data.putLong(Long.reverseBytes(leastSignificant));
        present();
    }

    /** Only for UUID: the 16 bytes in RFC 4122 order, as PostgreSQL's binary format sends them. */
    @Override
    public void appendBytes(byte[] value, int offset, int length) {
        checkRawUuid(length);
        data.putBytes(value, offset, length);
        present();
    }

    @Override
    public void appendBytes(ByteBuffer value) {
        checkRawUuid(value.remaining());
        data.putBytes(value);
        present();
    }

    @Override
    protected void appendNullSlot() {
        data.putZeros(width);
    }

    @Override
    public long byteSize() {
        return data.size() + validityBytes();
    }

    @Override
    public void reset() {
        super.reset();
        data.clear();
    }

    @Override
    public ColumnVector build() {
        return ColumnVector.of(type, rowCount, nullCount, validityView(), null, data.view(), null, null, null);
    }

    private void check(ColumnType expected, String method) {
        if (type != expected) {
            throw wrongType(method);
        }
    }

    private void checkRawUuid(int length) {
        if (type != ColumnType.UUID) {
            throw wrongType("appendBytes");
        }
        if (length != 16) {
            throw new IllegalArgumentException("a UUID has 16 bytes, not " + length);
        }
    }
}
