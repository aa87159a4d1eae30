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

    /**
     * Whether the value goes out as NULL though the satellite sent one: a float NaN bound for a
     * type that has no NaN (the integers) is pandas' mark of a missing value (an integer
     * column with a missing value becomes float64), so it is NULL there, as it is in object columns.
     */
    default boolean writesNull(ColumnVector column, int row) {
        return false;
    }

    /** NULL on the wire: the satellite sent NULL, or the encoder turns the value into one. */
    static boolean isNull(ValueEncoder encoder, ColumnVector column, int row) {
        return column.isNull(row) || encoder.writesNull(column, row);
    }
}
