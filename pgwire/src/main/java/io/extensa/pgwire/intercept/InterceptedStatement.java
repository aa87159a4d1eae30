package io.extensa.pgwire.intercept;

import io.extensa.pgwire.PgException;
import java.util.Optional;

/** An Extensa statement the gateway answers itself instead of relaying. */
public interface InterceptedStatement {

    /** Short label for logs, e.g. {@code EXEC sp_execute_external_script}. */
    String label();

    /**
     * Parameter types for ParameterDescription. {@code declared} are the types from Parse
     * (0 = unspecified); the result must have one entry per {@code $n} the statement uses. By
     * default the declared ones: most statements hand their {@code $n} to PostgreSQL, which types them.
     */
    default int[] parameterTypes(int[] declared) {
        return declared;
    }

    /** The result shape when it is known before running (Describe of a statement). */
    default Optional<ResultDescription> staticResult() {
        return Optional.empty();
    }

    /** Starts running; results are pulled from the returned execution. */
    Execution start(ExecutionContext context) throws PgException;
}
