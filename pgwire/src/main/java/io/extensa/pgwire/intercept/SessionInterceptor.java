package io.extensa.pgwire.intercept;

import io.extensa.pgwire.PgException;

/** Per-session half of {@link StatementInterceptor}; holds session state such as T-SQL variables. */
@FunctionalInterface
public interface SessionInterceptor extends AutoCloseable {

    /**
     * Called for the SQL text of every Query (once per statement when the text holds several)
     * and every Parse. It must be cheap for ordinary SQL: the gateway calls it only for texts
     * its byte prefilter could not rule out, but it is still on the relay's path.
     *
     * @return the statement to run instead of relaying, or null to relay the text unchanged
     * @throws PgException when the text is an Extensa statement with an error (e.g. syntax)
     */
    InterceptedStatement intercept(String sql) throws PgException;

    /** The session ended (client gone or terminated); release everything it holds. */
    @Override
    default void close() {
    }
}
