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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/**
 * What a crash leaves behind, through the whole stack: a launchpad killed with SIGKILL is
 * restarted while the gateway serves (the running call fails with 38S06, its satellites die, the
 * session goes on, pools still hold), a gateway killed with SIGKILL leaves no job, directory or
 * cgroup once the server is started again, 'external scripts timeout' ends a call, and a job sees
 * only the library directories of its own caller.
 */
class CrashSafetyIT {

    private static final String POOL = "crash_one";
    private static final String POOL_USER = "crash_pool_user";
    private static final String ALICE = "crash_lib_alice";
    private static final String BOB = "crash_lib_bob";
    private static ExtensaStack stack;

    @BeforeAll
    static void start() throws SQLException {
        stack = ExtensaStack.get();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM extensa_catalog.resource_pool_role WHERE pool = '" + POOL + "'");
            s.execute("DELETE FROM extensa_catalog.resource_pool WHERE name = '" + POOL + "'");
            for (String role : new String[] {POOL_USER, ALICE, BOB}) {
                s.execute("DROP ROLE IF EXISTS " + role);
                s.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw-" + role + "'");
                s.execute("GRANT CONNECT ON DATABASE extensa TO " + role);
                s.execute("GRANT EXECUTE ANY EXTERNAL SCRIPT TO " + role);
            }
            s.execute("GRANT CREATE EXTERNAL LIBRARY TO " + ALICE);
            s.execute("CREATE EXTERNAL RESOURCE POOL " + POOL + " WITH (MAX_PROCESSES = 1)");
            s.execute("ALTER EXTERNAL RESOURCE POOL " + POOL + " ADD ROLE " + POOL_USER);
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");
        }
    }

    /** The pool's route catches every superuser too (a member of every role): later tests must not run in it. */
    @AfterAll
    static void dropThePool() throws SQLException {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            s.execute("ALTER EXTERNAL RESOURCE POOL " + POOL + " DROP ROLE " + POOL_USER);
            s.execute("DROP EXTERNAL RESOURCE POOL " + POOL);
            s.execute("ALTER RESOURCE GOVERNOR RECONFIGURE");
        }
    }

    @AfterEach
    void serverKeepsServingAndNothingIsLeft() throws Exception {
        try (Connection c = stack.connect()) {
            assertThat(single(c, python("OutputDataSet = pandas.DataFrame({'r': ['still serving']})")))
                    .isEqualTo("still serving");
        }
        assertNoJobsLeft(stack.dataDir(), launchpad(stack.server().launchpadSocket()));
    }

    @Test
    void aLaunchpadKilledWhileAScriptRunsIsRestartedAndOnlyThatCallFails() throws Exception {
        long oldLaunchpad = stack.server().launchpadPid();
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            CompletableFuture<Void> running = runAsync(s, python("import time\ntime.sleep(120)"));
            LaunchpadStatus.JobInfo job = awaitJob(stack.server().launchpadSocket());
            List<ProcessHandle> tree = ProcessHandle.of(oldLaunchpad).orElseThrow().descendants().toList();
            assertThat(tree.stream().map(ProcessHandle::pid)).as("the satellite runs below the launchpad")
                    .contains(job.pid());

            long killedAt = System.nanoTime();
            ProcessHandle.of(oldLaunchpad).orElseThrow().destroyForcibly();

            assertThatThrownBy(() -> running.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("38S06");
                        assertThat(e.getMessage()).contains("the launchpad stopped while the 'Python' script ran")
                                .contains("run the call again");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(10));
            awaitGone(tree, Duration.ofSeconds(10));

            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            // arrives while the new launchpad may still be starting: it waits for it
            assertThat(single(c, python("OutputDataSet = pandas.DataFrame({'r': ['after the restart']})")))
                    .isEqualTo("after the restart");
        }
        long newLaunchpad = stack.server().launchpadPid();
        assertThat(newLaunchpad).isNotEqualTo(oldLaunchpad);
        assertThat(ProcessHandle.of(newLaunchpad).map(ProcessHandle::isAlive)).contains(true);
        assertThat(launchpad(stack.server().launchpadSocket()).pool(POOL).orElseThrow().maxProcesses()).isEqualTo(1);
        poolStillLimitsToOneSatellite();
    }

    /** With the pool's one satellite busy, a second call of the pool's role waits in its queue. */
    private void poolStillLimitsToOneSatellite() throws Exception {
        try (Connection holder = stack.connectAs(POOL_USER, "pw-" + POOL_USER); Statement h = holder.createStatement();
             Connection waiter = stack.connectAs(POOL_USER, "pw-" + POOL_USER); Statement w = waiter.createStatement()) {
            CompletableFuture<Void> holding = runAsync(h, python("import time\ntime.sleep(3)"));
            while (launchpad(stack.server().launchpadSocket()).pool(POOL).orElseThrow().active() == 0) {
                Thread.sleep(20);
            }
            w.execute("SET statement_timeout = '700ms'");
            assertThatThrownBy(() -> w.execute(python("print('never')")))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("57014");
                        assertThat(e.getServerErrorMessage().getDetail())
                                .contains("for a free slot in resource pool '" + POOL + "' (MAX_PROCESSES = 1");
                    });
            holding.get(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void aGatewayKilledWithARunningJobLeavesNothingOnceTheServerStartsAgain() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "xcrash");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("extensa.conf"), "language.python.interpreter = " + ExtensaStack.PYTHON + "\n");
        ChildServer first = ChildServer.start(dir);
        ChildServer second = null;
        try {
            Path socket = dir.resolve("run").resolve("launchpad.sock");
            long oldLaunchpad;
            LaunchpadStatus.JobInfo job;
            List<ProcessHandle> tree;
            try (Connection c = first.connect(); Statement s = c.createStatement()) {
                CompletableFuture<Void> running = runAsync(s, python("import time\ntime.sleep(120)"));
                job = awaitJob(socket);
                oldLaunchpad = launchpad(socket).pid();
                tree = ProcessHandle.of(oldLaunchpad).orElseThrow().descendants().toList();
                first.kill();
                assertThatThrownBy(() -> running.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            }
            Set<Long> satellite = ProcessHandle.of(job.pid()).stream()
                    .flatMap(p -> Stream.concat(Stream.of(p), p.descendants())).map(ProcessHandle::pid)
                    .collect(Collectors.toSet());
            // the control connection went with the gateway: the launchpad ends the job by itself
            awaitGone(tree.stream().filter(p -> satellite.contains(p.pid())).toList(), Duration.ofSeconds(10));

            second = ChildServer.start(dir);
            awaitGone(Stream.concat(ProcessHandle.of(oldLaunchpad).stream(), tree.stream()).toList(),
                    Duration.ofSeconds(10));
            LaunchpadStatus status = launchpad(socket);
            assertNoJobsLeft(dir, status);
            assertThat(cgroupEntries(status, "job_" + job.jobId())).as("the killed job's cgroups").isEmpty();
            try (Stream<Path> sockets = Files.list(dir.resolve("run").resolve("jobs"))) {
                assertThat(sockets.map(p -> p.getFileName().toString()).toList()).as("engine job sockets")
                        .doesNotContain(job.jobId() + ".sock");
            }
            try (Connection c = second.connect()) {
                assertThat(single(c, python("OutputDataSet = pandas.DataFrame({'r': ['served again']})")))
                        .isEqualTo("served again");
            }
        } finally {
            if (second != null) {
                second.stop();
            }
            first.kill();
            ChildServer.cleanUp(dir);
        }
    }

    @Test
    void externalScriptsTimeoutKillsTheSatelliteAndTheSessionStaysUsable() throws Exception {
        try (Connection c = stack.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("EXEC sp_configure 'external scripts timeout'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("external scripts timeout");
            }
            s.execute("EXEC sp_configure 'external scripts timeout', 2");
            s.execute("RECONFIGURE");
            try {
                long started = System.nanoTime();
                assertThatThrownBy(() -> s.execute(python("while True:\n    pass")))
                        .isInstanceOfSatisfying(PSQLException.class, e -> {
                            assertThat(e.getSQLState()).isEqualTo("57014");
                            assertThat(e.getMessage()).contains("canceling statement due to external scripts timeout")
                                    .contains("longer than 2 s (sp_configure 'external scripts timeout')");
                        });
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
                try (ResultSet rs = s.executeQuery("SELECT 1")) {
                    assertThat(rs.next()).isTrue();
                }
                assertThat(single(c, python("OutputDataSet = pandas.DataFrame({'r': ['quick']})"))).isEqualTo("quick");

                // a shorter statement_timeout wins, and says so
                s.execute("SET statement_timeout = '500ms'");
                assertThatThrownBy(() -> s.execute(python("while True:\n    pass")))
                        .isInstanceOfSatisfying(PSQLException.class, e ->
                                assertThat(e.getMessage()).contains("canceling statement due to statement timeout"));
                s.execute("RESET statement_timeout");
            } finally {
                s.execute("EXEC sp_configure 'external scripts timeout', 0");
                s.execute("RECONFIGURE");
            }
            assertThatThrownBy(() -> s.execute("EXEC sp_configure 'external scripts timeout', -1"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22023"));
        }
    }

    @Test
    void aJobSeesOnlyTheLibrariesOfItsOwnCaller() throws Exception {
        try (Connection alice = stack.connectAs(ALICE, "pw-" + ALICE); Statement a = alice.createStatement();
             Connection bob = stack.connectAs(BOB, "pw-" + BOB)) {
            try {
                a.execute("DROP EXTERNAL LIBRARY crashsecret");
            } catch (SQLException leftOverFromAnEarlierRun) {
                // there was none
            }
            a.execute("CREATE EXTERNAL LIBRARY crashsecret FROM (CONTENT = " + hex(zipOf("crashsecret.py",
                    "SECRET = 'alice only'\n")) + ") WITH (LANGUAGE = 'Python')");
            assertThat(single(alice, python("import crashsecret\n"
                    + "OutputDataSet = pandas.DataFrame({'r': [crashsecret.SECRET]})"))).isEqualTo("alice only");

            Path privateDir = stack.dataDir().resolve("libraries").resolve("python").resolve("private").resolve(ALICE);
            Path secretFile;
            try (Stream<Path> files = Files.walk(privateDir)) {
                secretFile = files.filter(p -> p.getFileName().toString().equals("crashsecret.py")).findFirst()
                        .orElseThrow();
            }
            String probe = "import os\n"
                    + "def attempt(f):\n"
                    + "    try:\n"
                    + "        f()\n"
                    + "        return 'ok'\n"
                    + "    except Exception as e:\n"
                    + "        return type(e).__name__\n"
                    + "OutputDataSet = pandas.DataFrame({'r': [attempt(lambda: os.listdir('" + privateDir + "')) + ' '"
                    + " + attempt(lambda: open('" + secretFile + "').read()) + ' '"
                    + " + attempt(lambda: os.listdir('" + privateDir.getParent() + "'))]})";
            assertThat(single(bob, python(probe)))
                    .as("bob's job cannot list or read alice's private library directory")
                    .isEqualTo("FileNotFoundError FileNotFoundError FileNotFoundError");
            assertThat(single(alice, python(probe))).as("alice's own job sees her library")
                    .startsWith("ok ok");
            a.execute("DROP EXTERNAL LIBRARY crashsecret");
        }
    }

    // ---- helpers ----

    private static String python(String script) {
        String full = "import pandas\n" + script;
        return "EXEC sp_execute_external_script @language = N'Python', @script = N'" + full.replace("'", "''") + "'";
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }

    private static CompletableFuture<Void> runAsync(Statement s, String sql) {
        return CompletableFuture.runAsync(() -> {
            try {
                s.execute(sql);
            } catch (SQLException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, task -> Thread.ofPlatform().daemon().start(task));
    }

    private static LaunchpadStatus launchpad(Path socket) throws IOException {
        return new LaunchpadClient(socket, Duration.ofSeconds(10)).status();
    }

    private static LaunchpadStatus.JobInfo awaitJob(Path socket) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            List<LaunchpadStatus.JobInfo> jobs = launchpad(socket).jobs();
            if (!jobs.isEmpty()) {
                return jobs.get(0);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no job started within 60 s");
    }

    private static void awaitGone(List<ProcessHandle> processes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (processes.stream().anyMatch(CrashSafetyIT::running) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(processes.stream().filter(CrashSafetyIT::running)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList())
                .as("processes left running").isEmpty();
    }

    /**
     * Alive and not a zombie: a process whose parent died is reaped by PID 1 of the machine, which
     * may take its time; a zombie runs nothing and holds nothing but its pid.
     */
    private static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** No job directory, pid or output file, no job cgroup, no job in the launchpad. */
    private static void assertNoJobsLeft(Path dataDir, LaunchpadStatus status) throws Exception {
        Path jobs = dataDir.resolve("jobs");
        for (int i = 0; i < 600 && !ExtensaStack.jobEntries(jobs).isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertThat(ExtensaStack.jobEntries(jobs)).as("job directories and pid files left in " + jobs).isEmpty();
        assertThat(cgroupEntries(status, "job_")).as("job cgroups left").isEmpty();
    }

    /** Cgroup directories whose name starts with {@code prefix} in the launchpad's trees ("... at a, b"). */
    private static List<Path> cgroupEntries(LaunchpadStatus status, String prefix) throws IOException {
        String enforcement = status.enforcement();
        int at = enforcement.indexOf(" at ");
        if (!enforcement.startsWith("cgroup") || at < 0) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        for (String tree : enforcement.substring(at + 4).split(";")[0].split(", ")) {
            Path root = Path.of(tree.trim());
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root, 3)) {
                walk.filter(Files::isDirectory).filter(p -> p.getFileName().toString().startsWith(prefix))
                        .forEach(found::add);
            }
        }
        return found;
    }

    private static byte[] zipOf(String name, String content) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.putNextEntry(new java.util.zip.ZipEntry(name));
            zip.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static String hex(byte[] content) {
        return "0x" + java.util.HexFormat.of().formatHex(content);
    }

    /** An Extensa server in a JVM of its own (extensa start, in the foreground), so it can be killed with SIGKILL. */
    private record ChildServer(Process process, int port) {

        static ChildServer start(Path dir) throws Exception {
            int port;
            try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "io.extensa.server.cli.ExtensaCli", "start",
                    "--data-dir", dir.toString(), "--port", Integer.toString(port));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("child-server.out").toFile()));
            builder.environment().put("EXTENSA_ADMIN_PASSWORD", ExtensaStack.PASSWORD);
            Process process = builder.start();
            var server = new ChildServer(process, port);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (true) {
                if (!process.isAlive()) {
                    throw new AssertionError("the server exited with " + process.exitValue() + ":\n"
                            + Files.readString(dir.resolve("child-server.out")));
                }
                try (Connection ignored = server.connect()) {
                    return server;
                } catch (SQLException e) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the server did not accept connections within 120 s", e);
                    }
                    Thread.sleep(200);
                }
            }
        }

        Connection connect() throws SQLException {
            var properties = new java.util.Properties();
            properties.setProperty("user", "extensa");
            properties.setProperty("password", ExtensaStack.PASSWORD);
            return java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/extensa", properties);
        }

        void kill() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }

        /** SIGTERM: the orderly stop of extensa start in the foreground. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        }

        /** extensa stop ends whatever a killed server left (PostgreSQL, launchpad); then the directory goes. */
        static void cleanUp(Path dir) {
            ExtensaStack.run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), "io.extensa.server.cli.ExtensaCli", "stop", "--data-dir",
                    dir.toString()), "", Map.of(), Duration.ofMinutes(2));
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
