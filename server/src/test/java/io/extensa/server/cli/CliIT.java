package io.extensa.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.datadir.PidFile;
import io.extensa.server.datadir.ServerState;
import io.extensa.server.process.CommandResult;
import io.extensa.server.process.OsAccount;
import io.extensa.server.process.Processes;
import io.extensa.server.testing.ExtensaScript;
import io.extensa.server.testing.FreePort;
import io.extensa.server.testing.ProcScan;
import io.extensa.server.testing.Psql;
import io.extensa.server.testing.TempUser;
import io.extensa.server.testing.TestCluster;
import io.extensa.server.testing.TestDirs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real bin/extensa script: start --detach, status, stop, the clear errors, root and
 * non-root. Tests that start a server successfully need the gateway and the launchpad daemon.
 */
class CliIT {

    private final ExtensaScript extensa = ExtensaScript.fromRepository();
    private Path base;
    private DataDirectory dir;
    private int port;

    @BeforeEach
    void createBase() {
        base = TestDirs.create("cli");
        dir = new DataDirectory(base.resolve("d"));
        port = FreePort.pick();
    }

    @AfterEach
    void stopAndCheckNothingIsLeft() {
        extensa.run("stop", "--data-dir", dir.root().toString());
        assertThat(ProcScan.processesMentioning(base)).as("processes left behind").isEmpty();
        TestDirs.delete(base);
    }

    private CommandResult start(String... extra) {
        var args = new ArrayList<>(List.of("start", "--detach", "--data-dir", dir.root().toString(),
                "--port", Integer.toString(port)));
        args.addAll(List.of(extra));
        return extensa.run(args.toArray(String[]::new));
    }

    private String password() throws IOException {
        return Files.readString(dir.adminPasswordFile()).strip();
    }

    @Test
    void startStatusStopWithTheEmbeddedPostgres() throws IOException {
        CommandResult started = start();
        assertThat(started.exitCode()).as(started.output()).isZero();
        assertThat(started.output())
                .contains("psql -h 127.0.0.1 -p " + port + " -U extensa extensa")
                .contains("in " + dir.adminPasswordFile());

        CommandResult status = extensa.run("status", "--data-dir", dir.root().toString());
        assertThat(status.exitCode()).as(status.output()).isZero();
        assertThat(status.output()).contains("Extensa is running on " + dir)
                .contains("gateway     127.0.0.1:" + port)
                .contains("managed, pid").contains("socket " + dir.postgresSocket())
                .contains("launchpad   pid");
        ServerState state = ServerState.read(dir).orElseThrow();
        long serverPid = state.getLong(ServerState.PID).getAsLong();
        long postgresPid = state.getLong(ServerState.POSTGRES_PID).getAsLong();
        long launchpadPid = state.getLong(ServerState.LAUNCHPAD_PID).getAsLong();
        assertThat(PidFile.read(dir.pidFile())).hasValue(serverPid);
        assertThat(ProcScan.listensOnTcp(postgresPid)).as("PostgreSQL must not listen on TCP").isFalse();

        assertThat(Psql.query("127.0.0.1", port, password(), "SELECT 40 + 2")).isEqualTo("42");
        assertThat(Files.readString(dir.gatewayLog())).contains("gateway listening on 127.0.0.1:" + port);
        assertThat(dir.launchpadLog()).exists();
        assertThat(dir.postgresLog()).exists();

        CommandResult stopped = extensa.run("stop", "--data-dir", dir.root().toString());
        assertThat(stopped.exitCode()).as(stopped.output()).isZero();
        assertThat(stopped.output()).contains("Stopping Extensa (pid " + serverPid + ")").contains("Extensa is stopped.");
        assertThat(List.of(serverPid, postgresPid, launchpadPid)).noneMatch(Processes::isAlive);
        assertThat(ProcScan.processesMentioning(dir.root())).isEmpty();
        assertThat(dir.pidFile()).doesNotExist();

        CommandResult after = extensa.run("status", "--data-dir", dir.root().toString());
        assertThat(after.exitCode()).isEqualTo(ExitCodes.NOT_RUNNING);
        assertThat(after.output()).contains("Extensa is not running on " + dir);
        CommandResult stopAgain = extensa.run("stop", "--data-dir", dir.root().toString());
        assertThat(stopAgain.exitCode()).isZero();
        assertThat(stopAgain.output()).contains("Extensa is not running on " + dir);
    }

