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
import java.util.concurrent.locks.ReentrantLock;

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
 * <p>
 * The engine's thread (QUERY frames) and the loopback socket's threads share the one backend
 * connection through {@link #lock}; statements run only while the gate is open, that is while the
 * script runs with its input complete, when the engine itself does not touch the backend.
 */
public final class LoopbackSession {

    static final String SAVEPOINT = "extensa_loopback_guard";

    private final BackendChannel backend;
    private final ClientSession session;
    private final TypeCatalog catalog;
    private final SessionSettings settings;
    private final String jobId;
    private final ReentrantLock lock = new ReentrantLock();
    private boolean open;
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

    /** Lets statements run: the input is complete and the script runs. */
    public void openGate() {
        lock.lock();
        try {
            open = true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a running statement, then refuses further ones: the engine needs the backend again. */
    public void closeGate() {
        lock.lock();
        try {
            open = false;
        } finally {
            lock.unlock();
        }
    }

    /** Runs something that must not interleave with loopback statements (client output, mostly). */
    public void exclusive(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A statement from the loopback socket: rows as PostgreSQL's DataRow bodies in the given
     * formats, or only the description when {@code describeOnly}.
     */
    public Result runForClient(String sql, List<String> parameters, int[] declaredTypes, short[] formats,
                               boolean describeOnly) throws PgException {
        lock.lock();
        try {
            if (!open) {
                return Result.failed(new PgException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "the loopback connection serves statements only while the script runs"));
            }
            return run(sql, parameters, declaredTypes, formats, describeOnly);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A client's BEGIN, COMMIT or ROLLBACK: its statements are part of the caller's transaction. In
     * a transaction block the client's transaction is a savepoint, so ROLLBACK undoes just its
     * statements; outside one, ROLLBACK can only abort the caller's implicit transaction.
     *
     * @return the command tag, or the failure
     */
    public Result clientTransaction(String savepoint, ClientTransaction action) throws PgException {
        lock.lock();
        try {
            if (!open) {
                return Result.failed(new PgException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "the loopback connection serves statements only while the script runs"));
            }
            if (abortedBy != null) {
                return action == ClientTransaction.ROLLBACK ? Result.command("ROLLBACK", null) : aborted();
            }
            boolean block = backend.transactionStatus() == TransactionStatus.IN_TRANSACTION;
            switch (action) {
                case BEGIN -> {
                    if (block) {
                        backend.execute("SAVEPOINT " + savepoint, List.of(), 0, null);
                    }
                    return Result.command("BEGIN", null);
                }
                case COMMIT -> {
                    if (block) {
                        backend.execute("RELEASE SAVEPOINT " + savepoint, List.of(), 0, null);
                    }
                    return Result.command("COMMIT", null);
                }
                default -> {
                    if (block) {
                        backend.rollbackToSavepoint(savepoint);
                        backend.execute("RELEASE SAVEPOINT " + savepoint, List.of(), 0, null);
                        return Result.command("ROLLBACK", null);
                    }
                    PgException e = new PgException(SqlState.ACTIVE_SQL_TRANSACTION, "a loopback client rolled back "
                            + "outside a transaction block, which rolls back the whole call");
                    backend.failTransaction();
                    abortedBy = e;
                    return Result.command("ROLLBACK", null);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** What a loopback client's transaction statement asks for. */
    public enum ClientTransaction { BEGIN, COMMIT, ROLLBACK }

    /**
     * Runs one statement and returns the frames that answer it: QUERY_ERROR, or QUERY_RESULT,
     * QUERY_BATCH*, QUERY_END.
     *
     * @throws PgException only when the backend connection is lost or the caller's transaction
     *     cannot be restored: the call must end
     */
    public List<Outgoing> answer(Query query) throws PgException {
        Result r;
        lock.lock();
        try {
            r = open ? run(query.sql(), query.parameters(), new int[query.parameters().size()], null, false)
                    : Result.failed(new PgException(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
                    "loopback statements are available only while the script runs with its input complete"));
        } finally {
            lock.unlock();
        }
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

    private Result aborted() {
        return Result.failed(new PgException(SqlState.IN_FAILED_SQL_TRANSACTION, "current transaction is aborted: "
                + "an earlier loopback statement failed outside a transaction block (" + abortedBy.getMessage()
                + ")").withHint("run the call inside BEGIN ... COMMIT to give each loopback statement its "
                + "own savepoint"));
    }

    /**
     * One guarded statement (the lock is held): either an error the script sees, or the result.
     *
     * @param rawFormats null: rows are read in binary and decoded into batches (QUERY); otherwise
     *     DataRow bodies in these formats are kept for a loopback client
     */
    private Result run(String sql, List<String> parameters, int[] declaredTypes, short[] rawFormats,
                       boolean describeOnly) throws PgException {
        statements++;
        if (abortedBy != null) {
            return aborted();
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
            result = execute(sql, parameters, declaredTypes, rawFormats, describeOnly);
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

    private Result execute(String sql, List<String> parameters, int[] declaredTypes, short[] rawFormats,
                           boolean describeOnly) throws PgException {
        StatementDescription d = backend.describe(sql, declaredTypes);
        if (describeOnly) {
            return new Result(null, d, List.of(), d.returnsRows(), List.of(), List.of(), "", 0);
        }
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
        if (rawFormats != null) {
            List<byte[]> rows = new ArrayList<>();
            String tag = backend.execute(sql, binds, rawFormats, body -> {
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
