package io.extensa.bench.scripts;

import io.extensa.bench.BenchContext;
import io.extensa.bench.BenchStack;
import io.extensa.bench.Format;
import io.extensa.bench.Report;
import io.extensa.bench.Suite;
import io.extensa.bench.system.MemoryWatch;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Issue 8b: scoring a large table with {@code @r_rowsPerRead} (a chunk at a time, bounded memory)
 * against the same call without it (the satellite holds the whole DataFrame). The scores are
 * stored with INSERT ... EXEC, so the client holds nothing and the harness's JVM is the gateway's
 * alone; rows/s, and peak RSS of the satellites and of the gateway's JVM (RSS and heap in use)
 * sampled from /proc and the JVM during every timed call.
 */
public final class StreamingSuite implements Suite {

    /** Rows of the full run; {@code -Dextensa.bench.streaming.rows=N} (EXTENSA_JAVA_OPTS) overrides. */
    static final long FULL_ROWS = 20_000_000L;
    static final long QUICK_ROWS = 500_000L;
    static final String ROWS_PROPERTY = "extensa.bench.streaming.rows";
    static final int ROWS_PER_READ = 100_000;
    static final String STREAMING_LABEL = "Extensa INSERT ... EXEC, @r_rowsPerRead = " + ROWS_PER_READ;
    static final String WHOLE_LABEL = "Extensa INSERT ... EXEC, whole input at once";
    static final String SCRIPT = """
            import pandas as pd
            d = InputDataSet
            OutputDataSet = pd.DataFrame({"id": d["id"].to_numpy(),
                                          "score": 0.5 * d["a"].to_numpy() - 0.25 * d["b"].to_numpy()
                                                   + 2 * d["c"].to_numpy() + d["d"].to_numpy()})""";

    @Override
    public String name() {
        return "streaming";
    }

    @Override
    public String summary() {
        return "20M rows × 5 columns scored with @r_rowsPerRead = 100000 vs without: rows/s, peak RSS of satellites "
                + "and gateway";
    }

    static long rows(BenchContext context) {
        return Long.getLong(ROWS_PROPERTY, context.quick() ? QUICK_ROWS : FULL_ROWS);
    }

    static String extensaSql(String table, boolean streaming) {
        return "INSERT INTO " + LargeData.SCORES_TABLE + " " + ExtensaScript.exec(ExtensaScript.PYTHON, SCRIPT,
                Optional.of("SELECT id, a, b, c, d FROM " + table))
                + (streaming ? ", @r_rowsPerRead = " + ROWS_PER_READ : "");
    }

