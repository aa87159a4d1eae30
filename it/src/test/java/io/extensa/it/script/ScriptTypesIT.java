package io.extensa.it.script;

import static io.extensa.it.script.ScriptBasicsIT.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.extensa.it.support.ExtensaStack;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every mapped PostgreSQL type survives InputDataSet -> pandas -> OutputDataSet, NULLs and edge
 * values included: the copy made with INSERT ... EXEC equals the source, checked by PostgreSQL
 * itself with EXCEPT, and the values a client reads back are the ones it stored.
 */
class ScriptTypesIT {

    private static ExtensaStack stack;

    private static final String COLUMNS = """
            b boolean, i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision, n numeric(30,10),
            nn numeric, t text, vc varchar(20), ch char(3), ba bytea, d date, ts timestamp, tz timestamptz,
            tm time, iv interval, u uuid, j json, jb jsonb, ai integer[], at text[], a2 float8[][], e mood,
            dom positive_int
            """;

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS types_src, types_copy");
            s.execute("DROP TYPE IF EXISTS mood; CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
            s.execute("DROP DOMAIN IF EXISTS positive_int; CREATE DOMAIN positive_int AS int CHECK (VALUE > 0)");
            s.execute("CREATE TABLE types_src (k int, " + COLUMNS + ")");
            s.execute("CREATE TABLE types_copy (k int, " + COLUMNS + ")");
            s.execute("""
                    INSERT INTO types_src VALUES
                    (1, true, -32768, -2147483648, -9223372036854775808, 1.5, 'NaN', -12345678901234567890.0123456789,
                     'NaN', 'plain', 'varchar', 'ab', '\\x00ff10', '0001-01-01', '2000-01-01 00:00:00.000001',
                     '1999-12-31 23:59:59.999999+00', '23:59:59.999999', '-1 year -2 mons +3 days -04:05:06.789',
                     'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2, null]}', '{"b": "ü"}', '{1,NULL,3}',
                     '{"x","",NULL,"y z"}', '{{1.5,2},{3,NaN}}', 'happy', 7),
                    (2, false, 32767, 2147483647, 9223372036854775807, 'Infinity', '-Infinity', 0, 'Infinity',
                     'ünïcødé 🎉', '', 'x', '', '2262-04-11', '1677-09-21 00:12:44', '2262-04-11 23:47:16+00',
                     '00:00', '0', '00000000-0000-0000-0000-000000000000', 'null', '[]', '{}', '{}', '{}', 'sad', 1),
                    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                    (4, true, 0, 0, 0, -0.0, 1e-300, 1e-10, '1e+100', E'tab\\tnew\\nline\\\\', 'q''t', '   ',
                     decode(repeat('41', 1000), 'hex'), '9999-12-31', '1970-01-01', '1970-01-01 00:00:00+05:30',
                     '12:00', '1 mon', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '"just a string"', '123', '{-1}',
                     '{"{braces}","quote\\"d"}', '{{1},{2}}', 'ok', 2147483647)
                    """);
        }
    }

    @Test
    void everyTypeRoundTripsThroughPandas() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE types_copy");
            s.executeUpdate("INSERT INTO types_copy " + exec("OutputDataSet = InputDataSet",
                    "SELECT * FROM types_src ORDER BY k", ""));
            try (ResultSet rs = s.executeQuery("""
                    SELECT (SELECT count(*) FROM (SELECT * FROM types_src EXCEPT SELECT * FROM types_copy) a),
                           (SELECT count(*) FROM (SELECT * FROM types_copy EXCEPT SELECT * FROM types_src) b),
                           (SELECT count(*) FROM types_copy)
                    """.replace("SELECT * FROM types_src EXCEPT SELECT * FROM types_copy",
                    "SELECT k, b, i2, i4, i8, f4, f8, n, nn, t, vc, ch, ba, d, ts, tz, tm, iv, u, j::text, jb, ai, at,"
                            + " a2, e, dom FROM types_src EXCEPT SELECT k, b, i2, i4, i8, f4, f8, n, nn, t, vc, ch, ba,"
                            + " d, ts, tz, tm, iv, u, j::text, jb, ai, at, a2, e, dom FROM types_copy")
                    .replace("SELECT * FROM types_copy EXCEPT SELECT * FROM types_src",
                    "SELECT k, b, i2, i4, i8, f4, f8, n, nn, t, vc, ch, ba, d, ts, tz, tm, iv, u, j::text, jb, ai, at,"
                            + " a2, e, dom FROM types_copy EXCEPT SELECT k, b, i2, i4, i8, f4, f8, n, nn, t, vc, ch, ba,"
                            + " d, ts, tz, tm, iv, u, j::text, jb, ai, at, a2, e, dom FROM types_src"))) {
                rs.next();
                assertThat(rs.getLong(3)).isEqualTo(4);
                assertThat(rs.getLong(1)).as("rows of the source missing from the copy").isZero();
                assertThat(rs.getLong(2)).as("rows of the copy not in the source").isZero();
            }
        }
    }

    @Test
    void pandasSeesNullableIntegersDecimalsAndDistinctNaN() throws SQLException {
        String script = """
                import decimal, pandas as pd
                d = InputDataSet
                OutputDataSet = pd.DataFrame({
                    'i4': [str(d['i4'].dtype)], 'b': [str(d['b'].dtype)], 'f8': [str(d['f8'].dtype)],
                    'n_is_decimal': [isinstance(d['n'].iloc[0], decimal.Decimal)],
                    'nan_kept': [bool(pd.isna(d['f8'].iloc[2])) and not bool(d['f8'].isna().iloc[0])],
                })
                """;
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(exec(script, "SELECT * FROM types_src ORDER BY k", ""))) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("i4")).isEqualTo("Int32");
            assertThat(rs.getString("b")).isEqualTo("boolean");
            assertThat(rs.getString("f8")).isEqualTo("Float64");
            assertThat(rs.getBoolean("n_is_decimal")).isTrue();
        }
    }

    /**
     * pandas turns an integer column with a missing value into float64 with NaN: declared as an
     * integer (result set, INSERT target, a domain PostgreSQL casts to), NaN is NULL; a float keeps it.
     */
    @Test
    void aMissingValueInAPandasIntegerColumnIsNullWhereverAnIntegerIsDeclared() throws SQLException {
        String script = "import pandas as pd\nOutputDataSet = pd.DataFrame({'a': [1, None, 3], 'f': [1, None, 3]})";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            for (String mode : new String[] {"", " WITH RESULT SETS ((a int, f float8))"}) {
                try (ResultSet rs = s.executeQuery(exec(script, null, mode))) {
                    assertThat(dump(rs)).isEqualTo(mode.isEmpty() ? "1|1|\nNaN|NaN|\n3|3|\n"
                            : "1|1|\nnull|NaN|\n3|3|\n");
                }
            }
            s.execute("CREATE DOMAIN small_count AS int CHECK (VALUE < 100)");
            s.execute("CREATE TABLE counted (a bigint, f float8)");
            try {
                try (ResultSet rs = s.executeQuery(exec(script, null, " WITH RESULT SETS ((a small_count, f real))"))) {
                    assertThat(dump(rs)).isEqualTo("1|1|\nnull|NaN|\n3|3|\n");
                }
                s.execute("INSERT INTO counted EXEC sp_execute_external_script @language = N'Python', @script = N'"
                        + script.replace("'", "''") + "'");
                try (ResultSet rs = s.executeQuery("SELECT a, f FROM counted ORDER BY f")) {
                    assertThat(dump(rs)).isEqualTo("1|1|\n3|3|\nnull|NaN|\n");
                }
            } finally {
                s.execute("DROP TABLE counted");
                s.execute("DROP DOMAIN small_count");
            }
        }
    }

    @Test
    void valuesPythonCannotHoldFailWithTheColumnAndTheCast() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.executeQuery(exec("OutputDataSet = InputDataSet",
                    "SELECT '0044-03-15 BC'::date AS founded", "")))
                    .hasMessageContaining("founded").hasMessageContaining("founded::text");
        }
    }

    @Test
    void driversThatOnlyDescribeTheStatementGetAClearError() throws SQLException {
        try (Connection c = stack.connect("prepareThreshold=-1"); Statement s = c.createStatement()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.executeQuery(exec("OutputDataSet = InputDataSet",
                    "SELECT 1 AS x", "")))
                    .hasMessageContaining("only known once it runs").hasMessageContaining("WITH RESULT SETS");
            try (ResultSet rs = s.executeQuery(exec("OutputDataSet = InputDataSet", "SELECT 1 AS x",
                    " WITH RESULT SETS ((x int))"))) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void clientsReadBackExactValuesInTextAndBinary() throws SQLException {
        for (String mode : new String[] {"prepareThreshold=0", "prepareThreshold=1&binaryTransfer=true"}) {
            try (Connection c = stack.connect(mode); Statement s = c.createStatement()) {
                String viaScript;
                String direct;
                try (ResultSet rs = s.executeQuery(exec("OutputDataSet = InputDataSet",
                        "SELECT i8, f8, n, ts, tz, iv, ba, ai FROM types_src ORDER BY k", ""))) {
                    viaScript = dump(rs);
                }
                try (ResultSet rs = s.executeQuery("SELECT i8, f8, n, ts, tz, iv, ba, ai FROM types_src ORDER BY k")) {
                    direct = dump(rs);
                }
                assertThat(viaScript).isEqualTo(direct);
            }
        }
    }

    @Test
    void edgeShapesEmptyZeroColumnsWideAndLarge() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(exec("OutputDataSet = InputDataSet",
                    "SELECT * FROM types_src WHERE false", ""))) {
                assertThat(rs.getMetaData().getColumnCount()).isEqualTo(26);
                assertThat(rs.next()).isFalse();
            }
            try (ResultSet rs = s.executeQuery(exec(
                    "import pandas as pd\nOutputDataSet = pd.DataFrame({'rows': [len(InputDataSet)], 'cols': [len(InputDataSet.columns)]})",
                    "SELECT FROM generate_series(1, 5)", ""))) {
                rs.next();
                assertThat(rs.getLong("rows")).isEqualTo(5);
                assertThat(rs.getLong("cols")).isZero();
            }
            StringBuilder wide = new StringBuilder("SELECT ");
            for (int i = 0; i < 500; i++) {
                wide.append(i > 0 ? ", " : "").append(i).append(" AS c").append(i);
            }
            try (ResultSet rs = s.executeQuery(exec("OutputDataSet = InputDataSet", wide.toString(), ""))) {
                assertThat(rs.getMetaData().getColumnCount()).isEqualTo(500);
                rs.next();
                assertThat(rs.getInt("c499")).isEqualTo(499);
            }
            try (ResultSet rs = s.executeQuery(exec(
                    "import pandas as pd\nv = InputDataSet['s'][0]\n"
                            + "OutputDataSet = pd.DataFrame({'n': [len(v)], 'same': [v == 'é' * 5000000]})",
                    "SELECT repeat('é', 5000000) AS s", ""))) {
                rs.next();
                assertThat(rs.getLong("n")).isEqualTo(5_000_000);
                assertThat(rs.getBoolean("same")).isTrue();
            }
        }
    }

    @Test
    void hundredMegabyteByteaGoesBothWays() throws SQLException {
        try (Connection c = stack.connect(); PreparedStatement p = c.prepareStatement(
                exec("OutputDataSet = InputDataSet", "SELECT decode(repeat('ab', 100 * 1024 * 1024), 'hex') AS blob", ""));
             ResultSet rs = p.executeQuery()) {
            assertThat(rs.next()).isTrue();
            byte[] blob = rs.getBytes(1);
            assertThat(blob).hasSize(100 * 1024 * 1024);
            byte[] expected = new byte[blob.length];
            Arrays.fill(expected, (byte) 0xab);
            assertThat(Arrays.equals(blob, expected)).isTrue();
        }
    }

    private static String dump(ResultSet rs) throws SQLException {
        StringBuilder sb = new StringBuilder();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            for (int i = 1; i <= n; i++) {
                sb.append(rs.getString(i)).append('|');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
