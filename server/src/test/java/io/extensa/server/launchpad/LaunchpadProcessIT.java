package io.extensa.server.launchpad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.extensa.server.ExtensaException;
import io.extensa.server.datadir.DataDirectory;
import io.extensa.server.datadir.PidFile;
import io.extensa.server.process.Processes;
import io.extensa.server.testing.ProcScan;
import io.extensa.server.testing.TestDirs;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The launchpad as a real child JVM: readiness, failure reporting, orderly stop, no leftovers. */
class LaunchpadProcessIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private Path base;
    private DataDirectory dir;

    @BeforeEach
    void createDataDirectory() {
        base = TestDirs.create("lp");
        dir = new DataDirectory(base.resolve("d"));
        dir.prepare();
    }

    @AfterEach
    void nothingLeft() {
        assertThat(ProcScan.processesMentioning(dir.root())).isEmpty();
        TestDirs.delete(base);
    }

    private LaunchpadProcess standIn(String mode) {
        return LaunchpadProcess.start(dir, Map.of("launchpad.test.mode", mode, "language.python.home", "/usr"), "DEBUG",
                StandInLaunchpad.class.getName(), READY);
    }

    @Test
    void startsWaitsUntilTheSocketAcceptsAndStops() throws IOException {
        LaunchpadProcess launchpad = standIn("serve");
        long pid = launchpad.pid();

        assertThat(connects(dir.launchpadSocket())).isTrue();
        assertThat(PidFile.read(dir.launchpadPidFile())).hasValue(pid);
        assertThat(LaunchpadProcess.isOurLaunchpad(dir, pid)).isTrue();
        assertThat(Files.readString(dir.launchpadConfigFile()))
                .contains("launchpad.test.mode=serve").contains("language.python.home=/usr");
        assertThat(Files.readString(dir.launchpadLog())).contains("stand-in launchpad, mode serve, level DEBUG");
        assertThat(Processes.commandLine(pid).orElseThrow())
                .contains("--jobs-dir " + dir.jobsDir())
                .contains("--runtime-dir " + dir.runtimeDir())
                .contains("-Dlogback.configurationFile=" + LaunchpadProcess.LOGBACK_RESOURCE);

        launchpad.close();

        assertThat(Processes.isAlive(pid)).isFalse();
        assertThat(dir.launchpadPidFile()).doesNotExist();
        assertThat(dir.launchpadSocket()).doesNotExist();
    }

    @Test
    void runsInASessionOfItsOwnSoTerminalSignalsDoNotReachIt() throws IOException {
        try (LaunchpadProcess launchpad = standIn("serve")) {
            String stat = Files.readString(Path.of("/proc", Long.toString(launchpad.pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields: state ppid pgrp session ...
            assertThat(Long.parseLong(fields[3])).isEqualTo(launchpad.pid());
        }
    }

    @Test
    void anEarlyExitIsReportedWithTheEndOfItsLog() {
        assertThatThrownBy(() -> standIn("exit"))
                .isInstanceOf(ExtensaException.class)
                .hasMessageContaining("exited with code 3 before it was ready")
                .hasMessageContaining("boom: refusing to start");
        assertThat(dir.launchpadPidFile()).doesNotExist();
    }

    @Test
    void processesItLeftBehindAreEnded() {
        LaunchpadProcess launchpad = standIn("spawn");
        List<ProcessHandle> children = ProcessHandle.of(launchpad.pid()).orElseThrow().children().toList();
        assertThat(children).isNotEmpty();

        launchpad.close();

        assertThat(children).allSatisfy(child -> assertThat(Processes.isAlive(child.pid())).isFalse());
    }

    @Test
    void aLaunchpadThatOutlivedItsServerIsEndedByPid() {
        LaunchpadProcess orphan = standIn("serve");
        long pid = orphan.pid();

        assertThat(LaunchpadProcess.killLeftover(dir)).isTrue();

        assertThat(Processes.isAlive(pid)).isFalse();
        assertThat(dir.launchpadPidFile()).doesNotExist();
        orphan.close();
    }

    @Test
    void aRecordedPidOfAnotherProgramIsLeftAlone() throws IOException, InterruptedException {
        Process other = new ProcessBuilder("sleep", "3600").start();
        try {
            PidFile.write(dir.launchpadPidFile(), other.pid());

            assertThat(LaunchpadProcess.killLeftover(dir)).isFalse();
            assertThat(other.isAlive()).isTrue();
            assertThat(dir.launchpadPidFile()).doesNotExist();
        } finally {
            other.destroy();
            other.waitFor();
        }
    }

    /** Needs module launchpad's daemon (io.extensa.launchpad.LaunchpadMain). */
    @Test
    void theRealLaunchpadStartsAndStops() {
        LaunchpadProcess launchpad = LaunchpadProcess.start(dir, Map.of(), "INFO", LaunchpadProcess.MAIN_CLASS, READY);
        long pid = launchpad.pid();
        assertThat(connects(dir.launchpadSocket())).isTrue();

        launchpad.close();

        assertThat(Processes.isAlive(pid)).isFalse();
    }

    private static boolean connects(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