    @Override
    public void run(BenchContext context, Report report) throws Exception {
        BenchStack stack = context.stack();
        long rows = rows(context);
        String table = LargeData.streamTable(rows);
        context.progress(name(), "creating " + table + " (untimed)");
        LargeData.ensureStreamTable(stack, rows);
        var plan = new VariantRunner.Plan(context.choose(3, 1), 1, 0);
        long launchpad = stack.server().launchpadPid();

        List<VariantResult> results;
        try (Connection control = stack.direct("")) {
            double expectedScoreSum = scoreSum(control, table);
            Variant.Preparation empty = () -> emptyTarget(control);
            JdbcVariant.Check stored = outcome -> verifyTarget(control, rows, expectedScoreSum);
            List<Variant> variants = new ArrayList<>();
            for (boolean streaming : List.of(true, false)) {
                String label = streaming ? STREAMING_LABEL : WHOLE_LABEL;
                String sql = extensaSql(table, streaming);
                variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, label, sql,
                        () -> new MemoryWatchedVariant(new JdbcVariant(label, Side.EXTENSA, "gateway",
                                () -> stack.gateway(""), sql, JdbcVariant.Mode.STATEMENT, stored), launchpad)));
            }
            variants.add(new JdbcVariant("SQL INSERT ... SELECT (the formula in SQL)", Side.REFERENCE, "direct",
                    () -> stack.direct(""), "INSERT INTO " + LargeData.SCORES_TABLE + " SELECT id, "
                            + LargeData.SCORE_SQL + " FROM " + table, JdbcVariant.Mode.STATEMENT, stored));
            variants.forEach(variant -> variant.before(empty));
            results = VariantRunner.run(context, name(), variants, plan);
            emptyTarget(control);
        }

        report.heading(2, "Suite `streaming`: " + Format.count(rows) + " rows × 5 columns through a scoring script");
        report.paragraph(String.format(Locale.ROOT, """
                Table `%s` (generated once, untimed, vacuumed): id `int8` 1 … %s and four `float8` a, b, c, d \
                from `random()` (seeded). The script scores every row with numpy, score = %s, and returns id and \
                score; the rows are stored with `INSERT INTO %s (id int8, score float8) EXEC ...`, so the client \
                holds nothing and the gateway COPYs each output chunk into the table as it comes. Before every \
                call (untimed) the target is truncated and a `CHECKPOINT` taken; after the warm-up call it is \
                checked (count, sum of ids, sum of scores within 1e-9 of PostgreSQL's own sum of the formula). \
                Streaming: `@r_rowsPerRead = %d`, one script run per chunk on one satellite; without it the \
                satellite gets the whole input as one DataFrame (the gateway still reads it in batches). Each \
                variant is warmed up once, then timed %d time(s), variants taking turns. The SQL row is \
                PostgreSQL computing the same formula itself, for scale. Row count: %s (`-D%s=N` in \
                EXTENSA_JAVA_OPTS to change it; `--quick` uses %s).""", table, Format.count(rows),
                LargeData.SCORE_SQL, LargeData.SCORES_TABLE, ROWS_PER_READ, plan.rounds(), Format.count(rows),
                ROWS_PROPERTY, Format.count(QUICK_ROWS)));
        ResultTables.durations(report, results, Optional.empty(), rows);
        report.paragraph("""
                Memory during the timed calls, sampled every 50 ms: the satellites are the processes that \
                appear under the launchpad during the call (forked by the Python fork server); a satellite's \
                peak is the highest of its sampled RSS and its kernel high-water mark (VmHWM), so a spike between \
                samples still counts. The gateway runs in the harness's JVM (no client rows are kept there): its \
                RSS and its heap in use (live data plus garbage not yet collected; the JVM's default heap \
                limit) at the start of the call and at the highest sample. Worst call of each variant.""");
        memoryTable(report, results);
        report.bullets(ResultTables.notices(results));
        report.paragraph("Reproduce with `bin/bench streaming" + context.quickFlag() + "`. The statements:");
        ResultTables.statements(report, results);
    }

    private static void memoryTable(Report report, List<VariantResult> results) {
        var table = new Report.Table("variant", "satellites", "satellite peak RSS (MB)", "all satellites (MB)",
                "gateway JVM RSS start → peak (MB)", "gateway heap in use start → peak (MB)")
                .rightAligned(1, 2, 3, 4, 5);
        for (VariantResult result : results) {
            if (!(result.variant() instanceof MemoryWatchedVariant watched) || watched.peaks().isEmpty()) {
                continue;
            }
            List<MemoryWatch.Peaks> peaks = watched.peaks();
            table.row(result.variant().label(), max(peaks, MemoryWatch.Peaks::processes),
                    mib(max(peaks, MemoryWatch.Peaks::largestKib) * 1024),
                    mib(max(peaks, MemoryWatch.Peaks::totalKib) * 1024),
                    mib(max(peaks, MemoryWatch.Peaks::jvmRssStartKib) * 1024) + " → "
                            + mib(max(peaks, MemoryWatch.Peaks::jvmRssPeakKib) * 1024),
                    mib(max(peaks, MemoryWatch.Peaks::heapStartBytes)) + " → "
                            + mib(max(peaks, MemoryWatch.Peaks::heapPeakBytes)));
        }
        if (table.rowCount() > 0) {
            report.table(table);
        }
    }

    static long max(List<MemoryWatch.Peaks> peaks, ToLongFunction<MemoryWatch.Peaks> field) {
        return peaks.stream().mapToLong(field).max().orElse(0);
    }

    static String mib(long bytes) {
        return Format.count(bytes / (1024.0 * 1024.0));
    }

    private static double scoreSum(Connection control, String table) throws SQLException {
        try (Statement statement = control.createStatement();
                ResultSet row = statement.executeQuery("SELECT sum(" + LargeData.SCORE_SQL + ") FROM " + table)) {
            row.next();
            return row.getDouble(1);
        }
    }

    private static void emptyTarget(Connection control) throws SQLException {
        try (Statement statement = control.createStatement()) {
            statement.execute("TRUNCATE " + LargeData.SCORES_TABLE);
            statement.execute("CHECKPOINT");
        }
    }

    private static void verifyTarget(Connection control, long rows, double expectedScoreSum) throws SQLException {
        try (Statement statement = control.createStatement();
                ResultSet row = statement.executeQuery("SELECT count(*), sum(id)::text, sum(score) FROM "
                        + LargeData.SCORES_TABLE)) {
            row.next();
            String idSum = Long.toString(rows * (rows + 1) / 2);
            double scoreSum = row.getDouble(3);
            if (row.getLong(1) != rows || !idSum.equals(row.getString(2))
                    || Math.abs(scoreSum - expectedScoreSum) > 1e-9 * Math.abs(expectedScoreSum)) {
                throw new IllegalStateException(String.format(Locale.ROOT, "%s holds %d rows, ids summing to %s, "
                        + "scores to %.6f; expected %d rows, %s, %.6f", LargeData.SCORES_TABLE, row.getLong(1),
                        row.getString(2), scoreSum, rows, idSum, expectedScoreSum));
            }
        }
    }
}
