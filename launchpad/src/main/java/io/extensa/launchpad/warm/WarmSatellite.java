package io.extensa.launchpad.warm;

import io.extensa.launchpad.process.ExitStatus;
import io.extensa.launchpad.process.OutputTail;
import io.extensa.launchpad.process.ProcessTable;
import io.extensa.launchpad.process.SatelliteProcess;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A satellite forked by a fork server. Not the launchpad's child, so its end is learnt from the
 * fork server's CHILD_EXITED, or, once the fork server is gone, by watching {@code /proc}. Its
 * stdout and stderr go to an output file next to the job directory; the tail is read from there.
 */
public final class WarmSatellite implements SatelliteProcess {

    private static final Duration ORPHAN_POLL = Duration.ofMillis(50);

    private final String jobId;
    private final long pid;
    private final long startTime;
    private final Path outputFile;
    private final int tailBytes;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();

    WarmSatellite(String jobId, long pid, long startTime, Path outputFile, int tailBytes) {
        this.jobId = jobId;
        this.pid = pid;
        this.startTime = startTime;
        this.outputFile = outputFile;
        this.tailBytes = tailBytes;
    }

    String jobId() {
        return jobId;
    }

    void exited(ExitStatus status) {
        exit.complete(status);
    }

    /** The fork server died: watch the process table instead (nobody can tell the exit status now). */
    void orphaned(ScheduledExecutorService timers) {
        if (exit.isDone()) {
            return;
        }
        ScheduledFuture<?>[] poll = new ScheduledFuture<?>[1];
        poll[0] = timers.scheduleWithFixedDelay(() -> {
            if (!ProcessTable.isRunning(pid, startTime)) {
                exit.complete(ExitStatus.unknown());
            }
            if (exit.isDone() && poll[0] != null) {
                poll[0].cancel(false);
            }
        }, 0, ORPHAN_POLL.toMillis(), TimeUnit.MILLISECONDS);
        exit.whenComplete((status, error) -> poll[0].cancel(false));
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public long startTime() {
        return startTime;
    }

    @Override
    public boolean warm() {
        return true;
    }

    @Override
    public CompletableFuture<ExitStatus> exit() {
        return exit;
    }

    @Override
    public String outputTail() {
        try (FileChannel file = FileChannel.open(outputFile, StandardOpenOption.READ)) {
            long size = file.size();
            int length = (int) Math.min(size, tailBytes);
            ByteBuffer buffer = ByteBuffer.allocate(length);
            long position = size - length;
            while (buffer.hasRemaining()) {
                int n = file.read(buffer, position + buffer.position());
                if (n < 0) {
                    break;
                }
            }
            return OutputTail.decode(Arrays.copyOf(buffer.array(), buffer.position()), size > length);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "(cannot read the satellite's output file " + outputFile + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void release() {
        // the output file is removed with the job's other files
    }
}
