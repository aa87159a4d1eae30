package io.extensa.it.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ProcessResult;
import io.extensa.it.support.RawPgClient;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * sp_execute_external_script with @language = N'R', end to end through the gateway: every
 * parameter, every type's round trip with NULLs and edge values, errors, a killed satellite, a
 * client that disconnects, cancel.
 */
class RScriptIT {

    private static ExtensaStack stack;

    private static final String COLUMNS = """
            b boolean, i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision, n numeric(20,6),
            nn numeric, t text, vc varchar(20), ch char(3), ba bytea, d date, ts timestamp, tz timestamptz,
            tm time, iv interval, u uuid, j json, jb jsonb, ai integer[], at text[], a2 float8[][], e r_mood,
            dom r_positive_int
            """;
    private static final String COMPARED = "k, b, i2, i4, i8, f4, f8, n, nn, t, vc, ch, ba, d, ts, tz, tm, iv, u, j::text, jb,"
            + " ai, at, a2, e, dom";

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS r_people, r_types_src, r_types_copy, r_sink");
            s.execute("CREATE TABLE r_people (id int, name text, height float8)");
            s.execute("INSERT INTO r_people VALUES (1, 'Ada', 1.65), (2, 'Grace', 1.70), (3, 'Linus', NULL)");
            s.execute("CREATE TABLE r_sink (v bigint)");
            s.execute("DROP TYPE IF EXISTS r_mood; CREATE TYPE r_mood AS ENUM ('sad', 'ok', 'happy')");
            s.execute("DROP DOMAIN IF EXISTS r_positive_int; CREATE DOMAIN r_positive_int AS int CHECK (VALUE > 0)");
            s.execute("CREATE TABLE r_types_src (k int, " + COLUMNS + ")");
            s.execute("CREATE TABLE r_types_copy (k int, " + COLUMNS + ")");
            // edge values R holds exactly: bigint within +/-2^53, numeric of at most 15 digits,
            // timestamps to the microsecond between 1685 and 2255 (whole seconds beyond)
            s.execute("""
                    INSERT INTO r_types_src VALUES
                    (1, true, -32768, -2147483648, -9007199254740991, 1.5, 'NaN', -12345678.012345,
                     'NaN', 'plain', 'varchar', 'ab', '\\x00ff10', '0001-01-01', '2000-01-01 00:00:00.000001',
                     '1999-12-31 23:59:59.999999+00', '23:59:59.999999', '-1 year -2 mons +3 days -04:05:06.789',
                     'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2, null]}', '{"b": "ü"}', '{1,NULL,3}',
                     '{"x","",NULL,"y z"}', '{{1.5,2},{3,NaN}}', 'happy', 7),
                    (2, false, 32767, 2147483647, 9007199254740991, 'Infinity', '-Infinity', 0, 'Infinity',
                     'ünïcødé 🎉', '', 'x', '', 'infinity', '0001-01-01 00:00:00', '2255-06-01 12:00:00.5+00',
                     '24:00:00', '0', '00000000-0000-0000-0000-000000000000', 'null', '[]', '{}', '{}', '{}', 'sad', 1),
                    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                    (4, true, 0, 0, 0, -0.0, 1e-300, 0.000001, '1e+100', E'tab\\tnew\\nline\\\\', 'q''t', '   ',
                     decode(repeat('41', 1000), 'hex'), '-infinity', 'infinity', '1970-01-01 00:00:00+05:30',
                     '12:00', '1 mon', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '"just a string"', '123', '{-1}',
                     '{"{braces}","quote\\"d"}', '{{1},{2}}', 'ok', 2147483647)
                    """);
        }
    }

    static String exec(String script, String input, String extra) {
        return "EXEC sp_execute_external_script @language = N'R', @script = N'" + script.replace("'", "''") + "'"
                + (input == null ? "" : ", @input_data_1 = N'" + input.replace("'", "''") + "'") + extra;
    }

    private static List<String> notices(Statement s) throws SQLException {
        List<String> messages = new ArrayList<>();
        for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
            messages.add(w.getMessage());
        }
        return messages;
    }

    // ---- parameters and results ----

    @Test
    void printReachesTheClientAsANotice() {
        ProcessResult r = stack.psql("", "-c", exec("print(\"Hello, world!\")", null, "")).assertOk();
        assertThat(r.stderr()).contains("NOTICE:  [1] \"Hello, world!\"");
    }

    @Test
    void inputDataSetComesBackWithColumnNamesAndTypes() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(exec("OutputDataSet <- InputDataSet", "SELECT * FROM r_people ORDER BY id", ""))) {
            ResultSetMetaData md = rs.getMetaData();
            assertThat(md.getColumnCount()).isEqualTo(3);
            assertThat(md.getColumnName(1)).isEqualTo("id");
            assertThat(md.getColumnTypeName(1)).isEqualTo("int4");
            assertThat(md.getColumnTypeName(2)).isEqualTo("text");
            assertThat(md.getColumnTypeName(3)).isEqualTo("float8");
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getInt(1) + "|" + rs.getString(2) + "|" + rs.getObject(3));
            }
            assertThat(rows).containsExactly("1|Ada|1.65", "2|Grace|1.7", "3|Linus|null");
        }
    }

    @Test
    void namedInputAndOutputVariablesAndParams() throws SQLException {
        String script = "Out <- data.frame(greeting = paste0(prefix, People$name), times = times)";
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(exec(script, "SELECT name FROM r_people ORDER BY id",
                     ", @input_data_1_name = N'People', @output_data_1_name = N'Out'"
                             + ", @params = N'@prefix nvarchar(20), @times int', @prefix = N'Hi ', @times = 3"))) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString("greeting") + "/" + rs.getInt("times"));
            }
            assertThat(rows).containsExactly("Hi Ada/3", "Hi Grace/3", "Hi Linus/3");
        }
    }

    @Test
    void postgresStyleCall() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("CALL sp_execute_external_script(language => 'R', "
                     + "script => $$OutputDataSet <- InputDataSet * 2$$, input_data_1 => 'SELECT 21 AS x')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt("x")).isEqualTo(42);
        }
    }

    @Test
    void preparedStatementWithParametersReusedManyTimes() throws SQLException {
        try (Connection c = stack.connect("prepareThreshold=2");
             PreparedStatement p = c.prepareStatement("EXEC sp_execute_external_script @language = N'R', "
                     + "@script = ?, @params = N'@k int', @k = ?")) {
            for (int i = 0; i < 6; i++) {
                p.setString(1, "OutputDataSet <- data.frame(k2 = k * k)");
                p.setInt(2, i);
                try (ResultSet rs = p.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong("k2")).isEqualTo((long) i * i);
                }
            }
        }
    }

    @Test
    void outputParametersReachVariablesOrComeBackAsALastResult() {
        ProcessResult viaVariables = stack.psql("""
                DECLARE @total bigint, @label nvarchar(50);
                EXEC sp_execute_external_script @language = N'R',
                    @script = N'total <- sum(InputDataSet$id); label <- "sum of ids"',
                    @input_data_1 = N'SELECT id FROM r_people',
                    @params = N'@total bigint OUTPUT, @label nvarchar(50) OUTPUT',
                    @total = @total OUTPUT, @label = @label OUTPUT;
                SELECT @label AS label, @total AS total;
                """, "-A", "-t").assertOk();
        assertThat(viaVariables.stdout()).contains("sum of ids|6");

        ProcessResult asResult = stack.psql("", "-A", "-c", exec("answer <- 42L", null,
                ", @params = N'@answer int OUTPUT'")).assertOk();
        assertThat(asResult.stdout()).contains("answer").contains("42");
    }

    @Test
    void insertExecStoresTheOutputInTheCallersTransaction() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS r_tall_people");
            s.execute("CREATE TABLE r_tall_people (name text, height numeric(4,2))");
            int n = s.executeUpdate("INSERT INTO r_tall_people (name, height) " + exec(
                    "OutputDataSet <- subset(InputDataSet, height > 1.66, select = c(name, height))",
                    "SELECT * FROM r_people", ""));
            assertThat(n).isEqualTo(1);
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO r_tall_people " + exec("OutputDataSet <- InputDataSet[, c(\"name\", \"height\")]",
                    "SELECT * FROM r_people WHERE height IS NOT NULL", ""));
            c.rollback();
            c.setAutoCommit(true);
            try (ResultSet rs = s.executeQuery("SELECT string_agg(name || '=' || height, ',') FROM r_tall_people")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("Grace=1.70");
            }
        }
    }

    @Test
    void withResultSetsNamesAndTypesTheOutput() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(exec("OutputDataSet <- InputDataSet", "SELECT id, name FROM r_people ORDER BY id",
                     " WITH RESULT SETS ((person_id bigint NOT NULL, person_name varchar(10)))"))) {
            assertThat(rs.getMetaData().getColumnName(1)).isEqualTo("person_id");
            assertThat(rs.getMetaData().getColumnTypeName(1)).isEqualTo("int8");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(1L);
        }
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery(exec("OutputDataSet <- InputDataSet", "SELECT id, name FROM r_people",
                    " WITH RESULT SETS ((only_one int))")))
                    .hasMessageContaining("WITH RESULT SETS declares 1 column(s) but the R script returned 2")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("38S04");
        }
    }

    @Test
    void printCatMessageAndWarningArriveAsNoticesInOrder() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute(exec("cat(\"to stdout\\n\")\nprint(1:3)\nmessage(\"to stderr\")\nwarning(\"careful\")", null, ""));
            assertThat(notices(s)).containsExactly("to stdout", "[1] 1 2 3", "to stderr", "Warning: careful");
        }
    }

    // ---- types ----

    @Test
    void everyTypeRoundTripsThroughADataFrame() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE r_types_copy");
            s.executeUpdate("INSERT INTO r_types_copy " + exec("OutputDataSet <- InputDataSet",
                    "SELECT * FROM r_types_src ORDER BY k", ""));
            try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM (SELECT " + COMPARED + " FROM r_types_src EXCEPT SELECT "
                    + COMPARED + " FROM r_types_copy) a), (SELECT count(*) FROM (SELECT " + COMPARED
                    + " FROM r_types_copy EXCEPT SELECT " + COMPARED + " FROM r_types_src) b), (SELECT count(*) FROM r_types_copy)")) {
                rs.next();
                assertThat(rs.getLong(3)).isEqualTo(4);
                assertThat(rs.getLong(1)).as("rows of the source missing from the copy").isZero();
                assertThat(rs.getLong(2)).as("rows of the copy not in the source").isZero();
            }
        }
    }

    @Test
    void rSeesNativeVectorsNeverFactorsAndTellsNaFromNaN() throws SQLException {
        String script = """
                d <- InputDataSet
                OutputDataSet <- data.frame(
                    classes = paste(vapply(d, function(x) class(x)[1], ""), collapse = ","),
                    nan_kept = is.nan(d$f8[1]) && is.na(d$f8[3]) && !is.nan(d$f8[3]),
                    utc = attr(d$tz, "tzone"), date_inf = is.infinite(d$d[2]), stringsAsFactors = FALSE)
                """;
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(exec(script, "SELECT * FROM r_types_src ORDER BY k", ""))) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("classes")).isEqualTo("integer,logical,integer,numeric,numeric,numeric,numeric,numeric,"
                    + "numeric,character,character,character,list,Date,POSIXct,POSIXct,character,character,character,"
                    + "character,character,list,list,list,character,integer");
            assertThat(rs.getBoolean("nan_kept")).isTrue();
            assertThat(rs.getString("utc")).isEqualTo("UTC");
            assertThat(rs.getBoolean("date_inf")).isTrue();
        }
    }

    @Test
    void valuesRCannotHoldFailWithTheColumnAndTheCast() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery(exec("OutputDataSet <- InputDataSet",
                    "SELECT 9223372036854775807::bigint AS big", "")))
                    .hasMessageContaining("big").hasMessageContaining("big::text").hasMessageContaining("big::float8")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("38S04");
            assertThatThrownBy(() -> s.executeQuery(exec("OutputDataSet <- InputDataSet",
                    "SELECT 123456789012345678901234567890.5::numeric AS amount", "")))
                    .hasMessageContaining("amount::text");
            try (ResultSet rs = s.executeQuery(exec("OutputDataSet <- InputDataSet",
                    "SELECT 9223372036854775807::bigint::text AS big", ""))) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("9223372036854775807");
            }
        }
    }

    @Test
    void edgeShapesEmptyZeroColumnsWideAndLarge() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(exec("OutputDataSet <- InputDataSet", "SELECT * FROM r_types_src WHERE false", ""))) {
                assertThat(rs.getMetaData().getColumnCount()).isEqualTo(26);
                assertThat(rs.next()).isFalse();
            }
            try (ResultSet rs = s.executeQuery(exec("OutputDataSet <- data.frame(rows = nrow(InputDataSet), cols = ncol(InputDataSet))",
                    "SELECT FROM generate_series(1, 5)", ""))) {
                rs.next();
                assertThat(rs.getLong("rows")).isEqualTo(5);
                assertThat(rs.getLong("cols")).isZero();
            }
            StringBuilder wide = new StringBuilder("SELECT ");
            for (int i = 0; i < 500; i++) {
                wide.append(i > 0 ? ", " : "").append(i).append(" AS c").append(i);
            }
            try (ResultSet rs = s.executeQuery(exec("OutputDataSet <- InputDataSet", wide.toString(), ""))) {
                assertThat(rs.getMetaData().getColumnCount()).isEqualTo(500);
                rs.next();
                assertThat(rs.getInt("c499")).isEqualTo(499);
            }
            try (ResultSet rs = s.executeQuery(exec(
                    "v <- InputDataSet$s[1]\nOutputDataSet <- data.frame(n = nchar(v), same = v == strrep(\"\u00e9\", 5000000))",
                    "SELECT repeat('\u00e9', 5000000) AS s", ""))) {
                rs.next();
                assertThat(rs.getLong("n")).isEqualTo(5_000_000);
                assertThat(rs.getBoolean("same")).isTrue();
            }
        }
    }

    @Test
    void hundredMegabyteByteaGoesBothWays() throws SQLException {
        try (Connection c = stack.connect(); PreparedStatement p = c.prepareStatement(
                exec("OutputDataSet <- InputDataSet", "SELECT decode(repeat('ab', 100 * 1024 * 1024), 'hex') AS blob", ""));
             ResultSet rs = p.executeQuery()) {
            assertThat(rs.next()).isTrue();
            byte[] blob = rs.getBytes(1);
            assertThat(blob).hasSize(100 * 1024 * 1024);
            byte[] expected = new byte[blob.length];
            Arrays.fill(expected, (byte) 0xab);
            assertThat(Arrays.equals(blob, expected)).isTrue();
        }
    }

    // ---- failures ----

    private static ServerErrorMessage fail(String sql) throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            try {
                s.execute(sql);
            } catch (PSQLException e) {
                try (ResultSet rs = s.executeQuery("SELECT 'still usable'")) {
                    assertThat(rs.next()).isTrue();
                }
                return e.getServerErrorMessage();
            }
        }
        throw new AssertionError("expected an error from: " + sql);
    }

    @Test
    void syntaxErrorNamesTheLine() throws SQLException {
        ServerErrorMessage e = fail(exec("x <- 1\ny <- )\n", null, ""));
        assertThat(e.getSQLState()).isEqualTo("38S01");
        assertThat(e.getMessage()).contains("A 'R' script error occurred").contains("unexpected ')'");
        assertThat(e.getWhere()).contains("line 2 of the R script");
    }

    @Test
    void stopCarriesTheCallStackWithScriptLines() throws SQLException {
        ServerErrorMessage e = fail(exec("f <- function(d) {\n  if (d == 0) stop(\"division by zero\")\n  1 / d\n}\nx <- 1\nf(0)\n",
                null, ""));
        assertThat(e.getSQLState()).isEqualTo("38000");
        assertThat(e.getMessage()).contains("simpleError: division by zero");
        assertThat(e.getDetail()).contains("f(0) at <script>#6").contains("stop(\"division by zero\") at <script>#2")
                .doesNotContain("run_statement").doesNotContain("eval(");
        assertThat(e.getWhere()).contains("line 2 of the R script");
    }

    @Test
    void quitAndAHardExitAreReported() throws SQLException {
        ServerErrorMessage exit = fail(exec("quit(status = 3)", null, ""));
        assertThat(exit.getSQLState()).isEqualTo("38000");
        assertThat(exit.getMessage()).contains("script called quit(status = 3)");
        ServerErrorMessage hard = fail(exec(".Internal(quit(\"no\", 3L, FALSE))", null, ""));
        assertThat(hard.getSQLState()).isEqualTo("38S03");
        assertThat(hard.getMessage()).contains("exited with code 3");
    }

    @Test
    void failingInsertExecLeavesNoRowsAndAbortsAnOpenTransaction() throws SQLException {
        String failing = "INSERT INTO r_sink " + exec("OutputDataSet <- data.frame(v = 1:1000)\nstop(\"late\")", null, "");
        fail(failing);
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO r_sink VALUES (-1)");
            assertThatThrownBy(() -> s.execute(failing)).hasMessageContaining("late");
            assertThatThrownBy(() -> s.execute("SELECT 1")).hasMessageContaining("current transaction is aborted");
            c.rollback();
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM r_sink")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    @Test
    void satelliteKilledMidStreamFailsCleanlyWithoutAPartialInsert() throws Exception {
        String script = "cat(\"job\", Sys.getenv(\"EXTENSA_JOB_ID\"), \"\\n\")\nSys.sleep(60)\nOutputDataSet <- data.frame(v = 1:10)";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            CompletableFuture<Long> killer = CompletableFuture.supplyAsync(() -> killWhenItPrints(s));
            assertThatThrownBy(() -> s.execute("INSERT INTO r_sink " + exec(script, null, "")))
                    .isInstanceOf(PSQLException.class)
                    .hasMessageContaining("killed by signal 9")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("38S03");
            long pid = killer.get();
            ScriptFailuresIT.awaitGone(pid);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM r_sink")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
        assertNoJobsLeft();
    }

    @Test
    void clientThatDisconnectsMidScriptLeavesNothingBehind() throws Exception {
        // the satellite of the previous test may still be exiting after its statement completed
        awaitSatellites(0);
        try (RawPgClient c = RawPgClient.login(stack.port(), "extensa", ExtensaStack.PASSWORD)) {
            c.query(exec("Sys.sleep(120)", null, ""));
            awaitSatellites(1);
            c.abort();
        }
        awaitSatellites(0);
        assertNoJobsLeft();
    }

    @Test
    void cancelStopsAScriptAndTheSessionStaysUsable() throws Exception {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(1500);
                    s.cancel();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long started = System.nanoTime();
            assertThatThrownBy(() -> s.execute(exec("repeat { x <- 1 }", null, "")))
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("57014");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
        assertNoJobsLeft();
    }

    private static long killWhenItPrints(Statement s) {
        try {
            for (int i = 0; i < 600; i++) {
                for (var w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                    // inside the sandbox's PID namespace the script's own pid means nothing out here:
                    // the launchpad's pid file of the job names the satellite
                    Matcher m = Pattern.compile("job ([A-Za-z0-9_-]+)").matcher(w.getMessage());
                    if (m.find()) {
                        long pid = Long.parseLong(Files.readString(stack.dataDir().resolve("jobs/." + m.group(1) + ".pid"))
                                .trim().split(" ")[0]);
                        ExtensaStack.run(List.of("kill", "-KILL", String.valueOf(pid)), "", Map.of(), Duration.ofSeconds(5));
                        return pid;
                    }
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the script never printed its job id");
        } catch (SQLException | InterruptedException | java.io.IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Jobs whose satellite runs now, by the launchpad's pid files (see ScriptFailuresIT). */
    static long satellites() {
        return ScriptFailuresIT.satellites();
    }

    static void awaitSatellites(long expected) throws InterruptedException {
        ScriptFailuresIT.awaitSatellites(expected);
    }

    static void assertNoJobsLeft() throws Exception {
        ScriptFailuresIT.assertNoJobsLeft();
    }
}
