package io.extensa.pgwire.intercept;

import io.extensa.pgwire.PgException;

/**
 * A running Extensa statement, pulled by the gateway: result descriptions first (Describe may
 * come before Execute), then rows, possibly a few at a time (Execute with a row limit).
 */
public interface Execution extends AutoCloseable {

    /**
     * Runs until the next result's shape is known.
     *
     * @return the next result, or null when there are no more
     */
    ResultDescription nextResult() throws PgException;

    /**
     * Writes up to {@code maxRows} rows (0 = no limit) of the current result.
     *
     * @return true when the current result is complete and {@link #commandTag()} is final
     */
    boolean fetch(int maxRows, DataRowWriter out) throws PgException;

    /** CommandComplete tag of the current result, e.g. {@code SELECT 3} or {@code EXECUTE 0}. */
    String commandTag();

    /** Ends the execution, finished or not; idempotent; kills whatever it started. */
    @Override
    void close();
}
