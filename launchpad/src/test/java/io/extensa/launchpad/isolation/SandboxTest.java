package io.extensa.launchpad.isolation;

import io.extensa.launchpad.LaunchpadConfig;
import io.extensa.launchpad.testing.FakeEngine;
import io.extensa.launchpad.testing.TestLangRuntime;
import io.extensa.launchpad.testing.TestLaunchpad;
import io.extensa.launchpad.testing.WarmLangRuntime;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.protocol.launch.LaunchedJob;
import io.extensa.protocol.launch.LaunchpadException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The launchpad with the sandbox on, with the test satellites: what the satellite sees of itself,
 * who it runs as, and what STATUS says. The attacks themselves run through the whole stack
 * (it module, SandboxAttackIT).
 */
class SandboxTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final boolean ROOT = LaunchpadUserAccounts.currentUid() == 0;

    @TempDir
    Path root;

    @Test
    void aSandboxedSatelliteIsPidTwoOfItsOwnNamespaceInItsJobDirectory() throws Exception {
        try (TestLaunchpad lp = TestLaunchpad.start(root, TestLaunchpad.SANDBOXED)) {
            assertThat(lp.client().status().mode()).contains("sandbox (namespaces:").doesNotContain("no sandbox");
            FakeEngine engine = lp.engine();
            try (LaunchedJob job = lp.client().launch(TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,sleep")
                    .build())) {
                FakeEngine.Hello hello = engine.awaitHello(WAIT);
                assertThat(hello.pid()).as("the namespace's init is 1, the satellite 2").isEqualTo(2);
                assertThat(hello.cwd()).isEqualTo(job.workDir().toString());
                assertThat(job.pid()).as("the launchpad sees the host's pid").isNotEqualTo(2);
                if (ROOT) {
                    assertThat(job.worker()).matches("extensa-w\\d\\d");
                    assertThat(Files.getOwner(job.workDir()).getName()).isEqualTo(job.worker());
                }
            }
        }
    }

    @Test
    void aForkServerThatCannotSandboxGetsNoJobs() throws Exception {
        Map<String, String> settings = new HashMap<>(TestLaunchpad.SANDBOXED);
        try (TestLaunchpad lp = TestLaunchpad.start(root, settings)) {
            assertThat(lp.launchpad().awaitWarm(WarmLangRuntime.NAME, WAIT)).isTrue();
            FakeEngine engine = lp.engine();
            try (LaunchedJob job = lp.client().launch(TestLaunchpad.request(WarmLangRuntime.NAME, engine, "hello,sleep")
                    .build())) {
                assertThat(job.warm()).as("the test fork server does not say it sandboxes").isFalse();
                assertThat(engine.awaitHello(WAIT).pid()).isEqualTo(2);
            }
        }
    }

    @Test
    void eachRunningJobHasAnAccountOfItsOwnAndLaunchesWaitForAFreeOne() throws Exception {
        assumeThat(ROOT).as("worker accounts need root").isTrue();
        Map<String, String> settings = new HashMap<>(TestLaunchpad.SANDBOXED);
        settings.put(LaunchpadConfig.WORKERS, "2");
        settings.put(LaunchpadConfig.WORKER_WAIT_MS, "300");
        try (TestLaunchpad lp = TestLaunchpad.start(root, settings)) {
            FakeEngine first = lp.engine();
            FakeEngine second = lp.engine();
            try (LaunchedJob a = lp.client().launch(TestLaunchpad.request(TestLangRuntime.NAME, first, "hello,sleep").build());
                 LaunchedJob b = lp.client().launch(TestLaunchpad.request(TestLangRuntime.NAME, second, "hello,sleep").build())) {
                assertThat(a.worker()).isNotEqualTo(b.worker());
                assertThatThrownBy(() -> lp.client().launch(TestLaunchpad.request(TestLangRuntime.NAME, lp.engine(),
                        "hello,sleep").build()))
                        .isInstanceOfSatisfying(LaunchpadException.class,
                                e -> assertThat(e.kind()).isEqualTo(LaunchErrorKind.BUSY))
                        .hasMessageContaining("worker accounts are in use");
            }
            // a job's account is free again once its teardown is over, which a loaded machine
            // stretches past the 300 ms a launch waits: wait for the teardown, not for the clock
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!lp.launchpad().status().jobs().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            FakeEngine third = lp.engine();
            try (LaunchedJob c = lp.client().launch(TestLaunchpad.request(TestLangRuntime.NAME, third, "hello,sleep").build())) {
                assertThat(third.awaitHello(WAIT).pid()).as("an account comes back when its job ends").isEqualTo(2);
            }
        }
    }

    @Test
    void withoutTheSandboxStatusSaysWhatIsNotEnforced() throws Exception {
        try (TestLaunchpad lp = TestLaunchpad.start(root)) {
            assertThat(lp.client().status().mode()).contains("NOT ENFORCED").contains("NOT sandboxed");
        }
    }
}
