package io.extensa.launchpad;

import io.extensa.launchpad.testing.Await;
import io.extensa.launchpad.testing.FakeEngine;
import io.extensa.launchpad.testing.Processes;
import io.extensa.launchpad.testing.TestLangRuntime;
import io.extensa.launchpad.testing.TestLaunchpad;
import io.extensa.protocol.launch.ControlStream;
import io.extensa.protocol.launch.ExitReason;
import io.extensa.protocol.launch.Exited;
import io.extensa.protocol.launch.LaunchRequest;
import io.extensa.protocol.launch.LaunchedJob;
import io.extensa.protocol.wire.FrameWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job's whole process tree (children, grandchildren, double-forked orphans) dies with the job,
 * whichever way the job ends, and its directory goes without following planted symlinks.
 */
class ProcessTreeTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    /** fake_satellite's "tree": itself, sleep, sh + 2 sleeps, an orphaned sleep, a double-forked python. */
    private static final int TREE_SIZE = 7;

    @TempDir
    Path root;
    private TestLaunchpad lp;

    @BeforeEach
    void start() throws Exception {
        lp = TestLaunchpad.start(root);
    }

    @AfterEach
    void stop() throws Exception {
        lp.close();
    }

    private List<Long> treeOf(LaunchedJob job, FakeEngine engine) throws Exception {
        engine.awaitHello(WAIT);
        List<Long> tree = Processes.awaitSessionSize(job.pid(), TREE_SIZE, WAIT);
        assertThat(tree).as("the whole tree is up").hasSizeGreaterThanOrEqualTo(TREE_SIZE).contains(job.pid());
        return tree;
    }

    @Test
    void closingTheConnectionKillsTheTreeAndRemovesTheDirectory() throws Exception {
        FakeEngine engine = lp.engine();
        LaunchedJob job = lp.client().launch(TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,tree,sleep").build());
        List<Long> tree = treeOf(job, engine);
        Path workDir = job.workDir();

        long closedAt = System.nanoTime();
        job.close();
        assertThat(Processes.awaitGone(tree, WAIT)).isEmpty();
        long killMillis = (System.nanoTime() - closedAt) / 1_000_000;
        // members forked after the snapshot above have SIGKILL pending too, and may take a moment to go
        assertThat(Processes.awaitSessionEmpty(tree.get(0), WAIT)).isEmpty();
        assertThat(Await.until(() -> !Files.exists(workDir), WAIT)).isTrue();
        System.out.println("process tree of " + tree.size() + " gone " + killMillis + " ms after close");
    }

    @Test
    void cancelKillsTheTreeAndReportsCancelled() throws Exception {
        FakeEngine engine = lp.engine();
        try (LaunchedJob job = lp.client().launch(
                TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,tree,sleep").build())) {
            List<Long> tree = treeOf(job, engine);
            job.cancel();
            Exited exited = job.awaitExit(WAIT).orElseThrow();
            assertThat(exited.reason()).isEqualTo(ExitReason.CANCELLED);
            assertThat(exited.exitCode()).isEqualTo(-1);
            assertThat(exited.signal()).isEqualTo(9);
            // every process has SIGKILL pending when EXITED comes; vanishing takes the kernel a moment
            assertThat(Processes.awaitGone(tree, WAIT)).as("all gone soon after EXITED").isEmpty();
            assertThat(job.workDir()).as("the directory lives as long as the connection").isDirectory();
        }
    }

    @Test
    void theTimeoutKillsTheTreeAndReportsTimeout() throws Exception {
        FakeEngine engine = lp.engine();
        try (LaunchedJob job = lp.client().launch(TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,tree,sleep")
                .timeout(Duration.ofMillis(1500)).build())) {
            List<Long> tree = treeOf(job, engine);
            Exited exited = job.awaitExit(WAIT).orElseThrow();
            assertThat(exited.reason()).isEqualTo(ExitReason.TIMEOUT);
            assertThat(exited.signal()).isEqualTo(9);
            assertThat(Processes.awaitGone(tree, WAIT)).isEmpty();
        }
    }

    @Test
    void aJobThatEndsBeforeItsTimeoutIsNotReportedAsTimedOut() throws Exception {
        FakeEngine engine = lp.engine();
        try (LaunchedJob job = lp.client().launch(TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,exit:0")
                .timeout(Duration.ofMillis(300)).build())) {
            Exited exited = job.awaitExit(WAIT).orElseThrow();
            Thread.sleep(500);
            assertThat(exited.reason()).isEqualTo(ExitReason.EXITED);
            assertThat(exited.exitCode()).isZero();
        }
    }

    @Test
    void whatASatelliteLeavesBehindDiesWithIt() throws Exception {
        FakeEngine engine = lp.engine();
        try (LaunchedJob job = lp.client().launch(
                TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,orphan,exit:0").build())) {
            Exited exited = job.awaitExit(WAIT).orElseThrow();
            assertThat(exited.exitCode()).isZero();
            // SIGKILL is pending for the orphan when EXITED comes (on a busy machine the test looked
            // before it had gone)
            assertThat(Processes.awaitSessionEmpty(job.pid(), WAIT)).as("left alive").isEmpty();
        }
    }

    @Test
    void processesForkedWhileTheJobIsKilledDieWithIt() throws Exception {
        // a process whose fork is under way as its parent gets SIGKILL can join the job's cgroup after the
        // killer's last look at it (WarmStartTest.cancellingAWarmJobKillsItsTree once left one alive on a
        // busy machine); the satellite's end sweeps the job once more
        for (int round = 0; round < 8; round++) {
            FakeEngine engine = lp.engine();
            try (LaunchedJob job = lp.client().launch(
                    TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,forkloop").build())) {
                engine.awaitHello(WAIT);
                Processes.awaitSessionSize(job.pid(), 20, WAIT);
                job.cancel();
                Exited exited = job.awaitExit(WAIT).orElseThrow();
                assertThat(exited.reason()).isEqualTo(ExitReason.CANCELLED);
                assertThat(Processes.awaitSessionEmpty(job.pid(), Duration.ofSeconds(5)))
                        .as("round %d: left alive", round).isEmpty();
            }
        }
    }

    @Test
    void aGatewayThatDisappearsTakesItsJobsWithIt() throws Exception {
        // the engine's side is a raw socket here: no client object, no orderly close, just a dead peer
        FakeEngine engine = lp.engine();
        LaunchRequest request = TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,tree,sleep").build();
        SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX);
        raw.connect(UnixDomainSocketAddress.of(lp.launchpad().socketPath()));
        ControlStream.over(raw).send(request);
        FakeEngine.Hello hello = engine.awaitHello(WAIT);
        List<Long> tree = Processes.awaitSessionSize(hello.pid(), TREE_SIZE, WAIT);
        assertThat(tree).hasSizeGreaterThanOrEqualTo(TREE_SIZE);

        raw.shutdownOutput();
        raw.close();
        assertThat(Processes.awaitGone(tree, WAIT)).isEmpty();
        assertThat(Await.until(() -> !Files.exists(lp.jobsDir().resolve(request.jobId())), WAIT)).isTrue();
    }

    @Test
    void aGatewayProcessKilledWithSigkillTakesItsJobsWithIt() throws Exception {
        // the "gateway" is another process: it sends LAUNCH, waits for LAUNCHED, and is then killed outright
        FakeEngine engine = lp.engine();
        LaunchRequest request = TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,tree,sleep").build();
        Path frame = root.resolve("launch.frame");
        try (FileChannel file = FileChannel.open(frame, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            new FrameWriter(file, ControlStream.MAX_PAYLOAD).write(request.type(), request.encode());
        }
        Process gateway = new ProcessBuilder("/usr/bin/python3", "-c", """
                import socket, sys, time
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sys.argv[1])
                s.sendall(open(sys.argv[2], 'rb').read())
                s.recv(65536)
                print('launched', flush=True)
                time.sleep(1000)
                """, lp.launchpad().socketPath().toString(), frame.toString()).start();
        try {
            assertThat(new BufferedReader(new InputStreamReader(gateway.getInputStream())).readLine()).isEqualTo("launched");
            FakeEngine.Hello hello = engine.awaitHello(WAIT);
            List<Long> tree = Processes.awaitSessionSize(hello.pid(), TREE_SIZE, WAIT);
            assertThat(tree).hasSizeGreaterThanOrEqualTo(TREE_SIZE);

            gateway.destroyForcibly();
            assertThat(Processes.awaitGone(tree, WAIT)).isEmpty();
            assertThat(Await.until(() -> !Files.exists(lp.jobsDir().resolve(request.jobId())), WAIT)).isTrue();
        } finally {
            gateway.destroyForcibly();
        }
    }

    @Test
    void symlinksInTheJobDirectoryAreRemovedNotFollowed(@TempDir Path outside) throws Exception {
        Path sentinel = Files.writeString(outside.resolve("keep-me"), "precious");
        Files.createDirectories(outside.resolve("sub"));
        Files.writeString(outside.resolve("sub/also-keep"), "precious too");
        FakeEngine engine = lp.engine();
        LaunchedJob job = lp.client().launch(
                TestLaunchpad.request(TestLangRuntime.NAME, engine, "symlinks:" + outside + ",hello,sleep").build());
        engine.awaitHello(WAIT);
        Path workDir = job.workDir();
        assertThat(workDir.resolve("root")).isSymbolicLink();
        assertThat(workDir.resolve("outside/keep-me")).exists();

        job.close();
        assertThat(Await.until(() -> !Files.exists(workDir), WAIT)).isTrue();
        assertThat(sentinel).hasContent("precious");
        assertThat(outside.resolve("sub/also-keep")).hasContent("precious too");
        assertThat(Path.of("/etc/passwd")).exists();
        assertThat(Path.of("/bin/sh")).exists();
    }

    @Test
    void twentyJobsAtOnceAllRunAndAllGo() throws Exception {
        int jobs = 20;
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            List<Future<LaunchedJob>> launches = new ArrayList<>();
            List<FakeEngine> engines = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                FakeEngine engine = lp.engine();
                engines.add(engine);
                Callable<LaunchedJob> launch = () -> lp.client().launch(
                        TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,orphan,sleep").build());
                launches.add(pool.submit(launch));
            }
            List<LaunchedJob> running = new ArrayList<>();
            List<Long> processes = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                LaunchedJob job = launches.get(i).get();
                running.add(job);
                FakeEngine.Hello hello = engines.get(i).awaitHello(WAIT);
                assertThat(hello.pid()).isEqualTo(job.pid());
                processes.addAll(Processes.awaitSessionSize(job.pid(), 2, WAIT));
            }
            assertThat(running).extracting(LaunchedJob::pid).doesNotHaveDuplicates();
            assertThat(lp.client().status().jobs()).hasSize(jobs);

            running.forEach(LaunchedJob::close);
            assertThat(Processes.awaitGone(processes, WAIT)).isEmpty();
            assertThat(Await.until(() -> lp.launchpad().status().jobs().isEmpty(), WAIT)).isTrue();
            try (var entries = Files.list(lp.jobsDir())) {
                assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".forkserver-")))
                        .containsOnly(".lock");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
