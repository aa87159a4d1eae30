package io.extensa.bench.scripts;

import io.extensa.bench.BenchStack;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The tables of the issue 8 suites, generated once per run (untimed) with a fixed seed and
 * vacuumed: partitioned regression data, wide scoring input, mixed-type input. Tables whose size
 * depends on --quick carry the row count in their name.
 */
public final class LargeData {

    public static final int PARTITIONS = 1_000;
    public static final int ROWS_PER_PARTITION = 1_000;
    public static final String PARTITION_TABLE = "bench_parts";
    /** The model the partition data follows: y = INTERCEPT_PER_KEY * k + B1 x1 + B2 x2 + B3 x3 + noise. */
    public static final double INTERCEPT_PER_KEY = 0.001;
    public static final double[] COEFFICIENTS = {2.0, -3.0, 0.5};
    /** The noise is uniform in ±NOISE / 2. */
    public static final double NOISE = 0.01;

    public static final String SCORES_TABLE = "bench_scores";
    /** The scoring formula, in SQL and (the same) in pandas. */
    public static final String SCORE_SQL = "0.5 * a - 0.25 * b + 2 * c + d";

    private LargeData() {
    }

    /** e.g. bench_stream_20000000. */
    public static String sizedName(String prefix, long rows) {
        if (rows <= 0) {
            throw new IllegalArgumentException("rows must be positive: " + rows);
        }
        return prefix + "_" + rows;
    }

    public static String streamTable(long rows) {
        return sizedName("bench_stream", rows);
    }

    public static String inputTable(long rows) {
        return sizedName("bench_input", rows);
    }

    /** k in 0 … PARTITIONS - 1, ROWS_PER_PARTITION rows each, stored in key order. */
    public static void ensurePartitionTable(BenchStack stack) throws SQLException {
        long rows = (long) PARTITIONS * ROWS_PER_PARTITION;
        ensure(stack, PARTITION_TABLE, "SELECT k, x1, x2, x3, " + INTERCEPT_PER_KEY + " * k + " + COEFFICIENTS[0]
                + " * x1 + " + COEFFICIENTS[1] + " * x2 + " + COEFFICIENTS[2] + " * x3 + (random() - 0.5) * " + NOISE
                + " AS y FROM (SELECT (g / " + ROWS_PER_PARTITION + ")::int AS k, random() AS x1, random() AS x2,"
                + " random() AS x3 FROM generate_series(0, " + (rows - 1) + ") AS g) AS s");
    }

    /** id, then four float8 in [0, 1): 5 columns, 40 bytes of values per row. */
    public static void ensureStreamTable(BenchStack stack, long rows) throws SQLException {
        ensure(stack, streamTable(rows), "SELECT g::int8 AS id, random() AS a, random() AS b, random() AS c,"
                + " random() AS d FROM generate_series(1, " + rows + ") AS g");
        stack.execute("CREATE TABLE IF NOT EXISTS " + SCORES_TABLE + " (id int8, score float8)");
    }

    /** int8, float8, text (10–14 characters), timestamp, bool. */
    public static void ensureInputTable(BenchStack stack, long rows) throws SQLException {
        ensure(stack, inputTable(rows), "SELECT g::int8 AS i, random() AS f, 'row-' || g AS t,"
                + " timestamp '2026-01-01' + g * interval '1 second' AS ts, g % 3 = 0 AS b"
                + " FROM generate_series(1, " + rows + ") AS g");
    }

    private static synchronized void ensure(BenchStack stack, String table, String select) throws SQLException {
        try (Connection connection = stack.direct(""); Statement statement = connection.createStatement()) {
            try (ResultSet row = statement.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
                row.next();
                if (row.getBoolean(1)) {
                    return;
                }
            }
            // setseed applies to this session's later random() calls: same data every run.
            statement.execute("SELECT setseed(0.42)");
            statement.execute("CREATE TABLE " + table + " AS " + select);
            // Vacuum sets hint bits and the visibility map now, so no timed scan pays for that.
            statement.execute("VACUUM (ANALYZE) " + table);
        }
    }
}
