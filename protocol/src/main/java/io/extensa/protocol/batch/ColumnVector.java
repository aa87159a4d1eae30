package io.extensa.protocol.batch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One column of a batch, read-only, over buffers that belong to a received payload (decoded,
 * validated, never copied) or to a {@link ColumnBuilder}. Accessors take a row index and read
 * little-endian values in place; reading a NULL row of a fixed-width type gives zero.
 *
 * <p>The column's tagged fields (docs/protocol.md, "Columns"):
 * <pre>
 *  tag kind   field          present
 *  1   INT    type           always ({@link ColumnType} code)
 *  2   INT    null_count     always
 *  3   BYTES  validity       when null_count &gt; 0: one byte per row, 1 = value, 0 = NULL
 *  4   BYTES  offsets        variable-length types and ARRAY: int32 x (rows + 1)
 *  5   BYTES  data           every type but ARRAY: rows x width, or the concatenated values
 *  6   STRUCT child          ARRAY: the flattened elements, laid out like this column
 *  7   BYTES  shape_offsets  ARRAY with some row of 2+ dimensions: int32 x (rows + 1) into shapes
 *  8   BYTES  shapes         the dimensions of every row, int32 each
 * </pre>
 */
public final class ColumnVector {

    public static final int TAG_TYPE = 1;
    public static final int TAG_NULL_COUNT = 2;
    public static final int TAG_VALIDITY = 3;
    public static final int TAG_OFFSETS = 4;
    public static final int TAG_DATA = 5;
    public static final int TAG_CHILD = 6;
    public static final int TAG_SHAPE_OFFSETS = 7;
    public static final int TAG_SHAPES = 8;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);

    private final ColumnType type;
    private final int rowCount;
    private final int nullCount;
    private final ByteBuffer validity;
    private final ByteBuffer offsets;
    private final ByteBuffer data;
    private final ColumnVector child;
    private final ByteBuffer shapeOffsets;
    private final ByteBuffer shapes;

    private ColumnVector(ColumnType type, int rowCount, int nullCount, ByteBuffer validity, ByteBuffer offsets,
                         ByteBuffer data, ColumnVector child, ByteBuffer shapeOffsets, ByteBuffer shapes) {
        this.type = type;
        this.rowCount = rowCount;
        this.nullCount = nullCount;
        this.validity = validity;
        this.offsets = offsets;
        this.data = data;
        this.child = child;
        this.shapeOffsets = shapeOffsets;
        this.shapes = shapes;
    }

    /** Trusted construction from a builder's buffers; no validation. */
    static ColumnVector of(ColumnType type, int rowCount, int nullCount, ByteBuffer validity, ByteBuffer offsets,
                           ByteBuffer data, ColumnVector child, ByteBuffer shapeOffsets, ByteBuffer shapes) {
        return new ColumnVector(type, rowCount, nullCount, validity, offsets, data == null ? null : data, child,
                shapeOffsets, shapes);
    }

    /**
     * Decodes and validates a column's fields: afterwards every accessor stays in bounds and
     * every text value is well-formed UTF-8.
     */
    public static ColumnVector decode(FieldCursor fields, int rowCount) throws ProtocolException {
        return ColumnDecoder.decode(fields, rowCount, true);
    }

    static ColumnVector decoded(ColumnType type, int rowCount, int nullCount, ByteBuffer validity, ByteBuffer offsets,
                                ByteBuffer data, ColumnVector child, ByteBuffer shapeOffsets, ByteBuffer shapes) {
        return new ColumnVector(type, rowCount, nullCount, validity, offsets, data, child, shapeOffsets, shapes);
    }

    /** Writes this column's fields (not the enclosing struct) in canonical order. */
    public void encode(PayloadBuilder out) {
        out.int64(TAG_TYPE, type.code());
        out.int64(TAG_NULL_COUNT, nullCount);
        if (nullCount > 0) {
            out.bytes(TAG_VALIDITY, validity);
        }
        if (offsets != null) {
            out.bytes(TAG_OFFSETS, offsets);
        }
        if (type != ColumnType.ARRAY) {
            out.bytes(TAG_DATA, data == null ? EMPTY : data);
        } else {
            out.beginStruct(TAG_CHILD);
            child.encode(out);
            out.endStruct();
            if (shapes != null) {
                out.bytes(TAG_SHAPE_OFFSETS, shapeOffsets);
                out.bytes(TAG_SHAPES, shapes);
            }
        }
    }

    public ColumnType type() {
        return type;
    }

    public int rowCount() {
        return rowCount;
    }

    public int nullCount() {
        return nullCount;
    }

    public boolean isNull(int row) {
        return validity != null && validity.get(row) == 0;
    }

    public boolean getBoolean(int row) {
        return data.get(row) != 0;
    }

    public short getShort(int row) {
        return data.getShort(row << 1);
    }

    /** INT32, or DATE days. */
    public int getInt(int row) {
        return data.getInt(row << 2);
    }

    /** INT64, or TIMESTAMP/TIMESTAMPTZ/TIME microseconds. */
    public long getLong(int row) {
        return data.getLong(row << 3);
    }

    public float getFloat(int row) {
        return data.getFloat(row << 2);
    }

    public double getDouble(int row) {
        return data.getDouble(row << 3);
    }

    public long getIntervalMicros(int row) {
        return data.getLong(row << 4);
    }

    public int getIntervalDays(int row) {
        return data.getInt((row << 4) + 8);
    }

    public int getIntervalMonths(int row) {
        return data.getInt((row << 4) + 12);
    }

    public long getUuidMostSignificant(int row) {
        return Long.reverseBytes(data.getLong(row << 4));
    }

    public long getUuidLeastSignificant(int row) {
        return Long.reverseBytes(data.getLong((row << 4) + 8));
    }

    public java.util.UUID getUuid(int row) {
        return new java.util.UUID(getUuidMostSignificant(row), getUuidLeastSignificant(row));
    }

    /** Start of a variable-length value in {@link #data()}, or of an ARRAY row in {@link #child()}. */
    public int valueOffset(int row) {
        return offsets.getInt(row << 2);
    }

    /** Byte length of a variable-length value, or element count of an ARRAY row. */
    public int valueLength(int row) {
        return offsets.getInt((row + 1) << 2) - offsets.getInt(row << 2);
    }

    /** A slice over one variable-length value (no copy). */
    public ByteBuffer slice(int row) {
        return data.slice(valueOffset(row), valueLength(row));
    }

    public byte[] getBytes(int row) {
        byte[] out = new byte[valueLength(row)];
        data.get(valueOffset(row), out);
        return out;
    }

    /** A DECIMAL, TEXT or JSON value; decoding already validated the UTF-8. */
    public String getUtf8(int row) {
        return new String(getBytes(row), StandardCharsets.UTF_8);
    }

    /** The ARRAY elements, {@link #valueOffset}/{@link #valueLength} locate a row's share. */
    public ColumnVector child() {
        return child;
    }

    /** Whether some ARRAY row has two or more dimensions. */
    public boolean hasShapes() {
        return shapes != null;
    }

    /** The dimensions of an ARRAY row: empty for NULL and empty arrays, {n} for a plain list. */
    public int[] dimensions(int row) {
        if (shapes == null) {
            int n = valueLength(row);
            return n == 0 ? new int[0] : new int[] {n};
        }
        int start = shapeOffsets.getInt(row << 2);
        int end = shapeOffsets.getInt((row + 1) << 2);
        int[] dims = new int[end - start];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shapes.getInt((start + i) << 2);
        }
        return dims;
    }

    /** The fixed-width values or the concatenated variable-length values (read-only, little-endian). */
    public ByteBuffer data() {
        return data == null ? EMPTY : data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The validity bytes, or null when no row is NULL. */
    public ByteBuffer validity() {
        return validity == null ? null : validity.asReadOnlyBuffer();
    }

    /** The int32 offsets, or null for fixed-width types. */
    public ByteBuffer offsets() {
        return offsets == null ? null : offsets.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Same type and the same bytes in every buffer. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnVector v && type == v.type && rowCount == v.rowCount && nullCount == v.nullCount
                && java.util.Objects.equals(validity, v.validity) && java.util.Objects.equals(offsets, v.offsets)
                && data().equals(v.data()) && java.util.Objects.equals(child, v.child)
                && java.util.Objects.equals(shapeOffsets, v.shapeOffsets) && java.util.Objects.equals(shapes, v.shapes);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(type, rowCount, nullCount, data());
    }

    @Override
    public String toString() {
        return "ColumnVector[" + type + ", rows=" + rowCount + ", nulls=" + nullCount + "]";
    }
}
