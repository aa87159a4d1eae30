package io.extensa.bench.scripts;

import io.extensa.bench.BenchStack;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The tables the script suites read and write, created once per run with a fixed seed so every
 * run sees the same values: 1M rows × 3 float8 in [0, 1), the same rounded to numeric(12,6), and
 * an empty 3 × float8 target for inserts.
 */
public final class BenchData {

    public static final int ROWS = 1_000_000;
    public static final String FLOAT_TABLE = "bench_1m";
    public static final String NUMERIC_TABLE = "bench_1m_num";
    public static final String INSERT_TABLE = "bench_ins";

    private BenchData() {
    }

    public static synchronized void ensureInputTables(BenchStack stack) throws SQLException {
        try (Connection connection = stack.direct(""); Statement statement = connection.createStatement()) {
            if (exists(statement, FLOAT_TABLE) && exists(statement, NUMERIC_TABLE)) {
                return;
            }
            statement.execute("DROP TABLE IF EXISTS " + FLOAT_TABLE + ", " + NUMERIC_TABLE);
            // setseed applies to this session's later random() calls: same data every run.
            statement.execute("SELECT setseed(0.42)");
            statement.execute("CREATE TABLE " + FLOAT_TABLE + " AS SELECT random() AS a, random() AS b, random() AS c"
                    + " FROM generate_series(1, " + ROWS + ")");
            statement.execute("CREATE TABLE " + NUMERIC_TABLE + " AS SELECT a::numeric(12,6) AS a,"
                    + " b::numeric(12,6) AS b, c::numeric(12,6) AS c FROM " + FLOAT_TABLE);
            // Vacuum sets hint bits and the visibility map now, so no timed scan pays for that.
            statement.execute("VACUUM (ANALYZE) " + FLOAT_TABLE);
            statement.execute("VACUUM (ANALYZE) " + NUMERIC_TABLE);
        }
    }

    public static synchronized void ensureInsertTable(BenchStack stack) throws SQLException {
        stack.execute("CREATE TABLE IF NOT EXISTS " + INSERT_TABLE + " (a float8, b float8, c float8)");
    }

    /** Per-column means computed by PostgreSQL itself: what every variant must reproduce. */
    public static double[] sqlMeans(BenchStack stack, String table) throws SQLException {
        try (Connection connection = stack.direct(""); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT avg(a)::float8, avg(b)::float8, avg(c)::float8 FROM " + table)) {
            row.next();
            return new double[] {row.getDouble(1), row.getDouble(2), row.getDouble(3)};
        }
    }

    private static boolean exists(Statement statement, String table) throws SQLException {
        try (ResultSet row = statement.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            row.next();
            return row.getBoolean(1);
        }
    }

    /** The value of row {@code i} (0-based) in the inserted columns: a = i, b = i / 2, c = i / 4. */
    public static double[] insertedRow(long i) {
        double a = i;
        return new double[] {a, a * 0.5, a * 0.25};
    }

    /**
     * The rows of {@link #insertedRow} in PostgreSQL's binary COPY format: signature, flags and
     * header extension length, then per row a field count and (length, big-endian float8) per
     * field, then the -1 trailer.
     */
    public static byte[] binaryCopyOfInsertedRows(int rows) {
        var bytes = new ByteArrayOutputStream(19 + rows * 38 + 2);
        try (var out = new DataOutputStream(bytes)) {
            out.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
            out.writeInt(0);
            out.writeInt(0);
            for (int i = 0; i < rows; i++) {
                double[] row = insertedRow(i);
                out.writeShort(row.length);
                for (double value : row) {
                    out.writeInt(Double.BYTES);
                    out.writeDouble(value);
                }
            }
            out.writeShort(-1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
