package io.extensa.engine.types;

import io.extensa.protocol.batch.ArrayColumnBuilder;
import io.extensa.protocol.batch.ColumnBuilder;
import io.extensa.protocol.batch.ColumnType;
import io.extensa.protocol.batch.ColumnVector;
import io.extensa.protocol.message.ColumnSpec;

import java.util.List;

/** Builds wire columns as a satellite would send them, for output tests. */
final class WireColumns {

    private WireColumns() {
    }

    static ColumnSpec spec(ColumnType type) {
        return ColumnSpec.of("v", type, null);
    }

    static ColumnVector texts(ColumnType type, List<String> values) {
        ColumnBuilder builder = ColumnBuilder.create(type);
        for (String v : values) {
            if (v == null) {
                builder.appendNull();
            } else {
                builder.appendUtf8(v);
            }
        }
        return builder.build();
    }

    static ColumnVector longs(ColumnType type, long... values) {
        ColumnBuilder builder = ColumnBuilder.create(type);
        for (long v : values) {
            switch (type) {
                case BOOL -> builder.appendBoolean(v != 0);
                case INT16 -> builder.appendShort((short) v);
                case INT32, DATE -> builder.appendInt((int) v);
                default -> builder.appendLong(v);
            }
        }
        return builder.build();
    }

    static ColumnVector doubles(double... values) {
        ColumnBuilder builder = ColumnBuilder.create(ColumnType.FLOAT64);
        for (double v : values) {
            builder.appendDouble(v);
        }
        return builder.build();
    }

    static ColumnVector floats(float... values) {
        ColumnBuilder builder = ColumnBuilder.create(ColumnType.FLOAT32);
        for (float v : values) {
            builder.appendFloat(v);
        }
        return builder.build();
    }

    static ColumnVector bytes(byte[]... values) {
        ColumnBuilder builder = ColumnBuilder.create(ColumnType.BYTES);
        for (byte[] v : values) {
            if (v == null) {
                builder.appendNull();
            } else {
                builder.appendBytes(v);
            }
        }
        return builder.build();
    }

    /** One-dimensional arrays of longs; a null row is a NULL array, a null element a NULL element. */
    static ColumnVector longArrays(ColumnType element, Long[]... rows) {
        ArrayColumnBuilder builder = ColumnBuilder.forArray(element);
        for (Long[] row : rows) {
            if (row == null) {
                builder.appendNull();
                continue;
            }
            for (Long v : row) {
                if (v == null) {
                    builder.child().appendNull();
                } else if (element == ColumnType.INT32) {
                    builder.child().appendInt(v.intValue());
                } else {
                    builder.child().appendLong(v);
                }
            }
            builder.endArray();
        }
        return builder.build();
    }

    static ColumnVector textArrays(String[]... rows) {
        ArrayColumnBuilder builder = ColumnBuilder.forArray(ColumnType.TEXT);
        for (String[] row : rows) {
            if (row == null) {
                builder.appendNull();
                continue;
            }
            for (String v : row) {
                if (v == null) {
                    builder.child().appendNull();
                } else {
                    builder.child().appendUtf8(v);
                }
            }
            builder.endArray();
        }
        return builder.build();
    }
}
