package io.extensa.engine.loopback;

import io.extensa.engine.audit.Audit;
import io.extensa.engine.types.DataRowReader;
import io.extensa.engine.types.InputColumnPlan;
import io.extensa.engine.types.InputTypes;
import io.extensa.engine.types.SessionSettings;
import io.extensa.engine.types.TypeCatalog;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.BindValue;
import io.extensa.pgwire.intercept.ClientSession;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import io.extensa.pgwire.intercept.StatementDescription;
import io.extensa.pgwire.intercept.TransactionStatus;
import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.message.ColumnSpec;
import io.extensa.protocol.message.Query;
import io.extensa.protocol.message.QueryBatch;
import io.extensa.protocol.message.QueryEnd;
import io.extensa.protocol.message.QueryError;
import io.extensa.protocol.message.QueryResult;
import io.extensa.protocol.wire.FieldCursor;
import io.extensa.protocol.wire.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs a script's loopback statements (QUERY frames, and statements relayed from the job's
 * loopback socket) on the caller's own backend connection, in the caller's transaction, as the
 * caller. Every statement is guarded:
 * <ol>
 * <li>statements that change identity or control the transaction are refused by text
 *     ({@link StatementScreen});</li>
 * <li>inside the caller's transaction block each statement runs under a savepoint; its effective
 *     identity ({@link IdentityState}) is compared with the caller's afterwards; a change, or an
 *     error, rolls back to the savepoint, so the script goes on exactly as the caller;</li>
 * <li>outside a transaction block (PostgreSQL allows no savepoint there) a change of identity, or
 *     an error, aborts the caller's implicit transaction, which also undoes every setting the
 *     statement made; the call then fails with that error.</li>
 * </ol>
 * Rows are buffered until the check has passed, so nothing read under another identity reaches
 * the script.
 */
public final class LoopbackSession {

    static final String SAVEPOINT = "extensa_loopback_guard";

    private final BackendChannel backend;
    private final ClientSession session;
    private final TypeCatalog catalog;
    private final SessionSettings settings;
    private final String jobId;
    private IdentityState caller;
    private PgException abortedBy;
    private long statements;

    public LoopbackSession(BackendChannel backend, ClientSession session, TypeCatalog catalog,
                           SessionSettings settings, String jobId) {
        this.backend = backend;
        this.session = session;
        this.catalog = catalog;
        this.settings = settings;
        this.jobId = jobId;
    }

    /** The error that aborted the caller's transaction (outside a transaction block), if any. */
    public Optional<PgException> abortedBy() {
        return Optional.ofNullable(abortedBy);
    }

    public long statements() {
        return statements;
    }

    /**
     * Runs one statement and returns the frames that answer it: QUERY_ERROR, or QUERY_RESULT,
     * QUERY_BATCH*, QUERY_END.
     *
     * @throws PgException only when the backend connection is lost or the caller's transaction
     *     cannot be restored: the call must end
     */
    public List<Outgoing> answer(Query query) throws PgException {
        Result r = run(query.sql(), query.parameters(), true);
        if (r.error() != null) {
            return List.of(Outgoing.of(toQueryError(r.error())));
        }
        List<Outgoing> out = new ArrayList<>(r.batches().size() + 2);
        out.add(Outgoing.of(new QueryResult(r.columns(), r.returnsRows())));
        for (Batch b : r.batches()) {
            out.add(Outgoing.of(new QueryBatch(b)));
        }
        out.add(Outgoing.of(new QueryEnd(r.commandTag(), r.rowCount())));
        return out;
    }

    /**
     * The outcome of one guarded statement: either an error the script sees, or the result.
     *
     * @param binaryRows whether rows are read in binary and decoded into batches (QUERY), or kept
     *     as PostgreSQL's text DataRows (the loopback socket relays them)
     */
    public Result run(String sql, List<String> parameters, boolean binaryRows) throws PgException {
        statements++;
        if (abortedBy != null) {
            return Result.failed(new PgException(SqlState.IN_FAILED_SQL_TRANSACTION, "current transaction is aborted: "
                    + "an earlier loopback statement failed outside a transaction block (" + abortedBy.getMessage()
                    + ")").withHint("run the call inside BEGIN ... COMMIT to give each loopback statement its "
                    + "own savepoint"));
        }
        Optional<String> refusal = StatementScreen.refusal(sql);
        if (refusal.isPresent()) {
            audit(sql, refusal.get());
            return Result.failed(new PgException(SqlState.INSUFFICIENT_PRIVILEGE, refusal.get()));
        }
        if (caller == null) {
            caller = IdentityState.read(backend);
        }
        boolean savepoint = backend.transactionStatus() == TransactionStatus.IN_TRANSACTION;
        if (savepoint) {
            try {
                backend.execute("SAVEPOINT " + SAVEPOINT, List.of(), 0, null);
            } catch (PgException e) {
                // the caller's pipeline left its block before this call: treat as outside a block
                return abort(e, sql);
            }
        }
        Result result;
        try {
            result = execute(sql, parameters, binaryRows);
        } catch (PgException e) {
            if (lost(e)) {
                throw e;
            }
            if (savepoint) {
                restore();
                return Result.failed(e);
            }
            if (backend.failed()) {
                return abort(e, sql);
            }
            return Result.failed(e);
        }
        IdentityState after = IdentityState.read(backend);
        String change = after.differenceFrom(caller);
        if (change.isEmpty()) {
            if (savepoint) {
                backend.execute("RELEASE SAVEPOINT " + SAVEPOINT, List.of(), 0, null);
            }
            return result;
        }
        PgException violation = new PgException(SqlState.INSUFFICIENT_PRIVILEGE, "a loopback statement cannot "
                + "change the identity or transaction the script runs in (" + change + "); it was rolled back")
                .withHint("the script always runs as the calling user, in the caller's transaction");
        audit(sql, violation.getMessage());
        if (savepoint) {
            restore();
            return Result.failed(violation);
        }
        backend.failTransaction();
        abortedBy = violation;
        return Result.failed(violation);
    }

