package io.extensa.launchpad.pools.cgroup;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class CgroupTreeTest {

    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private final CgroupTree v2 = CgroupTree.v2(ROOT, "extensa", EnumSet.allOf(Controller.class));
    private final CgroupTree v1 = CgroupTree.v1(List.of(
            new CgroupTree.Hierarchy(ROOT.resolve("memory/lp/extensa"), EnumSet.of(Controller.MEMORY)),
            new CgroupTree.Hierarchy(ROOT.resolve("cpu/extensa"), EnumSet.of(Controller.CPU)),
            new CgroupTree.Hierarchy(ROOT.resolve("pids/extensa"), EnumSet.of(Controller.PIDS))));

    @Test
    void poolNamesBecomeSafeDistinctDirectoryNames() {
        assertThat(CgroupTree.poolDirectoryName("etl")).isEqualTo("pool_etl");
        assertThat(CgroupTree.poolDirectoryName("memory.max")).isEqualTo("pool_memory.2emax");
        assertThat(CgroupTree.poolDirectoryName("..")).isEqualTo("pool_.2e.2e");
        assertThat(CgroupTree.poolDirectoryName("a b")).isNotEqualTo(CgroupTree.poolDirectoryName("a_b"))
                .isEqualTo("pool_a.20b");
        assertThat(CgroupTree.poolDirectoryName("ü")).isEqualTo("pool_.c3.bc");
    }

    @Test
    void memoryPercentIsAShareOfTheMachineInWholePages() {
        long total = 24L * 1024 * 1024 * 1024;
        assertThat(CgroupTree.memoryLimitBytes(100, total)).isEqualTo(total);
        assertThat(CgroupTree.memoryLimitBytes(20, total) % 4096).isZero();
        assertThat(CgroupTree.memoryLimitBytes(20, total)).isBetween(total / 5 - 4096, total / 5);
        assertThat(CgroupTree.memoryLimitBytes(1, Long.MAX_VALUE / 2)).isPositive();
    }

    @Test
    void cpuPercentIsAShareOfAllCpus() {
        assertThat(CgroupTree.cpuQuotaMicros(100, 2)).isEqualTo(-1);
        assertThat(CgroupTree.cpuQuotaMicros(50, 2)).isEqualTo(100_000);
        assertThat(CgroupTree.cpuQuotaMicros(25, 8)).isEqualTo(200_000);
        assertThat(CgroupTree.cpuQuotaMicros(1, 1)).as("the kernel's minimum quota").isEqualTo(1000);
    }

    @Test
    void v2LimitsSitOnThePoolDirectory() {
        assertThat(v2.poolLimitFiles("etl", 1 << 30, 50_000)).containsExactly(
                entry(ROOT.resolve("extensa/pool_etl/memory.max"), "1073741824"),
                entry(ROOT.resolve("extensa/pool_etl/memory.swap.max"), "0"),
                entry(ROOT.resolve("extensa/pool_etl/cpu.max"), "50000 100000"));
        assertThat(v2.poolLimitFiles("default", 0, -1)).containsExactly(
                entry(ROOT.resolve("extensa/pool_default/memory.max"), "max"),
                entry(ROOT.resolve("extensa/pool_default/memory.swap.max"), "max"),
                entry(ROOT.resolve("extensa/pool_default/cpu.max"), "max 100000"));
        assertThat(v2.jobLimitFiles("etl", "j1", 512)).containsExactly(
                entry(ROOT.resolve("extensa/pool_etl/job_j1/pids.max"), "512"),
                entry(ROOT.resolve("extensa/pool_etl/job_j1/memory.oom.group"), "1"));
        assertThat(v2.jobProcsFiles("etl", "j1")).containsExactly(ROOT.resolve("extensa/pool_etl/job_j1/cgroup.procs"));
        assertThat(v2.jobOomFile("etl", "j1")).isEqualTo(ROOT.resolve("extensa/pool_etl/job_j1/memory.events"));
        assertThat(v2.subtreeControlLine()).isEqualTo("+memory +cpu +pids");
        assertThat(v2.describe()).isEqualTo("cgroup v2 (memory, cpu, pids) at /sys/fs/cgroup/extensa");
    }

    @Test
    void v1LimitsGoToEachControllersHierarchy() {
        assertThat(v1.poolLimitFiles("etl", 1 << 30, 50_000)).containsExactly(
                entry(ROOT.resolve("memory/lp/extensa/pool_etl/memory.limit_in_bytes"), "1073741824"),
                entry(ROOT.resolve("cpu/extensa/pool_etl/cpu.cfs_period_us"), "100000"),
                entry(ROOT.resolve("cpu/extensa/pool_etl/cpu.cfs_quota_us"), "50000"));
        assertThat(v1.poolLimitFiles("etl", 0, -1)).containsEntry(
                ROOT.resolve("memory/lp/extensa/pool_etl/memory.limit_in_bytes"), "-1");
        assertThat(v1.jobLimitFiles("etl", "j1", 0)).isEmpty();
        assertThat(v1.jobProcsFiles("etl", "j1")).containsExactly(
                ROOT.resolve("memory/lp/extensa/pool_etl/job_j1/cgroup.procs"),
                ROOT.resolve("cpu/extensa/pool_etl/job_j1/cgroup.procs"),
                ROOT.resolve("pids/extensa/pool_etl/job_j1/cgroup.procs"));
        assertThat(v1.jobOomFile("etl", "j1")).isEqualTo(ROOT.resolve("memory/lp/extensa/pool_etl/job_j1/memory.oom_control"));
    }

    @Test
    void oomKillCountersAreReadFromEitherFormat() {
        assertThat(CgroupTree.oomKills("low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 1\n")).isEqualTo(1);
        assertThat(CgroupTree.oomKills("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n")).isEqualTo(3);
        assertThat(CgroupTree.oomKills("oom_kill_disable 0\nunder_oom 0\n")).isZero();
    }
}
