package io.extensa.bench.scripts;

import io.extensa.bench.BenchContext;
import io.extensa.bench.BenchStack;
import io.extensa.bench.Format;
import io.extensa.bench.Report;
import io.extensa.bench.Suite;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Issue 8a: batch-training many small models. 1,000 partitions × 1,000 rows, one scikit-learn
 * LinearRegression per partition returning its coefficients: Extensa partitioned on one satellite
 * ({@code @parallel = 0}), on two ({@code @parallel = 1}, degree 2), and PL/Python fed by
 * {@code GROUP BY} with {@code array_agg}.
 */
public final class PartitionsSuite implements Suite {

    static final String SERIAL_LABEL = "Extensa partitioned, serial (@parallel = 0)";
    static final String PARALLEL_LABEL = "Extensa partitioned, parallel (@parallel = 1, degree 2)";
    static final String PLPYTHON_LABEL = "PL/Python GROUP BY + array_agg";
    static final int DEGREE = 2;
    static final String QUERY = "SELECT k, x1, x2, x3, y FROM " + LargeData.PARTITION_TABLE;
    /**
     * The model the peer fits, from the same kind of input: one float64 matrix stacked from the three
     * columns and the y vector (the PL/Python function stacks its four arrays the same way).
     */
    static final String SCRIPT = """
            import numpy as np
            import pandas as pd
            from sklearn.linear_model import LinearRegression
            d = InputDataSet
            model = LinearRegression().fit(np.column_stack([d["x1"], d["x2"], d["x3"]]), d["y"].to_numpy())
            OutputDataSet = pd.DataFrame({"k": [int(InputDataSet["k"].iat[0])], "intercept": [float(model.intercept_)],
                                          "b1": [float(model.coef_[0])], "b2": [float(model.coef_[1])],
                                          "b3": [float(model.coef_[2])]})""";
    /**
     * The same model fitted from a DataFrame selection, the pandas idiom: scikit-learn then also checks
     * feature names, and the selection copies the three columns (about 1 ms more per partition).
     */
    static final String DATAFRAME_SCRIPT = """
            import pandas as pd
            from sklearn.linear_model import LinearRegression
            model = LinearRegression().fit(InputDataSet[["x1", "x2", "x3"]], InputDataSet["y"])
            OutputDataSet = pd.DataFrame({"k": [int(InputDataSet["k"].iat[0])], "intercept": [float(model.intercept_)],
                                          "b1": [float(model.coef_[0])], "b2": [float(model.coef_[1])],
                                          "b3": [float(model.coef_[2])]})""";
    /**
     * The same calls on sorted input: an order within partitions makes PostgreSQL sort by the key and
     * the engine cut runs of partitions (the path every partitioned call took before hashing).
     */
    static final String SORTED_LABEL = "Extensa partitioned, sorted input (order by k), ";
    static final String SORTED_ORDER = ", @input_data_1_order_by_columns = N'(k)'";
    static final String DATAFRAME_LABEL = "Extensa partitioned, parallel, fit from a DataFrame selection";
    /** No model: what the engine costs per partition without scikit-learn's share. */
    static final String FIRST_ROW_SCRIPT = "OutputDataSet = InputDataSet.head(1)";
    static final String PLPYTHON_SQL = "SELECT k, bench_plpy_linreg(array_agg(x1), array_agg(x2), array_agg(x3), "
            + "array_agg(y)) FROM " + LargeData.PARTITION_TABLE + " GROUP BY k";
    private static final double TOLERANCE = 0.01;

    @Override
    public String name() {
        return "partitions";
    }

    @Override
    public String summary() {
        return "1,000 partitions × 1,000 rows, one scikit-learn LinearRegression each: Extensa serial vs "
                + "@parallel = 1 vs PL/Python GROUP BY + array_agg";
    }

    static String extensaSql(boolean parallel) {
        return extensaSql(SCRIPT, parallel);
    }

    static String extensaSql(String script, boolean parallel) {
        return ExtensaScript.exec(ExtensaScript.PYTHON, script, Optional.of(QUERY)) + ", @parallel = "
                + (parallel ? 1 : 0) + ", @input_data_1_partition_by_columns = N'(k)'";
    }

