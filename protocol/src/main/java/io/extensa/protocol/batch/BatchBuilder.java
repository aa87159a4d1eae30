package io.extensa.protocol.batch;

import io.extensa.protocol.wire.PayloadBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects rows for one batch. Append each row's values to the {@link #column(int)} builders,
 * then call {@link #endRow()}. When {@link #isFull()} says so, {@link #encode()} the batch,
 * write the frame, and {@link #reset()} to reuse the buffers for the next one.
 */
public final class BatchBuilder {

    /** Batches are cut at about this many bytes ... */
    public static final long DEFAULT_MAX_BYTES = 4L << 20;
    /** ... or this many rows, whichever comes first. */
    public static final int DEFAULT_MAX_ROWS = 65_536;

    private final List<ColumnBuilder> columns;
    private final long maxBytes;
    private final int maxRows;
    private int rowCount;

    public BatchBuilder(List<? extends ColumnBuilder> columns) {
        this(columns, DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS);
    }

    public BatchBuilder(List<? extends ColumnBuilder> columns, long maxBytes, int maxRows) {
        this.columns = List.copyOf(columns);
        this.maxBytes = maxBytes;
        this.maxRows = maxRows;
    }

    /** A builder for scalar column types (use the list constructor with {@link ColumnBuilder#forArray} for arrays). */
    public static BatchBuilder of(ColumnType... types) {
        List<ColumnBuilder> builders = new ArrayList<>(types.length);
        for (ColumnType type : types) {
            builders.add(ColumnBuilder.create(type));
        }
        return new BatchBuilder(builders);
    }

    public ColumnBuilder column(int index) {
        return columns.get(index);
    }

    public ArrayColumnBuilder arrayColumn(int index) {
        return (ArrayColumnBuilder) columns.get(index);
    }

    public int columnCount() {
        return columns.size();
    }

    /** Marks the end of a row; every column must have received exactly one value for it. */
    public void endRow() {
        rowCount++;
    }

    public int rowCount() {
        return rowCount;
    }

    /** Approximate encoded size in bytes. */
    public long byteSize() {
        long size = 16;
        for (ColumnBuilder column : columns) {
            size += 64 + column.byteSize();
        }
        return size;
    }

    /** Whether the batch reached the byte or row limit and should be sent. */
    /** Whether the row limit is reached: cheaper than {@link #isFull()}, which also sums the columns' sizes. */
    public boolean rowLimitReached() {
        return rowCount >= maxRows;
    }

    public boolean isFull() {
        return rowCount >= maxRows || byteSize() >= maxBytes;
    }

    /** A view over the buffers; valid until the next append or {@link #reset()}. */
    public Batch build() {
        List<ColumnVector> vectors = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            ColumnBuilder column = columns.get(i);
            if (column.rowCount() != rowCount) {
                throw new IllegalStateException("column " + i + " has " + column.rowCount() + " values for "
                        + rowCount + " rows");
            }
            vectors.add(column.build());
        }
        return new Batch(rowCount, vectors);
    }

    /** The batch payload, referencing the builders' buffers: write it before appending again. */
    public PayloadBuilder encode() {
        return build().encode(new PayloadBuilder());
    }

    public void reset() {
        rowCount = 0;
        for (ColumnBuilder column : columns) {
            column.reset();
        }
    }
}
