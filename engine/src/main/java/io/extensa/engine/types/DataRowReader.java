package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.RowHandler;
import io.extensa.protocol.batch.BatchBuilder;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Reads the DataRows of a query executed with binary results (a portal) into batches: a DataRow
 * body has the layout of a binary COPY tuple, so the same decoders apply.
 */
public final class DataRowReader implements RowHandler {

    private final TupleDecoder tuples;

    public DataRowReader(List<InputColumnPlan> columns, BatchBuilder batch, BatchSink sink) {
        this.tuples = new TupleDecoder(columns, batch, sink);
    }

    @Override
    public void row(ByteBuffer dataRowBody) throws PgException {
        ByteBuffer in = dataRowBody.order() == ByteOrder.BIG_ENDIAN ? dataRowBody
                : dataRowBody.duplicate().order(ByteOrder.BIG_ENDIAN);
        int pos = in.position();
        tuples.checkFieldCount(in.getShort(pos));
        long length = tuples.measure(in, pos, in.limit());
        if (length != in.remaining()) {
            throw new PgException(io.extensa.pgwire.SqlState.PROTOCOL_VIOLATION, "malformed DataRow");
        }
        tuples.decode(in, pos);
    }

    /** Sends the last, partial batch; returns the number of rows read. */
    public long finish() throws PgException {
        tuples.flush();
        return tuples.rows();
    }

    public long rowCount() {
        return tuples.rows();
    }
}
