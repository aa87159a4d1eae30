package io.extensa.bench.scripts;

import io.extensa.bench.BenchContext;
import io.extensa.bench.BenchStack;
import io.extensa.bench.Report;
import io.extensa.bench.Suite;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Issue 3c: 1M rows produced by a script and stored in a table. Extensa's {@code INSERT INTO t
 * EXEC sp_execute_external_script} (a pandas DataFrame built with numpy) against PL/Python
 * returning a set, a plain SQL INSERT ... SELECT, and the ceiling: a binary COPY of the same rows
 * from a client that has them ready in memory.
 */
public final class InsertSuite implements Suite {

    static final String CEILING_LABEL = "binary COPY in, pgjdbc";
    static final String EXTENSA_SCRIPT = """
            import numpy as np, pandas as pd
            a = np.arange(%d, dtype=np.float64)
            OutputDataSet = pd.DataFrame({"a": a, "b": a * 0.5, "c": a * 0.25})""".formatted(BenchData.ROWS);

    @Override
    public String name() {
        return "insert";
    }

    @Override
    public String summary() {
        return "1M rows returned by a script and stored: INSERT ... EXEC vs PL/Python returning a set vs binary COPY in";
    }

    @Override
    public void run(BenchContext context, Report report) throws Exception {
        BenchStack stack = context.stack();
        BenchData.ensureInsertTable(stack);
        Optional<String> plpython = PeerFunctions.installPlPython(stack);
        byte[] rows = BenchData.binaryCopyOfInsertedRows(BenchData.ROWS);
        var plan = new VariantRunner.Plan(context.choose(5, 1), 1, 0);

        List<VariantResult> results;
        try (Connection control = stack.direct("")) {
            Variant.Preparation empty = () -> emptyTarget(control);
            JdbcVariant.Check stored = outcome -> verifyTarget(control);
            List<Variant> variants = new ArrayList<>();
            String extensaSql = "INSERT INTO " + BenchData.INSERT_TABLE + " "
                    + ExtensaScript.exec(ExtensaScript.PYTHON, EXTENSA_SCRIPT, Optional.empty());
            variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, "Extensa INSERT ... EXEC (Python)",
                    extensaSql, () -> new JdbcVariant("Extensa INSERT ... EXEC (Python)", Side.EXTENSA, "gateway",
                            () -> stack.gateway(""), extensaSql, JdbcVariant.Mode.STATEMENT, stored)));
            variants.add(peer(stack, "PL/Python generator (yield)", "INSERT INTO " + BenchData.INSERT_TABLE
                    + " SELECT * FROM bench_plpy_gen(" + BenchData.ROWS + ")", stored, plpython));
            variants.add(peer(stack, "PL/Python numpy → zip", "INSERT INTO " + BenchData.INSERT_TABLE
                    + " SELECT * FROM bench_plpy_gen_numpy(" + BenchData.ROWS + ")", stored, plpython));
            variants.add(new JdbcVariant("SQL INSERT ... SELECT generate_series", Side.REFERENCE, "direct",
                    () -> stack.direct(""), "INSERT INTO " + BenchData.INSERT_TABLE
                            + " SELECT i::float8, i * 0.5::float8, i * 0.25::float8 FROM generate_series(0, "
                            + (BenchData.ROWS - 1) + ") AS i", JdbcVariant.Mode.STATEMENT, stored));
            String copy = "COPY " + BenchData.INSERT_TABLE + " FROM STDIN (FORMAT binary)";
            variants.add(new CopyInVariant(CEILING_LABEL, Side.CEILING, "direct", () -> stack.direct(""), copy, rows,
                    BenchData.ROWS));
            variants.add(new CopyInVariant(CEILING_LABEL, Side.CEILING, "gateway", () -> stack.gateway(""), copy, rows,
                    BenchData.ROWS));
            variants.forEach(variant -> variant.before(empty));
            results = VariantRunner.run(context, name(), variants, plan);
            emptyTarget(control);
        }

        report.heading(2, "Suite `insert`: 1M rows returned by a script, stored in a table");
        report.paragraph(String.format(Locale.ROOT, """
                The rows are a = i, b = i / 2, c = i / 4 for i in 0 … 999,999, three `float8` columns, stored into \
                `%s (a float8, b float8, c float8)`, autocommit. Before every call (untimed) the table is truncated \
                and a `CHECKPOINT` is taken, so no call pays for another's dirty pages; after the warm-up call the \
                table is checked (count and sums). Each variant is warmed up once, then timed %d time(s), variants \
                taking turns in rotating order. The ceiling is pgjdbc's `CopyManager.copyIn` of the same rows in \
                binary COPY format from a byte array built beforehand (%.1f MB), over the Unix socket.""",
                BenchData.INSERT_TABLE, plan.rounds(), rows.length / 1e6));
        ResultTables.durations(report, results, results.stream()
                .filter(r -> r.variant().label().equals(CEILING_LABEL)).findFirst(), BenchData.ROWS);
        report.paragraph("Reproduce with `bin/bench insert" + context.quickFlag() + "`. The statements:");
        ResultTables.statements(report, results);
        report.paragraph("The peer functions:");
        report.code("sql", PeerFunctions.source("bench_plpy_gen", "bench_plpy_gen_numpy"));
    }

    private static Variant peer(BenchStack stack, String label, String sql, JdbcVariant.Check check,
            Optional<String> unavailable) {
        if (unavailable.isPresent()) {
            return Variant.pending(label, Side.PEER, "direct", sql, unavailable.get());
        }
        return new JdbcVariant(label, Side.PEER, "direct", () -> stack.direct(""), sql, JdbcVariant.Mode.STATEMENT,
                check);
    }

    private static void emptyTarget(Connection control) throws SQLException {
        try (Statement statement = control.createStatement()) {
            statement.execute("TRUNCATE " + BenchData.INSERT_TABLE);
            statement.execute("CHECKPOINT");
        }
    }

    /** Every row arrived with its values: count, and sums that only the right values give. */
    private static void verifyTarget(Connection control) throws SQLException {
        long n = BenchData.ROWS;
        double sumA = n * (n - 1) / 2.0;
        try (Statement statement = control.createStatement();
                ResultSet row = statement.executeQuery("SELECT count(*), sum(a), sum(b), sum(c) FROM "
                        + BenchData.INSERT_TABLE)) {
            row.next();
            if (row.getLong(1) != n || row.getDouble(2) != sumA || row.getDouble(3) != sumA / 2
                    || row.getDouble(4) != sumA / 4) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "%s holds %d rows with sums %.1f, %.1f, %.1f; expected %d rows with %.1f, %.1f, %.1f",
                        BenchData.INSERT_TABLE, row.getLong(1), row.getDouble(2), row.getDouble(3), row.getDouble(4),
                        n, sumA, sumA / 2, sumA / 4));
            }
        }
    }
}
