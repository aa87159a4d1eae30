package io.extensa.protocol.batch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.ProtocolException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes a column's fields and checks every length, offset, flag and text value against the
 * row count, so that {@link ColumnVector}'s accessors never read out of bounds and the engine
 * never passes malformed text on.
 */
final class ColumnDecoder {

    private ColumnDecoder() {
    }

    static ColumnVector decode(FieldCursor fields, int rowCount, boolean arrayAllowed) throws ProtocolException {
        String where = fields.context();
        long typeCode = -1;
        long nullCount = 0;
        ByteBuffer validity = null;
        ByteBuffer offsets = null;
        ByteBuffer data = null;
        FieldCursor childFields = null;
        ByteBuffer shapeOffsets = null;
        ByteBuffer shapes = null;
        long seen = 0;
        while (fields.next()) {
            int tag = fields.tag();
            if (tag >= 1 && tag <= 8) {
                if ((seen & (1L << tag)) != 0) {
                    throw new ProtocolException(where + ": column field " + tag + " repeated");
                }
                seen |= 1L << tag;
            }
            switch (tag) {
                case ColumnVector.TAG_TYPE -> typeCode = fields.asInt();
                case ColumnVector.TAG_NULL_COUNT -> nullCount = fields.asInt();
                case ColumnVector.TAG_VALIDITY -> validity = fields.asBytes();
                case ColumnVector.TAG_OFFSETS -> offsets = fields.asBytes();
                case ColumnVector.TAG_DATA -> data = fields.asBytes();
                case ColumnVector.TAG_CHILD -> childFields = fields.asStruct();
                case ColumnVector.TAG_SHAPE_OFFSETS -> shapeOffsets = fields.asBytes();
                case ColumnVector.TAG_SHAPES -> shapes = fields.asBytes();
                default -> fields.skipUnknown();
            }
        }
        if ((seen & (1L << ColumnVector.TAG_TYPE)) == 0) {
            throw new ProtocolException(where + ": column without a type");
        }
        ColumnType type = ColumnType.fromCode(typeCode);
        if (type == null) {
            throw new ProtocolException(where + ": unknown column type " + typeCode);
        }
        String column = where + " (" + type + ")";
        if (nullCount < 0 || nullCount > rowCount) {
            throw new ProtocolException(column + ": null_count " + nullCount + " with " + rowCount + " rows");
        }
        checkValidity(column, rowCount, (int) nullCount, validity);
        if (nullCount == 0) {
            validity = null;
        }
        if (type.isFixedWidth()) {
            forbid(column, offsets, "offsets");
            forbid(column, childFields, "child");
            forbid(column, shapeOffsets, "shape_offsets");
            forbid(column, shapes, "shapes");
            ByteBuffer values = data == null ? ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN) : data;
            long expected = (long) rowCount * type.width();
            if (values.remaining() != expected) {
                throw new ProtocolException(column + ": data has " + values.remaining() + " bytes, " + rowCount
                        + " rows need " + expected);
            }
            if (type == ColumnType.BOOL) {
                checkBooleans(column, values, rowCount);
            }
            return ColumnVector.decoded(type, rowCount, (int) nullCount, validity, null, values, null, null, null);
        }
        if (type != ColumnType.ARRAY) {
            forbid(column, childFields, "child");
            forbid(column, shapeOffsets, "shape_offsets");
            forbid(column, shapes, "shapes");
            ByteBuffer values = data == null ? ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN) : data;
            checkOffsets(column, offsets, rowCount, values.remaining(), validity);
            if (type.isText()) {
                checkText(column, type, offsets, values, rowCount, validity);
            }
            return ColumnVector.decoded(type, rowCount, (int) nullCount, validity, offsets, values, null, null, null);
        }
        if (!arrayAllowed) {
            throw new ProtocolException(column + ": array elements cannot be arrays");
        }
        if (data != null && data.remaining() != 0) {
            throw new ProtocolException(column + ": an ARRAY column has no data field");
        }
        if (childFields == null) {
            throw new ProtocolException(column + ": ARRAY without a child column");
        }
        if (offsets == null) {
            throw new ProtocolException(column + ": missing offsets");
        }
        checkOffsetsShape(column, offsets, rowCount);
        int elements = offsets.getInt(rowCount << 2);
        checkOffsets(column, offsets, rowCount, elements, validity);
        ColumnVector child = decode(childFields, elements, false);
        if ((shapeOffsets == null) != (shapes == null)) {
            throw new ProtocolException(column + ": shape_offsets and shapes must come together");
        }
        if (shapes != null) {
            checkShapes(column, offsets, shapeOffsets, shapes, rowCount, validity);
        }
        return ColumnVector.decoded(type, rowCount, (int) nullCount, validity, offsets, null, child, shapeOffsets, shapes);
    }

    private static void forbid(String column, Object field, String name) throws ProtocolException {
        if (field != null) {
            throw new ProtocolException(column + ": field " + name + " does not belong to this type");
        }
    }

    private static void checkValidity(String column, int rowCount, int nullCount, ByteBuffer validity)
            throws ProtocolException {
        if (validity == null) {
            if (nullCount > 0) {
                throw new ProtocolException(column + ": " + nullCount + " NULLs but no validity");
            }
            return;
        }
        if (validity.remaining() != rowCount) {
            throw new ProtocolException(column + ": validity has " + validity.remaining() + " bytes for " + rowCount + " rows");
        }
        int zeros = 0;
        for (int i = 0; i < rowCount; i++) {
            byte b = validity.get(i);
            if (b == 0) {
                zeros++;
            } else if (b != 1) {
                throw new ProtocolException(column + ": validity byte " + b + " at row " + i);
            }
        }
        if (zeros != nullCount) {
            throw new ProtocolException(column + ": validity marks " + zeros + " NULLs, null_count says " + nullCount);
        }
    }

    private static void checkBooleans(String column, ByteBuffer values, int rowCount) throws ProtocolException {
        for (int i = 0; i < rowCount; i++) {
            byte b = values.get(i);
            if (b != 0 && b != 1) {
                throw new ProtocolException(column + ": BOOL value " + b + " at row " + i);
            }
        }
    }

    private static void checkOffsetsShape(String column, ByteBuffer offsets, int rowCount) throws ProtocolException {
        if (offsets.remaining() != 4L * (rowCount + 1)) {
            throw new ProtocolException(column + ": offsets have " + offsets.remaining() + " bytes, " + rowCount
                    + " rows need " + 4L * (rowCount + 1));
        }
    }

    /** Offsets start at 0, never decrease, end at {@code end}, and give NULL rows no bytes. */
    private static void checkOffsets(String column, ByteBuffer offsets, int rowCount, int end, ByteBuffer validity)
            throws ProtocolException {
        if (offsets == null) {
            throw new ProtocolException(column + ": missing offsets");
        }
        checkOffsetsShape(column, offsets, rowCount);
        int previous = offsets.getInt(0);
        if (previous != 0) {
            throw new ProtocolException(column + ": first offset is " + previous + ", not 0");
        }
        for (int row = 0; row < rowCount; row++) {
            int next = offsets.getInt((row + 1) << 2);
            if (next < previous) {
                throw new ProtocolException(column + ": offset of row " + (row + 1) + " goes backwards");
            }
            if (validity != null && validity.get(row) == 0 && next != previous) {
                throw new ProtocolException(column + ": NULL row " + row + " has a value");
            }
            previous = next;
        }
        if (previous != end) {
            throw new ProtocolException(column + ": offsets end at " + previous + " but there are " + end);
        }
    }

    private static void checkText(String column, ColumnType type, ByteBuffer offsets, ByteBuffer values, int rowCount,
                                  ByteBuffer validity) throws ProtocolException {
        for (int row = 0; row < rowCount; row++) {
            if (validity != null && validity.get(row) == 0) {
                continue;
            }
            int start = offsets.getInt(row << 2);
            int end = offsets.getInt((row + 1) << 2);
            int bad = Utf8.firstInvalid(values, start, end);
            if (bad >= 0) {
                throw new ProtocolException(column + ": row " + row + " is not valid UTF-8 (byte " + (bad - start) + ")");
            }
            if (type == ColumnType.DECIMAL && !DecimalText.isValid(values, start, end)) {
                throw new ProtocolException(column + ": row " + row + " is not a decimal number");
            }
        }
    }

    private static void checkShapes(String column, ByteBuffer offsets, ByteBuffer shapeOffsets, ByteBuffer shapes,
                                    int rowCount, ByteBuffer validity) throws ProtocolException {
        if ((shapes.remaining() & 3) != 0) {
            throw new ProtocolException(column + ": shapes length " + shapes.remaining() + " is not a multiple of 4");
        }
        int dimsTotal = shapes.remaining() >> 2;
        checkOffsets(column + " shape", shapeOffsets, rowCount, dimsTotal, validity);
        for (int row = 0; row < rowCount; row++) {
            int start = shapeOffsets.getInt(row << 2);
            int end = shapeOffsets.getInt((row + 1) << 2);
            long elements = (long) offsets.getInt((row + 1) << 2) - offsets.getInt(row << 2);
            long product = end == start ? 0 : 1;
            for (int i = start; i < end; i++) {
                int d = shapes.getInt(i << 2);
                if (d < 1) {
                    throw new ProtocolException(column + ": row " + row + " has dimension " + d);
                }
                product *= d;
                if (product > elements) {
                    break;
                }
            }
            if (product != elements) {
                throw new ProtocolException(column + ": row " + row + " shape does not match its " + elements + " elements");
            }
        }
    }
}
