package io.extensa.it.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import io.extensa.protocol.launch.LaunchpadClient;
import io.extensa.protocol.launch.LaunchpadStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Standby satellites: a call's end starts a satellite for the same caller's next call, which then
 * only takes its pool slot (ACTIVATE). Each test watches the launchpad's job list to see which
 * job serves a call.
 */
class StandbySatellitesIT {

    private static final String FIRST = "standby_first";
    private static final String SECOND = "standby_second";
    private static final String POOL = "it_standby";
    private static ExtensaStack stack;
    private static LaunchpadClient launchpad;

    @BeforeAll
    static void roles() throws SQLException {
        stack = ExtensaStack.get();
        launchpad = new LaunchpadClient(stack.server().launchpadSocket());
        stack.standbySatellites(2);
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            for (String role : List.of(FIRST, SECOND)) {
                s.execute("DROP ROLE IF EXISTS " + role);
                s.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw-" + role + "'");
                s.execute("GRANT CONNECT ON DATABASE extensa TO " + role);
                s.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO " + role);
            }
            s.execute("DELETE FROM extensa_catalog.resource_pool_role WHERE pool = '" + POOL + "'");
            s.execute("DELETE FROM extensa_catalog.resource_pool WHERE name = '" + POOL + "'");
            s.execute("CREATE EXTERNAL RESOURCE POOL " + POOL + " WITH (MAX_PROCESSES = 1)");
            s.execute("ALTER EXTERNAL RESOURCE POOL " + POOL + " ADD ROLE " + FIRST);
            s.execute("ALTER EXTERNAL RESOURCE POOL " + POOL + " ADD ROLE " + SECOND);
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");
        }
    }

    /** Each test starts without standbys: turning them off closes those earlier tests left. */
    @BeforeEach
    void noStandbys() throws SQLException {
        stack.standbySatellites(0);
        stack.standbySatellites(2);
    }

    @AfterAll
    static void dropRoles() throws SQLException {
        stack.standbySatellites(ExtensaStack.SUITE_STANDBY_SATELLITES);
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER EXTERNAL RESOURCE POOL " + POOL + " DROP ROLE " + FIRST + ", " + SECOND);
            s.execute("DROP EXTERNAL RESOURCE POOL " + POOL);
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");
            for (String role : List.of(FIRST, SECOND)) {
                s.execute("DROP OWNED BY " + role);
                s.execute("DROP ROLE " + role);
            }
        }
    }

    private static Connection connectAs(String role) throws SQLException {
        return stack.connectAs(role, "pw-" + role);
    }

    private static String exec(String language, String script) {
        return "EXEC sp_execute_external_script @language = N'" + language + "', @script = N'"
                + script.replace("'", "''") + "'";
    }

    private static List<LaunchpadStatus.JobInfo> jobsOf(String user) throws Exception {
        return launchpad.status().jobs().stream().filter(j -> j.user().equals(user)).toList();
    }

    /** The first job of {@code user} that passes {@code test}, waiting up to 20 s for it. */
    private static LaunchpadStatus.JobInfo awaitJob(String user, Predicate<LaunchpadStatus.JobInfo> test)
            throws Exception {
        for (int i = 0; i < 400; i++) {
            Optional<LaunchpadStatus.JobInfo> job = jobsOf(user).stream().filter(test).findFirst();
            if (job.isPresent()) {
                return job.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no such job of " + user + "; jobs: " + launchpad.status().jobs());
    }

    /** Runs {@code script} as {@code role}; returns the standby satellite its end started for the role's next call. */
    private static LaunchpadStatus.JobInfo standbyAfterACall(String role, String language, String script)
            throws Exception {
        try (Connection c = connectAs(role); Statement s = c.createStatement()) {
            s.execute(exec(language, script));
        }
        return awaitJob(role, j -> j.standby() && j.language().equalsIgnoreCase(language));
    }

    /** Runs a Python {@code script} as the standby's user, checks it ran in that standby, returns its rows. */
    private static List<String> runInStandby(LaunchpadStatus.JobInfo standby, String script) throws Exception {
        CompletableFuture<List<String>> call = callAsync(standby.user(), "Python", script);
        assertThat(awaitJob(standby.user(), j -> !j.standby()).jobId()).isEqualTo(standby.jobId());
        return call.get();
    }

    private static CompletableFuture<List<String>> callAsync(String role, String language, String script) {
        return CompletableFuture.supplyAsync(() -> {
            try (Connection c = connectAs(role); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery(exec(language, script))) {
                java.util.ArrayList<String> rows = new java.util.ArrayList<>();
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
                return rows;
            } catch (SQLException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    @Test
    void aCallersNextCallRunsInTheStandbyStartedForItAsAFreshProcess() throws Exception {
        assertNextCallUsesStandby("Python",
                "import builtins, pandas as pd\nbuiltins.left_behind = 1\nOutputDataSet = pd.DataFrame({'x': [1]})",
                "import builtins, time, pandas as pd\ntime.sleep(1)\n"
                        + "OutputDataSet = pd.DataFrame({'x': [str(hasattr(builtins, 'left_behind'))]})",
                "False");
        assertNextCallUsesStandby("R",
                "assign('left_behind', 1, envir = globalenv())\nOutputDataSet <- data.frame(x = 1L)",
                "Sys.sleep(1)\nOutputDataSet <- data.frame(x = as.character(exists('left_behind')))",
                "FALSE");
    }

    private static void assertNextCallUsesStandby(String language, String first, String second, String expected)
            throws Exception {
        LaunchpadStatus.JobInfo standby = standbyAfterACall(FIRST, language, first);
        LaunchpadStatus status = launchpad.status();
        assertThat(status.pool(POOL).orElseThrow().active()).as("a standby holds no pool slot").isZero();

        CompletableFuture<List<String>> next = callAsync(FIRST, language, second);
        LaunchpadStatus.JobInfo serving = awaitJob(FIRST, j -> !j.standby());
        assertThat(serving.jobId()).as("the job serving the call").isEqualTo(standby.jobId());
        assertThat(launchpad.status().pool(POOL).orElseThrow().active()).as("activated: it holds the slot")
                .isEqualTo(1);
        assertThat(next.get()).as("nothing of the earlier call's process").containsExactly(expected);
    }

    /** Waits up to 20 s until {@code user} has no job whose id is {@code jobId} (null: no job at all). */
    private static void awaitGone(String user, String jobId) throws Exception {
        for (int i = 0; i < 400 && jobsOf(user).stream().anyMatch(j -> jobId == null || j.jobId().equals(jobId)); i++) {
            Thread.sleep(50);
        }
        assertThat(jobsOf(user)).extracting(LaunchpadStatus.JobInfo::jobId)
                .satisfies(ids -> assertThat(jobId == null ? ids : ids.stream().filter(jobId::equals).toList())
                        .isEmpty());
    }

    @Test
    void aRefusedCallEndsTheStandbyItsCallerHadAndRunsNothing() throws Exception {
        // a call asks for its standby's slot before its permission check: a refusal must end the standby
        standbyAfterACall(FIRST, "Python", "x = 1");
        try (Connection admin = stack.connect(); Statement a = admin.createStatement()) {
            a.execute("REVOKE EXECUTE ANY EXTERNAL SCRIPT FROM " + FIRST);
            try (Connection c = connectAs(FIRST); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute(exec("Python", "open('ran', 'w').write('x')")))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
                awaitGone(FIRST, null);
                assertThat(launchpad.status().pool(POOL).orElseThrow().active()).as("no slot kept").isZero();
                assertThat(s.executeQuery("SELECT 1").next()).as("the session goes on").isTrue();
            } finally {
                a.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO " + FIRST);
            }
        }
        assertThat(runInStandby(standbyAfterACall(FIRST, "Python", "x = 1"),
                "import time, pandas as pd\ntime.sleep(1)\nOutputDataSet = pd.DataFrame({'x': ['granted again']})"))
                .containsExactly("granted again");
    }

    @Test
    void aCallWhoseInputQueryFailsEndsTheStandbyItActivated() throws Exception {
        // the input query is described in the permission check's round trip, after ACTIVATE went out
        LaunchpadStatus.JobInfo standby = standbyAfterACall(FIRST, "Python", "x = 1");
        try (Connection c = connectAs(FIRST); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute(exec("Python", "OutputDataSet = InputDataSet")
                    + ", @input_data_1 = N'SELECT * FROM no_such_table'"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42P01"))
                    .hasMessageContaining("no_such_table");
            awaitGone(FIRST, standby.jobId());
            try (ResultSet rs = s.executeQuery(exec("Python", "OutputDataSet = InputDataSet")
                    + ", @input_data_1 = N'SELECT 41 + 1 AS x'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
    }

    @Test
    void aStandbyServesOnlyItsOwnCallerAndTakesNoSlotFromOthers() throws Exception {
        LaunchpadStatus.JobInfo standby = standbyAfterACall(FIRST, "Python", "x = 1");

        // the pool's only slot goes to the other caller's call at once, in a satellite of its own
        long started = System.nanoTime();
        CompletableFuture<List<String>> other = callAsync(SECOND, "Python",
                "import time, pandas as pd\ntime.sleep(1.5)\nOutputDataSet = pd.DataFrame({'x': ['other']})");
        LaunchpadStatus.JobInfo otherJob = awaitJob(SECOND, j -> !j.standby());
        assertThat(otherJob.jobId()).isNotEqualTo(standby.jobId());
        assertThat(jobsOf(FIRST)).extracting(LaunchpadStatus.JobInfo::jobId, LaunchpadStatus.JobInfo::standby)
                .contains(org.assertj.core.groups.Tuple.tuple(standby.jobId(), true));

        // the first caller's next call finds the pool full: its standby goes (it holds a worker account,
        // which must not wait in a queue) and the call waits for the slot as a plain launch
        CompletableFuture<List<String>> mine = callAsync(FIRST, "Python",
                "import pandas as pd\nOutputDataSet = pd.DataFrame({'x': ['mine']})");
        assertThat(mine.get()).containsExactly("mine");
        assertThat(other).isDone();
        assertThat(other.get()).containsExactly("other");
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms until both ended").isGreaterThanOrEqualTo(1500);
    }

    @Test
    void aStatementTimeoutEndsTheWaitOfACallWhoseStandbyFoundThePoolFull() throws Exception {
        standbyAfterACall(FIRST, "Python", "x = 1");
        CompletableFuture<List<String>> other = callAsync(SECOND, "Python",
                "import time, pandas as pd\ntime.sleep(3)\nOutputDataSet = pd.DataFrame({'x': ['other']})");
        awaitJob(SECOND, j -> !j.standby());
        try (Connection c = connectAs(FIRST); Statement s = c.createStatement()) {
            s.execute("SET statement_timeout = 500");
            assertThatThrownBy(() -> s.execute(exec("Python", "x = 2")))
                    .isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
            s.execute("RESET statement_timeout");
            assertThat(other.get()).containsExactly("other");
            try (ResultSet rs = s.executeQuery(exec("Python", "import pandas as pd\n"
                    + "OutputDataSet = pd.DataFrame({'x': ['after']})"))) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("after");
            }
        }
    }

    @Test
    void aStandbyIsSandboxedLikeAnyJob() throws Exception {
        LaunchpadStatus.JobInfo standby = standbyAfterACall(FIRST, "Python", "x = 1");
        String script = "import os, socket, time, pandas as pd\ntime.sleep(0.5)\n"
                + "try:\n    socket.create_connection(('127.0.0.1', %d), timeout=5).close()\n    net = 'connected'\n"
                + "except OSError as e:\n    net = type(e).__name__\n"
                + "OutputDataSet = pd.DataFrame({'x': [net + ' ' + str(os.getuid() != 0 and os.geteuid() != 0)]})";
        assertThat(runInStandby(standby, script.formatted(stack.port())))
                .containsExactly("ConnectionRefusedError True");
    }

    @Test
    void aStandbysLoopbackSocketRunsStatementsAsItsCaller() throws Exception {
        LaunchpadStatus.JobInfo standby = standbyAfterACall(FIRST, "Python", "x = 1");
        String script = "import extensa, psycopg2, time, pandas as pd\ntime.sleep(0.5)\n"
                + "conn = psycopg2.connect(extensa.connection_string())\nconn.autocommit = True\ncur = conn.cursor()\n"
                + "cur.execute('SELECT current_user')\nwho = cur.fetchone()[0]\nconn.close()\n"
                + "OutputDataSet = pd.DataFrame({'x': [who]})";
        assertThat(runInStandby(standby, script)).containsExactly(FIRST);
    }

    @Test
    void turningStandbysOffClosesThemAndLeavesNoJob() throws Exception {
        LaunchpadStatus.JobInfo standby = standbyAfterACall(SECOND, "R", "x <- 1");
        stack.standbySatellites(0);
        try {
            for (int i = 0; i < 200 && !jobsOf(SECOND).isEmpty(); i++) {
                Thread.sleep(50);
            }
            assertThat(jobsOf(SECOND)).isEmpty();
            for (int i = 0; i < 100 && ExtensaStack.jobEntries(stack.dataDir().resolve("jobs")).stream()
                    .anyMatch(e -> e.contains(standby.jobId())); i++) {
                Thread.sleep(50);
            }
            assertThat(ExtensaStack.jobEntries(stack.dataDir().resolve("jobs")))
                    .noneMatch(e -> e.contains(standby.jobId()));
            // and none is started while they are off
            try (Connection c = connectAs(SECOND); Statement s = c.createStatement()) {
                s.execute(exec("R", "x <- 2"));
            }
            // the call's own job ends just after its answer; no standby may follow it
            for (int i = 0; i < 200 && !jobsOf(SECOND).isEmpty(); i++) {
                assertThat(jobsOf(SECOND)).noneMatch(LaunchpadStatus.JobInfo::standby);
                Thread.sleep(50);
            }
            Thread.sleep(300);
            assertThat(jobsOf(SECOND)).isEmpty();
        } finally {
            stack.standbySatellites(2);
        }
    }
}
