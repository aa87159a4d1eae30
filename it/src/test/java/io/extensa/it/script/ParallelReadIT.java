package io.extensa.it.script;

import static io.extensa.it.script.ScriptBasicsIT.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * Issue 8c: the input of a serial call read over several connections sharing one snapshot, only
 * when that is provably the same as the serial read, with the caller's privileges, leaving no role
 * or connection behind. With client_min_messages = debug1 a DEBUG notice names the path taken.
 */
class ParallelReadIT {

    private static final String PARALLEL = "Extensa: input read over";
    private static final String SERIAL = "Extensa: input read serially: ";
    private static final String ECHO = "OutputDataSet = InputDataSet";
    private static final int ROWS = 200_000;
    private static ExtensaStack stack;

    @BeforeAll
    static void tables() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS public.pr_big, public.pr_small, public.pr_rls, public.pr_granted, "
                    + "public.pr_numeric, public.pr_numeric_copy");
            s.execute("DO $$BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pr_analyst') THEN "
                    + "EXECUTE 'DROP OWNED BY pr_analyst'; END IF; END$$");
            s.execute("DROP ROLE IF EXISTS pr_analyst");
            s.execute("CREATE ROLE pr_analyst LOGIN PASSWORD 'pw-pr_analyst'");
            s.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO pr_analyst");
            s.execute("CREATE TABLE public.pr_big (i int8, f float8, t text, ts timestamp, b bool, secret text)");
            s.execute("INSERT INTO public.pr_big SELECT i, i * 0.25, CASE WHEN i % 97 = 0 THEN NULL ELSE 'row-' || i "
                    + "END, timestamp '2026-01-01' + i * interval '1 second', i % 3 = 0, 's' || i "
                    + "FROM generate_series(1, " + ROWS + ") i");
            s.execute("CREATE TABLE public.pr_small (i int8, t text)");
            s.execute("INSERT INTO public.pr_small SELECT i, 'small-' || i FROM generate_series(1, 10) i");
            s.execute("CREATE TABLE public.pr_rls (i int8, owner text)");
            s.execute("INSERT INTO public.pr_rls SELECT i, CASE WHEN i % 2 = 0 THEN 'pr_analyst' ELSE 'other' END "
                    + "FROM generate_series(1, " + ROWS + ") i");
            s.execute("ALTER TABLE public.pr_rls ENABLE ROW LEVEL SECURITY");
            s.execute("CREATE POLICY own_rows ON public.pr_rls FOR SELECT USING (owner = current_user)");
            s.execute("GRANT SELECT ON public.pr_rls TO pr_analyst");
            s.execute("GRANT SELECT (i, f, t, ts, b) ON public.pr_big TO pr_analyst");
            s.execute("GRANT SELECT ON public.pr_small TO pr_analyst");
            // numeric and array decoders keep scratch space: each reader thread needs its own
            s.execute("CREATE TABLE public.pr_numeric (i int8, n numeric, a numeric[])");
            s.execute("INSERT INTO public.pr_numeric SELECT i, i * 1.000137 - 50000, ARRAY[i * 0.5, -i * 123.25, NULL] "
                    + "FROM generate_series(1, " + ROWS + ") i");
            s.execute("CREATE TABLE public.pr_numeric_copy (i int8, n numeric, a numeric[])");
            s.execute("VACUUM ANALYZE public.pr_big, public.pr_small, public.pr_rls, public.pr_numeric");
            s.execute("EXEC sp_configure 'parallel read min pages', 100");
            s.execute("EXEC sp_configure 'max degree of parallelism', 2");
            // readers are closed after each read unless a test keeps them: each test checks nothing is left
            s.execute("EXEC sp_configure 'parallel read keep seconds', 0");
            s.execute("RECONFIGURE");
        }
    }

    @AfterAll
    static void reset() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("EXEC sp_configure 'parallel read min pages', 1024");
            s.execute("EXEC sp_configure 'max degree of parallelism', 0");
            keepReaders(s, 60);
        }
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertNoReaders();
    }

    /** No reader role and no reader connection remain (backends exit shortly after their socket closes). */
    static void assertNoReaders() throws Exception {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (true) {
                List<String> left = rows(s, "SELECT (SELECT count(*) FROM pg_roles WHERE rolname LIKE "
                        + "'extensa\\_pread\\_%') || '/' || (SELECT count(*) FROM pg_stat_activity WHERE usename LIKE "
                        + "'extensa\\_pread\\_%')");
                if (left.equals(List.of("0/0")) || System.nanoTime() > deadline) {
                    assertThat(left).as("reader roles / reader connections left").containsExactly("0/0");
                    return;
                }
                Thread.sleep(100);
            }
        }
    }

    private static final StringBuilder notices = new StringBuilder();

    /** sp_configure 'parallel read keep seconds', in force at once. */
    private static void keepReaders(Statement s, int seconds) throws SQLException {
        s.execute("EXEC sp_configure 'parallel read keep seconds', " + seconds);
        s.execute("RECONFIGURE");
    }

    /** Reader backends connected now, idle or not. */
    private static long readerBackends(Statement s) throws SQLException {
        return Long.parseLong(rows(s, "SELECT count(*) FROM pg_stat_activity WHERE usename LIKE "
                + "'extensa\\_pread\\_%'").get(0));
    }

    private static List<String> rows(Statement s, String sql) throws SQLException {
        List<String> out = ResultRows.read(s, sql, notices);
        for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
            notices.append(w.getMessage()).append('\n');
        }
        s.clearWarnings();
        return out;
    }

    private static List<String> sorted(List<String> rows) {
        List<String> copy = new ArrayList<>(rows);
        copy.sort(null);
        return copy;
    }

    private static Connection debugSession(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET client_min_messages = debug1");
        }
        return c;
    }

    @Test
    void aBigTableIsReadInParallelAndGivesTheSameRowsAsTheSerialRead() throws Exception {
        String query = "SELECT i, f, t, ts, b FROM public.pr_big";
        // the script returns the rows it got, with text forms PostgreSQL would print
        String script = "OutputDataSet = InputDataSet.assign(ts = InputDataSet.ts.astype(str))";
        try (Connection c = debugSession(stack.connect()); Statement s = c.createStatement()) {
            List<String> parallel = rows(s, exec(script, query, " WITH RESULT SETS ((i int8, f float8, t text, "
                    + "ts text, b bool))"));
            assertThat(notices.toString()).contains(PARALLEL + " 2 connections").doesNotContain(SERIAL);
            assertThat(parallel).hasSize(ROWS);

            s.execute("EXEC sp_configure 'parallel read min pages', 0");
            s.execute("RECONFIGURE");
            List<String> serial;
            try {
                serial = rows(s, exec(script, query, " WITH RESULT SETS ((i int8, f float8, t text, ts text, "
                        + "b bool))"));
                // switched off: not even the questions are asked, so no notice either
                assertThat(notices.toString()).doesNotContain(PARALLEL);
            } finally {
                s.execute("EXEC sp_configure 'parallel read min pages', 100");
                s.execute("RECONFIGURE");
            }
            assertThat(sorted(parallel)).isEqualTo(sorted(serial));
            assertThat(rows(s, exec("OutputDataSet = InputDataSet.agg(['count', 'sum'])[['i']].T", query,
                    " WITH RESULT SETS ((n int8, total int8))"))).containsExactly(ROWS + "|" + (long) ROWS * (ROWS + 1) / 2);
        }
    }

    @Test
    void aCallerWhoWroteInTheTransactionIsReadSeriallyAndSeesItsOwnRows() throws Exception {
        try (Connection c = debugSession(stack.connect()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO public.pr_big (i, t) VALUES (-1, 'uncommitted')");
            List<String> counted = rows(s, exec("OutputDataSet = InputDataSet.agg(['count', 'min'])[['i']].T",
                    "SELECT i FROM public.pr_big", " WITH RESULT SETS ((n int8, low int8))"));
            assertThat(notices.toString()).contains(SERIAL + "the caller's transaction has written")
                    .doesNotContain(PARALLEL);
            assertThat(counted).containsExactly((ROWS + 1) + "|-1");
            c.rollback();
        }
    }

    @Test
    void anExplicitReadOnlyTransactionBlockStillReadsInParallel() throws Exception {
        try (Connection c = debugSession(stack.connect()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            rows(s, "SELECT count(*) FROM public.pr_small");
            List<String> counted = rows(s, exec("OutputDataSet = InputDataSet.agg(['count'])[['i']].T",
                    "SELECT i FROM public.pr_big", " WITH RESULT SETS ((n int8))"));
            assertThat(notices.toString()).contains(PARALLEL);
            assertThat(counted).containsExactly(String.valueOf(ROWS));
            c.commit();
        }
    }

    @Test
    void repeatableReadIsReadSerially() throws Exception {
        try (Connection c = debugSession(stack.connect()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            List<String> counted = rows(s, exec("OutputDataSet = InputDataSet.agg(['count'])[['i']].T",
                    "SELECT i FROM public.pr_big", " WITH RESULT SETS ((n int8))"));
            assertThat(notices.toString()).contains(SERIAL + "the caller's transaction is repeatable read");
            assertThat(counted).containsExactly(String.valueOf(ROWS));
            c.commit();
        }
    }

    @Test
    void rowLevelSecurityIsReadSeriallyAndStillFiltered() throws Exception {
        try (Connection c = debugSession(stack.connectAs("pr_analyst", "pw-pr_analyst"));
             Statement s = c.createStatement()) {
            List<String> counted = rows(s, exec("OutputDataSet = InputDataSet.agg(['count'])[['i']].T",
                    "SELECT i FROM public.pr_rls", " WITH RESULT SETS ((n int8))"));
            assertThat(notices.toString()).contains(SERIAL + "the table has row-level security enabled");
            assertThat(counted).containsExactly(String.valueOf(ROWS / 2));
        }
    }

    @Test
    void joinsOrderingLimitsAndFiltersAreReadSerially() throws Exception {
        String count = "OutputDataSet = InputDataSet.agg(['count'])[['i']].T";
        String as = " WITH RESULT SETS ((n int8))";
        try (Connection c = debugSession(stack.connect()); Statement s = c.createStatement()) {
            assertThat(rows(s, exec(count, "SELECT a.i FROM public.pr_big a JOIN public.pr_big b USING (i)", as)))
                    .containsExactly(String.valueOf(ROWS));
            assertThat(notices.toString()).contains(SERIAL + "the plan is a ").doesNotContain(PARALLEL);
            assertThat(rows(s, exec(count, "SELECT a.i FROM public.pr_big a JOIN public.pr_small b USING (i)", as)))
                    .containsExactly("10");
            assertThat(notices.toString()).doesNotContain(PARALLEL);
            assertThat(rows(s, exec(count, "SELECT i FROM public.pr_big ORDER BY i", as)))
                    .containsExactly(String.valueOf(ROWS));
            assertThat(notices.toString()).contains(SERIAL + "the plan is a Sort");
            assertThat(rows(s, exec(count, "SELECT i FROM public.pr_big LIMIT 5", as))).containsExactly("5");
            assertThat(notices.toString()).contains(SERIAL + "the plan is a Limit");
            assertThat(rows(s, exec(count, "SELECT i FROM public.pr_big WHERE i % 2 = 0", as)))
                    .containsExactly(String.valueOf(ROWS / 2));
            assertThat(notices.toString()).contains(SERIAL + "the plan's Seq Scan has a Filter");
            assertThat(rows(s, exec(count, "SELECT i + 0 AS i FROM public.pr_big", as)))
                    .containsExactly(String.valueOf(ROWS));
            assertThat(notices.toString()).doesNotContain(PARALLEL);
        }
    }

    @Test
    void aSmallTableIsReadSerially() throws Exception {
        try (Connection c = debugSession(stack.connect()); Statement s = c.createStatement()) {
            assertThat(rows(s, exec(ECHO, "SELECT i, t FROM public.pr_small", ""))).hasSize(10);
            assertThat(notices.toString()).contains(SERIAL + "the table has").contains("fewer than parallel read "
                    + "min pages (100)");
        }
    }

    @Test
    void aColumnTheCallerMayNotReadFailsAsTheSerialReadDoes() throws Exception {
        try (Connection c = debugSession(stack.connectAs("pr_analyst", "pw-pr_analyst"));
             Statement s = c.createStatement()) {
            // the same columns through PostgreSQL directly
            PSQLException direct = (PSQLException) org.assertj.core.api.Assertions.catchThrowable(
                    () -> rows(s, "SELECT i, secret FROM public.pr_big"));
            assertThat(direct.getSQLState()).isEqualTo("42501");
            assertThatThrownBy(() -> rows(s, exec(ECHO, "SELECT i, secret FROM public.pr_big", "")))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42501");
                        assertThat(e.getServerErrorMessage().getMessage())
                                .isEqualTo(direct.getServerErrorMessage().getMessage());
                    });
            // the columns it may read: serially, since the readers' ctid ranges need a privilege it lacks
            assertThat(rows(s, exec("OutputDataSet = InputDataSet.agg(['count'])[['i']].T",
                    "SELECT i, t FROM public.pr_big", " WITH RESULT SETS ((n int8))")))
                    .containsExactly(String.valueOf(ROWS));
            assertThat(notices.toString()).contains(SERIAL + "the caller may not SELECT the table's ctid");
        }
    }

    @Test
    void aCallerWithTableSelectIsReadInParallelAsItself() throws Exception {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("GRANT SELECT ON public.pr_small TO pr_analyst");
            s.execute("CREATE TABLE IF NOT EXISTS public.pr_granted AS SELECT i FROM public.pr_big");
            s.execute("GRANT SELECT ON public.pr_granted TO pr_analyst");
        }
        try (Connection c = debugSession(stack.connectAs("pr_analyst", "pw-pr_analyst"));
             Statement s = c.createStatement()) {
            assertThat(rows(s, exec("OutputDataSet = InputDataSet.agg(['count'])[['i']].T",
                    "SELECT i FROM public.pr_granted", " WITH RESULT SETS ((n int8))")))
                    .containsExactly(String.valueOf(ROWS));
            assertThat(notices.toString()).contains(PARALLEL);
        }
    }

    @Test
    void aCallersNextReadReusesItsReadersAndAnotherCallerGetsItsOwn() throws Exception {
        String count = "OutputDataSet = InputDataSet.agg(['count'])[['i']].T";
        String readers = "SELECT usename || ':' || pid || ':' || state || ':' || coalesce(backend_xid::text, '-') "
                + "FROM pg_stat_activity WHERE usename LIKE 'extensa\\_pread\\_%' ORDER BY 1";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS public.pr_granted AS SELECT i FROM public.pr_big");
            s.execute("GRANT SELECT ON public.pr_granted TO pr_analyst");
            keepReaders(s, 60);
            try (Connection a = debugSession(stack.connectAs("pr_analyst", "pw-pr_analyst"));
                 Statement as = a.createStatement()) {
                assertThat(rows(s, exec(count, "SELECT i FROM public.pr_big", " WITH RESULT SETS ((n int8))")))
                        .containsExactly(String.valueOf(ROWS));
                List<String> kept = rows(s, readers);
                // two readers, logged in, idle outside any transaction (no SET LOCAL ROLE left over)
                assertThat(kept).hasSize(2).allMatch(r -> r.endsWith(":idle:-"));
                assertThat(rows(s, exec(count, "SELECT i FROM public.pr_big", " WITH RESULT SETS ((n int8))")))
                        .containsExactly(String.valueOf(ROWS));
                assertThat(rows(s, readers)).as("the same backends read again").isEqualTo(kept);

                assertThat(rows(as, exec(count, "SELECT i FROM public.pr_granted", " WITH RESULT SETS ((n int8))")))
                        .containsExactly(String.valueOf(ROWS));
                assertThat(notices.toString()).contains(PARALLEL);
                // each kept role is a member of exactly one role, its caller's, and not of the other's
                assertThat(rows(s, "SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_roles r "
                        + "JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid "
                        + "WHERE r.rolname LIKE 'extensa\\_pread\\_%' GROUP BY r.rolname ORDER BY 1"))
                        .containsExactlyInAnyOrder("extensa", "pr_analyst");
                assertThat(rows(s, readers)).hasSize(4).containsAll(kept);
            } finally {
                keepReaders(s, 0);
            }
        }
        // with nothing to keep them for, they go within the next sweep (nothingLeftBehind waits)
    }

    @Test
    void concurrentCallsOfOneCallerShareItsReadersAndFallBackToSerialBeyondTheirLimit() throws Exception {
        // 12 calls at once want 24 reader connections; one caller's readers may have 16: every call
        // still gets all its rows, over kept, new or no readers; afterwards at most 8 stay idle
        String count = "OutputDataSet = InputDataSet.agg(['count', 'sum'])[['i']].T";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            keepReaders(s, 60);
            try {
                List<CompletableFuture<List<String>>> calls = new ArrayList<>();
                for (int k = 0; k < 12; k++) {
                    calls.add(CompletableFuture.supplyAsync(() -> {
                        try (Connection cc = stack.connect(); Statement cs = cc.createStatement()) {
                            List<String> got = new ArrayList<>();
                            for (int round = 0; round < 3; round++) {
                                got.addAll(ResultRows.read(cs, exec(count, "SELECT i FROM public.pr_big",
                                        " WITH RESULT SETS ((n int8, total int8))"), new StringBuilder()));
                            }
                            return got;
                        } catch (SQLException e) {
                            throw new RuntimeException(e);
                        }
                    }));
                }
                for (CompletableFuture<List<String>> call : calls) {
                    assertThat(call.get()).containsOnly(ROWS + "|" + (long) ROWS * (ROWS + 1) / 2).hasSize(3);
                }
                assertThat(rows(s, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'extensa\\_pread\\_%'"))
                        .as("one role for the one caller").containsExactly("1");
                // kept readers are backends counting against max_connections: the pool keeps 8 at most
                assertThat(readerBackends(s)).isBetween(1L, 8L);
            } finally {
                keepReaders(s, 0);
            }
        }
    }

    @Test
    void manyCallersKeepNoMoreThanEightIdleReadersBetweenThem() throws Exception {
        String count = "OutputDataSet = InputDataSet.agg(['count'])[['i']].T";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS public.pr_granted AS SELECT i FROM public.pr_big");
            for (int k = 1; k <= 6; k++) {
                s.execute("DO $$BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pr_caller_" + k + "') THEN "
                        + "EXECUTE 'DROP OWNED BY pr_caller_" + k + "'; END IF; END$$");
                s.execute("DROP ROLE IF EXISTS pr_caller_" + k);
                s.execute("CREATE ROLE pr_caller_" + k + " LOGIN PASSWORD 'pw-" + k + "'");
                s.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO pr_caller_" + k);
                s.execute("GRANT SELECT ON public.pr_granted TO pr_caller_" + k);
            }
            keepReaders(s, 60);
            try {
                for (int k = 1; k <= 6; k++) {
                    try (Connection a = debugSession(stack.connectAs("pr_caller_" + k, "pw-" + k));
                         Statement as = a.createStatement()) {
                        assertThat(rows(as, exec(count, "SELECT i FROM public.pr_granted",
                                " WITH RESULT SETS ((n int8))"))).containsExactly(String.valueOf(ROWS));
                    }
                }
                assertThat(notices.toString()).contains(PARALLEL);
                // 6 callers x 2 readers: each idle reader is a backend counting against max_connections
                assertThat(readerBackends(s)).isBetween(2L, 8L);
            } finally {
                keepReaders(s, 0);
            }
        }
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            assertNoReaders();
            for (int k = 1; k <= 6; k++) {
                s.execute("DROP OWNED BY pr_caller_" + k);
                s.execute("DROP ROLE pr_caller_" + k);
            }
        }
    }

    @Test
    void aFailingReaderFailsTheCallAndLeavesNothing() throws Exception {
        // another session terminates every reader backend it sees: the call fails with the reader's error
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger killed = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
            try (Connection k = stack.connect(); Statement ks = k.createStatement()) {
                while (!stop.get()) {
                    try (ResultSet rs = ks.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                            + "FROM pg_stat_activity WHERE usename LIKE 'extensa\\_pread\\_%' AND state = 'active' "
                            + "AND query LIKE 'COPY%'")) {
                        rs.next();
                        killed.addAndGet(rs.getInt(1));
                    }
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (Connection c = debugSession(stack.connect()); Statement s = c.createStatement()) {
            // the killer may miss a read that ends quickly: try a few times, one failure is what is checked
            PSQLException failure = null;
            for (int attempt = 0; attempt < 5 && failure == null; attempt++) {
                try {
                    rows(s, exec(ECHO, "SELECT i, f, t, ts, b FROM public.pr_big", ""));
                } catch (PSQLException e) {
                    failure = e;
                }
                assertThat(rows(s, "SELECT 1")).containsExactly("1");
            }
            assertThat((Object) failure).as("a call whose reader was terminated").isNotNull();
            // PostgreSQL's FATAL message, or only the closed socket when it was cut off mid-COPY
            assertThat(failure.getServerErrorMessage().getMessage()).containsAnyOf(
                    "terminating connection due to administrator command",
                    "a reader of the parallel input read lost its connection to PostgreSQL");
        } finally {
            stop.set(true);
            killer.get();
        }
        assertThat(killed.get()).isPositive();
    }

    @Test
    void numericAndArrayColumnsReadInParallelAreExact() throws Exception {
        try (Connection c = debugSession(stack.connect()); Statement s = c.createStatement()) {
            s.execute("TRUNCATE public.pr_numeric_copy");
            s.execute("INSERT INTO public.pr_numeric_copy " + exec(ECHO, "SELECT i, n, a FROM public.pr_numeric", ""));
            StringBuilder said = new StringBuilder();
            for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                said.append(w.getMessage()).append('\n');
            }
            assertThat(said.toString()).contains(PARALLEL);
            // every row back exactly as stored: none lost, doubled or garbled by another reader's decoding
            assertThat(rows(s, "SELECT (SELECT count(*) FROM public.pr_numeric_copy) || '/' || (SELECT count(*) FROM ("
                    + "SELECT * FROM public.pr_numeric EXCEPT ALL SELECT * FROM public.pr_numeric_copy) d)"))
                    .containsExactly(ROWS + "/0");
        }
    }

    @Test
    void hashedPartitionsAreReadInParallelAndEachPartitionSeesAllItsRows() throws Exception {
        String script = "import pandas\nOutputDataSet = pandas.DataFrame({'b': [InputDataSet.b.iloc[0]], "
                + "'n': [len(InputDataSet)], 'total': [int(InputDataSet.i.sum())]})";
        try (Connection c = debugSession(stack.connect()); Statement s = c.createStatement()) {
            for (int parallel : new int[] {0, 1}) {
                List<String> got = rows(s, exec(script, "SELECT i, b FROM public.pr_big",
                        ", @parallel = " + parallel + ", @input_data_1_partition_by_columns = N'(b)'"
                                + " WITH RESULT SETS ((b bool, n int8, total int8))"));
                assertThat(notices.toString()).contains(PARALLEL);
                notices.setLength(0);
                assertThat(sorted(got)).as("@parallel = " + parallel).isEqualTo(sorted(rows(s,
                        "SELECT CASE WHEN b THEN 't' ELSE 'f' END || '|' || count(*) || '|' || sum(i) "
                                + "FROM public.pr_big GROUP BY b")));
            }
        }
    }

    @Test
    void aCallWithAStatementTimeoutStillReadsInParallel() throws Exception {
        try (Connection c = debugSession(stack.connect()); Statement s = c.createStatement()) {
            s.execute("SET statement_timeout = '1min'");
            assertThat(rows(s, exec("OutputDataSet = InputDataSet.agg(['count'])[['i']].T",
                    "SELECT i FROM public.pr_big", " WITH RESULT SETS ((n int8))")))
                    .containsExactly(String.valueOf(ROWS));
            assertThat(notices.toString()).contains(PARALLEL);
        }
    }

    @Test
    void cancellingAParallelReadLeavesNothing() throws Exception {
        try (Connection c = debugSession(stack.connect()); Statement s = c.createStatement()) {
            for (long delay : new long[] {150, 400, 800}) {
                CompletableFuture.runAsync(() -> {
                    try {
                        Thread.sleep(delay);
                        s.cancel();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                try {
                    rows(s, exec("import time\ntime.sleep(3)\n" + ECHO, "SELECT i, f, t, ts, b FROM public.pr_big",
                            ""));
                } catch (PSQLException e) {
                    assertThat(e.getSQLState()).isEqualTo("57014");
                }
                assertThat(rows(s, "SELECT 1")).containsExactly("1");
                assertNoReaders();
            }
        }
    }
}
