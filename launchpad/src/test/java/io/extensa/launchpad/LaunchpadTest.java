package io.extensa.launchpad;

import io.extensa.launchpad.testing.Await;
import io.extensa.launchpad.testing.FakeEngine;
import io.extensa.launchpad.testing.TestLangRuntime;
import io.extensa.launchpad.testing.TestLaunchpad;
import io.extensa.launchpad.testing.WarmLangRuntime;
import io.extensa.protocol.launch.ExitReason;
import io.extensa.protocol.launch.Exited;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.protocol.launch.LaunchRequest;
import io.extensa.protocol.launch.LaunchedJob;
import io.extensa.protocol.launch.LaunchpadException;
import io.extensa.protocol.launch.LaunchpadStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Cold launches end to end: a real launchpad, real python3 satellites, a real job socket. */
class LaunchpadTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

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

    @Test
    void satelliteGetsItsDirectorySessionSecretAndACleanEnvironment() throws Exception {
        FakeEngine engine = lp.engine();
        LaunchRequest request = TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,sleep")
                .env("EXTRA", "from the request").build();
        try (LaunchedJob job = lp.client().launch(request)) {
            Path workDir = lp.jobsDir().resolve(request.jobId());
            assertThat(job.workDir()).isEqualTo(workDir);
            assertThat(job.warm()).isFalse();
            assertThat(job.worker()).isEqualTo(System.getProperty("user.name"));
            assertThat(Files.getPosixFilePermissions(workDir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(workDir.resolve("tmp")).isDirectory();
            assertThat(lp.jobsDir().resolve("." + request.jobId() + ".pid")).exists();

            FakeEngine.Hello hello = engine.awaitHello(WAIT);
            assertThat(hello.secret()).isEqualTo(request.secret());
            assertThat(hello.pid()).isEqualTo(job.pid());
            assertThat(hello.sessionId()).as("the satellite leads its own session").isEqualTo(job.pid());
            assertThat(hello.cwd()).isEqualTo(workDir.toString());
            Map<String, String> env = hello.environment();
            assertThat(env.keySet()).containsExactlyInAnyOrder("PATH", "LANG", "HOME", "TMPDIR", "TESTLANG_HOME",
                    "PYTHONDONTWRITEBYTECODE", "FAKE_MODE", "EXTRA", "EXTENSA_JOB_SOCKET", "EXTENSA_JOB_ID", "EXTENSA_JOB_SECRET");
            assertThat(env).containsEntry("PATH", "/usr/local/bin:/usr/bin:/bin")
                    .containsEntry("LANG", "C.UTF-8")
                    .containsEntry("HOME", workDir.toString())
                    .containsEntry("TMPDIR", workDir.resolve("tmp").toString())
                    .containsEntry("EXTRA", "from the request")
                    .containsEntry("EXTENSA_JOB_SOCKET", engine.socket().toString())
                    .containsEntry("EXTENSA_JOB_ID", request.jobId())
                    .containsEntry("EXTENSA_JOB_SECRET", HexFormat.of().formatHex(request.secret()));
        }
        Path workDir = lp.jobsDir().resolve(request.jobId());
        assertThat(Await.until(() -> !Files.exists(workDir), WAIT)).as("job directory removed").isTrue();
        assertThat(Await.until(() -> !Files.exists(lp.jobsDir().resolve("." + request.jobId() + ".pid")), WAIT)).isTrue();
    }

    @Test
    void exitCodeAndOutputAreReported() throws Exception {
        FakeEngine engine = lp.engine();
        try (LaunchedJob job = lp.client().launch(
                TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,say:goodbye,exit:3").build())) {
            Exited exited = job.awaitExit(WAIT).orElseThrow();
            assertThat(exited.exitCode()).isEqualTo(3);
            assertThat(exited.signal()).isZero();
            assertThat(exited.reason()).isEqualTo(ExitReason.EXITED);
            assertThat(exited.stderrTail()).contains("goodbye");
            assertThat(exited.jobId()).isEqualTo(job.jobId());
        }
    }

    @Test
    void exitsAreSeenEvenWhileTheCommonPoolIsBlocked() throws Exception {
        // Process.onExit() completes on the common pool; a launchpad relying on it missed exits
        int workers = ForkJoinPool.getCommonPoolParallelism();
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<Void>> blockers = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            blockers.add(CompletableFuture.runAsync(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        try {
            FakeEngine engine = lp.engine();
            try (LaunchedJob job = lp.client().launch(
                    TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,exit:4").build())) {
                assertThat(job.awaitExit(WAIT).map(Exited::exitCode)).contains(4);
            }
        } finally {
            release.countDown();
            blockers.forEach(CompletableFuture::join);
        }
    }

    @Test
    void aSignalIsReportedAsSuch() throws Exception {
        FakeEngine engine = lp.engine();
        try (LaunchedJob job = lp.client().launch(
                TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,signal:15").build())) {
            Exited exited = job.awaitExit(WAIT).orElseThrow();
            assertThat(exited.exitCode()).isEqualTo(-1);
            assertThat(exited.signal()).isEqualTo(15);
            assertThat(exited.reason()).isEqualTo(ExitReason.KILLED);
        }
    }

    @Test
    void aSatelliteThatFailsBeforeSpeakingTheProtocolLeavesItsErrorInTheTail() throws Exception {
        FakeEngine engine = lp.engine();
        try (LaunchedJob job = lp.client().launch(TestLaunchpad.request(TestLangRuntime.NAME, engine,
                "say:starting up,import:no_such_module_for_the_test").build())) {
            Exited exited = job.awaitExit(WAIT).orElseThrow();
            assertThat(exited.exitCode()).isEqualTo(1);
            assertThat(exited.reason()).isEqualTo(ExitReason.EXITED);
            assertThat(exited.stderrTail()).contains("starting up")
                    .contains("ModuleNotFoundError: No module named 'no_such_module_for_the_test'");
            assertThat(engine.hello()).isNotDone();
        }
    }

    @Test
    void theTailIsBoundedAndKeepsTheEnd() throws Exception {
        FakeEngine engine = lp.engine();
        try (LaunchedJob job = lp.client().launch(
                TestLaunchpad.request(TestLangRuntime.NAME, engine, "flood:200000,exit:2").build())) {
            Exited exited = job.awaitExit(WAIT).orElseThrow();
            assertThat(exited.exitCode()).isEqualTo(2);
            assertThat(exited.stderrTail().length()).isLessThanOrEqualTo(8192);
            assertThat(exited.stderrTail()).endsWith("END OF FLOOD\n");
        }
    }

    @Test
    void anUnknownLanguageIsRefusedWithTheAvailableOnes() {
        LaunchRequest request = LaunchRequest.builder(TestLaunchpad.newJobId(), "Perl").socketPath("/tmp/x.sock")
                .secret(TestLaunchpad.newSecret()).user("alice").build();
        assertThatThrownBy(() -> lp.client().launch(request))
                .isInstanceOfSatisfying(LaunchpadException.class, e -> {
                    assertThat(e.kind()).isEqualTo(LaunchErrorKind.UNKNOWN_LANGUAGE);
                    assertThat(e.getMessage()).isEqualTo("no language 'Perl'; available: TestLang, WarmLang");
                });
        assertThat(lp.jobsDir().resolve(request.jobId())).doesNotExist();
    }

    @Test
    void languagesAreMatchedCaseInsensitively() throws Exception {
        FakeEngine engine = lp.engine();
        try (LaunchedJob job = lp.client().launch(TestLaunchpad.request("testlang", engine, "hello,sleep").build())) {
            assertThat(engine.awaitHello(WAIT).pid()).isEqualTo(job.pid());
        }
    }

    @Test
    void aJobIdCannotBeUsedTwiceAtOnce() throws Exception {
        FakeEngine engine = lp.engine();
        LaunchRequest request = TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,sleep").build();
        try (LaunchedJob job = lp.client().launch(request)) {
            assertThatThrownBy(() -> lp.client().launch(request))
                    .isInstanceOfSatisfying(LaunchpadException.class,
                            e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.BAD_REQUEST))
                    .hasMessageContaining("already running");
            assertThat(job.workDir()).isDirectory();
        }
    }

    @Test
    void statusListsLanguagesJobsAndMode() throws Exception {
        // a pool must be in force before a job can name it
        lp.client().applyPools(new io.extensa.protocol.launch.Pools(List.of(
                new io.extensa.protocol.launch.PoolDefinition("etl", 100, 20, 0))));
        FakeEngine engine = lp.engine();
        LaunchRequest request = TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,sleep").pool("etl").build();
        try (LaunchedJob job = lp.client().launch(request)) {
            LaunchpadStatus status = lp.client().status();
            assertThat(status.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(status.version()).isNotBlank();
            assertThat(status.languageNames()).containsExactly(TestLangRuntime.NAME, WarmLangRuntime.NAME);
            assertThat(status.mode()).contains("no sandbox");
            assertThat(status.jobs()).singleElement().satisfies(info -> {
                assertThat(info.jobId()).isEqualTo(request.jobId());
                assertThat(info.pid()).isEqualTo(job.pid());
                assertThat(info.language()).isEqualTo(TestLangRuntime.NAME);
                assertThat(info.user()).isEqualTo("alice");
                assertThat(info.pool()).isEqualTo("etl");
                assertThat(info.startedMillis()).isPositive();
            });
            assertThat(lp.client().languages()).containsExactly(TestLangRuntime.NAME, WarmLangRuntime.NAME);
        }
        assertThat(Await.until(() -> lp.launchpad().status().jobs().isEmpty(), WAIT)).isTrue();
    }

    @Test
    void allowedUsersAreEnforced(@TempDir Path other) throws Exception {
        try (TestLaunchpad strict = TestLaunchpad.start(other, Map.of(LaunchpadConfig.ALLOWED_USERS, "nobody-else"))) {
            assertThatThrownBy(() -> strict.client().status())
                    .isInstanceOfSatisfying(LaunchpadException.class,
                            e -> assertThat(e.kind()).isIn(LaunchErrorKind.CONNECTION_LOST, LaunchErrorKind.CONNECTION_FAILED));
            assertThat(Files.getPosixFilePermissions(strict.launchpad().socketPath()))
                    .isEqualTo(PosixFilePermissions.fromString("rw-rw-rw-"));
        }
        assertThat(Files.getPosixFilePermissions(lp.launchpad().socketPath()))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void aMissingInterpreterIsAClearLaunchFailure(@TempDir Path other) throws Exception {
        try (TestLaunchpad broken = TestLaunchpad.start(other,
                Map.of("language.testlang.interpreter", "/opt/nowhere/bin/python3"))) {
            FakeEngine engine = broken.engine();
            LaunchRequest request = TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,sleep").build();
            assertThatThrownBy(() -> broken.client().launch(request))
                    .isInstanceOfSatisfying(LaunchpadException.class, e -> {
                        assertThat(e.kind()).isEqualTo(LaunchErrorKind.LAUNCH_FAILED);
                        assertThat(e.getMessage()).isEqualTo("cannot start the TestLang satellite: "
                                + "'/opt/nowhere/bin/python3' does not exist or is not executable"
                                + " (check the language.testlang.* settings)");
                    });
            assertThat(broken.jobsDir().resolve(request.jobId())).doesNotExist();
            assertThat(broken.launchpad().status().jobs()).isEmpty();
        }
    }

    @Test
    void aDisabledLanguageSaysSo(@TempDir Path other) throws Exception {
        try (TestLaunchpad limited = TestLaunchpad.start(other, Map.of("language.warmlang.enabled", "false"))) {
            LaunchRequest request = LaunchRequest.builder(TestLaunchpad.newJobId(), "WarmLang")
                    .socketPath("/tmp/x.sock").secret(TestLaunchpad.newSecret()).user("alice").build();
            assertThatThrownBy(() -> limited.client().launch(request))
                    .isInstanceOfSatisfying(LaunchpadException.class,
                            e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.UNKNOWN_LANGUAGE))
                    .hasMessage("language 'WarmLang' is disabled by configuration (language.warmlang.enabled=false);"
                            + " available: TestLang");
            assertThat(limited.client().languages()).containsExactly(TestLangRuntime.NAME);
        }
    }

    @Test
    void launchesBeyondMaxJobsAreBusy(@TempDir Path other) throws Exception {
        try (TestLaunchpad small = TestLaunchpad.start(other, Map.of(LaunchpadConfig.MAX_JOBS, "1"))) {
            FakeEngine engine = small.engine();
            try (LaunchedJob job = small.client().launch(
                    TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,sleep").build())) {
                FakeEngine second = small.engine();
                assertThatThrownBy(() -> small.client().launch(
                        TestLaunchpad.request(TestLangRuntime.NAME, second, "hello,sleep").build()))
                        .isInstanceOfSatisfying(LaunchpadException.class,
                                e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.BUSY))
                        .hasMessageContaining("launchpad.max_jobs");
                assertThat(job.pid()).isPositive();
            }
        }
    }

    @Test
    void jobDirectoriesAreOnlyInTheJobsDirectory() throws Exception {
        FakeEngine engine = lp.engine();
        try (LaunchedJob job = lp.client().launch(
                TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,sleep").build())) {
            engine.awaitHello(WAIT);
            try (var entries = Files.list(lp.jobsDir())) {
                assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
                        .containsExactly(job.jobId());
            }
            assertThat(Set.of(job.workDir().getParent())).containsExactly(lp.jobsDir());
        }
    }
}
