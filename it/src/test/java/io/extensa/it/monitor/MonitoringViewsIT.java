package io.extensa.it.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The monitoring views through the gateway with ordinary SQL: live requests joined with
 * pg_stat_activity appear while scripts run and disappear when they end; the per-language
 * counters add up; pools and languages are listed.
 */
class MonitoringViewsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static ExtensaStack stack;

    @BeforeAll
    static void start() {
        stack = ExtensaStack.get();
    }

    private static String sleeper(double seconds) {
        return "EXEC sp_execute_external_script @language = N'Python', @script = N'import time\ntime.sleep(" + seconds
                + ")\nOutputDataSet = InputDataSet', @input_data_1 = N'SELECT generate_series(1, 1000) AS n'";
    }

    @Test
    void liveRequestsJoinPgStatActivityAndCountersAddUp() throws Exception {
        Map<String, Long> before = stableCounters();
        int scripts = 3;
        List<Connection> callers = new ArrayList<>();
        Set<Integer> pids = new HashSet<>();
        ExecutorService pool = Executors.newFixedThreadPool(scripts);
        try (Connection observer = stack.connect()) {
            for (int k = 0; k < scripts; k++) {
                Connection c = stack.connect();
                callers.add(c);
                try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    pids.add(rs.getInt(1));
                }
            }
            List<CompletableFuture<Integer>> runs = new ArrayList<>();
            for (Connection c : callers) {
                runs.add(CompletableFuture.supplyAsync(() -> {
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sleeper(4))) {
                        int n = 0;
                        while (rs.next()) {
                            n++;
                        }
                        return n;
                    } catch (SQLException e) {
                        throw new RuntimeException(e);
                    }
                }, pool));
            }
            String join = """
                    SELECT r.pid, a.usename, r.language, r.state, r.pool, r.degree_of_parallelism, r.rows_in,
                           r.elapsed > interval '0' AS elapsed_positive, a.state AS backend_state
                    FROM sys.dm_external_script_requests r
                    JOIN pg_stat_activity a ON a.pid = r.pid
                    WHERE r.pid = ANY (?)""";
            waitFor("3 live requests with their input read", () -> {
                List<Map<String, String>> rows = query(observer, join, pids);
                return rows.size() == scripts && rows.stream().allMatch(r -> r.get("rows_in").equals("1000"));
            });
            for (Map<String, String> r : query(observer, join, pids)) {
                assertThat(r).containsEntry("usename", "extensa").containsEntry("language", "Python")
                        .containsEntry("state", "running").containsEntry("pool", "default")
                        .containsEntry("degree_of_parallelism", "1").containsEntry("elapsed_positive", "t");
            }
            waitFor("the default pool counts the running processes", () -> {
                List<Map<String, String>> rows = query(observer, "SELECT active_processes_count FROM "
                        + "sys.dm_resource_governor_external_resource_pools WHERE name = 'default'", null);
                return rows.size() == 1 && Integer.parseInt(rows.get(0).get("active_processes_count")) >= scripts;
            });

            for (CompletableFuture<Integer> run : runs) {
                assertThat(run.get()).isEqualTo(1000);
            }
            assertThatThrownBy(() -> observer.createStatement().execute("EXEC sp_execute_external_script "
                    + "@language = N'Python', @script = N'raise ValueError(1)'")).isInstanceOf(SQLException.class);
            waitFor("the requests are gone", () -> query(observer, join, pids).isEmpty());
            waitFor("the counters add up", () -> {
                Map<String, Long> after = counters();
                return delta(before, after, "Total Executions") == scripts + 1
                        && delta(before, after, "Execution Errors") == 1;
            });
            Map<String, Long> after = counters();
            assertThat(delta(before, after, "Total Execution Time (ms)")).isGreaterThanOrEqualTo(scripts * 4000L);
            assertThat(query(observer, "SELECT name FROM sys.external_languages", null))
                    .anyMatch(r -> r.get("name").equals("Python"));
        } finally {
            for (Connection c : callers) {
                c.close();
            }
            pool.shutdownNow();
        }
    }

    @Test
    void languagesShowTheirForkServersWithinSeconds() throws Exception {
        try (Connection observer = stack.connect()) {
            waitFor("Python and R are listed as warm", () -> query(observer,
                    "SELECT name FROM sys.external_languages WHERE warm", null).stream()
                    .map(r -> r.get("name")).toList().containsAll(List.of("Python", "R")));
        }
    }

    @Test
    void parallelRequestShowsItsDegreeAndCountsAsParallel() throws Exception {
        Map<String, Long> before = stableCounters();
        try (Connection caller = stack.connect(); Connection observer = stack.connect()) {
            try (Statement s = caller.createStatement()) {
                s.execute("EXEC sp_configure 'max degree of parallelism', 2");
                s.execute("RECONFIGURE");
            }
            int pid;
            try (ResultSet rs = caller.createStatement().executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            // the input is dealt out 8,192 rows at a time and a satellite that gets no share is
            // stopped (the degree drops to the satellites that ran): 20,000 rows give both a share
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
                try (Statement s = caller.createStatement()) {
                    s.execute("EXEC sp_execute_external_script @language = N'Python', @script = N'import time\n"
                            + "time.sleep(3)\nOutputDataSet = InputDataSet', @input_data_1 = N'SELECT "
                            + "generate_series(1, 20000) AS n', @parallel = 1");
                } catch (SQLException e) {
                    throw new RuntimeException(e);
                }
            });
            String sql = "SELECT degree_of_parallelism FROM sys.dm_external_script_requests WHERE pid = ANY (?)";
            waitFor("the parallel request with its degree", () -> query(observer, sql, Set.of(pid)).stream()
                    .anyMatch(r -> r.get("degree_of_parallelism").equals("2")));
            run.get();
            waitFor("it counts as a parallel execution", () ->
                    delta(before, counters(), "Parallel Executions") == 1);
        } finally {
            try (Connection c = stack.connect(); Statement s = c.createStatement()) {
                s.execute("EXEC sp_configure 'max degree of parallelism', 0");
                s.execute("RECONFIGURE");
            }
        }
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String counter) {
        return after.getOrDefault(counter, 0L) - before.getOrDefault(counter, 0L);
    }

    /** Counters once earlier tests' increments have been flushed (two equal reads a flush interval apart). */
    private static Map<String, Long> stableCounters() throws Exception {
        Map<String, Long> previous = counters();
        for (int k = 0; k < 10; k++) {
            Thread.sleep(2500);
            Map<String, Long> now = counters();
            if (now.equals(previous)) {
                return now;
            }
            previous = now;
        }
        throw new AssertionError("the execution counters never settled");
    }

    private static Map<String, Long> counters() {
        try (Connection c = stack.connect()) {
            Map<String, Long> out = new HashMap<>();
            for (Map<String, String> r : query(c, "SELECT counter_name, counter_value FROM "
                    + "sys.dm_external_script_execution_stats WHERE language = 'Python'", null)) {
                out.put(r.get("counter_name"), Long.parseLong(r.get("counter_value")));
            }
            return out;
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }

    private static List<Map<String, String>> query(Connection c, String sql, Set<Integer> pids) {
        try (var s = c.prepareStatement(sql)) {
            if (pids != null) {
                s.setArray(1, c.createArrayOf("int4", pids.toArray()));
            }
            List<Map<String, String>> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Map<String, String> row = new HashMap<>();
                    for (int k = 1; k <= rs.getMetaData().getColumnCount(); k++) {
                        row.put(rs.getMetaData().getColumnLabel(k), rs.getString(k));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new RuntimeException(e);
        }
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }
}
