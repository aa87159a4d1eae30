package io.extensa.engine.types;

import io.extensa.pgwire.PgException;
import io.extensa.protocol.batch.ColumnVector;

/**
 * Writes one non-NULL value of an output column as a PostgreSQL field (text or binary format),
 * converting it to the declared type. Made by {@link OutputColumnPlan#encoder(int)}; an encoder
 * keeps scratch space, so it serves one thread.
 */
@FunctionalInterface
public interface ValueEncoder {

    /**
     * Appends the value's bytes (no length prefix) to {@code out}.
     *
     * @param column the satellite's column
     * @param row the row within {@code column}; the caller handles NULLs ({@link ColumnVector#isNull})
     * @param rowNumber the 1-based number of the row in the whole output, for error messages
     * @throws PgException when the value does not fit the declared type (22003, 22001, 22P02, 22008, ...),
     *                     naming the column, the row number and the value
     */
    void encode(ColumnVector column, int row, long rowNumber, FieldBuffer out) throws PgException;
}
