package io.extensa.it.script;

import static io.extensa.it.script.ScriptBasicsIT.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.RawPgClient;
import io.extensa.it.support.ResultRows;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/** @parallel, partitions and @r_rowsPerRead: the units each script run sees, and what comes back. */
class ParallelExecutionIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("EXEC sp_configure 'max degree of parallelism', 2");
            s.execute("RECONFIGURE");
            s.execute("DROP TABLE IF EXISTS measurements");
            s.execute("CREATE TABLE measurements (id int, grp int, x float8, label text)");
            // 50,000 rows, 100 groups, group 0 also has NULL-keyed rows
            s.execute("INSERT INTO measurements SELECT i, CASE WHEN i % 101 = 0 THEN NULL ELSE i % 100 END, "
                    + "i * 0.5, 'r' || i FROM generate_series(1, 50000) i");
            s.execute("DROP TABLE IF EXISTS scored");
            s.execute("CREATE TABLE scored (id int, y float8)");
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
    void parallelReturnsTheSameRowsAsSerialAndUsesTwoSatellites() throws SQLException {
        // the job id tells satellites apart: in the sandbox's PID namespace every satellite is pid 2
        String script = "import os\nOutputDataSet = InputDataSet.assign(y = InputDataSet.x * 2,"
                + " pid = os.environ[\"EXTENSA_JOB_ID\"])"
                + "[['id', 'y', 'pid']]";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            List<String> serial = new ArrayList<>();
            for (String r : rows(s, exec(script, "SELECT * FROM measurements", ""))) {
                serial.add(r.substring(0, r.lastIndexOf('|')));
            }
            s.clearWarnings();
            List<String> parallel = new ArrayList<>();
            List<String> pids = new ArrayList<>();
            for (String r : rows(s, exec(script, "SELECT * FROM measurements", ", @parallel = 1"))) {
                parallel.add(r.substring(0, r.lastIndexOf('|')));
                String pid = r.substring(r.lastIndexOf('|') + 1);
                if (!pids.contains(pid)) {
                    pids.add(pid);
                }
            }
            assertThat(serial).hasSize(50_000);
            assertThat(parallel).containsExactlyInAnyOrderElementsOf(serial);
            assertThat(pids).as("satellite processes").hasSize(2);
            assertThat(notices(s)).contains("on 2 satellites (degree of parallelism 2)");
        }
    }

    @Test
    void eachPartitionSeesExactlyItsKeyInTheRequestedOrder() throws SQLException {
        String script = "import pandas as pd\n"
                + "d = InputDataSet\n"
                + "OutputDataSet = pd.DataFrame({'grp': [d.grp.iloc[0]], 'keys': [d.grp.nunique(dropna=False)],"
                + " 'n': [len(d)], 'desc': [bool(d.id.is_monotonic_decreasing)]})";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            List<String> out = rows(s, exec(script, "SELECT * FROM measurements", ", @parallel = 1"
                    + ", @input_data_1_partition_by_columns = N'(grp)'"
                    + ", @input_data_1_order_by_columns = N'(id DESC)'"));
            assertThat(out).hasSize(101);
            assertThat(notices(s)).contains("101 units (partitions)").doesNotContain(HASHED);
            assertThat(out).allSatisfy(r -> assertThat(r).matches("[^|]*\\|1\\|\\d+\\|t"));
            assertThat(out).contains("null|1|495|t");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE grp IS NULL), count(DISTINCT grp) "
                    + "FROM measurements")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(495);
                assertThat(rs.getInt(2)).isEqualTo(100);
            }
        }
    }

    @Test
    void emptySharesAreSkippedAndTheCallSucceeds() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            List<String> out = rows(s, exec("OutputDataSet = InputDataSet", "SELECT 1 AS a UNION ALL SELECT 2",
                    ", @parallel = 1"));
            assertThat(out).containsExactlyInAnyOrder("1", "2");
            assertThat(notices(s)).contains("on 1 satellite (degree of parallelism 1)");
            s.clearWarnings();
            // one partition for two satellites: the second has nothing to do
            out = rows(s, exec("OutputDataSet = InputDataSet.groupby('k').size().reset_index(name='n')",
                    "SELECT 7 AS k FROM generate_series(1, 10)", ", @parallel = 1, "
                            + "@input_data_1_partition_by_columns = N'k'"));
            assertThat(out).containsExactly("7|10");
            s.clearWarnings();
            // no rows at all: the script runs once on an empty input, as a serial call does
            out = rows(s, exec("OutputDataSet = InputDataSet", "SELECT 1 AS a WHERE false", ", @parallel = 1"));
            assertThat(out).isEmpty();
        }
    }

    @Test
    void aFailingPartitionFailsTheCallNamingItsKey() throws Exception {
        String script = "if InputDataSet.grp.iloc[0] == 42:\n    raise ValueError('bad group')\n"
                + "OutputDataSet = InputDataSet[['grp']].head(1)";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> rows(s, exec(script, "SELECT grp, label FROM measurements WHERE grp IS NOT NULL",
                    ", @parallel = 1, @input_data_1_partition_by_columns = N'(grp)'")))
                    .isInstanceOf(PSQLException.class)
                    .hasMessageContaining("bad group")
                    .hasMessageContaining("partition (grp = 42)");
            assertThat(rows(s, "SELECT 1")).containsExactly("1");
            ScriptFailuresIT.assertNoJobsLeft();
        }
    }

    @Test
    void tenThousandPartitionsRunOnTwoSatellites() throws SQLException {
        String script = "OutputDataSet = InputDataSet.groupby('k').agg(n=('v', 'size'), s=('v', 'sum')).reset_index()";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            List<String> out = rows(s, exec(script, "SELECT i % 10000 AS k, i AS v FROM generate_series(0, 29999) i",
                    ", @parallel = 1, @input_data_1_partition_by_columns = N'(k)'"));
            assertThat(out).hasSize(10_000);
            assertThat(out).allSatisfy(r -> assertThat(r.split("\\|")[1]).isEqualTo("3"));
            assertThat(notices(s)).contains("10000 units (partitions) on 2 satellites").contains(HASHED);
        }
    }

    @Test
    void partitionsInRunsSeeOnlyTheirRowsWhenOneSpansSeveralBatches() throws SQLException {
        // small partitions share batches and END_OF_INPUTs (runs of units); key 1 has 20,000 rows,
        // more than one input batch, in the middle of small ones
        String script = "import pandas as pd\n"
                + "d = InputDataSet\n"
                + "assert list(d.index) == list(range(len(d)))\n"
                + "OutputDataSet = pd.DataFrame({'k': [d.k.iloc[0]], 'keys': [d.k.nunique()], 'n': [len(d)],"
                + " 'first': [d.i.min()], 'ordered': [bool(d.i.is_monotonic_increasing)]})";
        String query = "SELECT CASE WHEN i BETWEEN 1000 AND 20999 THEN 1 ELSE i % 500 + 2 END AS k, i "
                + "FROM generate_series(0, 39999) i";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            List<String> expected = rows(s, "SELECT k, 1, count(*), min(i), true FROM (" + query + ") q GROUP BY k");
            for (String parallel : List.of("0", "1")) {
                s.clearWarnings();
                List<String> out = rows(s, exec(script, query, ", @parallel = " + parallel
                        + ", @input_data_1_partition_by_columns = N'(k)', @input_data_1_order_by_columns = N'(i)'"));
                assertThat(out).as("@parallel = " + parallel).containsExactlyInAnyOrderElementsOf(
                        expected);
                assertThat(out).contains("1|1|20000|1000|t");
                assertThat(notices(s)).contains("501 units (partitions)");
            }
        }
    }

    /** What the hashed path says in the call's NOTICE. */
    private static final String HASHED = "keys hashed to satellites, input read unsorted";

    @Test
    void hashedPartitionsGiveTheSameRowsAsSortedOnesEachUnitOneKeyNullItsOwn() throws SQLException {
        // one row per unit: its key, how many distinct keys it saw (NULL counts), its rows and their id sum
        String script = "import pandas as pd\n"
                + "d = InputDataSet\n"
                + "OutputDataSet = pd.DataFrame({'grp': [d.grp.iloc[0]], 't': [d.t.iloc[0]],"
                + " 'keys': [len(d[['grp', 't']].drop_duplicates())], 'n': [len(d)], 's': [int(d.id.sum())]})";
        String query = "SELECT id, grp, CASE WHEN id % 7 = 0 THEN NULL ELSE (id % 3)::text END AS t FROM measurements";
        String partition = ", @input_data_1_partition_by_columns = N'(grp, t)'";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            List<String> expected = rows(s, "SELECT grp, t, 1, count(*), sum(id) FROM (" + query + ") q GROUP BY grp, t");
            assertThat(expected).hasSize(101 * 4).anyMatch(r -> r.startsWith("null|null|1|"));
            for (String parallel : List.of("0", "1")) {
                s.clearWarnings();
                List<String> hashed = rows(s, exec(script, query, ", @parallel = " + parallel + partition));
                assertThat(hashed).as("@parallel = " + parallel).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(notices(s)).contains("404 units (partitions)").contains(HASHED);
            }
            // into a table: the input is read whole before any output comes to be stored
            s.execute("TRUNCATE scored");
            s.execute("INSERT INTO scored " + exec("OutputDataSet = InputDataSet.assign(y = float(len(InputDataSet)))"
                    + "[['id', 'y']]", query, ", @parallel = 1" + partition));
            assertThat(rows(s, "SELECT count(*), count(DISTINCT id) FROM scored")).containsExactly("50000|50000");
            // the sorted path, for the same call: the setting turns hashing off
            s.execute("SET extensa.partition_hash_max_mb = 0");
            try {
                s.clearWarnings();
                List<String> sorted = rows(s, exec(script, query, ", @parallel = 1" + partition));
                assertThat(sorted).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(notices(s)).contains("404 units (partitions)").doesNotContain(HASHED);
            } finally {
                s.execute("RESET extensa.partition_hash_max_mb");
            }
        }
    }

    @Test
    void partitionsAreSortedWhenAnOrderOrAFloatKeyNeedsIt() throws SQLException {
        String script = "import pandas as pd\nd = InputDataSet\n"
                + "OutputDataSet = pd.DataFrame({'k': [int(d.k.iloc[0])], 'n': [len(d)], 'keys': [d.k.nunique()]})";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            // an order within partitions is PostgreSQL's: the input is sorted
            rows(s, exec(script, "SELECT grp AS k, id FROM measurements WHERE grp < 10", ", @parallel = 1"
                    + ", @input_data_1_partition_by_columns = N'(k)', @input_data_1_order_by_columns = N'(id)'"));
            assertThat(notices(s)).contains("10 units (partitions)").doesNotContain(HASHED);
            // 0 and -0 are one float8 key with two binary forms: sorted, as before
            s.clearWarnings();
            List<String> expected = rows(s, "SELECT grp % 3, count(*), 1 FROM measurements WHERE grp < 10 GROUP BY 1");
            s.clearWarnings();
            List<String> out = rows(s, exec(script, "SELECT (grp % 3)::float8 AS k FROM measurements WHERE grp < 10",
                    ", @parallel = 1, @input_data_1_partition_by_columns = N'(k)'"));
            assertThat(out).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(notices(s)).doesNotContain(HASHED);
        }
    }

    @Test
    void aFailingHashedPartitionNamesItsTextKey() throws Exception {
        String script = "if InputDataSet.t.iloc[0] == \"it's\":\n    raise ValueError('bad text')\n"
                + "OutputDataSet = InputDataSet.head(1)";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> rows(s, exec(script, "SELECT CASE WHEN id % 5 = 0 THEN 'it''s' ELSE 'x' || (id % 50)"
                    + " END AS t, id FROM measurements", ", @parallel = 1, @input_data_1_partition_by_columns = N'(t)'")))
                    .isInstanceOf(PSQLException.class)
                    .hasMessageContaining("bad text")
                    .hasMessageContaining("partition (t = 'it''s')");
            assertThat(rows(s, "SELECT 1")).containsExactly("1");
            ScriptFailuresIT.assertNoJobsLeft();
        }
    }

    @Test
    void streamingRunsPerChunkAndTheLastChunkIsShort() throws SQLException {
        String script = "import pandas as pd\nOutputDataSet = pd.DataFrame({'n': [len(InputDataSet)], "
                + "'first': [InputDataSet.i.iloc[0]]})";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            List<String> out = rows(s, exec(script, "SELECT i FROM generate_series(1, 10007) i ORDER BY i",
                    ", @r_rowsPerRead = 1000"));
            assertThat(out).hasSize(11);
            assertThat(out.subList(0, 10)).allSatisfy(r -> assertThat(r).startsWith("1000|"));
            assertThat(out.get(10)).isEqualTo("7|10001");
            assertThat(notices(s)).contains("11 units on 1 satellite");
            // the friendlier alias, into a table
            s.execute("TRUNCATE scored");
            s.execute("INSERT INTO scored " + exec("OutputDataSet = InputDataSet.assign(y = InputDataSet.x + 1)"
                    + "[['id', 'y']]", "SELECT id, x FROM measurements", ", @rows_per_read = 4096, @parallel = 1"));
            assertThat(rows(s, "SELECT count(*), sum(y) = (SELECT sum(x + 1) FROM measurements) FROM scored"))
                    .containsExactly("50000|t");
        }
    }

    @Test
    void aStreamedInsertThatFailsLateStoresNothingAndRollbackUndoesOne() throws SQLException {
        String failsAtTheThirdChunk = "if InputDataSet.id.min() > 8000:\n    raise RuntimeError('late failure')\n"
                + "OutputDataSet = InputDataSet.assign(y = 1.0)[['id', 'y']]";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE scored");
            assertThatThrownBy(() -> s.execute("INSERT INTO scored " + exec(failsAtTheThirdChunk,
                    "SELECT id FROM measurements ORDER BY id", ", @rows_per_read = 4000")))
                    .hasMessageContaining("late failure")
                    .hasMessageContaining("a chunk of @r_rowsPerRead = 4000 rows");
            assertThat(rows(s, "SELECT count(*) FROM scored")).containsExactly("0");

            c.setAutoCommit(false);
            s.execute("INSERT INTO scored " + exec("OutputDataSet = InputDataSet.assign(y = 2.0)[['id', 'y']]",
                    "SELECT id FROM measurements", ", @rows_per_read = 7000, @parallel = 1"));
            assertThat(rows(s, "SELECT count(*) FROM scored")).containsExactly("50000");
            c.rollback();
            assertThat(rows(s, "SELECT count(*) FROM scored")).containsExactly("0");
            c.setAutoCommit(true);
        }
    }

    @Test
    void aStreamedInsertWhoseRowsPostgresRejectsStopsWithoutRunningEveryChunk() throws Exception {
        // every row breaks the CHECK: PostgreSQL answers the first COPY data with an error while the
        // engine still sends, and the call must stop there instead of running the other chunks
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS positive_only");
            s.execute("CREATE TABLE positive_only (id int8 CHECK (id > 0), pad text)");
        }
        String script = "import time\nimport pandas as pd\nprint('unit', InputDataSet.id.iloc[0])\ntime.sleep(0.3)\n"
                + "OutputDataSet = pd.DataFrame({'id': -InputDataSet.id, 'pad': 'x' * 40})";
        int units = 0;
        String error = null;
        try (RawPgClient client = RawPgClient.login(stack.port(), "extensa", ExtensaStack.PASSWORD)) {
            client.query("INSERT INTO positive_only " + exec(script, "SELECT g AS id FROM generate_series(1, 80000) g",
                    ", @r_rowsPerRead = 10000"));
            for (RawPgClient.Message m : client.readUntilReady()) {
                if (m.type() == 'N' && m.text().contains("unit ")) {
                    units++;
                } else if (m.type() == 'E') {
                    error = m.text();
                }
            }
        }
        assertThat(error).contains("positive_only_id_check");
        assertThat(units).as("chunks run before the rejection stopped the call").isBetween(1, 6);
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            assertThat(rows(s, "SELECT count(*) FROM positive_only")).containsExactly("0");
        }
        ScriptFailuresIT.assertNoJobsLeft();
    }

    @Test
    void cancellingAPartitionedJobStopsEverySatellite() throws Exception {
        ScriptFailuresIT.awaitSatellites(0);
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(2500);
                    s.cancel();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long started = System.nanoTime();
            assertThatThrownBy(() -> rows(s, exec("import time\ntime.sleep(0.5)\nOutputDataSet = InputDataSet",
                    "SELECT grp FROM measurements", ", @parallel = 1, @input_data_1_partition_by_columns = N'grp'")))
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("57014");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            assertThat(rows(s, "SELECT 1")).containsExactly("1");
        }
        ScriptFailuresIT.awaitSatellites(0);
        ScriptFailuresIT.assertNoJobsLeft();
    }
}
