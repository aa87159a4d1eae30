package io.extensa.engine.script.parallelread;

import io.extensa.engine.EngineServices;
import io.extensa.engine.catalog.ServerConfiguration;
import io.extensa.engine.types.CopyBinaryReader;
import io.extensa.engine.types.InputColumnPlan;
import io.extensa.engine.types.InputTypes;
import io.extensa.protocol.batch.BatchBuilder;
import io.extensa.pgwire.ErrorFields;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.pgwire.client.PgClient;
import io.extensa.pgwire.intercept.ColumnDescriptor;
import io.extensa.pgwire.intercept.ExecutionContext;
import io.extensa.protocol.wire.PayloadBuilder;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parallel input read of a serial call (issue 8c): when {@link ReadEligibility} proves that
 * the input query is the visible rows of one table, several connections read disjoint block
 * ranges of it under one snapshot, as the caller, and their batches go to the satellite. In every
 * other case, and whenever setting the readers up fails before the first row, the caller's own
 * connection reads the input as before. A session with client_min_messages at debug1 or lower
 * gets a DEBUG notice naming the path and why.
 */
public final class ParallelInput {

    /** Sends one encoded INPUT_BATCH to the satellite; called on the caller's thread only. */
    @FunctionalInterface
    public interface BatchSender {
        void send(PayloadBuilder batch) throws PgException;
    }

    /** Sends one encoded INPUT_BATCH of {@code rows} rows to satellite {@code share}; on the caller's thread only. */
    @FunctionalInterface
    public interface RoutedSender {
        void send(int share, PayloadBuilder batch, int rows) throws PgException;
    }

    /** Where a reader's decoder puts each full batch (its builder is reused once this returns). */
    @FunctionalInterface
    public interface FullBatch {
        void accept(int share, BatchBuilder batch) throws PgException;
    }

    /**
     * Makes one reader's decoder of binary COPY data, on that reader's thread: it must not share
     * column decoders with another ({@link InputColumnPlan#forAnotherThread}).
     */
    @FunctionalInterface
    public interface Decoders {
        CopyBinaryReader create(FullBatch out);
    }

    private static final Logger log = LoggerFactory.getLogger(ParallelInput.class);
    private static final int MAX_READERS = 8;

    private ParallelInput() {
    }

    /**
     * Reads the input in parallel when that is provably the same as the serial read.
     *
     * @return the rows read, or -1 when the caller's connection must read the input
     */
    public static long read(EngineServices services, ExecutionContext ctx, String callId, String query,
                            List<ColumnDescriptor> columns, List<InputColumnPlan> plans, BatchSender sender)
            throws PgException {
        return read(services, ctx, callId, query, columns, out -> {
            List<InputColumnPlan> own = InputColumnPlan.forAnotherThread(plans);
            return new CopyBinaryReader(own, InputTypes.newBatch(own), full -> out.accept(0, full));
        }, (share, batch, rows) -> sender.send(batch));
    }

    /**
     * As {@link #read(EngineServices, ExecutionContext, String, String, List, List, BatchSender)}, with
     * each reader's rows decoded by a decoder of the caller's (one that deals rows out to several
     * satellites, say) and each full batch sent to the destination the decoder named.
     */
    public static long read(EngineServices services, ExecutionContext ctx, String callId, String query,
                            List<ColumnDescriptor> columns, Decoders decoders, RoutedSender sender)
            throws PgException {
        ReaderPool pool = services.readerPool();
        if (pool == null) {
            log.debug("call {}: input read serially: no service connection to create reader roles", callId);
            return -1;
        }
        long minPages = services.configuration().inUse(ServerConfiguration.PARALLEL_READ_MIN_PAGES);
        ReadDecision decision = ReadEligibility.decide(ctx.backend(), query, columns, minPages);
        if (decision instanceof ReadDecision.Serial serial) {
            return serially(ctx, callId, serial.reason(), serial.debugNotices());
        }
        ReadDecision.Parallel parallel = (ReadDecision.Parallel) decision;
        int degree = (int) Math.min(Math.min(services.parallelDegree(), MAX_READERS), Math.max(1, parallel.blocks()));
        if (degree < 2) {
            return serially(ctx, callId, "max degree of parallelism is 1", parallel.debugNotices());
        }
        long started = System.nanoTime();
        ReaderPool.Lease lease;
        List<String> queries;
        try {
            lease = pool.acquire(services.catalog().config().address(), parallel.callerRole(),
                    ctx.session().database(), degree);
        } catch (PgException e) {
            return setUpFailed(ctx, callId, parallel, e);
        }
        try (lease) {
            try {
                queries = open(parallel, lease.connections());
            } catch (PgException e) {
                return setUpFailed(ctx, callId, parallel, e);
            }
            note(ctx, parallel.debugNotices(), "Extensa: input read over " + degree + " connections sharing one "
                    + "snapshot (table " + parallel.schema() + "." + parallel.table() + ", " + parallel.blocks()
                    + " pages)");
            log.debug("call {}: input read over {} connections ({}.{}, {} pages), set up in {} ms", callId, degree,
                    parallel.schema(), parallel.table(), parallel.blocks(),
                    String.format(java.util.Locale.ROOT, "%.2f", (System.nanoTime() - started) / 1e6));
            long rows = new ParallelReaders(lease.connections(), queries, decoders, ctx.cancellation(), callId)
                    .run(sender);
            lease.readSucceeded();
            return rows;
        }
    }

