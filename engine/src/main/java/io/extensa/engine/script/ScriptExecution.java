package io.extensa.engine.script;

import io.extensa.engine.EngineServices;
import io.extensa.engine.audit.Audit;
import io.extensa.engine.loopback.LoopbackSession;
import io.extensa.engine.loopback.LoopbackSocket;
import io.extensa.engine.loopback.Outgoing;
import io.extensa.engine.script.parallelread.ParallelInput;
import io.extensa.engine.sql.ast.ResultSets;
import io.extensa.engine.types.CopyBinaryReader;
import io.extensa.engine.types.InputColumnPlan;
import io.extensa.engine.types.SessionSettings;
import io.extensa.engine.types.TypeCatalog;
import io.extensa.engine.types.InputTypes;
import io.extensa.engine.variables.SessionVariables;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.BackendChannel;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.DeferredDescription;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.ResultDescription;
import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.message.ColumnSpec;
import io.extensa.protocol.message.EndOfInput;
import io.extensa.protocol.message.ErrorMessage;
import io.extensa.protocol.message.Message;
import io.extensa.protocol.message.OutputBatch;
import io.extensa.protocol.message.OutputEnd;
import io.extensa.protocol.message.OutputParams;
import io.extensa.protocol.message.OutputSchema;
import io.extensa.protocol.message.Query;
import io.extensa.protocol.message.SessionInit;
import io.extensa.protocol.message.Stderr;
import io.extensa.protocol.message.Stdout;
import io.extensa.protocol.message.End;
import io.extensa.protocol.message.Heartbeat;
import io.extensa.protocol.wire.MessageType;
import java.util.List;

/**
 * One run of sp_execute_external_script, pulled by the gateway. {@link #start} launches the
 * satellite, sends it the script, parameters and the input query's rows, and returns; the main
 * result (the output DataFrame) is then streamed by {@link #fetch}, or COPYed into the target of
 * INSERT ... EXEC; OUTPUT parameters follow, assigned to variables or returned as a last one-row
 * result. The satellite's stdout and stderr reach the client as notices while it runs.
 */
public final class ScriptExecution implements Execution {

    private enum Phase { STARTED, MAIN, AFTER_MAIN, PARAMETERS, DONE }

