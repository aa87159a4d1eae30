package io.extensa.launchpad.pools;

import io.extensa.launchpad.process.ProcessStat;
import io.extensa.launchpad.process.ProcessTable;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The processes a just-started satellite has started itself (a sandbox wrapper's child, say):
 * descendants by parent link and members of its session. Called on every launch, so it reads the
 * stat of only the processes that can be its descendants: those with a higher pid, since pids are
 * handed out in increasing order, unless the pid counter is close to wrapping, when every process
 * is read.
 */
public final class JobProcesses {

    private static final Path PROC = Path.of("/proc");
    /** Within this distance of pid_max the counter may wrap between a parent and its child. */
    private static final long WRAP_MARGIN = 1000;
    private static final long PID_MAX = pidMax();

    private JobProcesses() {
    }

    /** Every process below {@code root} (not {@code root} itself), parents before children. */
    public static List<Long> startedBy(long root) {
        boolean everything = root > PID_MAX - WRAP_MARGIN;
        List<ProcessStat> candidates = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid != root && (everything || pid > root)) {
                    ProcessStat stat = ProcessTable.stat(pid);
                    if (stat != null) {
                        candidates.add(stat);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        Set<Long> found = new LinkedHashSet<>();
        found.add(root);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (ProcessStat stat : candidates) {
                if (!found.contains(stat.pid()) && (found.contains(stat.parentPid()) || stat.sessionId() == root)) {
                    found.add(stat.pid());
                    grew = true;
                }
            }
        }
        found.remove(root);
        return new ArrayList<>(found);
    }

    private static long pidMax() {
        try {
            return Long.parseLong(Files.readString(PROC.resolve("sys/kernel/pid_max")).trim());
        } catch (IOException | NumberFormatException e) {
            return 0; // unknown: always read everything
        }
    }
}