    @Test
    void restartReusesClusterAndPassword() throws IOException {
        assertThat(start().exitCode()).isZero();
        String password = password();
        Psql.query("127.0.0.1", port, password, "CREATE TABLE survives (v text); INSERT INTO survives VALUES ('yes')");
        assertThat(extensa.run("stop", "--data-dir", dir.root().toString()).exitCode()).isZero();

        CommandResult again = start();

        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(password()).isEqualTo(password);
        assertThat(Psql.query("127.0.0.1", port, password, "SELECT v FROM survives")).isEqualTo("yes");
    }

    @Test
    void environmentSuppliesPortDataDirectoryAndPassword() throws IOException {
        CommandResult started = extensa.env("EXTENSA_DATA_DIR", dir.root().toString())
                .env("EXTENSA_PORT", Integer.toString(port))
                .env("EXTENSA_ADMIN_PASSWORD", "env-password")
                .run("start", "--detach");

        assertThat(started.exitCode()).as(started.output()).isZero();
        assertThat(started.output()).contains("-p " + port).contains("the value of EXTENSA_ADMIN_PASSWORD");
        assertThat(dir.adminPasswordFile()).doesNotExist();
        assertThat(Psql.query("127.0.0.1", port, "env-password", "SELECT current_user")).isEqualTo("extensa");
    }