    private final EngineServices services;
    private final ExecutionContext ctx;
    private final ScriptCall call;
    private final SessionVariables variables;
    private final InsertTarget insert;
    private final TypeCatalog catalog;
    private final SessionSettings settings;
    private ScriptJob job;
    private LoopbackSession loopback;
    private LoopbackSocket loopbackSocket;
    private AutoCloseable cancelHook;
    private List<ScriptParameters.Resolved> parameters = List.of();
    private Phase phase = Phase.STARTED;
    private OutputColumns output;
    private Batch batch;
    private int batchRow;
    private long rowsOut;
    private long rowsIn;
    private String tag = "CALL";
    private OutputParameters.Row parameterRow;
    private boolean closed;
    private String outcome = "ok";
    private final PhaseTimer timer = new PhaseTimer();
    private StandbyActivation standby = StandbyActivation.NONE;
    private io.extensa.engine.monitor.RequestRegistry.Handle request;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ScriptExecution.class);

    private ScriptExecution(EngineServices services, ExecutionContext ctx, ScriptCall call, SessionVariables variables,
                            InsertTarget insert) {
        this.services = services;
        this.ctx = ctx;
        this.call = call;
        this.variables = variables;
        this.insert = insert;
        this.catalog = services.types(ctx.session().database());
        this.settings = SessionSettings.from(ctx.session()::parameterStatus);
    }

    /**
     * The query whose description a single-unit call can have in the permission check's round
     * trip ({@link io.extensa.engine.security.ScriptPermissions#check}); null when the call has no
     * input or is not single-unit.
     */
    public static String inputToDescribe(ScriptCall call) {
        return call.hasInput() && !call.multiUnit() ? ScriptInput.query(call) : null;
    }

    /**
     * Asks the caller's ready standby satellite, if there is one, for its pool slot before the
     * call's permission check: the launchpad's answer then comes during that round trip instead of
     * after it. Only a standby that has run nothing is activated this way; the call must be started
     * with the result, or it closed, which ends the standby.
     */
    public static StandbyActivation activateStandby(EngineServices services, ExecutionContext ctx, ScriptCall call)
            throws PgException {
        return call.multiUnit() ? StandbyActivation.NONE : ScriptJob.activateReadyStandby(services, ctx, call.language());
    }

    /**
     * @param statementTimeoutMillis the caller's statement_timeout (0 for none), as the permission
     *                               check read it: one round trip less before LAUNCH
     * @param describedInput         the input query's description from that round trip, or null
     * @param standby                from {@link #activateStandby}, or {@link StandbyActivation#NONE}
     */
    public static ScriptExecution start(EngineServices services, ExecutionContext ctx, ScriptCall call,
                                        SessionVariables variables, InsertTarget insert, long statementTimeoutMillis,
                                        DeferredDescription describedInput, StandbyActivation standby)
            throws PgException {
        ScriptExecution execution = new ScriptExecution(services, ctx, call, variables, insert);
        execution.standby = standby;
        try {
            execution.begin(statementTimeoutMillis, describedInput);
            return execution;
        } catch (PgException e) {
            execution.failed(e);
            execution.close();
            throw e;
        } catch (RuntimeException e) {
            execution.outcome = "internal error";
            execution.close();
            throw e;
        }
    }

    public long rowsIn() {
        return rowsIn;
    }

    public long rowsOut() {
        return rowsOut;
    }

    private void begin(long statementTimeoutMillis, DeferredDescription describedInput) throws PgException {
        ctx.cancellation().throwIfCancelled();
        request = RequestMonitoring.begin(services, ctx, call);
        // LAUNCH first: the launchpad starts the satellite while PostgreSQL answers the questions below
        ScriptJob.Launching launching = ScriptJob.begin(services, ctx, call.language(), request.info().requestId(),
                statementTimeoutMillis, standby);
        timer.mark("launch sent");
        BackendChannel backend = ctx.backend();
        List<InputColumnPlan> input;
        ScriptInput.Described described;
        try {
            // the input first: a describe that failed ahead has failed the transaction, and resolving
            // parameters may need PostgreSQL
            described = call.hasInput() ? ScriptInput.describeWithSources(backend, ScriptInput.query(call),
                    describedInput, catalog, settings) : null;
            parameters = ScriptParameters.resolve(call, backend, variables, ctx.parameters(), catalog);
            input = described == null ? List.of() : described.plans();
        } catch (PgException | RuntimeException e) {
            launching.abandon();
            throw e;
        }
        timer.mark("describe");
        job = launching.await();
        request.satellite(job.pid(), job.worker());
        timer.mark("launched");
        cancelHook = ctx.cancellation().onCancel(job::cancel);
        loopback = new LoopbackSession(ctx.backend(), ctx.session(), catalog, settings, job.jobId());
        openLoopbackSocket();
        timer.mark("loopback");
        job.awaitSatellite(services, services.config().satelliteConnectTimeout());
        timer.mark("connect");
        job.send(new SessionInit(call.script(), call.inputName(), call.outputName(),
                input.stream().map(InputColumnPlan::spec).toList(),
                parameters.stream().map(ScriptParameters.Resolved::wire).toList(), call.hasInput(), null));
        if (call.hasInput()) {
            streamInput(backend, described);
        }
        job.send(new EndOfInput(true, 0));
        timer.mark("input");
        // from here on the engine only waits for the satellite: loopback statements may use the backend
        loopback.openGate();
    }

    /** The job's socket for standard clients; a job without one still runs (connection_string() says why). */
    private void openLoopbackSocket() {
        String dsn = null;
        try {
            LoopbackSocket.Bound bound = job.takeBoundLoopback();
            loopbackSocket = bound != null ? LoopbackSocket.start(bound, loopback, ctx.session(), job.jobId())
                    : LoopbackSocket.open(job.workDir(), loopback, ctx.session(), job.jobId());
            dsn = loopbackSocket.connectionString();
        } catch (java.io.IOException | RuntimeException e) {
            log.warn("job {}: no loopback socket in {}: {}", job.jobId(), job.workDir(), e.toString());
        }
        job.offerLoopback(dsn);
    }

    /** COPY (query) TO STDOUT in binary, decoded into batches that go to the satellite as they fill. */
    private void streamInput(BackendChannel backend, ScriptInput.Described described) throws PgException {
        List<InputColumnPlan> plans = described.plans();
        long parallel = ParallelInput.read(services, ctx, job.jobId(), ScriptInput.query(call), described.columns(),
                plans, batch -> {
                    ctx.cancellation().throwIfCancelled();
                    job.send(MessageType.INPUT_BATCH, batch);
                });
        if (parallel >= 0) {
            rowsIn = parallel;
            request.progress(rowsIn, rowsOut);
            return;
        }
        BatchBuilder batches = InputTypes.newBatch(plans);
        CopyBinaryReader reader = new CopyBinaryReader(plans, batches, full -> {
            ctx.cancellation().throwIfCancelled();
            job.send(MessageType.INPUT_BATCH, full.encode());
        });
        backend.copyOut("COPY (" + ScriptInput.query(call) + "\n) TO STDOUT (FORMAT binary)", reader);
        rowsIn = reader.finish();
        request.progress(rowsIn, rowsOut);
    }

    // ---- results ----

    @Override
    public ResultDescription nextResult() throws PgException {
        try {
            return advance();
        } catch (PgException e) {
            failed(e);
            throw e;
        }
    }

    private void failed(PgException e) {
        outcome = "error " + e.sqlState();
        if (loopback != null) {
            // the gateway fails the backend transaction next: no loopback statement may run beside it
            loopback.closeGate();
        }
    }

    private ResultDescription advance() throws PgException {
        switch (phase) {
            case STARTED -> {
                OutputSchema schema = readSchema();
                timer.mark("script");
                loopback.closeGate();
                if (loopback.abortedBy().isPresent()) {
                    // the script caught the error, but the caller's transaction is gone with it
                    throw loopback.abortedBy().get();
                }
                boolean none = call.resultSets().kind() == ResultSets.Kind.NONE;
                if (schema.absent()) {
                    if (call.resultSets().kind() == ResultSets.Kind.DEFINED) {
                        throw new PgException(SqlState.OUTPUT_MISMATCH, "WITH RESULT SETS declares a result set but the "
                                + call.language() + " script did not set " + call.outputName());
                    }
                    drainUnit();
                    phase = Phase.AFTER_MAIN;
                    return advance();
                }
                if (none) {
                    throw new PgException(SqlState.OUTPUT_MISMATCH, "WITH RESULT SETS NONE, but the " + call.language()
                            + " script returned a result set in " + call.outputName());
                }
                if (insert != null) {
                    long stored = copyIntoTarget(schema.columns());
                    tag = "INSERT 0 " + stored;
                    phase = Phase.AFTER_MAIN;
                    return ResultDescription.commandOnly();
                }
                output = call.resultSets().kind() == ResultSets.Kind.DEFINED
                        ? OutputColumns.declared(schema.columns(), call.resultSets().sets().get(0), ctx.backend(),
                        catalog, settings, call.language())
                        : OutputColumns.natural(schema.columns(), catalog, settings, ctx.backend());
                phase = Phase.MAIN;
                tag = "SELECT 0";
                return ResultDescription.rows(output.descriptors());
            }
            case AFTER_MAIN -> {
                finishSession();
                if (parameterRow != null && insert == null) {
                    phase = Phase.PARAMETERS;
                    tag = "SELECT 1";
                    return ResultDescription.rows(parameterRow.columns());
                }
                phase = Phase.DONE;
                return null;
            }
            case MAIN -> throw new IllegalStateException("fetch the current result first");
            default -> {
                phase = Phase.DONE;
                return null;
            }
        }
    }

    @Override
    public boolean fetch(int maxRows, DataRowWriter out) throws PgException {
        try {
            return fetchRows(maxRows, out);
        } catch (PgException e) {
            failed(e);
            throw e;
        }
    }

    private boolean fetchRows(int maxRows, DataRowWriter out) throws PgException {
        if (phase == Phase.PARAMETERS) {
            parameterRow.write(out);
            return true;
        }
        if (phase != Phase.MAIN) {
            return true;
        }
        int written = 0;
        while (true) {
            if (batch != null && batchRow < batch.rowCount()) {
                if (maxRows > 0 && written == maxRows) {
                    return false;
                }
                output.writeRow(batch, batchRow++, ++rowsOut, out);
                written++;
                continue;
            }
            Message m = nextOutput();
            if (m instanceof OutputBatch b) {
                request.progress(rowsIn, rowsOut);
                output.startBatch(b.batch(), rowsOut + 1, out);
                batch = b.batch();
                batchRow = 0;
            } else if (m instanceof OutputEnd) {
                batch = null;
                timer.mark("output");
                tag = "SELECT " + rowsOut;
                phase = Phase.AFTER_MAIN;
                return true;
            } else {
                throw ScriptErrors.protocol(call.language(), "unexpected " + m.type() + " in the output");
            }
        }
    }

    @Override
    public String commandTag() {
        return tag;
    }

    /** The next message that is not console output (forwarded as notices) or a heartbeat; ERROR fails the call. */
    private Message nextOutput() throws PgException {
        while (true) {
            Message m = job.read();
            switch (m) {
                // under the loopback lock: a loopback statement's own notices go to the same client
                case Stdout s -> loopback.exclusive(() -> ctx.notice(ErrorFields.notice("NOTICE",
                        SqlState.SUCCESSFUL_COMPLETION, s.text())));
                case Stderr s -> loopback.exclusive(() -> ctx.notice(ErrorFields.notice("WARNING", SqlState.WARNING,
                        s.text())));
                case Heartbeat h -> {
                    // liveness only
                }
                case ErrorMessage e -> {
                    if (loopback != null && loopback.abortedBy().isPresent()) {
                        throw loopback.abortedBy().get();
                    }
                    throw ScriptErrors.fromSatellite(call.language(), e);
                }
                case Query q -> {
                    // loopback statements come only while the script runs, before its output
                    if (phase != Phase.STARTED) {
                        throw ScriptErrors.protocol(call.language(), "QUERY after the script's output began");
                    }
                    for (Outgoing frame : loopback.answer(q)) {
                        job.send(frame.type(), frame.payload());
                    }
                }
                default -> {
                    return m;
                }
            }
        }
    }

    private OutputSchema readSchema() throws PgException {
        Message m = nextOutput();
        if (m instanceof OutputSchema s) {
            return s;
        }
        throw ScriptErrors.protocol(call.language(), "expected OUTPUT_SCHEMA, got " + m.type());
    }

    /** Skips the rest of a unit whose rows nobody wants (no result set). */
    private void drainUnit() throws PgException {
        while (true) {
            Message m = nextOutput();
            if (m instanceof OutputEnd) {
                return;
            }
            if (!(m instanceof OutputBatch)) {
                throw ScriptErrors.protocol(call.language(), "unexpected " + m.type() + " in the output");
            }
        }
    }

    /** INSERT INTO t EXEC: the whole output goes into the table with COPY, inside the caller's transaction. */
    private long copyIntoTarget(List<ColumnSpec> specs) throws PgException {
        CopyInWriter writer = InsertCopy.describe(insert, ctx.backend(), catalog, settings, call.language())
                .open(specs);
        try {
            while (true) {
                Message m = nextOutput();
                if (m instanceof OutputBatch b) {
                    if (b.batch().columnCount() != specs.size()) {
                        throw ScriptErrors.protocol(call.language(), "batch shape differs from the schema");
                    }
                    writer.write(b.batch());
                    rowsOut += b.batch().rowCount();
                } else if (m instanceof OutputEnd) {
                    return writer.finish();
                } else {
                    throw ScriptErrors.protocol(call.language(), "unexpected " + m.type() + " in the output");
                }
            }
        } catch (PgException | RuntimeException e) {
            writer.abort("Extensa: the script's output could not be stored: " + e.getMessage());
            throw e;
        }
    }

    /** After the last unit: OUTPUT parameters, then END. */
    private void finishSession() throws PgException {
        while (true) {
            Message m = nextOutput();
            if (m instanceof OutputParams p) {
                parameterRow = OutputParameters.apply(p, parameters, call, variables, ctx.backend(), catalog,
                        settings);
            } else if (m instanceof End) {
                return;
            } else {
                throw ScriptErrors.protocol(call.language(), "unexpected " + m.type() + " after the output");
            }
        }
    }

    /**
     * A satellite's exit, the launchpad reaping it and the next standby's fork take milliseconds of
     * CPU; begun while the call's last round trip (the caller's Sync) was under way they took the CPU
     * from it on two cores, and a paced call's p50 was 5.8-6.9 ms instead of 4.2-5.7 (pgjdbc, debug
     * stack, A/B). The satellite holds its slot this much longer.
     */
    private static final long HANG_UP_DELAY_MILLIS = 2;

    private static void pauseBeforeHangUp() {
        try {
            Thread.sleep(HANG_UP_DELAY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.mark("finish");
        if (job != null) {
            log.debug("job {}: {} rows in, {} out; {}", job.jobId(), rowsIn, rowsOut, timer);
        }
        if ((phase == Phase.STARTED || phase == Phase.MAIN) && outcome.equals("ok")) {
            outcome = job != null && job.cancelled() ? "cancelled" : "abandoned";
        }
        RequestMonitoring.end(request, call, outcome, rowsIn, rowsOut);
        if (loopback != null) {
            loopback.closeGate();
        }
        if (cancelHook != null) {
            try {
                cancelHook.close();
            } catch (Exception ignored) {
                // nothing to undo
            }
        }
        // the rest is off the client's path, and a moment later: the answer and the caller's Sync go out
        // first, then the satellite is hung up (it exits, its pool slot frees), the job ended and the next
        // call's standby started (the gate above already keeps scripts away from the session)
        services.afterCall(() -> {
            // the audit record first: it is about the call, which is over, not about the hang-up
            Audit.script(ctx.session().user(), ctx.session().database(), ctx.session().sessionId(), call.language(),
                    job == null ? "-" : job.pool(), job == null ? "-" : job.jobId(), outcome, timer.totalMillis(),
                    rowsIn, rowsOut);
            if (job != null) {
                pauseBeforeHangUp();
                job.hangUp();
            }
            if (loopbackSocket != null) {
                loopbackSocket.close();
            }
            if (job != null) {
                job.close();
                job.readyNextCall(services);
            }
        });
    }
}
