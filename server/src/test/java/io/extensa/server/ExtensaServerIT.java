package io.extensa.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.server.config.PostgresUrl;
import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.datadir.ServerLock;
import io.extensa.server.datadir.ServerState;
import io.extensa.server.process.Processes;
import io.extensa.server.testing.ProcScan;
import io.extensa.server.testing.Psql;
import io.extensa.server.testing.TestCluster;
import io.extensa.server.testing.TestDirs;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded stack as the integration tests of module it use it: real PostgreSQL, the real
 * launchpad JVM and the real gateway. Needs the gateway (pgwire) and the launchpad daemon.
 */
class ExtensaServerIT {

    private Path base;

    @BeforeEach
    void createBase() {
        base = TestDirs.create("srv");
    }

    @AfterEach
    void nothingLeft() {
        assertThat(ProcScan.processesMentioning(base)).isEmpty();
        TestDirs.delete(base);
    }

    @Test
    void theWholeStackRelaysQueriesAndStopsWithoutLeftovers() {
        ServerConfig config = ServerConfig.builder(base.resolve("d")).gatewayPort(0).build();
        long postgresPid;
        long launchpadPid;
        try (ExtensaServer server = ExtensaServer.start(config)) {
            assertThat(server.gatewayPort()).isPositive();
            assertThat(server.managedPostgres()).isTrue();
            String password = server.adminPassword().orElseThrow();
            assertThat(Psql.query("127.0.0.1", server.gatewayPort(), password, "SELECT 1")).isEqualTo("1");
            assertThat(Psql.query(server.postgresSocketDir().orElseThrow().toString(), 5432, password,
                    "SELECT current_database()")).isEqualTo("extensa");

            ServerState state = ServerState.read(server.dataDirectory()).orElseThrow();
            assertThat(state.getLong(ServerState.GATEWAY_PORT)).hasValue(server.gatewayPort());
            assertThat(state.getLong(ServerState.PID)).hasValue(ProcessHandle.current().pid());
            assertThat(ServerLock.isHeld(server.dataDirectory())).isTrue();
            assertThatThrownBy(() -> ExtensaServer.start(config)).hasMessageContaining("already running");
            assertThat(ServerLock.isHeld(server.dataDirectory())).as("a refused second start keeps the lock").isTrue();

            postgresPid = server.postgresPid().getAsLong();
            launchpadPid = server.launchpadPid();
        }
        assertThat(Processes.isAlive(postgresPid)).isFalse();
        assertThat(Processes.isAlive(launchpadPid)).isFalse();
        var dir = new DataDirectory(base.resolve("d"));
        assertThat(dir.pidFile()).doesNotExist();
        assertThat(dir.stateFile()).doesNotExist();
        assertThat(ServerLock.isHeld(dir)).isFalse();
        // the launchpad hears of the stop twice (its lifeline and SIGTERM): the second must not cut
        // the first short, or fork servers' pid files and the pools' cgroups are left behind
        assertThat(dir.launchpadLog()).content().contains("launchpad stopped");
        assertThat(dir.jobsDir()).isDirectoryNotContaining("glob:**/.forkserver-*.pid");
    }

    @Test
    void aDyingLaunchpadIsRestartedAndOneThatKeepsDyingStopsTheServer() throws Exception {
        ServerConfig config = ServerConfig.builder(base.resolve("d")).gatewayPort(0).build();
        ExtensaServer server = ExtensaServer.start(config, io.extensa.server.launchpad.LaunchpadProcess.MAIN_CLASS,
                new io.extensa.server.launchpad.LaunchpadRestarts(1, java.time.Duration.ofMinutes(10),
                        java.time.Duration.ofMillis(100)));
        try {
            long first = server.launchpadPid();
            ProcessHandle.of(first).orElseThrow().destroyForcibly();

            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline && (server.launchpadPid() == first
                    || !ServerState.read(server.dataDirectory()).map(state -> state.getLong(ServerState.LAUNCHPAD_PID))
                    .equals(Optional.of(java.util.OptionalLong.of(server.launchpadPid()))))) {
                Thread.sleep(50);
            }
            long second = server.launchpadPid();
            assertThat(second).as("a new launchpad").isNotEqualTo(first);
            assertThat(Processes.isAlive(second)).isTrue();
            assertThat(ServerState.read(server.dataDirectory()).orElseThrow().getLong(ServerState.LAUNCHPAD_PID))
                    .hasValue(second);

            ProcessHandle.of(second).orElseThrow().destroyForcibly();
            Optional<String> reason = server.awaitTermination();

            assertThat(reason).hasValueSatisfying(r -> assertThat(r).contains("launchpad")
                    .contains("was killed by signal 9 unexpectedly after 1 restarts"));
            assertThat(server.postgresPid()).isEmpty();
        } finally {
            server.close();
        }
    }

    @Test
    void anExternalPostgresIsUsedButNeverStartedOrStopped() {
        try (TestCluster external = TestCluster.start(base.resolve("ext"))) {
            long externalPid = external.pid().getAsLong();
            ServerConfig config = ServerConfig.builder(base.resolve("d")).gatewayPort(0)
                    .externalPostgres(PostgresUrl.parse(external.url())).build();
            try (ExtensaServer server = ExtensaServer.start(config)) {
                assertThat(server.managedPostgres()).isFalse();
                assertThat(server.adminPassword()).isEmpty();
                assertThat(server.postgresSocketDir()).isEmpty();
                assertThat(base.resolve("d/pgdata")).doesNotExist();
                assertThat(Psql.run("127.0.0.1", server.gatewayPort(), "", "SELECT 1").output())
                        .as("relayed to the external cluster, which has no role extensa")
                        .contains("role \"extensa\" does not exist");
            }
            assertThat(Processes.isAlive(externalPid)).isTrue();
            assertThat(external.sql("SELECT 1")).isEqualTo("1");
        }
    }

    @Test
    void aFailedStartLeavesNothingRunning() {
        ServerConfig config = ServerConfig.builder(base.resolve("d")).gatewayPort(0)
                .externalPostgres(PostgresUrl.parse("postgresql:///?host=" + base.resolve("nowhere"))).build();

        assertThatThrownBy(() -> ExtensaServer.start(config)).hasMessageContaining("does not accept connections");

        var dir = new DataDirectory(base.resolve("d"));
        assertThat(ServerLock.isHeld(dir)).isFalse();
        assertThat(dir.pidFile()).doesNotExist();
        assertThat(Processes.find(line -> line.contains(dir.launchpadSocket().toString()))).isEmpty();
    }
}
