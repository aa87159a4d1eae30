package io.extensa.launchpad.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A satellite started with a fresh exec. Its stdout and stderr share one pipe, drained into an
 * {@link OutputTail} (and the debug log) by a virtual thread so the process never blocks on a
 * full pipe.
 */
public final class ColdSatellite implements SatelliteProcess {

    /** Output arrives through the pipe shortly after exit; descendants may hold the pipe for longer. */
    private static final long DRAIN_WAIT_MS = 300;
    private static final Logger output = LoggerFactory.getLogger("io.extensa.launchpad.satellite");

    private final String jobId;
    private final Process process;
    private final long startTime;
    private final OutputTail tail;
    private final CountDownLatch drained = new CountDownLatch(1);
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();

    private ColdSatellite(String jobId, Process process, int tailBytes) {
        this.jobId = jobId;
        this.process = process;
        this.startTime = ProcessTable.startTime(process.pid());
        this.tail = new OutputTail(tailBytes);
    }

    /**
     * Starts {@code command} with exactly {@code environment}, in {@code workDir}, stdin from
     * /dev/null.
     */
    public static ColdSatellite start(String jobId, List<String> command, Map<String, String> environment,
                                      Path workDir, int tailBytes) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(environment);
        ColdSatellite satellite = new ColdSatellite(jobId, builder.start(), tailBytes);
        Thread.ofPlatform().daemon().name("satellite-output-" + jobId).start(satellite::drain);
        // not Process.onExit(): that completes on the common pool, which anything else may be blocking
        Thread.ofPlatform().daemon().name("satellite-exit-" + jobId).start(satellite::awaitExit);
        return satellite;
    }

    private void awaitExit() {
        try {
            exit.complete(ExitStatus.fromJvmExitValue(process.waitFor()));
        } catch (InterruptedException e) {
            // nothing interrupts this thread; should something, the JVM's own notification still arrives
            process.onExit().thenAccept(p -> exit.complete(ExitStatus.fromJvmExitValue(p.exitValue())));
        }
    }

    private void drain() {
        byte[] buffer = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                tail.append(buffer, 0, n);
                if (output.isDebugEnabled()) {
                    for (String line : new String(buffer, 0, n, StandardCharsets.UTF_8).split("\n")) {
                        output.debug("[{}] {}", jobId, line);
                    }
                }
            }
        } catch (IOException e) {
            // the pipe was closed by release(): the job is over
        } finally {
            drained.countDown();
        }
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public long startTime() {
        return startTime;
    }

    @Override
    public boolean warm() {
        return false;
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    @Override
    public String outputTail() {
        try {
            drained.await(DRAIN_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return tail.text();
    }

    @Override
    public void release() {
        try {
            process.getInputStream().close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
