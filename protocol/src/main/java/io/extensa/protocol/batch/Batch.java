package io.extensa.protocol.batch;

import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.Frame;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import io.extensa.protocol.wire.ProtocolException;

import java.util.ArrayList;
import java.util.List;

/**
 * A decoded INPUT_BATCH or OUTPUT_BATCH: a row count and columns in schema order, all views
 * over the received payload.
 * <pre>
 *  tag kind   field
 *  1   INT    row_count   always
 *  2   STRUCT column      repeated, one per column in schema order (see {@link ColumnVector})
 * </pre>
 */
public final class Batch {

    public static final int TAG_ROW_COUNT = 1;
    public static final int TAG_COLUMN = 2;

    private final int rowCount;
    private final List<ColumnVector> columns;

    public Batch(int rowCount, List<ColumnVector> columns) {
        for (ColumnVector column : columns) {
            if (column.rowCount() != rowCount) {
                throw new IllegalArgumentException("column of " + column.rowCount() + " rows in a batch of " + rowCount);
            }
        }
        this.rowCount = rowCount;
        this.columns = List.copyOf(columns);
    }

    public static Batch decode(Frame frame) throws ProtocolException {
        if (frame.type() != MessageType.INPUT_BATCH && frame.type() != MessageType.OUTPUT_BATCH
                && frame.type() != MessageType.QUERY_BATCH) {
            throw new ProtocolException("expected a batch, got " + frame.type());
        }
        return decode(frame.fields());
    }

    public static Batch decode(FieldCursor fields) throws ProtocolException {
        long rows = -1;
        List<FieldCursor> columnFields = new ArrayList<>();
        while (fields.next()) {
            switch (fields.tag()) {
                case TAG_ROW_COUNT -> {
                    if (rows >= 0) {
                        throw new ProtocolException(fields.context() + ": row_count repeated");
                    }
                    rows = fields.asInt();
                    if (rows < 0 || rows > Integer.MAX_VALUE - 1) {
                        throw new ProtocolException(fields.context() + ": row_count " + rows + " out of range");
                    }
                }
                case TAG_COLUMN -> columnFields.add(fields.asStruct());
                default -> fields.skipUnknown();
            }
        }
        if (rows < 0) {
            throw new ProtocolException(fields.context() + ": batch without row_count");
        }
        List<ColumnVector> columns = new ArrayList<>(columnFields.size());
        for (FieldCursor column : columnFields) {
            columns.add(ColumnVector.decode(column, (int) rows));
        }
        return new Batch((int) rows, columns);
    }

    public PayloadBuilder encode() {
        return encode(new PayloadBuilder());
    }

    public PayloadBuilder encode(PayloadBuilder out) {
        out.int64(TAG_ROW_COUNT, rowCount);
        for (ColumnVector column : columns) {
            out.beginStruct(TAG_COLUMN);
            column.encode(out);
            out.endStruct();
        }
        return out;
    }

    public int rowCount() {
        return rowCount;
    }

    public int columnCount() {
        return columns.size();
    }

    public ColumnVector column(int index) {
        return columns.get(index);
    }

    public List<ColumnVector> columns() {
        return columns;
    }

    /** Same rows and columns (compared as ColumnVector does). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Batch b && rowCount == b.rowCount && columns.equals(b.columns);
    }

    @Override
    public int hashCode() {
        return rowCount * 31 + columns.hashCode();
    }

    @Override
    public String toString() {
        return "Batch[rows=" + rowCount + ", columns=" + columns + "]";
    }
}