    /**
     * Opens the readers' read-only transactions on one snapshot (the first reader's, exported),
     * makes each the caller, and checks that each reader's query is a TID range scan of the same
     * table. Two round trips per reader.
     */
    private static List<String> open(ReadDecision.Parallel read, List<PgClient> readers) throws PgException {
        String begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ";
        String becomeCaller = "SET LOCAL ROLE " + Sql.identifier(read.callerRole())
                + "; SET LOCAL statement_timeout = " + Sql.literal(read.statementTimeout())
                + "; SET LOCAL search_path = pg_catalog; SET LOCAL max_parallel_workers_per_gather = 0; ";
        long[] bounds = read.boundaries(readers.size());
        List<String> queries = new ArrayList<>();
        String snapshot = null;
        for (int k = 0; k < readers.size(); k++) {
            PgClient reader = readers.get(k);
            PgClient.Result answer = reader.execute(begin
                    + (k > 0 ? "SET TRANSACTION SNAPSHOT " + Sql.literal(snapshot) + "; " : "") + becomeCaller
                    + "SELECT current_user::text, " + (k == 0 ? "pg_catalog.pg_export_snapshot()" : "NULL"));
            String caller = answer.rows().get(0).get(0);
            if (!read.callerRole().equals(caller)) {
                throw new PgException(SqlState.INSUFFICIENT_PRIVILEGE, "the reader runs as " + caller);
            }
            if (k == 0) {
                snapshot = answer.rows().get(0).get(1);
            }
            String query = read.rangeQuery(bounds[k], bounds[k + 1]);
            PlanCheck.Result plan = PlanCheck.check(reader.execute("EXPLAIN (VERBOSE, FORMAT XML) " + query)
                    .single(), "Tid Range Scan");
            if (!plan.plain() || !plan.schema().equals(read.schema()) || !plan.relation().equals(read.table())) {
                throw new PgException(SqlState.INTERNAL_ERROR, "the range query of reader " + k + " is not a TID "
                        + "range scan of the table: " + (plan.plain() ? plan.schema() + "." + plan.relation()
                        : plan.refusal()));
            }
            queries.add(query);
        }
        return queries;
    }

    /** The serial read after the readers could not be set up, unless the call was cancelled meanwhile. */
    private static long setUpFailed(ExecutionContext ctx, String callId, ReadDecision.Parallel parallel,
                                    PgException e) throws PgException {
        ctx.cancellation().throwIfCancelled();
        return serially(ctx, callId, "the reader connections could not be set up: " + e.getMessage(),
                parallel.debugNotices());
    }

    private static long serially(ExecutionContext ctx, String callId, String reason, boolean debug) {
        note(ctx, debug, "Extensa: input read serially: " + reason);
        log.debug("call {}: input read serially: {}", callId, reason);
        return -1;
    }

    private static void note(ExecutionContext ctx, boolean debug, String text) {
        if (debug) {
            ctx.notice(ErrorFields.notice("DEBUG", SqlState.SUCCESSFUL_COMPLETION, text));
        }
    }
}