    /** Back to the savepoint, which must bring back the caller's identity; otherwise the call cannot go on. */
    private void restore() throws PgException {
        backend.rollbackToSavepoint(SAVEPOINT);
        backend.execute("RELEASE SAVEPOINT " + SAVEPOINT, List.of(), 0, null);
        String change = IdentityState.read(backend).differenceFrom(caller);
        if (!change.isEmpty()) {
            backend.failTransaction();
            throw new PgException(SqlState.INSUFFICIENT_PRIVILEGE,
                    "the identity of the session changed and could not be restored (" + change + ")");
        }
    }

    private Result abort(PgException e, String sql) throws PgException {
        if (!backend.failed()) {
            backend.failTransaction();
        }
        abortedBy = e;
        return Result.failed(e);
    }

    private Result execute(String sql, List<String> parameters, boolean binaryRows) throws PgException {
        StatementDescription d = backend.describe(sql, new int[parameters.size()]);
        if (d.parameterTypes().length != parameters.size()) {
            throw new PgException(SqlState.PROTOCOL_VIOLATION, "the statement uses " + d.parameterTypes().length
                    + " parameter(s) but the script passed " + parameters.size());
        }
        List<BindValue> binds = new ArrayList<>(parameters.size());
        for (int i = 0; i < parameters.size(); i++) {
            binds.add(BindValue.text(d.parameterTypes()[i], parameters.get(i)));
        }
        if (!d.returnsRows()) {
            String tag = backend.execute(sql, binds, new short[0], null);
            return Result.command(tag, d);
        }
        if (!binaryRows) {
            List<byte[]> rows = new ArrayList<>();
            String tag = backend.execute(sql, binds, new short[0], body -> {
                byte[] copy = new byte[body.remaining()];
                body.duplicate().get(copy);
                rows.add(copy);
            });
            return new Result(null, d, List.of(), true, List.of(), rows, tag, rows.size());
        }
        catalog.resolve(d.columns().stream().mapToInt(ColumnDescriptor::typeOid).toArray(), backend);
        List<InputColumnPlan> plans = new ArrayList<>();
        for (ColumnDescriptor c : d.columns()) {
            plans.add(InputTypes.plan(c.name(), catalog.lookup(c.typeOid()), c.typeModifier(), catalog, settings));
        }
        List<Batch> batches = new ArrayList<>();
        BatchBuilder builder = InputTypes.newBatch(plans);
        DataRowReader reader = new DataRowReader(plans, builder, full -> batches.add(copy(full)));
        String tag = backend.execute(sql, binds, new short[] {1}, reader);
        long rows = reader.finish();
        return new Result(null, d, plans.stream().map(InputColumnPlan::spec).toList(), true, batches, List.of(),
                tag, rows);
    }

    /** The reader reuses its buffers: keep a copy of each full batch until the statement has passed the check. */
    private static Batch copy(BatchBuilder full) throws PgException {
        try {
            return Batch.decode(new FieldCursor(full.encode().toByteBuffer(), "QUERY_BATCH"));
        } catch (ProtocolException e) {
            throw new PgException(SqlState.INTERNAL_ERROR, "a loopback batch could not be copied: " + e.getMessage());
        }
    }

    private static boolean lost(PgException e) {
        return e.sqlState().startsWith("08") || SqlState.QUERY_CANCELED.equals(e.sqlState());
    }

    private void audit(String sql, String reason) {
        Audit.denied(session.user(), session.database(), session.sessionId(), "loopback request=" + jobId + " "
                + sql, reason);
    }

    static QueryError toQueryError(PgException e) {
        ErrorFields f = e.fields();
        return new QueryError(f.sqlState(), f.message(), f.detail(), f.values().get('H'));
    }

    /**
     * One statement's outcome.
     *
     * @param textRows DataRow bodies in text format (only when not decoded into batches)
     */
    public record Result(PgException error, StatementDescription description, List<ColumnSpec> columns,
                         boolean returnsRows, List<Batch> batches, List<byte[]> textRows, String commandTag,
                         long rowCount) {

        static Result failed(PgException e) {
            return new Result(e, null, List.of(), false, List.of(), List.of(), null, 0);
        }

        static Result command(String tag, StatementDescription d) {
            return new Result(null, d, List.of(), false, List.of(), List.of(), tag, affected(tag));
        }

        /** The row count at the end of a command tag (INSERT 0 3, UPDATE 2), 0 for tags without one. */
        static long affected(String tag) {
            int space = tag.lastIndexOf(' ');
            if (space < 0) {
                return 0;
            }
            try {
                return Long.parseLong(tag.substring(space + 1));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }
}
