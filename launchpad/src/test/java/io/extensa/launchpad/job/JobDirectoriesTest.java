package io.extensa.launchpad.job;

import io.extensa.launchpad.process.ProcessTable;
import io.extensa.launchpad.process.ProcessTreeKiller;
import io.extensa.protocol.launch.LaunchErrorKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobDirectoriesTest {

    @TempDir
    Path root;

    private final ProcessTreeKiller killer = new ProcessTreeKiller(Duration.ofSeconds(1));

    @Test
    void createsAPrivateFreshDirectoryWithTmp() throws Exception {
        JobDirectories directories = new JobDirectories(root);
        Path dir = directories.create("j1");
        assertThat(dir).isEqualTo(root.resolve("j1"));
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(dir.resolve("tmp")).isDirectory();
        assertThatThrownBy(() -> directories.create("j1"))
                .isInstanceOfSatisfying(LaunchFailure.class, e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.BAD_REQUEST))
                .hasMessageContaining("already exists");
        assertThat(directories.remove("j1")).isTrue();
        assertThat(dir).doesNotExist();
    }

    @Test
    void theSweepKillsRecordedProcessesButNeverARecycledPid() throws Exception {
        JobDirectories directories = new JobDirectories(root);
        Process leftover = new ProcessBuilder("/usr/bin/setsid", "sleep", "30").start();
        Process bystander = new ProcessBuilder("/usr/bin/setsid", "sleep", "30").start();
        try {
            directories.create("stale");
            directories.recordProcess(directories.pidFile("stale"), leftover.pid(),
                    ProcessTable.startTime(leftover.pid()));
            // same pid as a live process, but recorded with another start time: the pid was recycled
            directories.recordProcess(directories.pidFile("recycled"), bystander.pid(),
                    ProcessTable.startTime(bystander.pid()) - 5);
            Files.writeString(directories.pidFile("garbage"), "not a pid file");
            Files.writeString(directories.outputFile("stale"), "output");
            Files.writeString(root.resolve("not-a-job.txt"), "left alone");

            assertThat(directories.sweepStale(killer)).isEqualTo(1);

            assertThat(leftover.waitFor()).isEqualTo(137);
            assertThat(bystander.isAlive()).isTrue();
            assertThat(root.resolve("stale")).doesNotExist();
            try (var entries = Files.list(root)) {
                assertThat(entries.map(p -> p.getFileName().toString())).containsOnly("not-a-job.txt");
            }
        } finally {
            leftover.destroyForcibly();
            bystander.destroyForcibly();
        }
    }
}
