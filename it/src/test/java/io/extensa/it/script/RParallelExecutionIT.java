package io.extensa.it.script;

import static io.extensa.it.script.RScriptIT.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.ResultRows;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/** R scripts run once per unit: partitions on several satellites, and streaming with @r_rowsPerRead. */
class RParallelExecutionIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("EXEC sp_configure 'max degree of parallelism', 2");
            s.execute("RECONFIGURE");
            s.execute("DROP TABLE IF EXISTS r_measurements, r_scored");
            s.execute("CREATE TABLE r_measurements (id int, grp int, x float8)");
            // 20,000 rows, 50 groups, and rows with a NULL group
            s.execute("INSERT INTO r_measurements SELECT i, CASE WHEN i % 101 = 0 THEN NULL ELSE i % 50 END, i * 0.5 "
                    + "FROM generate_series(1, 20000) i");
            s.execute("CREATE TABLE r_scored (id int, y float8)");
        }
    }

    @AfterAll
    static void reset() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("EXEC sp_configure 'max degree of parallelism', 0");
            s.execute("RECONFIGURE");
        }
    }

    /** Notices that arrived while a result was read (pgjdbc keeps them on the ResultSet). */
    private static final StringBuilder resultNotices = new StringBuilder();

    private static List<String> rows(Statement s, String sql) throws SQLException {
        return ResultRows.read(s, sql, resultNotices);
    }

    private static String notices(Statement s) throws SQLException {
        StringBuilder out = new StringBuilder(resultNotices);
        for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
            out.append(w.getMessage()).append('\n');
        }
        return out.toString();
    }

    @Test
    void eachPartitionSeesExactlyItsKeyInTheRequestedOrder() throws SQLException {
        String script = """
                d <- InputDataSet
                OutputDataSet <- data.frame(grp = d$grp[1], keys = length(unique(d$grp)), n = nrow(d),
                                            desc = !is.unsorted(rev(d$id)))
                """;
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            List<String> out = rows(s, exec(script, "SELECT * FROM r_measurements", ", @parallel = 1"
                    + ", @input_data_1_partition_by_columns = N'(grp)'"
                    + ", @input_data_1_order_by_columns = N'(id DESC)'"));
            assertThat(out).hasSize(51);
            assertThat(out).allSatisfy(r -> assertThat(r).matches("[^|]*\\|1\\|\\d+\\|t"));
            assertThat(out).contains("null|1|198|t");
            assertThat(notices(s)).contains("51 units (partitions) on 2 satellites");
        }
    }

    @Test
    void aFailingPartitionFailsTheCallNamingItsKey() throws Exception {
        String script = "if (InputDataSet$grp[1] == 42) stop(\"bad group\")\nOutputDataSet <- InputDataSet[1, \"grp\", drop = FALSE]";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> rows(s, exec(script, "SELECT grp FROM r_measurements WHERE grp IS NOT NULL",
                    ", @parallel = 1, @input_data_1_partition_by_columns = N'(grp)'")))
                    .isInstanceOf(PSQLException.class)
                    .hasMessageContaining("bad group")
                    .hasMessageContaining("partition (grp = 42)")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("38000");
            assertThat(rows(s, "SELECT 1")).containsExactly("1");
        }
    }

    @Test
    void streamingRunsPerChunkAndTheLastChunkIsShort() throws SQLException {
        String script = "OutputDataSet <- data.frame(n = nrow(InputDataSet), first = InputDataSet$i[1])";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            List<String> out = rows(s, exec(script, "SELECT i FROM generate_series(1, 10007) i ORDER BY i",
                    ", @r_rowsPerRead = 1000"));
            assertThat(out).hasSize(11);
            assertThat(out.subList(0, 10)).allSatisfy(r -> assertThat(r).startsWith("1000|"));
            assertThat(out.get(10)).isEqualTo("7|10001");
            assertThat(notices(s)).contains("11 units on 1 satellite");
            s.execute("TRUNCATE r_scored");
            s.execute("INSERT INTO r_scored " + exec("OutputDataSet <- data.frame(id = InputDataSet$id, y = InputDataSet$x + 1)",
                    "SELECT id, x FROM r_measurements", ", @r_rowsPerRead = 4096, @parallel = 1"));
            assertThat(rows(s, "SELECT count(*), sum(y) = (SELECT sum(x + 1) FROM r_measurements) FROM r_scored"))
                    .containsExactly("20000|t");
        }
    }
}