    @Test
    void configFileSetsThePortAndRejectsTypos() throws IOException {
        Files.createDirectories(dir.root());
        Files.writeString(dir.configFile(), "gateway.port = " + port + "\nlaunchpad.example = 1\n");

        CommandResult started = extensa.run("start", "--detach", "--data-dir", dir.root().toString());
        assertThat(started.exitCode()).as(started.output()).isZero();
        assertThat(started.output()).contains("-p " + port);
        assertThat(Files.readString(dir.launchpadConfigFile())).contains("launchpad.example=1");
        extensa.run("stop", "--data-dir", dir.root().toString());

        Files.writeString(dir.configFile(), "gateway.prot = " + port + "\n");
        CommandResult typo = extensa.run("start", "--detach", "--data-dir", dir.root().toString());
        assertThat(typo.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(typo.output()).contains("unknown key 'gateway.prot'");
    }

    @Test
    void aSecondStartOnTheSameDirectoryIsRefusedWithThePid() {
        assertThat(start().exitCode()).isZero();
        long pid = PidFile.read(dir.pidFile()).getAsLong();

        CommandResult second = extensa.run("start", "--detach", "--data-dir", dir.root().toString(),
                "--port", Integer.toString(FreePort.pick()));

        assertThat(second.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(second.output()).contains("Extensa is already running on " + dir + " (pid " + pid + ")");
        assertThat(second.output()).doesNotContain("Exception");
        assertThat(Processes.isAlive(pid)).isTrue();
    }

    @Test
    void aStalePidFileIsReportedRemovedAndStartContinues() throws IOException {
        Files.createDirectories(dir.root());
        Files.writeString(dir.pidFile(), "999999\n");

        CommandResult status = extensa.run("status", "--data-dir", dir.root().toString());
        assertThat(status.exitCode()).isEqualTo(ExitCodes.NOT_RUNNING);
        assertThat(status.output()).contains("names pid 999999, which is not running");

        CommandResult started = start();
        assertThat(started.exitCode()).as(started.output()).isZero();
        assertThat(started.output()).contains("Removed the stale pid file " + dir.pidFile())
                .contains("pid 999999 is gone");
        assertThat(PidFile.read(dir.pidFile()).getAsLong()).isNotEqualTo(999999);
    }

    @Test
    void stopCleansUpAfterACrashedServer() {
        assertThat(start().exitCode()).isZero();
        ServerState state = ServerState.read(dir).orElseThrow();
        long serverPid = state.getLong(ServerState.PID).getAsLong();
        long postgresPid = state.getLong(ServerState.POSTGRES_PID).getAsLong();
        long launchpadPid = state.getLong(ServerState.LAUNCHPAD_PID).getAsLong();

        ProcessHandle.of(serverPid).orElseThrow().destroyForcibly();
        assertThat(Processes.awaitExit(serverPid, Duration.ofSeconds(10))).isTrue();
        assertThat(Processes.awaitExit(launchpadPid, Duration.ofSeconds(30)))
                .as("the launchpad stops with its server: its standard input, the server's lifeline, ended").isTrue();

        CommandResult status = extensa.run("status", "--data-dir", dir.root().toString());
        assertThat(status.exitCode()).isEqualTo(ExitCodes.NOT_RUNNING);
        assertThat(status.output()).contains("pid " + postgresPid + " is still running")
                .doesNotContain("pid " + launchpadPid + " is still running");

        CommandResult stopped = extensa.run("stop", "--data-dir", dir.root().toString());
        assertThat(stopped.exitCode()).as(stopped.output()).isZero();
        assertThat(stopped.output()).contains("Stopped PostgreSQL (pid " + postgresPid + ")");
        assertThat(List.of(postgresPid, launchpadPid)).noneMatch(Processes::isAlive);
    }

    @Test
    void foregroundStartStopsInOrderOnSigterm() throws IOException, InterruptedException {
        Process server = new ProcessBuilder(ExtensaScript.repositoryRoot().resolve("bin/extensa").toString(), "start",
                "--data-dir", dir.root().toString(), "--port", Integer.toString(port))
                .redirectErrorStream(true).start();
        var output = new StringBuilder();
        try (var reader = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                output.append(line).append('\n');
                if (line.contains("is running (pid")) {
                    assertThat(Psql.query("127.0.0.1", port, password(), "SELECT 1")).isEqualTo("1");
                    server.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
                }
            }
        }
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output.toString()).contains("(or Ctrl-C)").contains("stopping Extensa").contains("PostgreSQL stopped")
                .contains("Extensa stopped");
        assertThat(output.indexOf("launchpad stopped")).isLessThan(output.indexOf("PostgreSQL stopped"));
        assertThat(ProcScan.processesMentioning(dir.root())).isEmpty();
    }

    @Test
    void anExternalPostgresIsNeitherStartedNorStopped() {
        try (TestCluster external = TestCluster.start(base.resolve("ext"))) {
            long externalPid = external.pid().getAsLong();

            CommandResult started = start("--postgres-url", external.url());
            assertThat(started.exitCode()).as(started.output()).isZero();
            assertThat(started.output()).contains("postgresql: external");
            CommandResult status = extensa.run("status", "--data-dir", dir.root().toString());
            assertThat(status.output()).contains("postgresql  external, " + external.socketDir());
            assertThat(dir.pgdata()).doesNotExist();
            assertThat(Psql.run("127.0.0.1", port, "", "SELECT 1").output()).contains("role \"extensa\" does not exist");

            assertThat(extensa.run("stop", "--data-dir", dir.root().toString()).exitCode()).isZero();
            assertThat(Processes.isAlive(externalPid)).as("the external PostgreSQL keeps running").isTrue();
            assertThat(external.sql("SELECT 1")).isEqualTo("1");
        }
    }

