package io.extensa.engine.script;

import io.extensa.engine.EngineServices;
import io.extensa.engine.audit.Audit;
import io.extensa.engine.sql.ast.ResultSets;
import io.extensa.engine.types.DataRowDecoder;
import io.extensa.engine.types.InputColumnPlan;
import io.extensa.engine.types.InputTypes;
import io.extensa.engine.types.SessionSettings;
import io.extensa.engine.types.TypeCatalog;
import io.extensa.engine.variables.SessionVariables;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.intercept.DataRowWriter;
import io.extensa.pgwire.intercept.Execution;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.pgwire.intercept.ResultDescription;
import io.extensa.protocol.batch.Batch;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.protocol.message.End;
import io.extensa.protocol.message.ErrorMessage;
import io.extensa.protocol.message.Heartbeat;
import io.extensa.protocol.message.OutputBatch;
import io.extensa.protocol.message.OutputEnd;
import io.extensa.protocol.message.OutputParams;
import io.extensa.protocol.message.OutputSchema;
import io.extensa.protocol.message.SessionInit;
import io.extensa.protocol.message.Stderr;
import io.extensa.protocol.message.Stdout;
import io.extensa.protocol.wire.MessageType;
import io.extensa.protocol.wire.PayloadBuilder;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * sp_execute_external_script on several units and/or several satellites: {@code @parallel = 1}
 * (disjoint shares of the input, one per satellite), partitions (one unit per partition), and
 * streaming ({@code @r_rowsPerRead}: one unit per chunk of rows), in any combination.
 *
 * <p>One thread drives everything, pulled by the gateway: it reads the input a chunk at a time
 * from a portal on the caller's connection, cuts it into units, queues frames to the satellites,
 * and turns what the satellites answer into DataRows (or COPYs it into the INSERT target between
 * two input chunks, on the same connection). Nothing waits on one satellite while another needs
 * attention, so memory stays bounded by a chunk of input and a few batches per satellite.
 *
 * <p>{@link UnitDealer} cuts the rows into units and queues their frames; this class reads the
 * input, moves the queued frames to the satellites as they take them, and handles what comes back.
 *
 * <p>Partitions come either from sorted input (PostgreSQL orders the rows by the key; the engine
 * cuts units where the key changes and deals runs of them) or, when {@link HashedPartitions}
 * allows, from the input as it is: each row goes to its key's satellite ({@link KeyRouting}), and each
 * satellite groups its share into one unit per key after the last row (END_OF_INPUT group_by).
 */
public final class MultiUnitExecution implements Execution {

