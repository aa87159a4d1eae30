package io.extensa.launchpad;

import io.extensa.launchpad.testing.Await;
import io.extensa.launchpad.testing.FakeEngine;
import io.extensa.launchpad.testing.Processes;
import io.extensa.launchpad.testing.TestLangRuntime;
import io.extensa.launchpad.testing.TestLaunchpad;
import io.extensa.launchpad.testing.WarmLangRuntime;
import io.extensa.protocol.launch.Exited;
import io.extensa.protocol.launch.LaunchedJob;
import io.extensa.protocol.launch.LaunchpadClient;
import io.extensa.protocol.launch.LaunchpadException;
import io.extensa.protocol.launch.LaunchpadStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The daemon as its own process: started by its main class, stopped by SIGTERM, or killed outright. */
class LaunchpadMainTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path root;

    private Process startDaemon(Path log) throws Exception {
        return startDaemon(log, List.of());
    }

    private Process startDaemon(Path log, List<String> extraArguments) throws Exception {
        Path config = Files.writeString(root.resolve("launchpad.conf"), """
                # test settings (process trees watched by HELLO pids: no PID namespace, see TestLaunchpad)
                launchpad.sandbox = false
                launchpad.warm = true
                language.testlang.interpreter = /usr/bin/python3
                """);
        LaunchpadConfig paths = TestLaunchpad.config(root);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LaunchpadMain.class.getName(),
                "--socket", paths.socketPath().toString(), "--jobs-dir", paths.jobsDir().toString(),
                "--runtime-dir", paths.runtimeDir().toString(), "--config", config.toString(),
                "--log-file", log.toString()));
        command.addAll(extraArguments);
        Process daemon = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(root.resolve("daemon.out").toFile()).start();
        LaunchpadClient client = new LaunchpadClient(paths.socketPath());
        boolean up = Await.until(() -> {
            try {
                return client.status().languages().stream().anyMatch(LaunchpadStatus.LanguageInfo::warm);
            } catch (IOException e) {
                return false;
            }
        }, WAIT);
        assertThat(up).as("daemon up and warm; log:%n%s", readQuietly(log)).isTrue();
        return daemon;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (Exception e) {
            return "(no " + file + ")";
        }
    }

    @Test
    void sigtermKillsTheJobsAndRemovesDirectoriesAndSocket() throws Exception {
        Path log = root.resolve("launchpad.log");
        Process daemon = startDaemon(log);
        LaunchpadConfig paths = TestLaunchpad.config(root);
        LaunchpadClient client = new LaunchpadClient(paths.socketPath());
        long forkServer = client.status().languages().stream().filter(l -> l.name().equals(WarmLangRuntime.NAME))
                .findFirst().orElseThrow().forkServerPid();

        List<LaunchedJob> jobs = new ArrayList<>();
        List<Long> processes = new ArrayList<>(List.of(forkServer));
        for (String language : List.of(TestLangRuntime.NAME, WarmLangRuntime.NAME)) {
            FakeEngine engine = FakeEngine.listen(root.resolve("engine/" + language + ".sock"));
            LaunchedJob job = client.launch(TestLaunchpad.request(language, engine, "hello,tree,sleep").build());
            engine.awaitHello(WAIT);
            processes.addAll(Processes.awaitSessionSize(job.pid(), 7, WAIT));
            jobs.add(job);
        }

        daemon.destroy();
        assertThat(daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(daemon.exitValue()).isIn(0, 143);

        for (LaunchedJob job : jobs) {
            Optional<Exited> exited;
            try {
                exited = job.awaitExit(WAIT);
            } catch (LaunchpadException e) {
                exited = Optional.empty();
            }
            exited.ifPresent(e -> assertThat(e.reason().wireName()).isEqualTo("killed"));
            job.close();
        }
        assertThat(Processes.awaitGone(processes, WAIT)).isEmpty();
        assertThat(paths.socketPath()).doesNotExist();
        try (var entries = Files.list(paths.jobsDir())) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsOnly(".lock");
        }
        assertThat(readQuietly(log)).contains("launchpad stopped");
    }

    @Test
    void withExitWithStdinTheEndOfStandardInputStopsItLikeSigterm() throws Exception {
        Path log = root.resolve("launchpad.log");
        Process daemon = startDaemon(log, List.of("--exit-with-stdin"));
        LaunchpadConfig paths = TestLaunchpad.config(root);
        LaunchpadClient client = new LaunchpadClient(paths.socketPath());
        FakeEngine engine = FakeEngine.listen(root.resolve("engine/lifeline.sock"));
        LaunchedJob job = client.launch(TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,tree,sleep").build());
        engine.awaitHello(WAIT);
        List<Long> processes = Processes.awaitSessionSize(job.pid(), 7, WAIT);

        daemon.getOutputStream().close();

        assertThat(daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the launchpad stopped").isTrue();
        job.close();
        assertThat(Processes.awaitGone(processes, WAIT)).isEmpty();
        assertThat(paths.socketPath()).doesNotExist();
        assertThat(readQuietly(log)).contains("standard input ended").contains("launchpad stopped");
    }

    @Test
    void theNextLaunchpadCleansUpAfterOneThatWasKilled() throws Exception {
        Path log = root.resolve("launchpad.log");
        Process daemon = startDaemon(log);
        LaunchpadConfig paths = TestLaunchpad.config(root);
        LaunchpadClient client = new LaunchpadClient(paths.socketPath());
        long forkServer = client.status().languages().stream().filter(l -> l.name().equals(WarmLangRuntime.NAME))
                .findFirst().orElseThrow().forkServerPid();

        List<Long> processes = new ArrayList<>(List.of(forkServer));
        List<Path> workDirs = new ArrayList<>();
        for (String language : List.of(TestLangRuntime.NAME, WarmLangRuntime.NAME)) {
            FakeEngine engine = FakeEngine.listen(root.resolve("engine/" + language + ".sock"));
            LaunchedJob job = client.launch(TestLaunchpad.request(language, engine, "hello,tree,sleep").build());
            engine.awaitHello(WAIT);
            processes.addAll(Processes.awaitSessionSize(job.pid(), 7, WAIT));
            workDirs.add(job.workDir());
        }

        daemon.destroyForcibly();
        assertThat(daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200);
        assertThat(Processes.alive(processes)).as("a killed launchpad leaves its jobs behind").isNotEmpty();
        assertThat(workDirs).allSatisfy(dir -> assertThat(dir).isDirectory());
        assertThat(paths.socketPath()).as("the stale socket").exists();

        try (TestLaunchpad next = TestLaunchpad.start(root)) {
            assertThat(Processes.awaitGone(processes, WAIT)).isEmpty();
            assertThat(workDirs).allSatisfy(dir -> assertThat(dir).doesNotExist());
            FakeEngine engine = next.engine();
            try (LaunchedJob job = next.client().launch(
                    TestLaunchpad.request(TestLangRuntime.NAME, engine, "hello,exit:0").build())) {
                assertThat(job.awaitExit(WAIT).map(Exited::exitCode)).contains(0);
            }
        }
    }

    @Test
    void aSecondLaunchpadOnTheSameDirectoriesRefusesToStart() throws Exception {
        try (TestLaunchpad first = TestLaunchpad.start(root)) {
            assertThatThrownBy(() -> TestLaunchpad.start(root))
                    .hasMessageContaining("another launchpad is using the jobs directory");
            assertThat(first.client().status().pid()).isEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void badArgumentsExitWithUsage() throws Exception {
        Process daemon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LaunchpadMain.class.getName(), "--socket")
                .redirectErrorStream(true).start();
        String output = new String(daemon.getInputStream().readAllBytes());
        assertThat(daemon.waitFor()).isEqualTo(2);
        assertThat(output).contains("--socket needs a value").contains("usage: launchpad");
    }
}
