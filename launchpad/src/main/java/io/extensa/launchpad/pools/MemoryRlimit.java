package io.extensa.launchpad.pools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where no cgroup memory controller can be used: MAX_MEMORY_PERCENT as RLIMIT_AS of each process
 * of the job, set with util-linux {@code prlimit} on the running satellite before it gets any
 * user code. Weaker than a cgroup (per process, not per pool; virtual, not resident memory; an
 * allocation fails instead of the process being killed), and said so in the log at start.
 */
final class MemoryRlimit {

    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
    private static final long PRLIMIT_WAIT_SECONDS = 5;

    private MemoryRlimit() {
    }

    static Optional<MemoryRlimit> find() {
        return Files.isExecutable(PRLIMIT) ? Optional.of(new MemoryRlimit()) : Optional.empty();
    }

    void apply(long pid, long bytes) throws IOException {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        pids.addAll(JobProcesses.startedBy(pid));
        for (long target : pids) {
            Process process = new ProcessBuilder(PRLIMIT.toString(), "--pid", Long.toString(target),
                    "--as=" + bytes + ":" + bytes).redirectErrorStream(true).start();
            try {
                if (!process.waitFor(PRLIMIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException("prlimit did not finish within " + PRLIMIT_WAIT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new IOException("interrupted while setting RLIMIT_AS", e);
            }
            String output = new String(process.getInputStream().readAllBytes()).strip();
            if (process.exitValue() != 0 && target == pid) {
                throw new IOException("prlimit --pid " + target + " failed: " + output);
            }
        }
    }
}
