package io.extensa.pgwire.intercept;

import io.extensa.pgwire.PgException;
import java.util.List;

/**
 * The caller's own PostgreSQL connection, lent to an Extensa statement while it runs. Statements
 * go out as extended-protocol messages followed by Flush, never Sync, so they join the caller's
 * (implicit or explicit) transaction and run with the caller's identity and snapshot. Errors
 * from PostgreSQL surface as {@link PgException} carrying PostgreSQL's own fields; afterwards the
 * backend ignores everything until the gateway's next Sync, so a failed call fails the rest of
 * the statement. NoticeResponses raised meanwhile go to the client.
 */
public interface BackendChannel {

    /** Work the caller does while PostgreSQL answers a statement already sent. */
    @FunctionalInterface
    interface Meanwhile {
        void run() throws PgException;
    }

    /** The status PostgreSQL last reported in ReadyForQuery. */
    TransactionStatus transactionStatus();

    /**
     * True when the client's pipeline executed statements since its last Sync (pgjdbc sends BEGIN
     * that way, ahead of a transaction's first statement): PostgreSQL has not said since whether
     * they opened a transaction block, so {@link #transactionStatus()} may be out of date.
     */
    default boolean executedSinceSync() {
        return false;
    }

    /** True once PostgreSQL reported an error inside the current statement. */
    boolean failed();

    /** Parse + Describe of an unnamed statement. */
    StatementDescription describe(String sql, int[] parameterTypes) throws PgException;

    /**
     * Parse, Bind (all results in {@code resultFormat}), Execute.
     *
     * @return the CommandComplete tag
     */
    default String execute(String sql, List<BindValue> parameters, int resultFormat, RowHandler rows)
            throws PgException {
        return execute(sql, parameters, new short[] {(short) resultFormat}, rows);
    }

    /** Like {@link #execute(String, List, int, RowHandler)} with Bind's per-column result format codes. */
    String execute(String sql, List<BindValue> parameters, short[] resultFormats, RowHandler rows) throws PgException;

    /**
     * {@link #execute} and then Parse + Describe of {@code describeSql}, sent in one write so that
     * both cost one round trip. A failing execute throws as execute does (PostgreSQL then skipped
     * the describe); the describe's own outcome, description or error, is returned for the caller
     * to meet when it gets there. Either failure leaves the transaction failed, as usual.
     * {@code meanwhile} runs after the write, while PostgreSQL works; its failure is thrown once
     * PostgreSQL's answers are read, so the connection stays in step.
     */
    default DeferredDescription executeThenDescribe(String sql, List<BindValue> parameters, short[] resultFormats,
                                                    RowHandler rows, String describeSql, Meanwhile meanwhile)
            throws PgException {
        meanwhile.run();
        execute(sql, parameters, resultFormats, rows);
        try {
            return new DeferredDescription(describe(describeSql, new int[0]), null);
        } catch (PgException e) {
            return new DeferredDescription(null, e);
        }
    }

    /**
     * Opens a named portal over a query (Parse + Bind, results in {@code resultFormat}) whose rows are
     * then fetched a chunk at a time with {@link #fetch}; other statements may run in between.
     */
    void openPortal(String portal, String sql, int resultFormat) throws PgException;

    /**
     * Execute(portal, maxRows): hands up to {@code maxRows} DataRows to the handler.
     *
     * @return true when more rows remain (PortalSuspended), false when the portal is exhausted
     */
    boolean fetch(String portal, int maxRows, RowHandler rows) throws PgException;

    /** Closes a portal opened with {@link #openPortal}. */
    void closePortal(String portal) throws PgException;

    /** Runs a {@code COPY ... TO STDOUT} statement, handing every CopyData payload to the handler. */
    String copyOut(String sql, CopyDataHandler handler) throws PgException;

    /** Starts a {@code COPY ... FROM STDIN} statement. */
    CopyIn copyIn(String sql) throws PgException;

    /**
     * Runs a statement whose results go to the client as PostgreSQL sends them (RowDescription,
     * DataRows, CommandComplete), e.g. a relayed statement with T-SQL variables bound as parameters.
     * {@code resultFormats} follows Bind's rules (empty = all text).
     *
     * @param describe send a Describe(portal) so the client gets a RowDescription
     */
    void relay(String sql, int[] parameterTypes, List<BindValue> parameters, short[] resultFormats,
               boolean describe) throws PgException;

    /**
     * Puts the backend transaction into the failed state (unless it already is), so that a failure
     * of Extensa's own rolls back an implicit transaction and aborts an explicit one exactly like
     * a PostgreSQL error would.
     */
    void failTransaction() throws PgException;

    /**
     * Undoes everything since {@code SAVEPOINT savepoint}, which the engine set itself inside the
     * caller's explicit transaction block, also after PostgreSQL reported an error: then a Sync
     * first makes PostgreSQL listen again (inside a block a Sync commits nothing). Fails when the
     * caller is not in a transaction block.
     */
    default void rollbackToSavepoint(String savepoint) throws PgException {
        throw new PgException(io.extensa.pgwire.SqlState.FEATURE_NOT_SUPPORTED,
                "this backend channel cannot roll back to a savepoint");
    }
}
