package io.extensa.launchpad.warm;

import io.extensa.launchpad.LaunchpadConfig;
import io.extensa.launchpad.testing.Await;
import io.extensa.launchpad.testing.FakeEngine;
import io.extensa.launchpad.testing.Processes;
import io.extensa.launchpad.testing.TestLaunchpad;
import io.extensa.launchpad.testing.WarmLangRuntime;
import io.extensa.protocol.launch.ExitReason;
import io.extensa.protocol.launch.Exited;
import io.extensa.protocol.launch.LaunchRequest;
import io.extensa.protocol.launch.LaunchedJob;
import io.extensa.protocol.launch.LaunchpadStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm path through a real (test) fork server: forks, exits, kills, failures and restarts. */
class WarmStartTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path root;

    private static LaunchpadStatus.LanguageInfo warmLang(TestLaunchpad lp) {
        return lp.launchpad().status().languages().stream()
                .filter(l -> l.name().equals(WarmLangRuntime.NAME)).findFirst().orElseThrow();
    }

    private static TestLaunchpad startWarm(Path root, Map<String, String> settings) throws Exception {
        TestLaunchpad lp = TestLaunchpad.start(root, settings);
        assertThat(lp.launchpad().awaitWarm(WarmLangRuntime.NAME, WAIT)).as("fork server up").isTrue();
        return lp;
    }

    @Test
    void aWarmJobIsAForkedChildInItsOwnSessionWithTheJobsEnvironment() throws Exception {
        try (TestLaunchpad lp = startWarm(root, Map.of())) {
            long forkServerPid = warmLang(lp).forkServerPid();
            assertThat(warmLang(lp).warm()).isTrue();
            FakeEngine engine = lp.engine();
            LaunchRequest request = TestLaunchpad.request(WarmLangRuntime.NAME, engine, "hello,sleep").build();
            Path workDir;
            try (LaunchedJob job = lp.client().launch(request)) {
                assertThat(job.warm()).isTrue();
                workDir = job.workDir();
                FakeEngine.Hello hello = engine.awaitHello(WAIT);
                assertThat(hello.pid()).isEqualTo(job.pid());
                assertThat(hello.parentPid()).isEqualTo(forkServerPid);
                assertThat(hello.sessionId()).isEqualTo(job.pid());
                assertThat(hello.cwd()).isEqualTo(workDir.toString());
                assertThat(hello.secret()).isEqualTo(request.secret());
                assertThat(hello.environment().keySet()).containsExactlyInAnyOrder("PATH", "LANG", "HOME", "TMPDIR",
                        "TESTLANG_HOME", "PYTHONDONTWRITEBYTECODE", "FAKE_MODE", "EXTENSA_JOB_SOCKET", "EXTENSA_JOB_ID",
                        "EXTENSA_JOB_SECRET");
                assertThat(hello.environment()).containsEntry("HOME", workDir.toString())
                        .containsEntry("EXTENSA_JOB_SECRET", HexFormat.of().formatHex(request.secret()));
                assertThat(lp.client().status().jobs()).singleElement()
                        .satisfies(info -> assertThat(info.warm()).isTrue());
            }
            assertThat(Await.until(() -> !Files.exists(workDir), WAIT)).isTrue();
            assertThat(Await.until(() -> !Files.exists(lp.jobsDir().resolve("." + request.jobId() + ".out")), WAIT))
                    .isTrue();
            assertThat(warmLang(lp).forkServerPid()).as("the fork server is untouched").isEqualTo(forkServerPid);
        }
    }

    @Test
    void exitCodesSignalsAndOutputComeFromTheForkServer() throws Exception {
        try (TestLaunchpad lp = startWarm(root, Map.of())) {
            FakeEngine engine = lp.engine();
            try (LaunchedJob job = lp.client().launch(
                    TestLaunchpad.request(WarmLangRuntime.NAME, engine, "hello,say:warm goodbye,exit:5").build())) {
                assertThat(job.warm()).isTrue();
                Exited exited = job.awaitExit(WAIT).orElseThrow();
                assertThat(exited.exitCode()).isEqualTo(5);
                assertThat(exited.signal()).isZero();
                assertThat(exited.reason()).isEqualTo(ExitReason.EXITED);
                assertThat(exited.stderrTail()).contains("warm goodbye");
            }
            FakeEngine second = lp.engine();
            try (LaunchedJob job = lp.client().launch(
                    TestLaunchpad.request(WarmLangRuntime.NAME, second, "hello,signal:15").build())) {
                Exited exited = job.awaitExit(WAIT).orElseThrow();
                assertThat(exited.exitCode()).isEqualTo(-1);
                assertThat(exited.signal()).isEqualTo(15);
                assertThat(exited.reason()).isEqualTo(ExitReason.KILLED);
            }
            FakeEngine third = lp.engine();
            try (LaunchedJob job = lp.client().launch(
                    TestLaunchpad.request(WarmLangRuntime.NAME, third, "import:no_such_module_warm").build())) {
                Exited exited = job.awaitExit(WAIT).orElseThrow();
                assertThat(exited.exitCode()).isEqualTo(1);
                assertThat(exited.stderrTail()).contains("No module named 'no_such_module_warm'");
            }
        }
    }

    @Test
    void cancellingAWarmJobKillsItsTree() throws Exception {
        try (TestLaunchpad lp = startWarm(root, Map.of())) {
            FakeEngine engine = lp.engine();
            try (LaunchedJob job = lp.client().launch(
                    TestLaunchpad.request(WarmLangRuntime.NAME, engine, "hello,tree,sleep").build())) {
                engine.awaitHello(WAIT);
                List<Long> tree = Processes.awaitSessionSize(job.pid(), 7, WAIT);
                assertThat(tree).hasSizeGreaterThanOrEqualTo(7);
                job.cancel();
                Exited exited = job.awaitExit(WAIT).orElseThrow();
                assertThat(exited.reason()).isEqualTo(ExitReason.CANCELLED);
                assertThat(exited.signal()).isEqualTo(9);
                // every process has SIGKILL pending when EXITED comes; vanishing takes the kernel a moment
                assertThat(Processes.awaitGone(tree, WAIT)).isEmpty();
            }
            assertThat(warmLang(lp).warm()).isTrue();
        }
    }

    @Test
    void aForkServerErrorFallsBackToAColdStart() throws Exception {
        try (TestLaunchpad lp = startWarm(root, Map.of())) {
            FakeEngine engine = lp.engine();
            try (LaunchedJob job = lp.client().launch(TestLaunchpad.request(WarmLangRuntime.NAME, engine, "hello,sleep")
                    .env("FAKE_FORK_ERROR", "1").build())) {
                assertThat(job.warm()).isFalse();
                assertThat(engine.awaitHello(WAIT).pid()).isEqualTo(job.pid());
            }
            assertThat(warmLang(lp).warm()).as("an ERROR answer does not end the fork server").isTrue();
        }
    }

    @Test
    void aDeadForkServerIsRestartedAndJobsStartColdMeanwhile() throws Exception {
        try (TestLaunchpad lp = startWarm(root, Map.of(LaunchpadConfig.WARM_RESTART_MIN_MS, "3000"))) {
            long first = warmLang(lp).forkServerPid();
            FakeEngine engine = lp.engine();
            LaunchedJob running = lp.client().launch(
                    TestLaunchpad.request(WarmLangRuntime.NAME, engine, "hello,sleep").build());
            assertThat(running.warm()).isTrue();
            engine.awaitHello(WAIT);

            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            assertThat(Await.until(() -> !warmLang(lp).warm(), WAIT)).isTrue();

            FakeEngine coldEngine = lp.engine();
            try (LaunchedJob cold = lp.client().launch(
                    TestLaunchpad.request(WarmLangRuntime.NAME, coldEngine, "hello,exit:0").build())) {
                assertThat(cold.warm()).isFalse();
                assertThat(cold.awaitExit(WAIT).map(Exited::exitCode)).contains(0);
            }

            // the job forked by the dead fork server is still a job: cancel reaches it, its end is seen
            running.cancel();
            Exited orphan = running.awaitExit(WAIT).orElseThrow();
            assertThat(orphan.reason()).isEqualTo(ExitReason.CANCELLED);
            assertThat(orphan.stderrTail()).contains("exit status unknown");
            running.close();

            assertThat(lp.launchpad().awaitWarm(WarmLangRuntime.NAME, WAIT)).isTrue();
            long second = warmLang(lp).forkServerPid();
            assertThat(second).isNotEqualTo(first);
            FakeEngine warmAgain = lp.engine();
            try (LaunchedJob job = lp.client().launch(
                    TestLaunchpad.request(WarmLangRuntime.NAME, warmAgain, "hello,exit:0").build())) {
                assertThat(job.warm()).isTrue();
                assertThat(warmAgain.awaitHello(WAIT).parentPid()).isEqualTo(second);
            }
        }
    }

    @Test
    void aForkServerThatWritesGarbageIsNeverUsed() throws Exception {
        try (TestLaunchpad lp = TestLaunchpad.start(root, Map.of("language.warmlang.fork_server_mode", "garbage"))) {
            Thread.sleep(500);
            assertThat(warmLang(lp).warm()).isFalse();
            FakeEngine engine = lp.engine();
            try (LaunchedJob job = lp.client().launch(
                    TestLaunchpad.request(WarmLangRuntime.NAME, engine, "hello,exit:0").build())) {
                assertThat(job.warm()).isFalse();
                assertThat(job.awaitExit(WAIT).map(Exited::exitCode)).contains(0);
            }
        }
    }

    @Test
    void aForkServerThatNeverSaysHelloIsKilledAfterTheStartTimeout() throws Exception {
        try (TestLaunchpad lp = TestLaunchpad.start(root, Map.of("language.warmlang.fork_server_mode", "silent",
                LaunchpadConfig.WARM_START_TIMEOUT_MS, "300"))) {
            Path pidFile = lp.jobsDir().resolve(".forkserver-warmlang.pid");
            assertThat(Await.until(() -> Files.exists(pidFile), WAIT)).isTrue();
            long silentPid = Long.parseLong(Files.readString(pidFile).trim().split(" ")[0]);
            assertThat(Processes.awaitGone(List.of(silentPid), WAIT)).isEmpty();
            assertThat(warmLang(lp).warm()).isFalse();
        }
    }

    @Test
    void warmStartCanBeSwitchedOff() throws Exception {
        try (TestLaunchpad lp = TestLaunchpad.start(root, Map.of(LaunchpadConfig.WARM, "false"))) {
            Thread.sleep(300);
            assertThat(warmLang(lp).warm()).isFalse();
            assertThat(warmLang(lp).forkServerPid()).isZero();
            FakeEngine engine = lp.engine();
            try (LaunchedJob job = lp.client().launch(
                    TestLaunchpad.request(WarmLangRuntime.NAME, engine, "hello,exit:0").build())) {
                assertThat(job.warm()).isFalse();
            }
        }
    }
}