    @Override
    public void run(BenchContext context, Report report) throws Exception {
        BenchStack stack = context.stack();
        context.progress(name(), "creating " + LargeData.PARTITION_TABLE);
        LargeData.ensurePartitionTable(stack);
        Optional<String> plpython = PeerFunctions.installPlPython(stack);
        var plan = new VariantRunner.Plan(context.choose(5, 1), 1, 0);
        JdbcVariant.Check models = Checks.partitionModels(LargeData.PARTITIONS, LargeData.INTERCEPT_PER_KEY,
                LargeData.COEFFICIENTS, TOLERANCE);

        List<Variant> variants = new ArrayList<>();
        for (boolean parallel : List.of(false, true)) {
            String label = parallel ? PARALLEL_LABEL : SERIAL_LABEL;
            String sql = extensaSql(parallel);
            variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, label, sql, () -> new JdbcVariant(label,
                    Side.EXTENSA, "gateway", () -> stack.gateway(""), sql, JdbcVariant.Mode.STATEMENT, models)));
        }
        for (boolean parallel : List.of(false, true)) {
            String label = SORTED_LABEL + (parallel ? "parallel" : "serial");
            String sql = extensaSql(parallel) + SORTED_ORDER;
            variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, label, sql, () -> new JdbcVariant(label,
                    Side.REFERENCE, "gateway", () -> stack.gateway(""), sql, JdbcVariant.Mode.STATEMENT, models)));
        }
        String dataFrameSql = extensaSql(DATAFRAME_SCRIPT, true);
        variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, DATAFRAME_LABEL, dataFrameSql,
                () -> new JdbcVariant(DATAFRAME_LABEL, Side.REFERENCE, "gateway", () -> stack.gateway(""), dataFrameSql,
                        JdbcVariant.Mode.STATEMENT, models)));
        long keySum = (long) LargeData.PARTITIONS * (LargeData.PARTITIONS - 1) / 2;
        for (boolean parallel : List.of(false, true)) {
            String label = "Extensa partitioned, no model (first row of each), " + (parallel ? "parallel" : "serial");
            String sql = extensaSql(FIRST_ROW_SCRIPT, parallel);
            variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, label, sql, () -> new JdbcVariant(label,
                    Side.REFERENCE, "gateway", () -> stack.gateway(""), sql, JdbcVariant.Mode.STATEMENT,
                    Checks.countsAddUpTo(keySum, LargeData.PARTITIONS))));
        }
        for (boolean parallel : List.of(false, true)) {
            String label = "Extensa partitioned, no model, sorted input (order by k), " + (parallel ? "parallel" : "serial");
            String sql = extensaSql(FIRST_ROW_SCRIPT, parallel) + SORTED_ORDER;
            variants.add(ExtensaScript.orPending(stack, ExtensaScript.PYTHON, label, sql, () -> new JdbcVariant(label,
                    Side.REFERENCE, "gateway", () -> stack.gateway(""), sql, JdbcVariant.Mode.STATEMENT,
                    Checks.countsAddUpTo(keySum, LargeData.PARTITIONS))));
        }
        if (plpython.isPresent()) {
            variants.add(Variant.pending(PLPYTHON_LABEL, Side.PEER, "direct", PLPYTHON_SQL, plpython.get()));
        } else {
            variants.add(new JdbcVariant(PLPYTHON_LABEL, Side.PEER, "direct", () -> stack.direct(""), PLPYTHON_SQL,
                    JdbcVariant.Mode.STATEMENT, models));
        }

        List<VariantResult> results;
        setDegree(stack, DEGREE);
        try {
            results = VariantRunner.run(context, name(), variants, plan);
        } finally {
            setDegree(stack, 0);
        }

        report.heading(2, "Suite `partitions`: 1,000 partitions × 1,000 rows, one LinearRegression each");
        report.paragraph(String.format(Locale.ROOT, """
                Table `%s` (generated once, untimed, vacuumed): k in 0 … 999, 1,000 rows per k, x1, x2, x3 from \
                `random()` (seeded), y = %s·k + %s·x1 + %s·x2 + %s·x3 + uniform noise of width %s; stored in key \
                order. Every variant fits one scikit-learn `LinearRegression` of y on (x1, x2, x3) per partition \
                and returns one row per partition: the key, the intercept and the three coefficients. Both sides \
                fit from the same input, a float64 matrix stacked from x1, x2, x3 and the y vector \
                (`np.column_stack`); the row "fit from a DataFrame selection" fits from \
                `InputDataSet[["x1", "x2", "x3"]]` instead, the pandas idiom. The warm-up \
                call is checked: 1,000 rows whose keys sum to 0 + … + 999, and a first row within %s of the model \
                the data follows. Extensa runs with `EXEC sp_configure 'max degree of parallelism', %d; \
                RECONFIGURE` (set back to 0 afterwards): serial is `@parallel = 0` (every partition on one \
                satellite, in turn), parallel is `@parallel = 1` (partitions dealt to %d satellites). PL/Python \
                gets each partition's columns as four `float8[]` from `GROUP BY k` with `array_agg`; PostgreSQL \
                runs it in one backend (a PL/Python function is parallel unsafe unless declared otherwise, so \
                it gets no parallel workers). Each variant is warmed up once, then timed %d time(s), variants \
                taking turns in rotating order; client-side wall clock with pgjdbc, all 1,000 rows read. The \
                last column divides each median by Extensa parallel's: for serial it is the speed-up from \
                parallelism (issue 8a's target: ≥ 1.7× on 2 cores), for PL/Python how much faster Extensa \
                parallel is (target: ≥ 2×). The two no-model reference rows run the same partitioned calls with a script \
                that fits nothing (`%s`): what the engine and the satellite cost per partition, without \
                scikit-learn's share. Without an order within partitions Extensa reads the input unsorted and \
                deals rows to satellites by a hash of k, each satellite grouping its share; the "sorted input" \
                rows add `@input_data_1_order_by_columns = N'(k)'`, which makes PostgreSQL sort by k and \
                the engine cut runs of partitions.""", LargeData.PARTITION_TABLE, LargeData.INTERCEPT_PER_KEY,
                LargeData.COEFFICIENTS[0], LargeData.COEFFICIENTS[1], LargeData.COEFFICIENTS[2], LargeData.NOISE,
                TOLERANCE, DEGREE, DEGREE, plan.rounds(), FIRST_ROW_SCRIPT));
        Optional<VariantResult> parallel = results.stream().filter(r -> r.variant().label().equals(PARALLEL_LABEL))
                .findFirst();
        ResultTables.durations(report, results, parallel, 0);
        List<String> notes = new ArrayList<>();
        ratio(results, SERIAL_LABEL, PARALLEL_LABEL).ifPresent(r -> notes.add("Speed-up from parallelism "
                + "(serial ÷ parallel, medians): " + Format.ratio(r) + " (target ≥ 1.70×)."));
        ratio(results, PLPYTHON_LABEL, PARALLEL_LABEL).ifPresent(r -> notes.add("PL/Python ÷ Extensa parallel "
                + "(medians): " + Format.ratio(r) + " (target ≥ 2.00×)."));
        ratio(results, PLPYTHON_LABEL, SERIAL_LABEL).ifPresent(r -> notes.add("PL/Python ÷ Extensa serial "
                + "(medians): " + Format.ratio(r) + "."));
        List<String> perPartition = new ArrayList<>();
        for (VariantResult result : results) {
            if (result.measured()) {
                perPartition.add(result.variant().label() + " " + Format.decimal(result.millis().median()
                        / LargeData.PARTITIONS, 2) + " ms");
            }
        }
        if (!perPartition.isEmpty()) {
            notes.add("Per partition (median ÷ " + Format.count(LargeData.PARTITIONS) + "): "
                    + String.join("; ", perPartition) + ".");
        }
        notes.addAll(ResultTables.notices(results));
        report.bullets(notes);
        report.paragraph("Reproduce with `bin/bench partitions" + context.quickFlag() + "`. The statements:");
        ResultTables.statements(report, results);
        report.paragraph("The peer function:");
        report.code("sql", PeerFunctions.source("bench_plpy_linreg"));
    }

    static Optional<Double> ratio(List<VariantResult> results, String numerator, String denominator) {
        Optional<VariantResult> top = results.stream().filter(r -> r.variant().label().equals(numerator)).findFirst();
        Optional<VariantResult> bottom = results.stream().filter(r -> r.variant().label().equals(denominator))
                .findFirst();
        if (top.isEmpty() || bottom.isEmpty() || !top.get().measured() || !bottom.get().measured()) {
            return Optional.empty();
        }
        return Optional.of(top.get().millis().median() / bottom.get().millis().median());
    }

    /** {@code sp_configure 'max degree of parallelism'} through the gateway (0: the number of cores). */
    static void setDegree(BenchStack stack, int degree) throws SQLException {
        if (ExtensaScript.unavailable(stack, ExtensaScript.PYTHON).isPresent()) {
            return;
        }
        try (Connection connection = stack.gateway(""); Statement statement = connection.createStatement()) {
            statement.execute("EXEC sp_configure 'max degree of parallelism', " + degree);
            statement.execute("RECONFIGURE");
        }
    }
}