    @Test
    void aPortInUseIsAClearErrorAndStartsNothing() throws IOException {
        try (var taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", port));

            CommandResult result = start();

            assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILURE);
            assertThat(result.output()).contains("port " + port + " on 127.0.0.1 is already in use")
                    .doesNotContain("Exception");
            assertThat(dir.pgdata()).doesNotExist();
        }
    }

    @Test
    void missingPostgresBinariesSayWhatToInstall() throws IOException {
        Files.createDirectories(dir.root());
        Files.createDirectories(base.resolve("empty-bin"));
        Files.writeString(dir.configFile(), "postgres.bin-dir = " + base.resolve("empty-bin") + "\n");

        CommandResult result = start();

        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.output()).contains("PostgreSQL binaries missing")
                .contains("apt-get install postgresql-15").doesNotContain("Exception");
    }

    @Test
    void aDataDirectoryThatIsNotWritableIsAClearError() throws IOException {
        Path readOnly = base.resolve("ro");
        Files.createDirectory(readOnly, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-xr-xr-x")));
        Path target = readOnly.resolve("d");
        CommandResult result;
        if (OsAccount.currentIsRoot()) {
            // root may write anywhere: ask as an unprivileged user.
            try (TempUser user = TempUser.create(base)) {
                result = extensa.asUser(user.name()).run("start", "--detach", "--data-dir", target.toString(),
                        "--port", Integer.toString(port));
            }
        } else {
            result = extensa.run("start", "--detach", "--data-dir", target.toString(), "--port", Integer.toString(port));
        }

        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.output()).contains("the data directory " + target + " is not writable by user")
                .doesNotContain("Exception");
    }

    @Test
    void asRootADataDirectoryPostgresCannotReachSuggestsAnother() throws IOException {
        assumeThat(OsAccount.currentIsRoot()).isTrue();
        Path closed = base.resolve("private");
        Files.createDirectory(closed, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));

        CommandResult result = extensa.run("start", "--data-dir", closed.resolve("d").toString(),
                "--port", Integer.toString(port));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(result.output()).contains("cannot reach the data directory").contains("--data-dir /var/lib/extensa");
    }

    @Test
    void unexpectedErrorsShowAStackTraceOnlyWithVerbose() {
        CommandResult quiet = extensa.run("start", "--data-dir", dir.root().toString(), "--port", "70000");
        assertThat(quiet.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(quiet.output()).contains("invalid port 70000 in --port").doesNotContain("\tat ");

        CommandResult verbose = extensa.run("start", "--verbose", "--data-dir", dir.root().toString(), "--port", "70000");
        assertThat(verbose.output()).contains("\tat io.extensa.server");

        CommandResult usage = extensa.run("start", "--no-such-flag");
        assertThat(usage.exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void asANormalUserEverythingRunsAsThatUser() throws IOException {
        assumeThat(OsAccount.currentIsRoot()).as("needs root to create a temporary user").isTrue();
        try (TempUser user = TempUser.create(base)) {
            Path userDir = user.home().resolve(".local/share/extensa");
            var script = extensa.asUser(user.name());

            CommandResult started = script.run("start", "--detach", "--port", Integer.toString(port));
            assertThat(started.exitCode()).as(started.output()).isZero();
            assertThat(started.output()).contains("on " + userDir);
            var userData = new DataDirectory(userDir);
            ServerState state = ServerState.read(userData).orElseThrow();
            List<Long> pids = List.of(state.getLong(ServerState.PID).getAsLong(),
                    state.getLong(ServerState.POSTGRES_PID).getAsLong(), state.getLong(ServerState.LAUNCHPAD_PID).getAsLong());
            assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).flatMap(h -> h.info().user()))
                    .contains(user.name()));
            assertThat(Psql.query("127.0.0.1", port, Files.readString(userData.adminPasswordFile()).strip(),
                    "SELECT 1")).isEqualTo("1");
            CommandResult status = script.run("status");
            assertThat(status.exitCode()).isZero();
            assertThat(status.output()).contains("runs as " + user.name());

            CommandResult stopped = script.run("stop");
            assertThat(stopped.exitCode()).as(stopped.output()).isZero();
            assertThat(pids).noneMatch(Processes::isAlive);
            assertThat(ProcScan.processesMentioning(userDir)).isEmpty();
        }
    }
}
