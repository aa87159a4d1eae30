package io.extensa.engine.statement;

import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.TransactionStatus;

/**
 * Statements that change Extensa's catalog (resource pools, external libraries, sp_configure,
 * RECONFIGURE) commit on the service connection at once, and some act outside PostgreSQL (a
 * library's files, the launchpad's pools): the caller's ROLLBACK could not undo them. Like
 * PostgreSQL's CREATE DATABASE they refuse to run inside a transaction block instead of
 * pretending to be part of it.
 */
final class CatalogChange {

    private CatalogChange() {
    }

    static void requireNoTransactionBlock(ExecutionContext ctx, String statement) throws PgException {
        TransactionStatus status = ctx.backend().transactionStatus();
        if (status == TransactionStatus.FAILED) {
            throw new PgException(SqlState.IN_FAILED_SQL_TRANSACTION,
                    "current transaction is aborted, commands ignored until end of transaction block");
        }
        if (status == TransactionStatus.IN_TRANSACTION) {
            throw new PgException(SqlState.ACTIVE_SQL_TRANSACTION, statement + " cannot run inside a transaction "
                    + "block: it takes effect at once and a ROLLBACK could not undo it");
        }
        if (ctx.backend().executedSinceSync()) {
            // a BEGIN may be among them (pgjdbc with autocommit off sends it so): PostgreSQL's CREATE
            // DATABASE refuses a pipeline for the same reason
            throw new PgException(SqlState.ACTIVE_SQL_TRANSACTION, statement + " cannot run inside a transaction "
                    + "block or after other statements of the same pipeline: it takes effect at once and a "
                    + "ROLLBACK could not undo it");
        }
    }
}
