package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.batch.ColumnBuilder;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Decodes rows laid out as a binary COPY tuple or a DataRow body (int16 field count, then per
 * field int32 length, -1 for NULL, and the bytes) into a batch, and hands full batches to a sink.
 */
final class TupleDecoder {

    private static final int LARGE_TUPLE = 64 * 1024;

    private final BinaryDecoder[] decoders;
    private final ColumnBuilder[] builders;
    private final String[] names;
    private final BatchBuilder batch;
    private final BatchSink sink;
    private long rows;

    TupleDecoder(List<InputColumnPlan> columns, BatchBuilder batch, BatchSink sink) {
        if (batch.columnCount() != columns.size()) {
            throw new IllegalArgumentException(columns.size() + " columns but a batch of " + batch.columnCount());
        }
        int n = columns.size();
        this.decoders = new BinaryDecoder[n];
        this.builders = new ColumnBuilder[n];
        this.names = new String[n];
        for (int i = 0; i < n; i++) {
            InputColumnPlan column = columns.get(i);
            decoders[i] = column.decoder();
            builders[i] = batch.column(i);
            names[i] = column.name();
            if (builders[i].type() != column.wireType()) {
                throw new IllegalArgumentException("batch column " + i + " is " + builders[i].type() + ", plan says "
                        + column.wireType());
            }
        }
        this.batch = batch;
        this.sink = sink;
    }

    int columnCount() {
        return decoders.length;
    }

    long rows() {
        return rows;
    }

    /**
     * The length in bytes of the complete tuple at {@code pos} (field count already checked), or
     * the negated minimum length it needs when {@code [pos, limit)} holds only part of it.
     */
    long measure(ByteBuffer b, int pos, int limit) throws PgException {
        int p = pos + 2;
        for (int i = 0; i < decoders.length; i++) {
            if (limit - p < 4) {
                return -((long) p - pos + 4);
            }
            int length = b.getInt(p);
            p += 4;
            if (length < 0) {
                if (length != -1) {
                    throw new PgException(SqlState.PROTOCOL_VIOLATION, "column \"" + names[i]
                            + "\": invalid field length " + length);
                }
                continue;
            }
            if (limit - p < length) {
                return -((long) p - pos + length);
            }
            p += length;
        }
        return p - pos;
    }

    /** Decodes the complete tuple at {@code pos}; returns the position after it. */
    int decode(ByteBuffer b, int pos) throws PgException {
        int p = pos + 2;
        for (int i = 0; i < decoders.length; i++) {
            int length = b.getInt(p);
            p += 4;
            if (length < 0) {
                builders[i].appendNull();
            } else {
                decoders[i].decode(b, p, length, builders[i]);
                p += length;
            }
        }
        batch.endRow();
        rows++;
        // Summing the columns' sizes for every row costs more than decoding a row of numbers: do it every
        // 128 rows, and after any large row so memory stays bounded; the row limit is checked exactly.
        if (batch.rowLimitReached() || ((rows & 127) == 0 || p - pos > LARGE_TUPLE) && batch.isFull()) {
            flush();
        }
        return p;
    }

    void checkFieldCount(int count) throws PgException {
        if (count != decoders.length) {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "row with " + count + " fields, expected "
                    + decoders.length);
        }
    }

    /** Sends the rows collected so far, if any. */
    void flush() throws PgException {
        if (batch.rowCount() > 0) {
            sink.accept(batch);
            batch.reset();
        }
    }
}
