package io.extensa.it.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.it.support.ExtensaStack;
import io.extensa.protocol.launch.LaunchpadClient;
import io.extensa.protocol.launch.LaunchpadStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * R jobs started warm by the R fork server run sandboxed before any script code runs
 * (docs/security.md, "Warm start inside the sandbox"): the attack cases of {@link SandboxAttackIT}
 * written in R, each failing the way the sandbox makes it fail, and afterwards the server still
 * serves and no job, process or directory is left behind; plus proof that the jobs really ran warm,
 * sandboxed, and each in a fresh process.
 */
class RSandboxIT {

    private static final String POOL = "it_r_tiny";
    private static final String POOL_USER = "r_pool_tiny_user";
    private static ExtensaStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = ExtensaStack.get();
        LaunchpadStatus.LanguageInfo r = launchpad().languages().stream().filter(l -> l.name().equals("R"))
                .findFirst().orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!r.warm() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = launchpad().languages().stream().filter(l -> l.name().equals("R")).findFirst().orElseThrow();
        }
        assertThat(r.warm()).as("the R fork server is up").isTrue();
    }

    @AfterEach
    void serverKeepsServingAndNothingIsLeft() throws Exception {
        assertThat(result("r <- 'still serving'")).isEqualTo("still serving");
        Path jobs = stack.dataDir().resolve("jobs");
        for (int i = 0; i < 600 && (!ExtensaStack.jobEntries(jobs).isEmpty() || !launchpad().jobs().isEmpty()); i++) {
            Thread.sleep(50);
        }
        assertThat(ExtensaStack.jobEntries(jobs)).as("job directories and pid files left in " + jobs).isEmpty();
        assertThat(launchpad().jobs()).as("jobs the launchpad still runs").isEmpty();
    }

    private static LaunchpadStatus launchpad() throws IOException {
        return new LaunchpadClient(stack.server().launchpadSocket()).status();
    }

    private static String exec(String script) {
        return "EXEC sp_execute_external_script @language = N'R', @script = N'" + script.replace("'", "''") + "'";
    }

    /** Runs {@code body} (R that assigns a character vector to r) and returns r, one value per line. */
    private static String result(String body) throws SQLException {
        try (Connection c = stack.connect()) {
            return result(c, body);
        }
    }

    private static String result(Connection c, String body) throws SQLException {
        String script = body + "\nOutputDataSet <- data.frame(r = paste(r, collapse = \"\\n\"))";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(exec(script))) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    /** R that runs {@code expr} and sets r to "ok" or to the message of the warning or error it raised. */
    private static String attempt(String expr) {
        return "r <- tryCatch({\n" + expr + "\n\"ok\"\n}, warning = function(w) conditionMessage(w),"
                + " error = function(e) conditionMessage(e))";
    }

    /** R that runs a program and sets r to what it printed (stdout and stderr). */
    private static String program(String command, String... args) {
        StringBuilder r = new StringBuilder("r <- suppressWarnings(system2(\"" + command + "\", c(");
        for (int i = 0; i < args.length; i++) {
            r.append(i > 0 ? ", " : "").append("shQuote(\"").append(args[i].replace("\"", "\\\"")).append("\")");
        }
        return r.append("), stdout = TRUE, stderr = TRUE))").toString();
    }

    // ---- warm, sandboxed, a fresh process per job ----------------------------------------------

    @Test
    void jobsRunWarmSandboxedAndEachInAFreshProcess() throws Exception {
        String probe = """
                leaked <- exists("left_by_job_1")
                left_by_job_1 <- "a global of job 1"
                status <- readLines("/proc/self/status")
                field <- function(name) sub("^[^:]*:\\\\s*", "", grep(paste0("^", name, ":"), status, value = TRUE))
                Sys.sleep(1)
                r <- c(commandArgs(TRUE), Sys.getpid(), paste(list.files("/proc", pattern = "^[0-9]+$"), collapse = ","),
                       paste(sort(trimws(sub(":.*", "", readLines("/proc/net/dev")[-(1:2)]))), collapse = ","),
                       system2("id", "-un", stdout = TRUE), strsplit(field("Uid"), "\\\\s+")[[1]][1],
                       field("CapEff"), field("NoNewPrivs"), field("Seccomp"), leaked)
                """;
        List<Long> pids = new ArrayList<>();
        Set<String> seenJobs = new HashSet<>();
        try (Connection c = stack.connect()) {
            for (int job = 1; job <= 2; job++) {
                CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> {
                    try {
                        return result(c, probe);
                    } catch (SQLException e) {
                        throw new RuntimeException(e);
                    }
                });
                LaunchpadStatus.JobInfo info = runningJob(seenJobs);
                seenJobs.add(info.jobId());
                assertThat(info.language()).isEqualTo("R");
                assertThat(info.warm()).as("started by the R fork server").isTrue();
                pids.add(info.pid());
                String[] seen = running.get(60, TimeUnit.SECONDS).split("\n");
                assertThat(seen[0]).as("forked by the fork server").isEqualTo("forkserver");
                assertThat(seen[1]).as("its pid in its own PID namespace").isEqualTo("2");
                assertThat(seen[2]).as("its namespace's init and itself").isEqualTo("1,2");
                assertThat(seen[3]).as("network interfaces").isEqualTo("lo");
                assertThat(seen[4]).as("a worker account").matches("extensa-w\\d+");
                assertThat(Integer.parseInt(seen[5])).isPositive();
                assertThat(seen[6]).as("no capabilities").isEqualTo("0000000000000000");
                assertThat(seen[7]).as("no_new_privs").isEqualTo("1");
                assertThat(seen[8]).as("seccomp filter").isEqualTo("2");
                assertThat(seen[9]).as("a global of an earlier job in the same session").isEqualTo("FALSE");
            }
        }
        assertThat(pids.get(1)).as("a fresh process for the second job").isNotEqualTo(pids.get(0));
        // the first job's process is killed when its call ends; vanishing may take the kernel a moment
        for (int i = 0; i < 200 && ProcessHandle.of(pids.get(0)).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(50);
        }
        assertThat(ProcessHandle.of(pids.get(0)).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    /** The first running job not in {@code seen} (a job that just ended may still be listed). */
    private static LaunchpadStatus.JobInfo runningJob(Set<String> seen) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (LaunchpadStatus.JobInfo job : launchpad().jobs()) {
                if (!seen.contains(job.jobId())) {
                    return job;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no job started");
    }

    @Test
    void sparesAreBoundedAndCollectedAndHoldNoPoolSlot() throws Exception {
        assertThat(result("r <- 'warm'")).isEqualTo("warm");
        long forkServer = launchpad().languages().stream().filter(l -> l.name().equals("R")).findFirst()
                .orElseThrow().forkServerPid();
        int spares = settledChildren(forkServer, -1).size();
        assertThat(spares).as("spares, launchpad.warm_children").isBetween(1, 16);
        for (int i = 0; i < 6; i++) {
            assertThat(result("r <- as.character(" + i + ")")).isEqualTo(Integer.toString(i));
        }
        List<Long> children = settledChildren(forkServer, spares);
        assertThat(children).as("as many spares as before, no finished job left unreaped").hasSize(spares);
        for (long child : children) {
            String stat = Files.readString(Path.of("/proc/" + child + "/stat"));
            assertThat(stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)).as("state of " + child)
                    .isNotEqualTo("Z");
        }
        assertThat(launchpad().pool("default").orElseThrow().active()).as("spares hold no pool slot").isZero();
    }

    @Test
    void aRunningJobOutlivesItsForkServerWhichIsStartedAgain() throws Exception {
        long forkServer = launchpad().languages().stream().filter(l -> l.name().equals("R")).findFirst()
                .orElseThrow().forkServerPid();
        CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> {
            try {
                return result("Sys.sleep(3)\nr <- 'finished'");
            } catch (SQLException e) {
                throw new RuntimeException(e);
            }
        });
        LaunchpadStatus.JobInfo job = runningJob(Set.of());
        assertThat(job.warm()).isTrue();
        ProcessHandle.of(forkServer).orElseThrow().destroyForcibly();
        // the spare's waiter watches the launchpad, not the fork server (it watched the fork server,
        // and the job died with it)
        assertThat(running.get(60, TimeUnit.SECONDS)).isEqualTo("finished");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        LaunchpadStatus.LanguageInfo r;
        do {
            Thread.sleep(200);
            r = launchpad().languages().stream().filter(l -> l.name().equals("R")).findFirst().orElseThrow();
        } while ((!r.warm() || r.forkServerPid() == forkServer) && System.nanoTime() < deadline);
        assertThat(r.warm()).as("a new R fork server is up").isTrue();
        assertThat(r.forkServerPid()).isNotEqualTo(forkServer);
    }

    /** The fork server's children once their number is {@code expected} (any, when negative) for half a second. */
    private static List<Long> settledChildren(long forkServer, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<Long> last = List.of();
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            List<Long> now = ProcessHandle.of(forkServer).orElseThrow().children().map(ProcessHandle::pid).toList();
            if (!now.equals(last)) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > TimeUnit.MILLISECONDS.toNanos(500)
                    && (expected < 0 || now.size() == expected)) {
                return now;
            }
            Thread.sleep(50);
        }
        return last;
    }

    // ---- the attacks ---------------------------------------------------------------------------

    @Test
    void noNetworkAtAllNotEvenTheGatewayOrPostgresqlOnLoopback() throws SQLException {
        assertThat(result(attempt("socketConnection(\"127.0.0.1\", " + stack.port() + ", blocking = TRUE, timeout = 5)")))
                .isEqualTo("127.0.0.1:" + stack.port() + " cannot be opened");
        assertThat(result(program("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + stack.port())))
                .startsWith("bash: connect: Connection refused");
        assertThat(result(program("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/5432")))
                .startsWith("bash: connect: Connection refused");
        assertThat(result(program("bash", "-c", "exec 3<>/dev/tcp/192.0.2.1/80")))
                .as("no route out of the job's network namespace").startsWith("bash: connect: Network is unreachable");
        assertThat(result(attempt("utils::nsl(\"example.com\")")))
                .isEqualTo("nsl() was unable to resolve host 'example.com'");
        assertThat(result("r <- sort(trimws(sub(\":.*\", \"\", readLines(\"/proc/net/dev\")[-(1:2)])))")).isEqualTo("lo");
    }

    @Test
    void secretsAndDataDirectoriesAreOutOfSight() throws SQLException {
        assertThat(result(attempt("readLines(\"/etc/shadow\")")))
                .isEqualTo("cannot open file '/etc/shadow': Permission denied");
        Path dataDir = stack.dataDir();
        for (Path hidden : List.of(dataDir.resolve("pgdata"), dataDir.resolve("pgdata/PG_VERSION"),
                dataDir.resolve("admin-password"), dataDir.resolve("log"), dataDir.resolve("run/launchpad.sock"),
                Path.of("/root"), Path.of("/home"), Path.of("/var/lib/postgresql"))) {
            assertThat(result("r <- file.exists(\"" + hidden + "\")")).as(hidden.toString()).isEqualTo("FALSE");
        }
        assertThat(result(attempt("readLines(\"" + dataDir.resolve("pgdata/PG_VERSION") + "\")")))
                .isEqualTo("cannot open file '" + dataDir.resolve("pgdata/PG_VERSION") + "': No such file or directory");
        // libraries/ is there when it existed as the spare was prepared (it is bound, read-only, for imports)
        assertThat(result("r <- sort(list.files(\"" + dataDir + "\"))").split("\n"))
                .as("the data directory holds only what the sandbox put there")
                .contains("jobs", "run", "runtime").isSubsetOf("jobs", "libraries", "run", "runtime");
    }

    @Test
    void theFileSystemIsReadOnlyOutsideTheJobDirectoryAndTmp() throws SQLException {
        assertThat(result(attempt("writeLines(\"x\", \"/usr/evil\")")))
                .isEqualTo("cannot open file '/usr/evil': Read-only file system");
        assertThat(result(attempt("writeLines(\"x\", \"" + stack.dataDir().resolve("runtime/r/evil") + "\")")))
                .isEqualTo("cannot open file '" + stack.dataDir().resolve("runtime/r/evil") + "': Read-only file system");
        assertThat(result("writeLines(\"x\", \"mine\"); writeLines(\"y\", \"/tmp/r-mine\")\n"
                + "r <- paste0(readLines(\"mine\"), readLines(\"/tmp/r-mine\"))")).isEqualTo("xy");
        assertThat(Path.of("/tmp/r-mine")).as("the job's /tmp is its own").doesNotExist();
    }

    @Test
    void anotherRunningJobCannotBeSeenSignalledOrRead() throws Exception {
        CompletableFuture<String> victim = CompletableFuture.supplyAsync(() -> {
            try {
                return result("writeLines(\"victim data\", \"secret\")\nSys.sleep(4)\nr <- readLines(\"secret\")");
            } catch (SQLException e) {
                throw new RuntimeException(e);
            }
        });
        LaunchpadStatus.JobInfo victimJob = runningJob(Set.of());
        String victimDir = stack.dataDir().resolve("jobs").resolve(victimJob.jobId()).toString();
        long launchpadPid = stack.server().launchpadPid();
        assertThat(result("r <- c(tools::pskill(" + victimJob.pid() + ", tools::SIGKILL), tools::pskill("
                + launchpadPid + ", tools::SIGKILL), tools::pskill(" + ProcessHandle.current().pid()
                + ", tools::SIGKILL), tools::pskill(-1, tools::SIGKILL))"))
                .as("the victim, the launchpad, the gateway, every process it may signal").isEqualTo("FALSE\nFALSE\nFALSE\nFALSE");
        assertThat(result("r <- file.exists(\"/proc/" + victimJob.pid() + "\")")).isEqualTo("FALSE");
        assertThat(result("r <- list.files(\"..\")")).as("the jobs directory shows only the job's own")
                .doesNotContain(victimJob.jobId());
        assertThat(result(attempt("readLines(\"" + victimDir + "/secret\")")))
                .isEqualTo("cannot open file '" + victimDir + "/secret': No such file or directory");
        assertThat(victim.get(60, TimeUnit.SECONDS)).isEqualTo("victim data");
        assertThat(ProcessHandle.of(launchpadPid).map(ProcessHandle::isAlive)).contains(true);
    }

    @Test
    void privilegesAreGoneForGood() throws SQLException {
        assertThat(result(program("perl", "-e", "$> = 0; $< = 0; print $!"))).isEqualTo("Operation not permitted");
        assertThat(result(program("unshare", "-U", "true"))).isEqualTo("unshare: unshare failed: Operation not permitted");
        assertThat(result(program("su", "-c", "id", "root"))).doesNotContain("uid=0");
        assertThat(result("r <- grep(\"^(CapEff|CapPrm|CapBnd|NoNewPrivs):\", readLines(\"/proc/self/status\"), value = TRUE)"))
                .isEqualTo("CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1");
    }

    @Test
    void aForkBombIsCapped() throws SQLException {
        String bomb = """
                jobs <- list()
                r <- "not capped"
                while (length(jobs) < 5000) {
                  j <- tryCatch(parallel::mcparallel(Sys.sleep(60)), error = function(e) e)
                  if (inherits(j, "error")) {
                    r <- paste("capped:", conditionMessage(j))
                    break
                  }
                  jobs[[length(jobs) + 1]] <- j
                }
                pids <- vapply(jobs, function(j) j$pid, 0L)
                tools::pskill(pids, tools::SIGKILL)
                invisible(suppressWarnings(parallel::mccollect(jobs, wait = TRUE)))
                r <- paste(r, "after", length(pids))
                """;
        String outcome = result(bomb);
        assertThat(outcome).startsWith("capped: unable to fork, possible reason: Resource temporarily unavailable after ");
        assertThat(Integer.parseInt(outcome.substring(outcome.lastIndexOf(' ') + 1))).isBetween(1, 255);
    }

    @Test
    void overThePoolsMemoryLimitTheScriptIsKilledWithAClearError() throws Exception {
        String enforcement = launchpad().enforcement();
        Assumptions.assumeTrue(enforcement.startsWith("cgroup") && enforcement.contains("memory"),
                "memory limits are not enforced here: " + enforcement);
        dropTinyPool();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DO $$BEGIN CREATE ROLE " + POOL_USER + " LOGIN PASSWORD 'pw-" + POOL_USER + "';"
                    + " EXCEPTION WHEN duplicate_object THEN NULL; END$$");
            s.execute("GRANT CONNECT ON DATABASE extensa TO " + POOL_USER);
            s.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO " + POOL_USER);
            s.execute("CREATE EXTERNAL RESOURCE POOL " + POOL + " WITH (MAX_MEMORY_PERCENT = 1)");
            s.execute("ALTER EXTERNAL RESOURCE POOL " + POOL + " ADD ROLE " + POOL_USER);
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");
        }
        long limit = launchpad().pool(POOL).orElseThrow().memoryLimitBytes();
        try (Connection c = stack.connectAs(POOL_USER, "pw-" + POOL_USER); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute(exec("x <- rep(1, " + (limit * 3 / 8) + "); x[1] <- 2")))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        ServerErrorMessage m = e.getServerErrorMessage();
                        assertThat(m.getSQLState()).isEqualTo("53200");
                        assertThat(m.getMessage()).contains("exceeded the memory limit of external resource pool \""
                                + POOL + "\" (" + (limit >> 20) + " MB)");
                        assertThat(m.getHint()).contains("MAX_MEMORY_PERCENT");
                    });
            try (ResultSet rs = s.executeQuery(exec("OutputDataSet <- InputDataSet") + ", @input_data_1 = N'SELECT 7'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("the session and the pool keep working").isEqualTo(7);
            }
        } finally {
            dropTinyPool();
        }
    }

    /** The pool goes again (its role stays), so that no later test's job can land in it. */
    private static void dropTinyPool() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM extensa_catalog.resource_pool_role WHERE pool = '" + POOL + "'");
            s.execute("DELETE FROM extensa_catalog.resource_pool WHERE name = '" + POOL + "'");
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");
        }
    }

    @Test
    void garbageAndATwoGigabyteFrameOnTheProtocolSocketFailTheJobOnly() throws SQLException {
        // the script finds its own protocol socket and writes bytes into it with the runtime's own helper
        // (text only: the frame header below is all ASCII, a 2 GB length included); it then sleeps past the
        // engine's wait for its exit, so the engine's own finding is what the caller sees
        String writeToEngine = """
                routines <- getDLLRegisteredRoutines("extensa_native")$.Call
                bytes <- %s
                for (fd in as.integer(list.files("/proc/self/fd"))) {
                  if (fd > 2 && isTRUE(startsWith(Sys.readlink(file.path("/proc/self/fd", fd)), "socket:"))) {
                    .Call(routines$ext_write_line, fd, bytes)
                  }
                }
                Sys.sleep(10)
                OutputDataSet <- NULL
                """;
        List<String> attacks = List.of("\"garbage garbage garbage garbage\"",
                "rawToChar(as.raw(c(0x45, 0x58, 0x54, 0x53, 1, 7, 1, 1, 0x78, 0x7f, 0x7f, 0x7f, 0x63, 0x63, 0x63, 0x63)))");
        List<String> findings = List.of("bad frame magic 0x62726167 (expected 0x53545845)",
                "frame of 2139062136 bytes exceeds the maximum of ");
        for (int i = 0; i < attacks.size(); i++) {
            String attack = attacks.get(i);
            String finding = findings.get(i);
            try (Connection c = stack.connect(); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute(exec(writeToEngine.formatted(attack))))
                        .isInstanceOfSatisfying(PSQLException.class, e -> {
                            assertThat(e.getServerErrorMessage().getSQLState()).isEqualTo("38S03");
                            assertThat(e.getServerErrorMessage().getMessage()).startsWith("the 'R' runtime (pid ")
                                    .contains("stopped answering (" + finding)
                                    .endsWith("during execution of 'sp_execute_external_script'");
                        });
                try (ResultSet rs = s.executeQuery("SELECT 1")) {
                    assertThat(rs.next()).as("the session survives").isTrue();
                }
            }
        }
    }
}
