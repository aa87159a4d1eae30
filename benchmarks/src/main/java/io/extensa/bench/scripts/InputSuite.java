package io.extensa.bench.scripts;

import io.extensa.bench.BenchContext;
import io.extensa.bench.BenchStack;
import io.extensa.bench.Format;
import io.extensa.bench.Report;
import io.extensa.bench.Suite;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Issue 8c: how fast Extensa gets a large mixed-type input into a script that only counts its
 * rows, whole (read serially, and read in parallel over snapshot-sharing connections), streamed, and
 * in parallel shares, against the single-stream ceiling: one binary COPY of the same query read by
 * pgjdbc and discarded, and the same split over 2 connections. MB/s are bytes of that binary COPY stream.
 */
public final class InputSuite implements Suite {

    static final long FULL_ROWS = 10_000_000L;
    static final long QUICK_ROWS = 500_000L;
    static final String ROWS_PROPERTY = "extensa.bench.input.rows";
    static final int ROWS_PER_READ = 100_000;
    static final String CEILING_LABEL = "binary COPY out, pgjdbc";
    static final String SCRIPT = "import pandas as pd\nOutputDataSet = pd.DataFrame({\"n\": [len(InputDataSet)]})";
    static final String SERIAL_LABEL = "Extensa, whole input, serial read (extensa.parallel_read = off)";
    static final String SNAPSHOT_LABEL = "Extensa, whole input, parallel read (2 connections sharing a snapshot)";
    static final String SNAPSHOT_CEILING_LABEL = "binary COPY out, pgjdbc, 2 connections sharing a snapshot";

    @Override
    public String name() {
        return "input";
    }

    @Override
    public String summary() {
        return "10M rows × 5 mixed columns into a row-counting script: Extensa whole, streamed and @parallel vs one "
                + "binary COPY out";
    }

    static long rows(BenchContext context) {
        return Long.getLong(ROWS_PROPERTY, context.quick() ? QUICK_ROWS : FULL_ROWS);
    }

    /** Chunks a streamed read of {@code rows} produces. */
    static long chunks(long rows, long rowsPerRead) {
        return (rows + rowsPerRead - 1) / rowsPerRead;
    }

    static String query(String table) {
        return "SELECT i, f, t, ts, b FROM " + table;
    }

    @Override
    public void run(BenchContext context, Report report) throws Exception {
        BenchStack stack = context.stack();
        long rows = rows(context);
        String table = LargeData.inputTable(rows);
        context.progress(name(), "creating " + table + " (untimed)");
        LargeData.ensureInputTable(stack, rows);
        if (context.quick()) {
            // the quick table is smaller than the default threshold (16,384 pages)
            try (java.sql.Connection c = stack.gateway(""); java.sql.Statement s = c.createStatement()) {
                s.execute("EXEC sp_configure 'parallel read min pages', 1000");
                s.execute("RECONFIGURE");
            }
        }
        var plan = new VariantRunner.Plan(context.choose(3, 1), 1, 0);
        String query = query(table);
        String exec = ExtensaScript.exec(ExtensaScript.PYTHON, SCRIPT, Optional.of(query));

        List<Variant> variants = new ArrayList<>();
        // the serial read is the default below 'parallel read min pages' and where the parallel one is not provably
        // the same; here the session turns it off, so both reads of the same statement are measured
        variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, SERIAL_LABEL, exec, () -> new JdbcVariant(
                SERIAL_LABEL, Side.EXTENSA, "gateway", () -> session(stack, "SET extensa.parallel_read = off"), exec,
                JdbcVariant.Mode.STATEMENT, Checks.countsAddUpTo(rows, 1))));
        variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, SNAPSHOT_LABEL, exec, () -> new JdbcVariant(
                SNAPSHOT_LABEL, Side.EXTENSA, "gateway", () -> session(stack, "SET client_min_messages = debug1"), exec,
                JdbcVariant.Mode.STATEMENT, outcome -> {
                    Checks.countsAddUpTo(rows, 1).verify(outcome);
                    if (outcome.notices().stream().noneMatch(n -> n.contains("input read over"))) {
                        throw new IllegalStateException("the parallel read was not taken: " + outcome.notices());
                    }
                })));
        extensa(variants, stack, "Extensa, @r_rowsPerRead = " + ROWS_PER_READ, exec + ", @r_rowsPerRead = "
                + ROWS_PER_READ, Checks.countsAddUpTo(rows, chunks(rows, ROWS_PER_READ)));
        extensa(variants, stack, "Extensa, @parallel = 1 (shares on 2 satellites)", exec + ", @parallel = 1",
                Checks.countsAddUpTo(rows, -1));
        variants.add(new SnapshotCopyOutVariant(SNAPSHOT_CEILING_LABEL, Side.REFERENCE, "direct",
                () -> stack.direct(""), "i, f, t, ts, b", table, 2, rows));
        CopyOutVariant ceiling = new CopyOutVariant(CEILING_LABEL, Side.CEILING, "direct", () -> stack.direct(""),
                "COPY (" + query + ") TO STDOUT (FORMAT binary)", rows);
        variants.add(ceiling);
        List<VariantResult> results = VariantRunner.run(context, name(), variants, plan);
        long bytes = ceiling.bytes();

        report.heading(2, "Suite `input`: " + Format.count(rows) + " rows × 5 mixed columns into a script");
        report.paragraph(String.format(Locale.ROOT, """
                Table `%s` (generated once, untimed, vacuumed): i `int8` 1 … %s, f `float8` from `random()`, \
                t `text` ('row-' || i, 5–12 characters), ts `timestamp` (one second apart), b `bool`. The query \
                `%s` is %s MB as a binary COPY stream; MB/s below are that size over the median time, for every \
                row. The Extensa script only counts its rows (`OutputDataSet = pd.DataFrame({"n": \
                [len(InputDataSet)]})`), so its time is getting the input from PostgreSQL into a pandas \
                DataFrame; the warm-up call is checked (counts adding up to the row count). The ceiling reads \
                the same query with pgjdbc's `CopyManager.copyOut` over the Unix socket into a stream that \
                discards it: one stream is as fast as one backend can produce rows. Each variant is warmed up \
                once, then timed %d time(s), variants taking turns. The parallel read (issue 8c) splits the table \
                into ctid ranges read by 2 connections in one snapshot, as the caller; the serial read of the same \
                statement is measured in a session with `SET extensa.parallel_read = off`; the 2-connection \
                pgjdbc row is the database side of that split without Extensa.""", table, Format.count(rows), query,
                Format.decimal(bytes / 1e6, 1), plan.rounds()));
        ResultTables.throughput(report, results, results.stream()
                .filter(r -> r.variant().label().equals(CEILING_LABEL)).findFirst(), rows, bytes);
        report.bullets(ResultTables.notices(results));
        report.paragraph("Reproduce with `bin/bench input" + context.quickFlag() + "`. The statements:");
        ResultTables.statements(report, results);
    }

    private static java.sql.Connection session(BenchStack stack, String setting) throws java.sql.SQLException {
        java.sql.Connection c = stack.gateway("");
        try (java.sql.Statement s = c.createStatement()) {
            s.execute(setting);
        }
        return c;
    }

    private static void extensa(List<Variant> variants, BenchStack stack, String label, String sql,
            JdbcVariant.Check check) {
        variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, label, sql, () -> new JdbcVariant(label,
                Side.EXTENSA, "gateway", () -> stack.gateway(""), sql, JdbcVariant.Mode.STATEMENT, check)));
    }
}
