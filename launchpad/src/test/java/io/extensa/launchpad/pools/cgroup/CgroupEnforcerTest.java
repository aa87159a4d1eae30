package io.extensa.launchpad.pools.cgroup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CgroupEnforcerTest {

    @Test
    void readsThePidsOfACgroupProcsFile(@TempDir Path dir) throws Exception {
        Path procs = dir.resolve("cgroup.procs");
        Files.writeString(procs, "4711\n4712\n99999\n");
        assertThat(CgroupEnforcer.readProcs(procs)).containsExactly(4711L, 4712L, 99999L);
        Files.writeString(procs, "");
        assertThat(CgroupEnforcer.readProcs(procs)).isEmpty();
    }

    @Test
    void readsAListLongerThanOneRead(@TempDir Path dir) throws Exception {
        Path procs = dir.resolve("cgroup.procs");
        StringBuilder text = new StringBuilder();
        for (long pid = 100_000; pid < 101_000; pid++) {
            text.append(pid).append('\n');
        }
        Files.writeString(procs, text);
        assertThat(CgroupEnforcer.readProcs(procs)).hasSize(1000).startsWith(100_000L).endsWith(100_999L);
    }
}
