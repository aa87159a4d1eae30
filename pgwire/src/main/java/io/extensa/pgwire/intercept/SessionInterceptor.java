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

    /**
     * A cheap byte-level test, called on the relay's hot path for every Query and Parse: return
     * false when the UTF-8 SQL text certainly holds no statement this interceptor handles, so the
     * message is forwarded without being decoded. Returning true only costs a closer look.
     */
    default boolean mayIntercept(byte[] sql, int offset, int length) {
        return true;
    }

    /** The session ended (client gone or terminated); release everything it holds. */
    @Override
    default void close() {
    }
}
