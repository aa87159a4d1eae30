package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.protocol.batch.Batch;

import java.util.List;

/**
 * Writes the rows of output batches as DataRows, each column in the format the client asked
 * for. For plans without server casts only; a column that {@link OutputColumnPlan#needsServerCast()}
 * must go through PostgreSQL instead.
 */
public final class DataRowEncoder {

    private final ValueEncoder[] encoders;
    private final DataRowWriter writer;
    private final FieldBuffer field = new FieldBuffer();
    private long rowsWritten;

    public DataRowEncoder(List<OutputColumnPlan> plans, DataRowWriter writer) {
        this.writer = writer;
        this.encoders = new ValueEncoder[plans.size()];
        for (int i = 0; i < encoders.length; i++) {
            OutputColumnPlan plan = plans.get(i);
            if (plan.needsServerCast()) {
                throw new IllegalArgumentException("column \"" + plan.columnName() + "\" needs a server cast");
            }
            encoders[i] = plan.encoder(writer.format(i));
        }
    }

    /** Writes every row of the batch; row numbers in errors continue from earlier batches. */
    public void write(Batch batch) throws PgException {
        if (batch.columnCount() != encoders.length) {
            throw new IllegalArgumentException(batch.columnCount() + " columns, expected " + encoders.length);
        }
        for (int row = 0; row < batch.rowCount(); row++) {
            long rowNumber = rowsWritten + 1;
            writer.beginRow(encoders.length);
            for (int c = 0; c < encoders.length; c++) {
                var column = batch.column(c);
                if (ValueEncoder.isNull(encoders[c], column, row)) {
                    writer.nullField();
                    continue;
                }
                field.clear();
                encoders[c].encode(column, row, rowNumber, field);
                writer.field(field.array(), 0, field.size());
            }
            writer.endRow();
            rowsWritten++;
        }
    }

    public long rowsWritten() {
        return rowsWritten;
    }
}
