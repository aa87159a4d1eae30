package io.extensa.launchpad.pools;

import io.extensa.launchpad.pools.cgroup.CgroupTree;
import io.extensa.launchpad.pools.cgroup.Controller;
import io.extensa.launchpad.testing.Await;
import io.extensa.launchpad.testing.FakeEngine;
import io.extensa.launchpad.testing.TestLangRuntime;
import io.extensa.launchpad.testing.TestLaunchpad;
import io.extensa.protocol.launch.ExitReason;
import io.extensa.protocol.launch.Exited;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.protocol.launch.LaunchRequest;
import io.extensa.protocol.launch.LaunchedJob;
import io.extensa.protocol.launch.LaunchpadException;
import io.extensa.protocol.launch.LaunchpadStatus;
import io.extensa.protocol.launch.PoolDefinition;
import io.extensa.protocol.launch.Pools;
import io.extensa.protocol.launch.PoolsApplied;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Resource pools on a real launchpad with real cgroups (skipped, saying why, where they are not writable). */
class PoolEnforcementTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;
    private TestLaunchpad lp;

    @BeforeEach
    void start() throws Exception {
        lp = TestLaunchpad.start(root, Map.of("launchpad.queue_timeout_ms", "60000"));
    }

    @AfterEach
    void stop() throws Exception {
        lp.close();
    }

    private CgroupTree requireCgroups() {
        Assumptions.assumeTrue(lp.launchpad().pools().tree().isPresent(),
                "cgroups are not usable here: " + lp.launchpad().pools().describe());
        return lp.launchpad().pools().tree().get();
    }

    private LaunchRequest request(FakeEngine engine, String mode, String pool) {
        return TestLaunchpad.request(TestLangRuntime.NAME, engine, mode).pool(pool).build();
    }

    @Test
    void poolsAreAppliedSavedAndReportedInStatus() throws Exception {
        PoolsApplied applied = lp.client().applyPools(new Pools(List.of(new PoolDefinition("etl", 50, 10, 3))));
        assertThat(applied.pools()).extracting(PoolsApplied.AppliedPool::name).containsExactly("default", "etl");
        LaunchpadStatus status = lp.client().status();
        assertThat(status.pool("etl").orElseThrow().maxProcesses()).isEqualTo(3);
        assertThat(status.pool("default")).isPresent();
        assertThat(status.enforcement()).isEqualTo(lp.launchpad().pools().describe());
        assertThat(Files.readString(lp.jobsDir().resolve(".pools.conf"))).contains("etl 50 10 3");
    }

    @Test
    void unknownPoolIsRefused() throws Exception {
        FakeEngine engine = lp.engine();
        assertThatThrownBy(() -> lp.client().launch(request(engine, "hello,sleep", "nope")))
                .isInstanceOfSatisfying(LaunchpadException.class,
                        e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.UNKNOWN_POOL))
                .hasMessageContaining("no resource pool 'nope' is in force");
    }

    @Test
    void requestsBeyondMaxProcessesQueueAndStartWhenASlotFrees() throws Exception {
        lp.client().applyPools(new Pools(List.of(new PoolDefinition("one", 100, 20, 1))));
        FakeEngine engine = lp.engine();
        LaunchedJob first = lp.client().launch(request(engine, "hello,sleep", "one"));
        try (LaunchedJob second = lp.client().start(request(lp.engine(), "hello,sleep", "one"))) {
            assertThat(Await.until(() -> queued("one") == 1, WAIT)).isTrue();
            assertThatThrownBy(() -> second.awaitLaunched(Duration.ofMillis(300)))
                    .as("still queued").isInstanceOf(LaunchpadException.class);
        }
        assertThat(Await.until(() -> queued("one") == 0, WAIT)).as("a withdrawn request leaves the queue").isTrue();
        try (LaunchedJob third = lp.client().start(request(lp.engine(), "hello,sleep", "one"))) {
            assertThat(Await.until(() -> queued("one") == 1, WAIT)).isTrue();
            first.close();
            third.awaitLaunched(WAIT);
            assertThat(third.pid()).isPositive();
        }
        LaunchRequest timed = TestLaunchpad.request(TestLangRuntime.NAME, lp.engine(), "hello,sleep").pool("one")
                .queueTimeout(Duration.ofMillis(200)).build();
        try (LaunchedJob blocker = lp.client().launch(request(lp.engine(), "hello,sleep", "one"))) {
            assertThatThrownBy(() -> lp.client().launch(timed))
                    .isInstanceOfSatisfying(LaunchpadException.class,
                            e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.POOL_TIMEOUT))
                    .hasMessageContaining("waited 200 ms for a free slot in resource pool 'one' (MAX_PROCESSES = 1");
        }
    }

    @Test
    void statusNeverListsMoreSlotHoldersThanMaxProcessesWhileAnEndedJobIsCleanedUp() throws Exception {
        lp.client().applyPools(new Pools(List.of(new PoolDefinition("one", 100, 20, 1))));
        // a directory of many files keeps the first job in the list for a while after its slot is free
        LaunchedJob first = lp.client().launch(request(lp.engine(), "hello,files:10000,sleep", "one"));
        assertThat(Await.until(() -> Files.exists(first.workDir().resolve("many/9999")), WAIT)).isTrue();
        try (LaunchedJob second = lp.client().start(request(lp.engine(), "hello,sleep", "one"))) {
            assertThat(Await.until(() -> queued("one") == 1, WAIT)).isTrue();
            AtomicInteger mostHolders = new AtomicInteger();
            AtomicBoolean sawBothListed = new AtomicBoolean();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = Thread.ofPlatform().start(() -> {
                while (sampling.get()) {
                    List<LaunchpadStatus.JobInfo> jobs = lp.launchpad().status().jobs();
                    mostHolders.accumulateAndGet((int) jobs.stream().filter(LaunchpadStatus.JobInfo::holdsSlot)
                            .count(), Math::max);
                    if (jobs.size() == 2) {
                        sawBothListed.set(true);
                    }
                }
            });
            first.close();
            second.awaitLaunched(WAIT);
            assertThat(Await.until(() -> lp.launchpad().status().jobs().size() == 1, WAIT)).isTrue();
            sampling.set(false);
            sampler.join();
            assertThat(sawBothListed.get()).as("the ended job was still listed when the next one started").isTrue();
            assertThat(mostHolders.get()).as("jobs listed as holding a slot").isEqualTo(1);
            assertThat(lp.client().status().jobs()).singleElement().satisfies(j -> {
                assertThat(j.holdsSlot()).isTrue();
                assertThat(j.ending()).isFalse();
            });
        }
    }

    @Test
    void aStandbyJobTakesItsSlotOnlyWhenActivatedAndWaitsForItThen() throws Exception {
        lp.client().applyPools(new Pools(List.of(new PoolDefinition("one", 100, 20, 1))));
        try (LaunchedJob standby = lp.client().launch(standby("one"))) {
            assertThat(active("one")).as("a standby holds no slot").isZero();
            assertThat(lp.client().status().jobs()).singleElement().satisfies(j -> assertThat(j.standby()).isTrue());
            try (LaunchedJob blocker = lp.client().launch(request(lp.engine(), "hello,sleep", "one"))) {
                assertThat(active("one")).isEqualTo(1);
                standby.activate(Duration.ZERO);
                assertThat(Await.until(() -> queued("one") == 1, WAIT)).as("the activation queues").isTrue();
                // giving up the wait closes the handle: the job ends and leaves the queue
                assertThatThrownBy(() -> standby.awaitActivated(Duration.ofMillis(300)))
                        .as("still queued").isInstanceOf(LaunchpadException.class);
                assertThat(Await.until(() -> queued("one") == 0, WAIT)).isTrue();

                try (LaunchedJob timed = lp.client().launch(standby("one"))) {
                    timed.activate(Duration.ofMillis(200));
                    assertThatThrownBy(() -> timed.awaitActivated(WAIT))
                            .isInstanceOfSatisfying(LaunchpadException.class,
                                    e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.POOL_TIMEOUT))
                            .hasMessageContaining("waited 200 ms for a free slot in resource pool 'one'");
                }
            }
        }
    }

    private LaunchRequest standby(String pool) throws java.io.IOException {
        return TestLaunchpad.request(TestLangRuntime.NAME, lp.engine(), "hello,sleep").pool(pool).standby(true).build();
    }

    @Test
    void anActivatedStandbyHoldsTheSlotUntilItEnds() throws Exception {
        lp.client().applyPools(new Pools(List.of(new PoolDefinition("one", 100, 20, 1))));
        try (LaunchedJob standby = lp.client().launch(standby("one"))) {
            standby.activate(Duration.ZERO);
            standby.awaitActivated(WAIT);
            assertThat(active("one")).isEqualTo(1);
            assertThat(lp.client().status().jobs()).singleElement()
                    .satisfies(j -> assertThat(j.standby()).isFalse());
        }
        assertThat(Await.until(() -> active("one") == 0, WAIT)).as("the slot comes back with the job's end").isTrue();
    }

    private int active(String pool) {
        try {
            return lp.client().status().pool(pool).orElseThrow().active();
        } catch (Exception e) {
            return -1;
        }
    }

    private int queued(String pool) {
        try {
            return lp.client().status().pool(pool).orElseThrow().queued();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void satelliteRunsInItsJobCgroupUnderThePoolLimits() throws Exception {
        CgroupTree tree = requireCgroups();
        lp.client().applyPools(new Pools(List.of(new PoolDefinition("half", 50, 5, 0))));
        long cpus = Runtime.getRuntime().availableProcessors();
        if (tree.has(Controller.CPU)) {
            Path cpuPool = tree.poolDirectory(tree.treeFor(Controller.CPU), "half");
            if (tree.version() == CgroupTree.Version.V2) {
                assertThat(Files.readString(cpuPool.resolve("cpu.max")).trim()).isEqualTo((cpus * 50_000) + " 100000");
            } else {
                assertThat(Files.readString(cpuPool.resolve("cpu.cfs_quota_us")).trim()).isEqualTo(Long.toString(cpus * 50_000));
            }
        }
        long limit = lp.client().status().pool("half").orElseThrow().memoryLimitBytes();
        if (tree.has(Controller.MEMORY)) {
            Path memoryPool = tree.poolDirectory(tree.treeFor(Controller.MEMORY), "half");
            String file = tree.version() == CgroupTree.Version.V2 ? "memory.max" : "memory.limit_in_bytes";
            assertThat(Long.parseLong(Files.readString(memoryPool.resolve(file)).trim())).isEqualTo(limit).isPositive();
        }
        FakeEngine engine = lp.engine();
        LaunchRequest request = request(engine, "hello,spin:1,sleep", "half");
        try (LaunchedJob job = lp.client().launch(request)) {
            for (Path procs : tree.jobProcsFiles("half", request.jobId())) {
                assertThat(Files.readAllLines(procs)).contains(Long.toString(job.pid()));
            }
            engine.awaitHello(WAIT);
            if (tree.has(Controller.CPU)) {
                Path stat = tree.poolDirectory(tree.treeFor(Controller.CPU), "half").resolve("cpu.stat");
                assertThat(Await.until(() -> periods(stat) > 0, WAIT)).as("CPU bandwidth accounting in " + stat).isTrue();
            }
        }
        for (Path procs : tree.jobProcsFiles("half", request.jobId())) {
            assertThat(Await.until(() -> !Files.exists(procs.getParent()), WAIT)).as("job cgroup removed").isTrue();
        }
    }

    private static long periods(Path cpuStat) {
        try {
            for (String line : Files.readAllLines(cpuStat)) {
                if (line.startsWith("nr_periods ")) {
                    return Long.parseLong(line.substring(11).trim());
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    @Test
    void overTheMemoryLimitTheJobIsKilledAndTheLimitReported() throws Exception {
        CgroupTree tree = requireCgroups();
        Assumptions.assumeTrue(tree.has(Controller.MEMORY), "no memory controller: " + tree.describe());
        lp.client().applyPools(new Pools(List.of(new PoolDefinition("tiny", 100, 1, 0))));
        long limit = lp.client().status().pool("tiny").orElseThrow().memoryLimitBytes();
        FakeEngine engine = lp.engine();
        long megabytes = limit / (1 << 20) * 3;
        try (LaunchedJob job = lp.client().launch(request(engine, "hello,alloc:" + megabytes + ",sleep", "tiny"))) {
            Exited exited = job.awaitExit(WAIT).orElseThrow();
            assertThat(exited.reason()).isEqualTo(ExitReason.OOM);
            assertThat(exited.signal()).isEqualTo(9);
            assertThat(exited.memoryLimitBytes()).isEqualTo(limit);
        }
    }

    @Test
    void aPlainKillIsNotMistakenForAMemoryKill() throws Exception {
        requireCgroups();
        FakeEngine engine = lp.engine();
        try (LaunchedJob job = lp.client().launch(request(engine, "hello,signal:9", "default"))) {
            Exited exited = job.awaitExit(WAIT).orElseThrow();
            assertThat(exited.reason()).isEqualTo(ExitReason.KILLED);
            assertThat(exited.memoryLimitBytes()).isZero();
        }
    }

    @Test
    void withoutCgroupsMaxProcessesStillHoldsAndMemoryFallsBackToRlimits(@TempDir Path other) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "util-linux prlimit is not installed");
        try (TestLaunchpad plain = TestLaunchpad.start(other, Map.of("launchpad.cgroup", "off"))) {
            assertThat(plain.launchpad().pools().tree()).isEmpty();
            assertThat(plain.client().status().enforcement())
                    .startsWith("not enforced: cgroups are disabled (launchpad.cgroup = off)")
                    .endsWith("; MAX_MEMORY_PERCENT as RLIMIT_AS per process");
            plain.client().applyPools(new Pools(List.of(new PoolDefinition("tiny", 100, 1, 1))));
            long limit = plain.client().status().pool("tiny").orElseThrow().memoryLimitBytes();
            assertThat(limit).as("no cgroup limit").isZero();
            long megabytes = io.extensa.launchpad.pools.cgroup.CgroupTree.memoryLimitBytes(1,
                    MachineMemory.totalBytes()) / (1 << 20) * 3;
            FakeEngine engine = plain.engine();
            try (LaunchedJob job = plain.client().launch(TestLaunchpad.request(TestLangRuntime.NAME, engine,
                    "hello,alloc:" + megabytes + ",sleep").pool("tiny").build())) {
                Exited exited = job.awaitExit(WAIT).orElseThrow();
                assertThat(exited.exitCode()).isNotZero();
                assertThat(exited.stderrTail()).contains("MemoryError");
                assertThatThrownBy(() -> plain.client().launch(TestLaunchpad.request(TestLangRuntime.NAME,
                        plain.engine(), "hello,sleep").pool("tiny").queueTimeout(Duration.ofMillis(100)).build()))
                        .as("the finished job still holds its slot until its connection closes")
                        .isInstanceOfSatisfying(LaunchpadException.class,
                                e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.POOL_TIMEOUT));
            }
        }
    }

    @Test
    void theTreeIsRemovedAtShutdownAndAStaleOneAtStart() throws Exception {
        CgroupTree tree = requireCgroups();
        Path first = tree.hierarchies().get(0).directory();
        assertThat(first).isDirectory();
        lp.close();
        assertThat(first).doesNotExist();
        Files.createDirectories(first.resolve("pool_stale").resolve("job_x"));
        lp = TestLaunchpad.start(root);
        assertThat(first.resolve("pool_stale")).doesNotExist();
        assertThat(first.resolve("pool_default")).isDirectory();
    }

    @Test
    void treesOfLaunchpadsThatWereKilledAreRemovedByTheNextOne(@TempDir Path other) throws Exception {
        CgroupTree tree = requireCgroups();
        Path parent = tree.hierarchies().get(0).directory().getParent();
        Path killed = parent.resolve("extensa-killedtest");
        Path alive = parent.resolve("extensa-alivetest");
        Files.createDirectories(killed.resolve("pool_default").resolve("job_x"));
        Files.createDirectories(killed.resolve("owner_999999999_1"));
        long me = ProcessHandle.current().pid();
        Files.createDirectories(alive.resolve("owner_" + me + "_" + io.extensa.launchpad.process.ProcessTable.startTime(me)));
        try (TestLaunchpad second = TestLaunchpad.start(other)) {
            assertThat(killed).as("its owner is gone").doesNotExist();
            assertThat(alive).as("its owner runs").isDirectory();
            assertThat(tree.hierarchies().get(0).directory()).as("the first launchpad's own tree").isDirectory();
        } finally {
            Files.walk(alive).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
