package io.extensa.it.script;

import static io.extensa.it.script.ScriptBasicsIT.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import io.extensa.it.support.RawPgClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Scripts that fail, crash, are killed or abandoned: a clear error, the transaction in the state
 * PostgreSQL would leave it, the session usable, and no process or job directory left behind.
 */
class ScriptFailuresIT {

    private static ExtensaStack stack;

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS sink");
            s.execute("CREATE TABLE sink (v bigint)");
        }
    }

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
        ServerErrorMessage e = fail(exec("x = 1\ny = (\n", null, ""));
        assertThat(e.getSQLState()).isEqualTo("38S01");
        assertThat(e.getMessage()).contains("A 'Python' script error occurred").contains("SyntaxError");
        assertThat(e.getWhere()).contains("line");
    }

    @Test
    void anErrorInTheInputQueryPointsIntoThatQueryNotIntoTheExec() throws SQLException {
        ServerErrorMessage e = fail(exec("OutputDataSet = InputDataSet", "SELECT * FROM no_such_table", ""));
        assertThat(e.getSQLState()).isEqualTo("42P01");
        assertThat(e.getPosition()).isZero();
        assertThat(e.getInternalQuery()).isEqualTo("SELECT * FROM no_such_table");
        assertThat(e.getInternalPosition()).isEqualTo(15);
        assertThat(e.getWhere()).isEqualTo("@input_data_1");
    }

    @Test
    void runtimeExceptionCarriesTheScriptsTraceback() throws SQLException {
        ServerErrorMessage e = fail(exec("def f(d):\n    return 1 / d\n\nx = 1\nf(0)\n", null, ""));
        assertThat(e.getSQLState()).isEqualTo("38000");
        assertThat(e.getMessage()).contains("ZeroDivisionError: division by zero");
        assertThat(e.getDetail()).contains("File \"<script>\", line 5").contains("File \"<script>\", line 2, in f")
                .doesNotContain("_satellite");
    }

    @Test
    void sysExitAndOsExitAreReported() throws SQLException {
        ServerErrorMessage exit = fail(exec("import sys\nsys.exit(3)", null, ""));
        assertThat(exit.getMessage()).contains("sys.exit(3)");
        ServerErrorMessage hard = fail(exec("import os\nos._exit(3)", null, ""));
        assertThat(hard.getSQLState()).isEqualTo("38S03");
        assertThat(hard.getMessage()).contains("exited with code 3");
    }

    @Test
    void failingInsertExecLeavesNoRowsAndAbortsAnOpenTransaction() throws SQLException {
        String failing = "INSERT INTO sink " + exec(
                "import pandas as pd\nOutputDataSet = pd.DataFrame({'v': range(1000)})\nraise ValueError('late')",
                null, "");
        fail(failing);
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO sink VALUES (-1)");
            assertThatThrownBy(() -> s.execute(failing)).hasMessageContaining("ValueError: late");
            assertThatThrownBy(() -> s.execute("SELECT 1")).hasMessageContaining("current transaction is aborted");
            c.rollback();
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sink")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    @Test
    void satelliteKilledMidStreamFailsCleanlyWithoutAPartialInsert() throws Exception {
        String script = "import os, time, pandas as pd\n"
                + "print('job', os.environ['EXTENSA_JOB_ID'], flush=True)\n"
                + "time.sleep(60)\n"
                + "OutputDataSet = pd.DataFrame({'v': range(10)})";
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            CompletableFuture<Long> killer = CompletableFuture.supplyAsync(() -> killWhenItPrints(s));
            assertThatThrownBy(() -> s.execute("INSERT INTO sink " + exec(script, null, "")))
                    .isInstanceOf(PSQLException.class)
                    .hasMessageContaining("killed by signal 9")
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("38S03");
            long pid = killer.get();
            awaitGone(pid);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sink")) {
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
            c.query(exec("import time\ntime.sleep(120)", null, ""));
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
            assertThatThrownBy(() -> s.execute(exec("while True:\n    pass", null, "")))
                    .extracting(e -> ((PSQLException) e).getSQLState()).isEqualTo("57014");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
        assertNoJobsLeft();
    }

    /**
     * Kills the job's satellite as the launchpad sees it (the pid in its pid file): inside the
     * sandbox's PID namespace the script's own pid means nothing out here.
     */
    private static long killWhenItPrints(Statement s) {
        try {
            for (int i = 0; i < 600; i++) {
                for (var w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                    Matcher m = Pattern.compile("job ([A-Za-z0-9_-]+)").matcher(w.getMessage());
                    if (m.find()) {
                        long pid = jobPid(m.group(1));
                        ExtensaStack.run(List.of("kill", "-KILL", String.valueOf(pid)), "", Map.of(),
                                Duration.ofSeconds(5));
                        return pid;
                    }
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the script never printed its job id");
        } catch (SQLException | InterruptedException | IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static long jobPid(String jobId) throws IOException {
        return Long.parseLong(Files.readString(stack.dataDir().resolve("jobs/." + jobId + ".pid")).trim().split(" ")[0]);
    }

    static void awaitGone(long pid) throws InterruptedException {
        for (int i = 0; i < 100 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(50);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("process " + pid).isFalse();
    }

    /**
     * Jobs of this test stack whose satellite runs now, by its launchpad's pid files (the
     * recorded process alive). Processes alone would not tell: the fork server keeps spare
     * children that have no job yet, and other stacks on the machine have satellites of their own.
     */
    static long satellites() {
        try (Stream<Path> entries = Files.list(ExtensaStack.get().dataDir().resolve("jobs"))) {
            return entries.filter(p -> p.getFileName().toString().matches("\\.[A-Za-z0-9_-]+\\.pid"))
                    .filter(p -> !p.getFileName().toString().startsWith(".forkserver-"))
                    .filter(ScriptFailuresIT::recordedProcessAlive)
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean recordedProcessAlive(Path pidFile) {
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim().split(" ")[0]);
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false; // removed or being written: not a running job
        }
    }

    /** Patient: on a loaded 2-core machine a job's teardown can take seconds. */
    static void awaitSatellites(long expected) throws InterruptedException {
        for (int i = 0; i < 600 && satellites() != expected; i++) {
            Thread.sleep(50);
        }
        assertThat(satellites()).isEqualTo(expected);
    }

    static void assertNoJobsLeft() throws Exception {
        Path jobs = ExtensaStack.get().dataDir().resolve("jobs");
        for (int i = 0; i < 600; i++) {
            try (Stream<Path> entries = Files.list(jobs)) {
                if (entries.noneMatch(p -> !p.getFileName().toString().startsWith("."))) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        try (Stream<Path> entries = Files.list(jobs)) {
            assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))).isEmpty();
        }
    }
}
