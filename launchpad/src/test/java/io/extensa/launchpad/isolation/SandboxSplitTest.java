package io.extensa.launchpad.isolation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * extensa_sandbox_split as a fork server's spare uses it: after unshare, the namespace's init
 * shares the spare's memory and PID 2 is the one fork; the spare waits outside, ends with PID 2's
 * status and takes the rest of the namespace with it.
 */
class SandboxSplitTest {

    /** Stand-in spare: unshare, split, then in PID 2 what the mode says; prints the spare's wait status. */
    private static final String SPARE = String.join("\n",
            "import ctypes, os, signal, subprocess, sys, time",
            "lib = ctypes.CDLL(sys.argv[1])",
            "lib.extensa_sandbox_split.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t]",
            "spec, mode = sys.argv[2].encode(), sys.argv[3]",
            "err = ctypes.create_string_buffer(1024)",
            "spare = os.fork()",
            "if spare == 0:",
            "    os.setsid()",
            "    if lib.extensa_sandbox_unshare(spec, err, len(err)) != 0:",
            "        os._exit(90)",
            "    if lib.extensa_sandbox_split(0, err, len(err)) != 0:",
            "        os._exit(91)",
            "    if os.getpid() != 2 or os.getppid() != 0:",
            "        os._exit(92)",
            "    if mode == 'exit':",
            "        os._exit(7)",
            "    if mode == 'signal':",
            "        os.kill(os.getpid(), signal.SIGTERM)",
            "        time.sleep(10)",
            "    if mode == 'orphan':",
            "        subprocess.Popen(['/bin/sleep', sys.argv[4]], start_new_session=True)",
            "        os._exit(0)",
            "    os._exit(93)",
            "_, status = os.waitpid(spare, 0)",
            "print('signal' if os.WIFSIGNALED(status) else 'exit', os.WTERMSIG(status) if os.WIFSIGNALED(status)"
                    + " else os.WEXITSTATUS(status), flush=True)");

    @TempDir
    Path runtime;

    private SandboxHelper helper;
    private String spec;

    @BeforeEach
    void needsPidNamespaces() throws Exception {
        helper = SandboxHelper.unpack(runtime);
        assumeThat(helper.probe()).as("PID namespaces on this machine").contains("pid");
        spec = "namespaces=" + (LaunchpadUserAccounts.currentUid() == 0 ? "pid" : "user,pid") + "\n";
    }

    private String runSpare(String mode, String argument) throws Exception {
        Process process = new ProcessBuilder("/usr/bin/python3", "-c", SPARE, helper.library().toString(), spec, mode,
                argument).redirectErrorStream(true).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the stand-in spare ended").isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    @Test
    void theWaiterEndsWithTheSatellitesExitCode() throws Exception {
        assertThat(runSpare("exit", "")).isEqualTo("exit 7");
    }

    @Test
    void theWaiterDiesOfTheSatellitesSignal() throws Exception {
        assertThat(runSpare("signal", "")).isEqualTo("signal 15");
    }

    @Test
    void whatTheSatelliteLeftRunningDiesWithIt() throws Exception {
        String marker = "301." + ProcessHandle.current().pid();
        assertThat(runSpare("orphan", marker)).isEqualTo("exit 0");
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (leftRunning(marker) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(leftRunning(marker)).as("a sleep the satellite started in a session of its own").isFalse();
    }

    private static boolean leftRunning(String marker) {
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().arguments()
                .map(arguments -> arguments.length == 1 && arguments[0].equals(marker)).orElse(false));
    }
}
