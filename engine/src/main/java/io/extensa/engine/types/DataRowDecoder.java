package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.BatchBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Decodes DataRow bodies of a portal fetched in binary format into columnar batches. A binary
 * DataRow body and a binary COPY tuple share their layout ({@code int16 count, (int32 length,
 * bytes)*}), so both go through the same tuple decoder.
 */
public final class DataRowDecoder {

    private final TupleDecoder tuples;

    /** Full batches go to {@code sink}; the builder is reset after it returns. */
    public DataRowDecoder(List<InputColumnPlan> columns, BatchBuilder batch, BatchSink sink) {
        this.tuples = new TupleDecoder(columns, batch, sink);
    }

    /** Appends one row. */
    public void decode(ByteBuffer body) throws PgException {
        ByteBuffer in = body.order() == ByteOrder.BIG_ENDIAN ? body : body.duplicate().order(ByteOrder.BIG_ENDIAN);
        int pos = in.position();
        tuples.checkFieldCount(in.getShort(pos));
        tuples.decode(in, pos);
    }

    /** Hands the rows collected so far to the sink, if any. */
    public void flush() throws PgException {
        tuples.flush();
    }

    public long rows() {
        return tuples.rows();
    }
}
