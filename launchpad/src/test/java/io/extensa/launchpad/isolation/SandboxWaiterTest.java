package io.extensa.launchpad.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process that waits outside a job's PID namespace (extensa-sandbox, or a fork server's spare)
 * ends the job when whoever started it dies: a launchpad killed with SIGKILL must not leave
 * satellites running that nobody would ever stop.
 */
class SandboxWaiterTest {

    @TempDir
    Path runtime;

    @Test
    void theJobDiesWithTheProcessThatStartedIt() throws Exception {
        SandboxHelper helper = SandboxHelper.unpack(runtime);
        assumeThat(helper.probe()).as("PID namespaces on this machine").contains("pid");
        boolean root = LaunchpadUserAccounts.currentUid() == 0;
        String namespaces = root ? "pid" : "user,pid";
        // the stand-in launchpad: starts the helper, says its pid, then waits to be killed
        Process starter = new ProcessBuilder("/bin/bash", "-c", "'" + helper.program() + "' $'namespaces=" + namespaces
                + "\\n' -- /bin/sleep 300 & echo $!; wait").redirectErrorStream(true).start();
        try {
            long waiter;
            try (var out = new BufferedReader(new InputStreamReader(starter.getInputStream(), StandardCharsets.UTF_8))) {
                waiter = Long.parseLong(out.readLine().trim());
                Optional<ProcessHandle> sleep = awaitSleep(waiter);
                assertThat(sleep).as("the satellite runs in its namespace").isPresent();
                ProcessHandle waiterProcess = ProcessHandle.of(waiter).orElseThrow();
                List<ProcessHandle> job = Stream.concat(Stream.of(waiterProcess),
                        waiterProcess.descendants()).toList();

                starter.destroyForcibly();
                starter.waitFor();

                long deadline = System.nanoTime() + 10_000_000_000L;
                while (job.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(job.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList())
                        .as("processes of the job left running").isEmpty();
            }
        } finally {
            starter.descendants().forEach(ProcessHandle::destroyForcibly);
            starter.destroyForcibly();
        }
    }

    /** A fork server's spare watches the launchpad, not the fork server: only the launchpad's death ends the job. */
    @Test
    void aSpareWatchesTheLaunchpadNotTheForkServer() throws Exception {
        SandboxHelper helper = SandboxHelper.unpack(runtime);
        String forkServer = String.join("\n",
                "import ctypes, os, sys, time",
                "lib = ctypes.CDLL(sys.argv[1])",
                "lib.extensa_sandbox_wait_watching.argtypes = [ctypes.c_int, ctypes.c_int]",
                "launchpad = os.getppid()",
                "spare = os.fork()",
                "if spare == 0:",
                "    os.setsid()",
                "    child = os.fork()",
                "    if child == 0:",
                "        os.execv('/bin/sleep', ['/bin/sleep', '300'])",
                "    lib.extensa_sandbox_wait_watching(child, launchpad)",
                "print(spare, flush=True)",
                "time.sleep(300)");
        // the stand-in launchpad (bash, kept alive by a read on our pipe) starts the stand-in fork server,
        // which makes a spare that runs a job
        Process launchpad = new ProcessBuilder("/bin/bash", "-c", "/usr/bin/python3 -c \"$0\" '" + helper.library()
                + "' & read -r never", forkServer).redirectErrorStream(true).start();
        List<ProcessHandle> everything = List.of();
        try (var out = new BufferedReader(new InputStreamReader(launchpad.getInputStream(), StandardCharsets.UTF_8))) {
            long spare = Long.parseLong(out.readLine().trim());
            ProcessHandle job = awaitSleep(spare).orElseThrow();
            everything = launchpad.descendants().toList();
            ProcessHandle server = ProcessHandle.of(spare).orElseThrow().parent().orElseThrow();

            server.destroyForcibly();
            Thread.sleep(500);
            assertThat(job.isAlive()).as("the job outlives its fork server").isTrue();

            launchpad.destroyForcibly();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (job.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(job.isAlive()).as("the job dies with the launchpad").isFalse();
        } finally {
            everything.forEach(ProcessHandle::destroyForcibly);
            launchpad.destroyForcibly();
        }
    }

    private static Optional<ProcessHandle> awaitSleep(long waiter) throws InterruptedException {
        for (int i = 0; i < 250; i++) {
            Optional<ProcessHandle> sleep = ProcessHandle.of(waiter).stream().flatMap(ProcessHandle::descendants)
                    .filter(p -> p.info().command().map(c -> c.endsWith("sleep")).orElse(false)).findFirst();
            if (sleep.isPresent()) {
                return sleep;
            }
            Thread.sleep(20);
        }
        return Optional.empty();
    }
}