    private enum Phase { STARTED, MAIN, AFTER_MAIN, PARAMETERS, DONE }

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MultiUnitExecution.class);
    private static final String PORTAL = "extensa_input";
    /** rows per Execute on the input portal: the gateway holds at most one such chunk */
    private static final int FETCH_ROWS = 8192;
    /** smaller batches for plain parallel shares, so modest inputs still spread over the satellites */
    private static final int SHARE_BATCH_ROWS = 8192;
    private static final long SHARE_BATCH_BYTES = 2L << 20;

    private final EngineServices services;
    private final ExecutionContext ctx;
    private final ScriptCall call;
    private final SessionVariables variables;
    private final InsertTarget insert;
    private final TypeCatalog catalog;
    private final SessionSettings settings;
    private final PhaseTimer timer = new PhaseTimer();
    private final List<SatelliteWorker> workers = new ArrayList<>();
    private BlockingQueue<SatelliteWorker.Event> events;
    private AutoCloseable cancelHook;
    private List<ScriptParameters.Resolved> parameters = List.of();

    // ---- input ----
    private InputShape shape;
    private List<InputColumnPlan> columns;
    /** the input's RowDescription: which table and column each comes from (for the parallel read) */
    private List<io.extensa.pgwire.intercept.ColumnDescriptor> inputSources;
    private DataRowDecoder decoder;
    private UnitDealer dealer;
    private boolean portalOpen;
    private boolean inputDone;
    private boolean finalSent;
    /** partitions dealt by key hash from unsorted input; each satellite groups its share */
    private boolean hashed;
    private String partitionPath = "";
    private boolean noticeSent;
    private long rowsIn;

    // ---- output ----
    private Phase phase = Phase.STARTED;
    private OutputColumns result;
    private List<io.extensa.protocol.message.ColumnSpec> firstSchema;
    private InsertCopy insertCopy;
    private CopyInWriter copy;
    private List<io.extensa.protocol.message.ColumnSpec> copySchema;
    private long stored;
    private Batch batch;
    private OutputColumns batchColumns;
    private int batchRow;
    private long rowsOut;
    private String tag = "CALL";
    private OutputParameters.Row parameterRow;
    private String outcome = "ok";
    private io.extensa.engine.monitor.RequestRegistry.Handle request;
    private boolean closed;

    /** A frame for a satellite, sent when its queue has room. */
    private MultiUnitExecution(EngineServices services, ExecutionContext ctx, ScriptCall call,
                               SessionVariables variables, InsertTarget insert) {
        this.services = services;
        this.ctx = ctx;
        this.call = call;
        this.variables = variables;
        this.insert = insert;
        this.catalog = services.types(ctx.session().database());
        this.settings = SessionSettings.from(ctx.session()::parameterStatus);
    }

    public static MultiUnitExecution start(EngineServices services, ExecutionContext ctx, ScriptCall call,
                                           SessionVariables variables, InsertTarget insert, int degree,
                                           long statementTimeoutMillis) throws PgException {
        MultiUnitExecution execution = new MultiUnitExecution(services, ctx, call, variables, insert);
        try {
            execution.begin(call.parallel() ? Math.max(1, degree) : 1, statementTimeoutMillis);
            return execution;
        } catch (PgException e) {
            execution.outcome = "error " + e.sqlState();
            execution.close();
            throw e;
        } catch (RuntimeException e) {
            execution.outcome = "internal error";
            execution.close();
            throw e;
        }
    }

    private void begin(int degree, long statementTimeoutMillis) throws PgException {
        ctx.cancellation().throwIfCancelled();
        request = RequestMonitoring.begin(services, ctx, call);
        request.degreeOfParallelism(degree);
        // the first LAUNCH goes out first: the launchpad starts its satellite while PostgreSQL answers
        // the questions below
        ScriptJob.Launching first = ScriptJob.begin(services, ctx, call.language(), services.newJobId(),
                statementTimeoutMillis, StandbyActivation.NONE);
        String query = ScriptInput.query(call);
        try {
            parameters = ScriptParameters.resolve(call, ctx.backend(), variables, ctx.parameters(), catalog);
            ScriptInput.Described described = ScriptInput.describeWithSources(ctx.backend(), query, catalog,
                    settings);
            columns = described.plans();
            inputSources = described.columns();
            shape = InputShape.of(query, call.partitionBy(), call.orderBy(),
                    columns.stream().map(InputColumnPlan::name).toList());
            if (insert != null) {
                insertCopy = InsertCopy.describe(insert, ctx.backend(), catalog, settings, call.language());
            }
        } catch (PgException | RuntimeException e) {
            first.abandon();
            throw e;
        }
        timer.mark("describe");
        workers.add(new SatelliteWorker(0, first.await()));
        for (int i = 1; i < degree; i++) {
            // only the first satellite waits for a slot in the pool: a call holding slots must not
            // queue behind itself (or behind another call doing the same), so it runs on fewer
            Optional<ScriptJob> job = ScriptJob.launchIfSlotFree(services, ctx, call.language(),
                    statementTimeoutMillis);
            if (job.isEmpty()) {
                break;
            }
            workers.add(new SatelliteWorker(i, job.get()));
        }
        request.degreeOfParallelism(workers.size());
        request.satellite(workers.get(0).job.pid(), workers.get(0).job.worker());
        timer.mark("launch");
        cancelHook = ctx.cancellation().onCancel(() -> workers.forEach(SatelliteWorker::cancel));
        SessionInit init = new SessionInit(call.script(), call.inputName(), call.outputName(),
                columns.stream().map(InputColumnPlan::spec).toList(),
                parameters.stream().map(ScriptParameters.Resolved::wire).toList(), true, null);
        events = new ArrayBlockingQueue<>(8 + 4 * degree);
        for (SatelliteWorker w : workers) {
            w.job.awaitSatellite(services, services.config().satelliteConnectTimeout());
            w.job.send(init);
            w.start(events);
        }
        timer.mark("connect");
        if (shape.partitioned()) {
            HashedPartitions.Decision d = HashedPartitions.decide(ctx.backend(), call, shape, columns, workers, query);
            hashed = d.hashed();
            partitionPath = d.reason();
            log.debug("call {}: partitions {}", workers.get(0).job.jobId(), d.reason());
            if (hashed) {
                shape = shape.unsorted(query);
            }
        }
        boolean runs = !hashed && shape.partitioned() && call.rowsPerRead() <= 0
                && workers.stream().allMatch(w -> w.job.unitRuns());
        dealer = new UnitDealer(workers, shape, call.rowsPerRead(), runs);
        if (!hashed) {
            BatchBuilder builder = UnitDealer.sharesMode(shape, call.rowsPerRead())
                    ? InputTypes.newBatch(columns, SHARE_BATCH_BYTES, SHARE_BATCH_ROWS)
                    : InputTypes.newBatch(columns);
            decoder = new DataRowDecoder(columns, builder, dealer::batchFilled);
            dealer.decodeWith(decoder);
            ctx.backend().openPortal(PORTAL, shape.query(), 1);
            portalOpen = true;
        }
    }

    public long rowsIn() {
        return rowsIn;
    }

    public long rowsOut() {
        return rowsOut;
    }

    // ---- input: cutting the rows into units ----

    private void readChunk() throws PgException {
        boolean more = ctx.backend().fetch(PORTAL, FETCH_ROWS, body -> {
            dealer.row(body);
            decoder.decode(body);
            rowsIn++;
        });
        request.progress(rowsIn, rowsOut);
        if (!more) {
            inputDone = true;
            ctx.backend().closePortal(PORTAL);
            portalOpen = false;
            decoder.flush();
            timer.mark("input");
        }
    }

    /**
     * Hashed partitions: the whole input in one binary COPY (or several, over a parallel read of a
     * big table), each row into the batch of its key's satellite ({@link KeyRouting}), each batch sent as
     * it fills. No portal round trips: nothing else needs the connection meanwhile, since no unit
     * runs (and no output comes) before the satellites have their whole shares.
     */
    private void readShares() throws PgException {
        int n = workers.size();
        KeyRouting routing = new KeyRouting(n, shape.partitionColumns());
        io.extensa.engine.script.parallelread.ParallelInput.RoutedSender toShare = (share, batch, rows) -> {
            workers.get(share).shareRows += rows;
            sendDuringInput(workers.get(share), batch);
        };
        // several connections when that is provably the same read (docs/security.md, "Parallel input read")
        long parallel = io.extensa.engine.script.parallelread.ParallelInput.read(services, ctx,
                workers.get(0).job.jobId(), shape.query(), inputSources,
                out -> shareReader(InputColumnPlan.forAnotherThread(columns), n, routing, out), toShare);
        if (parallel >= 0) {
            rowsIn = parallel;
        } else {
            // the encoded batch references the builder's buffers, reused for the next batch: send a copy
            io.extensa.engine.types.CopyBinaryReader reader = shareReader(columns, n, routing, (share, full) ->
                    toShare.send(share, PayloadBuilder.encoded(full.encode().toByteBuffer()), full.rowCount()));
            ctx.backend().copyOut("COPY (" + shape.query() + "\n) TO STDOUT (FORMAT binary)", reader);
            rowsIn = reader.finish();
        }
        inputDone = true;
        request.progress(rowsIn, rowsOut);
        timer.mark("input");
    }

    /** A decoder that deals each row to the share {@code routing} names for its key, one batch per share. */
    private static io.extensa.engine.types.CopyBinaryReader shareReader(List<InputColumnPlan> plans,
            int n, KeyRouting routing, io.extensa.engine.script.parallelread.ParallelInput.FullBatch out) {
        List<BatchBuilder> batches = new ArrayList<>(n);
        List<io.extensa.engine.types.BatchSink> sinks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int share = i;
            batches.add(InputTypes.newBatch(plans));
            sinks.add(full -> out.accept(share, full));
        }
        return new io.extensa.engine.types.CopyBinaryReader(plans, batches, sinks, routing.newRouter());
    }

    /**
     * Sends a batch of a share now, waiting while the satellite's queue is full (it only buffers
     * input at this point), and fails the call when a satellite fails or the call is cancelled.
     */
    private void sendDuringInput(SatelliteWorker w, PayloadBuilder batch) throws PgException {
        ctx.cancellation().throwIfCancelled();
        SatelliteWorker.Frame frame = new SatelliteWorker.Frame(MessageType.INPUT_BATCH, batch);
        while (!w.offer(frame, 20)) {
            ctx.cancellation().throwIfCancelled();
            for (SatelliteWorker.Event e = events.poll(); e != null; e = events.poll()) {
                if (handle(e)) {
                    throw ScriptErrors.protocol(call.language(), "output before the input was complete");
                }
            }
        }
    }

    /** The input is over: every satellite's last unit is marked; one that got none is stopped. */
    private void finishUnits() {
        if (hashed) {
            dealer.finishShares(rowsIn);
        } else {
            dealer.finishUnits();
        }
        finalSent = true;
        request.degreeOfParallelism((int) workers.stream().filter(w -> !w.skipped).count());
        if (!hashed) {
            noticeUnits();
        }
    }

    /** How the call ran; with hashed partitions only once every satellite has answered (they count the units). */
    private void noticeUnits() {
        if (noticeSent) {
            return;
        }
        noticeSent = true;
        int degree = (int) workers.stream().filter(w -> !w.skipped).count();
        long units = dealer.units();
        ctx.notice(ErrorFields.notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION, "sp_execute_external_script ran "
                + units + (units == 1 ? " unit" : " units") + (shape.partitioned() ? " (partitions)" : "")
                + " on " + degree + (degree == 1 ? " satellite" : " satellites") + " (degree of parallelism "
                + degree + ")" + (hashed ? "; " + partitionPath : "")));
    }

    // ---- the driving loop ----

    /**
     * The next thing a satellite said, after moving the input forward as far as the satellites
     * take it; null once every satellite has ended.
     */
    private SatelliteWorker.Event next() throws PgException {
        while (true) {
            ctx.cancellation().throwIfCancelled();
            SatelliteWorker.Event e = events.poll();
            if (e != null) {
                return e;
            }
            Deque<UnitDealer.Pending> pending = dealer.pending();
            if (!pending.isEmpty()) {
                UnitDealer.Pending p = pending.peekFirst();
                if (p.to().skipped || p.to().offer(p.frame())) {
                    pending.pollFirst();
                    continue;
                }
            } else if (!inputDone) {
                suspendCopy();
                if (hashed) {
                    readShares();
                } else {
                    readChunk();
                }
                continue;
            } else if (!finalSent) {
                finishUnits();
                continue;
            } else if (workers.stream().allMatch(w -> w.ended)) {
                noticeUnits();
                return null;
            }
            try {
                e = events.poll(dealer.pending().isEmpty() ? 50 : 1, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new PgException(SqlState.QUERY_CANCELED, "canceling statement: the server is shutting down");
            }
            if (e != null) {
                return e;
            }
        }
    }

    /**
     * Handles one event; returns true when it made rows ready for the client (a batch to write).
     */
    private boolean handle(SatelliteWorker.Event e) throws PgException {
        SatelliteWorker w = e.from();
        if (w.skipped) {
            return false;
        }
        if (e.failure() != null) {
            throw inUnit(w, e.failure());
        }
        switch (e.message()) {
            case Stdout s -> ctx.notice(ErrorFields.notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION, s.text()));
            case Stderr s -> ctx.notice(ErrorFields.notice("WARNING", SqlState.WARNING, s.text()));
            case Heartbeat h -> {
                // liveness only
            }
            case ErrorMessage m -> {
                w.unitKey = m.unitKey();
                throw inUnit(w, ScriptErrors.fromSatellite(call.language(), m));
            }
            case OutputSchema s -> {
                w.unitSchema = s.absent() ? null : s.columns();
                w.unitColumns = null;
                if (!s.absent() && firstSchema == null) {
                    firstSchema = s.columns();
                }
            }
            case OutputBatch b -> {
                return rows(w, b.batch());
            }
            case OutputEnd end -> {
                if (hashed) {
                    dealer.countUnit();
                }
                w.keysInFlight.pollFirst();
                w.unitSchema = null;
                w.unitColumns = null;
            }
            case OutputParams p -> w.parameters = p;
            case End end -> w.ended = true;
            default -> throw ScriptErrors.protocol(call.language(), "unexpected " + e.message().type());
        }
        return false;
    }

    /** A batch of output rows from a satellite's current unit. */
    private boolean rows(SatelliteWorker w, Batch rows) throws PgException {
        if (w.unitSchema == null) {
            throw ScriptErrors.protocol(call.language(), "OUTPUT_BATCH without an output schema");
        }
        if (rows.rowCount() == 0) {
            return false;
        }
        if (call.resultSets().kind() == ResultSets.Kind.NONE) {
            throw inUnit(w, new PgException(SqlState.OUTPUT_MISMATCH, "WITH RESULT SETS NONE, but the "
                    + call.language() + " script returned rows in " + call.outputName()));
        }
        if (insert != null) {
            storeRows(w, rows);
            return false;
        }
        if (w.unitColumns == null) {
            w.unitColumns = columnsFor(w);
        }
        batch = rows;
        batchColumns = w.unitColumns;
        batchRow = 0;
        return true;
    }

    private OutputColumns columnsFor(SatelliteWorker w) throws PgException {
        if (result == null) {
            result = defineResult(w.unitSchema);
            firstSchema = w.unitSchema;
            return result;
        }
        if (OutputColumns.sameTypes(w.unitSchema, firstSchema)) {
            return result;
        }
        return result.conforming(w.unitSchema, catalog, settings, ctx.backend(), describeUnit(w));
    }

    private OutputColumns defineResult(List<io.extensa.protocol.message.ColumnSpec> schema) throws PgException {
        return call.resultSets().kind() == ResultSets.Kind.DEFINED
                ? OutputColumns.declared(schema, call.resultSets().sets().get(0), ctx.backend(), catalog, settings,
                call.language())
                : OutputColumns.natural(schema, catalog, settings, ctx.backend());
    }

    // ---- INSERT ... EXEC: COPY between input chunks ----

    private void storeRows(SatelliteWorker w, Batch rows) throws PgException {
        if (copy != null && !OutputColumns.sameTypes(w.unitSchema, copySchema)) {
            suspendCopy();
        }
        if (copy == null) {
            copy = insertCopy.open(w.unitSchema);
            copySchema = w.unitSchema;
        }
        if (rows.columnCount() != copySchema.size()) {
            throw ScriptErrors.protocol(call.language(), "batch shape differs from the schema");
        }
        copy.write(rows);
        rowsOut += rows.rowCount();
    }

    /** Ends the open COPY so the caller's connection can read the next input chunk. */
    private void suspendCopy() throws PgException {
        if (copy != null) {
            CopyInWriter c = copy;
            copy = null;
            stored += c.finish();
        }
    }

    // ---- results for the gateway ----

    @Override
    public ResultDescription nextResult() throws PgException {
        try {
            return advance();
        } catch (PgException e) {
            outcome = "error " + e.sqlState();
            throw e;
        }
    }

    private ResultDescription advance() throws PgException {
        switch (phase) {
            case STARTED -> {
                if (insert != null) {
                    for (SatelliteWorker.Event e = next(); e != null; e = next()) {
                        handle(e);
                    }
                    suspendCopy();
                    tag = "INSERT 0 " + stored;
                    phase = Phase.AFTER_MAIN;
                    return ResultDescription.commandOnly();
                }
                while (true) {
                    SatelliteWorker.Event e = next();
                    if (e == null) {
                        break;
                    }
                    if (handle(e)) {
                        phase = Phase.MAIN;
                        tag = "SELECT 0";
                        return ResultDescription.rows(result.descriptors());
                    }
                }
                // every unit has answered and none returned a row
                timer.mark("script");
                if (firstSchema == null || call.resultSets().kind() == ResultSets.Kind.NONE) {
                    if (call.resultSets().kind() == ResultSets.Kind.DEFINED) {
                        throw new PgException(SqlState.OUTPUT_MISMATCH, "WITH RESULT SETS declares a result set but "
                                + "the " + call.language() + " script did not set " + call.outputName());
                    }
                    phase = Phase.AFTER_MAIN;
                    return advance();
                }
                result = defineResult(firstSchema);
                phase = Phase.AFTER_MAIN;
                tag = "SELECT 0";
                return ResultDescription.rows(result.descriptors());
            }
            case AFTER_MAIN -> {
                OutputParams p = workers.get(0).parameters;
                if (p != null) {
                    parameterRow = OutputParameters.apply(p, parameters, call, variables, ctx.backend(), catalog,
                            settings);
                }
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
            outcome = "error " + e.sqlState();
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
                if (batchRow == 0) {
                    batchColumns.startBatch(batch, rowsOut + 1, out);
                }
                batchColumns.writeRow(batch, batchRow++, ++rowsOut, out);
                written++;
                continue;
            }
            batch = null;
            SatelliteWorker.Event e = next();
            if (e == null) {
                timer.mark("output");
                tag = "SELECT " + rowsOut;
                phase = Phase.AFTER_MAIN;
                return true;
            }
            handle(e);
        }
    }

    @Override
    public String commandTag() {
        return tag;
    }

    // ---- errors that name their unit ----

    private PgException inUnit(SatelliteWorker w, PgException e) {
        if (SqlState.QUERY_CANCELED.equals(e.sqlState())) {
            return e;
        }
        String unit = describeUnit(w);
        if (unit.isEmpty()) {
            return e;
        }
        return new PgException(e.fields().with('M', e.getMessage() + " (in " + unit + ")"));
    }

    /** "partition (region = 'north', year = 2024)", "chunk 3", "share 2", or "" for a single unit. */
    private String describeUnit(SatelliteWorker w) {
        if (hashed && w.unitKey != null) {
            return "partition " + PartitionKeys.describe(w.unitKey, shape.partitionNames());
        }
        byte[][] key = w.keysInFlight.peekFirst();
        if (shape.partitioned() && key != null && key.length > 0) {
            return "partition " + PartitionKeys.describe(key, shape, columns);
        }
        if (call.rowsPerRead() > 0) {
            return "a chunk of @r_rowsPerRead = " + call.rowsPerRead() + " rows";
        }
        return workers.size() > 1 ? "the share of satellite " + (w.index + 1) + " of " + workers.size() : "";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.mark("finish");
        if ((phase == Phase.STARTED || phase == Phase.MAIN) && outcome.equals("ok")) {
            outcome = workers.stream().anyMatch(w -> w.job.cancelled()) ? "cancelled" : "abandoned";
        }
        if (copy != null) {
            copy.abort("Extensa: the call failed before its output was stored");
            copy = null;
        }
        if (portalOpen && !ctx.backend().failed()) {
            try {
                ctx.backend().closePortal(PORTAL);
            } catch (PgException | RuntimeException ignored) {
                // the transaction ends the portal anyway
            }
        }
        log.debug("parallel job {}: {} satellites, {} units, {} rows in, {} out; {}", workers.isEmpty() ? "-"
                : workers.get(0).job.jobId(), workers.size(), dealer == null ? 0 : dealer.units(), rowsIn, rowsOut, timer);
        RequestMonitoring.end(request, call, outcome, rowsIn, rowsOut);
        Audit.script(ctx.session().user(), ctx.session().database(), ctx.session().sessionId(), call.language(),
                workers.isEmpty() ? "-" : workers.get(0).job.pool(), workers.isEmpty() ? "-" : workers.get(0).job.jobId() + (workers.size() > 1
                        ? "+" + (workers.size() - 1) : ""), outcome, timer.totalMillis(), rowsIn, rowsOut);
        if (cancelHook != null) {
            try {
                cancelHook.close();
            } catch (Exception ignored) {
                // nothing to undo
            }
        }
        for (SatelliteWorker w : workers) {
            w.close();
        }
        for (SatelliteWorker w : workers) {
            try {
                w.awaitThreads(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }
}
