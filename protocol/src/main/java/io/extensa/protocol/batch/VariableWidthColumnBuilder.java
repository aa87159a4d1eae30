package io.extensa.protocol.batch;

import java.nio.ByteBuffer;

/**
 * Builds a column of DECIMAL, TEXT, BYTES or JSON: int32 offsets (one more than rows) into the
 * concatenated value bytes. A NULL row is an empty slot.
 */
public final class VariableWidthColumnBuilder extends ColumnBuilder {

    private final GrowableBuffer offsets = new GrowableBuffer(4 * 257);
    private final GrowableBuffer data = new GrowableBuffer(4096);

    VariableWidthColumnBuilder(ColumnType type) {
        super(type);
        offsets.putInt(0);
    }

    @Override
    public void appendBytes(byte[] value, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, value.length);
        data.putBytes(value, offset, length);
        endValue();
    }

    @Override
    public void appendBytes(ByteBuffer value) {
        data.putBytes(value);
        endValue();
    }

    @Override
    public void appendUtf8(CharSequence value) {
        int length = Utf8.encodedLength(value);
        byte[] target = data.reserve(length);
        Utf8.encode(value, target, data.size());
        data.advance(length);
        endValue();
    }

    @Override
    protected void appendNullSlot() {
        offsets.putInt(data.size());
    }

    @Override
    public long byteSize() {
        return (long) offsets.size() + data.size() + validityBytes();
    }

    @Override
    public void reset() {
        super.reset();
        data.clear();
        offsets.clear();
        offsets.putInt(0);
    }

    @Override
    public ColumnVector build() {
        return ColumnVector.of(type, rowCount, nullCount, validityView(), offsets.view(), data.view(), null, null, null);
    }

    private void endValue() {
        offsets.putInt(data.size());
        present();
    }
}
