package io.extensa.it.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ProcessResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/** sp_execute_external_script's parameters and results, through pgjdbc and psql. */
class ScriptBasicsIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS people");
            s.execute("CREATE TABLE people (id int, name text, height float8)");
            s.execute("INSERT INTO people VALUES (1, 'Ada', 1.65), (2, 'Grace', 1.70), (3, 'Linus', NULL)");
        }
    }

    static String exec(String script, String input, String extra) {
        return "EXEC sp_execute_external_script @language = N'Python', @script = N'" + script.replace("'", "''") + "'"
                + (input == null ? "" : ", @input_data_1 = N'" + input.replace("'", "''") + "'") + extra;
    }

    @Test
    void helloWorldPrintsANoticeAndReturnsNoResultSet() {
        ProcessResult r = stack.psql("", "-c", exec("print('Hello, world!')", null, "")).assertOk();
        assertThat(r.stderr()).contains("NOTICE:  Hello, world!");
        assertThat(r.stdout().strip()).isEqualTo("CALL");
    }

    @Test
    void inputDataSetComesBackWithColumnNamesAndTypes() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(exec("OutputDataSet = InputDataSet", "SELECT * FROM people ORDER BY id", ""))) {
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
        String script = "import pandas as pd\n"
                + "Out = pd.DataFrame({'greeting': [prefix + n for n in People['name']], 'times': times})";
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(exec(script, "SELECT name FROM people ORDER BY id",
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
             ResultSet rs = s.executeQuery("CALL sp_execute_external_script(language => 'Python', "
                     + "script => $$OutputDataSet = InputDataSet * 2$$, input_data_1 => 'SELECT 21 AS x')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt("x")).isEqualTo(42);
        }
    }

    @Test
    void preparedStatementWithParametersReusedManyTimes() throws SQLException {
        try (Connection c = stack.connect("prepareThreshold=2");
             PreparedStatement p = c.prepareStatement("EXEC sp_execute_external_script @language = N'Python', "
                     + "@script = ?, @params = N'@k int', @k = ?")) {
            for (int i = 0; i < 6; i++) {
                p.setString(1, "import pandas as pd\nOutputDataSet = pd.DataFrame({'k2': [k * k]})");
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
                EXEC sp_execute_external_script @language = N'Python',
                    @script = N'total = int(InputDataSet["id"].sum()); label = "sum of ids"',
                    @input_data_1 = N'SELECT id FROM people',
                    @params = N'@total bigint OUTPUT, @label nvarchar(50) OUTPUT',
                    @total = @total OUTPUT, @label = @label OUTPUT;
                SELECT @label AS label, @total AS total;
                """, "-A", "-t").assertOk();
        assertThat(viaVariables.stdout()).contains("sum of ids|6");

        ProcessResult asResult = stack.psql("", "-A", "-c", exec("answer = 42", null,
                ", @params = N'@answer int OUTPUT'")).assertOk();
        assertThat(asResult.stdout()).contains("answer").contains("42");
    }

    @Test
    void insertExecStoresTheOutputInTheCallersTransaction() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS tall_people");
            s.execute("CREATE TABLE tall_people (name text, height numeric(4,2))");
            int n = s.executeUpdate("INSERT INTO tall_people (name, height) " + exec(
                    "OutputDataSet = InputDataSet[InputDataSet['height'] > 1.66][['name', 'height']]",
                    "SELECT * FROM people", ""));
            assertThat(n).isEqualTo(1);
            c.setAutoCommit(false);
            s.executeUpdate("INSERT INTO tall_people " + exec("OutputDataSet = InputDataSet[['name', 'height']]",
                    "SELECT * FROM people WHERE height IS NOT NULL", ""));
            c.rollback();
            c.setAutoCommit(true);
            try (ResultSet rs = s.executeQuery("SELECT string_agg(name || '=' || height, ',') FROM tall_people")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("Grace=1.70");
            }
        }
    }

    @Test
    void withResultSetsNamesAndTypesTheOutput() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(exec("OutputDataSet = InputDataSet", "SELECT id, name FROM people ORDER BY id",
                     " WITH RESULT SETS ((person_id bigint NOT NULL, person_name varchar(10)))"))) {
            assertThat(rs.getMetaData().getColumnName(1)).isEqualTo("person_id");
            assertThat(rs.getMetaData().getColumnTypeName(1)).isEqualTo("int8");
            assertThat(rs.getMetaData().getColumnTypeName(2)).isEqualTo("varchar");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(1L);
        }
    }

    @Test
    void withResultSetsMismatchesFailClearly() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery(exec("OutputDataSet = InputDataSet", "SELECT id, name FROM people",
                    " WITH RESULT SETS ((only_one int))")))
                    .isInstanceOf(PSQLException.class)
                    .hasMessageContaining("WITH RESULT SETS declares 1 column(s) but the Python script returned 2")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("38S04");
            assertThatThrownBy(() -> s.executeQuery(exec("OutputDataSet = InputDataSet", "SELECT name FROM people",
                    " WITH RESULT SETS ((n varchar(3)))")))
                    .hasMessageContaining("n");
            assertThatThrownBy(() -> s.executeQuery(exec("OutputDataSet = InputDataSet", "SELECT height FROM people",
                    " WITH RESULT SETS ((h float8 NOT NULL))")))
                    .hasMessageContaining("NOT NULL");
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void argumentErrorsAreReportedBeforeAnythingRuns() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("EXEC sp_execute_external_script @script = N'1'"))
                    .hasMessageContaining("expects parameter '@language'");
            assertThatThrownBy(() -> s.execute("EXEC sp_execute_external_script @language = N'Perl', @script = N'1'"))
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42704");
            assertThatThrownBy(() -> s.execute(exec("x = 1", null, ", @bogus = 1")))
                    .hasMessageContaining("\"@bogus\" is not a parameter");
            assertThatThrownBy(() -> s.execute(exec("x = 1", null, ", @params = N'@n int', @n = N'abc'")))
                    .hasMessageContaining("invalid input syntax for type integer");
            // the error names the parameter at fault where PostgreSQL says where it is, and has no
            // position: one into Extensa's own SELECT would point at a random spot of the EXEC text
            assertThatThrownBy(() -> s.execute(exec("x = 1", null, ", @params = N'@n int', @n = N'abc'")))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getServerErrorMessage().getMessage()).startsWith("@n integer: ");
                        assertThat(e.getServerErrorMessage().getPosition()).isZero();
                    });
            assertThatThrownBy(() -> s.execute(exec("x = 1", null,
                    ", @params = N'@a int, @when no_such_type, @z text', @a = 1, @when = N'x', @z = N'z'")))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getServerErrorMessage().getMessage()).startsWith("@when no_such_type: ")
                                .contains("type \"no_such_type\" does not exist");
                        assertThat(e.getServerErrorMessage().getPosition()).isZero();
                    });
            assertThatThrownBy(() -> s.execute(exec("x = 1", null, ", @params = N'@n int', @n = @undeclared")))
                    .hasMessageContaining("must declare the scalar variable \"@undeclared\"");
            assertThatThrownBy(() -> s.execute(exec("OutputDataSet = InputDataSet", "SELECT '127.0.0.1'::inet AS addr", "")))
                    .hasMessageContaining("addr")
                    .hasMessageContaining("::text")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("42804");
        }
    }

    @Test
    void stdoutAndStderrArriveAsNotices() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute(exec("import sys\nprint('to stdout')\nprint('to stderr', file=sys.stderr)", null, ""));
            List<String> messages = new ArrayList<>();
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                messages.add(w.getMessage());
            }
            assertThat(messages).contains("to stdout", "to stderr");
        }
    }

    @Test
    void psycopg2InterpolatedParametersWork() {
        String out = stack.python("""
                import os, psycopg2
                conn = psycopg2.connect(os.environ['EXTENSA_DSN'])
                cur = conn.cursor()
                cur.execute("EXEC sp_execute_external_script @language = N'Python', "
                            "@script = N'import pandas as pd; OutputDataSet = pd.DataFrame({\\"v\\": [v], \\"s\\": [s]})', "
                            "@params = N'@v int, @s nvarchar(20)', @v = %s, @s = %s", (7, "it's"))
                print(cur.description[0].name, cur.fetchall())
                """).assertOk().stdout();
        assertThat(out).contains("v [(7, \"it's\")]");
    }
}
