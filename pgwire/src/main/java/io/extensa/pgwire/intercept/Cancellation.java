package io.extensa.pgwire.intercept;

import io.extensa.pgwire.PgException;

/** Signals that the running statement must stop: a CancelRequest or the client went away. */
public interface Cancellation {

    boolean isCancelled();

    /** Human-readable cause, e.g. "canceling statement due to user request". */
    String reason();

    /** Runs the action once when cancelled (immediately if already cancelled); returns a handle to unregister. */
    AutoCloseable onCancel(Runnable action);

    default void throwIfCancelled() throws PgException {
        if (isCancelled()) {
            throw new PgException(io.extensa.pgwire.SqlState.QUERY_CANCELED, reason());
        }
    }
}
