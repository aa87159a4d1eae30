package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.Batch;

import java.util.List;

/**
 * Turns output batches into the data of {@code COPY table (columns) FROM STDIN} for
 * INSERT ... EXEC: binary format, or text format as soon as one column needs PostgreSQL to parse
 * its values ({@link OutputColumnPlan#needsServerCast()}). Use {@link #copyOptions()} in the
 * COPY statement, then send {@link #start}, each batch's {@link #write} output and {@link #finish}.
 * The plans must be made for {@link Destination#COPY}.
 */
public final class CopyRowEncoder {

    private final ValueEncoder[] encoders;
    private final boolean binary;
    private final FieldBuffer scratch = new FieldBuffer();
    private long rowsWritten;

    public CopyRowEncoder(List<OutputColumnPlan> plans) {
        boolean anyServerCast = false;
        for (OutputColumnPlan plan : plans) {
            if (plan.destination() != Destination.COPY) {
                throw new IllegalArgumentException("column \"" + plan.columnName() + "\" was planned for "
                        + plan.destination());
            }
            anyServerCast |= plan.needsServerCast();
        }
        this.binary = !anyServerCast;
        this.encoders = new ValueEncoder[plans.size()];
        for (int i = 0; i < encoders.length; i++) {
            encoders[i] = plans.get(i).encoder(binary ? 1 : 0);
        }
    }

    public boolean isBinary() {
        return binary;
    }

    /** The options for the COPY statement: {@code (FORMAT binary)} or {@code (FORMAT text)}. */
    public String copyOptions() {
        return binary ? "(FORMAT binary)" : "(FORMAT text)";
    }

    /** The stream's header (binary format only; nothing for text). */
    public void start(FieldBuffer out) {
        if (binary) {
            CopyRows.binaryHeader(out);
        }
    }

    /** Appends every row of the batch; row numbers in errors continue from earlier batches. */
    public void write(Batch batch, FieldBuffer out) throws PgException {
        if (batch.columnCount() != encoders.length) {
            throw new IllegalArgumentException(batch.columnCount() + " columns, expected " + encoders.length);
        }
        for (int row = 0; row < batch.rowCount(); row++) {
            long rowNumber = rowsWritten + 1;
            if (binary) {
                CopyRows.binaryRowStart(out, encoders.length);
                for (int c = 0; c < encoders.length; c++) {
                    CopyRows.binaryField(out, encoders[c], batch.column(c), row, rowNumber);
                }
            } else {
                for (int c = 0; c < encoders.length; c++) {
                    CopyRows.textField(out, scratch, c == 0, encoders[c], batch.column(c), row, rowNumber);
                }
                CopyRows.textRowEnd(out);
            }
            rowsWritten++;
        }
    }

    /** The stream's trailer (binary format only). */
    public void finish(FieldBuffer out) {
        if (binary) {
            CopyRows.binaryTrailer(out);
        }
    }

    public long rowsWritten() {
        return rowsWritten;
    }
}
