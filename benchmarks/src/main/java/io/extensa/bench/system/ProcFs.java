package io.extensa.bench.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Readers for the Linux /proc files the harness uses to account CPU per process and per machine.
 * Every reading is a counter; callers subtract two readings taken around a measurement.
 */
public final class ProcFs {

    private static final long DEFAULT_TICKS_PER_SECOND = 100;
    private static volatile long ticksPerSecond;

    private ProcFs() {
    }

    /** The kernel's USER_HZ, the unit of every time in /proc/PID/stat and /proc/stat. */
    public static long ticksPerSecond() {
        long ticks = ticksPerSecond;
        if (ticks == 0) {
            ticks = readTicksPerSecond();
            ticksPerSecond = ticks;
        }
        return ticks;
    }

    private static long readTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).strip();
            if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the value every mainstream Linux build uses
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_TICKS_PER_SECOND;
    }

    /**
     * Fields of /proc/PID/stat after the command name: index 0 is the state (field 3 in proc(5)),
     * so proc(5)'s field n is at index n - 3.
     */
    static String[] statFields(String stat) {
        // The command name is in parentheses and may itself contain spaces and parentheses.
        String afterName = stat.substring(stat.lastIndexOf(')') + 1).strip();
        return afterName.split("\\s+");
    }

    /** utime and stime (fields 14, 15): the process's own CPU time, all its threads, dead ones included. */
    static CpuTime ownTime(String stat) {
        String[] f = statFields(stat);
        return new CpuTime(Long.parseLong(f[14 - 3]), Long.parseLong(f[15 - 3]));
    }

    /** cutime and cstime (fields 16, 17): CPU time of children it has waited for. */
    static CpuTime reapedChildrenTime(String stat) {
        String[] f = statFields(stat);
        return new CpuTime(Long.parseLong(f[16 - 3]), Long.parseLong(f[17 - 3]));
    }

    private static Optional<String> readStat(long pid) {
        try {
            return Optional.of(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // a process that exits while we read it
            return Optional.empty();
        }
    }

    /** CPU time of one process; zero once it is gone. */
    public static CpuTime processTime(long pid) {
        return readStat(pid).map(ProcFs::ownTime).orElse(CpuTime.ZERO);
    }

    /** CPU time of the children this process has reaped (for the harness: the pgbench runs it waited for). */
    public static CpuTime reapedChildren(long pid) {
        return readStat(pid).map(ProcFs::reapedChildrenTime).orElse(CpuTime.ZERO);
    }

    /**
     * CPU time of a whole process tree, e.g. the postmaster with its backends: each member's own
     * time plus what it reaped, so backends that exit between two readings still count.
     *
     * <p>A reading must not catch a child half-way: one that has exited but is not yet reaped (a
     * zombie) shows no CPU time, and one reaped while the tree is being read is either missed or
     * counted twice. So the root is read before and after its descendants, and the reading is
     * retried until no zombie was seen and the root's reaped-children total did not move meanwhile
     * (PostgreSQL reaps within milliseconds). Gives up after {@code settleLimit}.
     */
    public static CpuTime treeTime(long rootPid, Duration settleLimit) {
        long deadline = System.nanoTime() + settleLimit.toNanos();
        while (true) {
            Optional<CpuTime> settled = settledTreeTime(rootPid);
            if (settled.isPresent()) {
                return settled.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the process tree of " + rootPid + " kept changing; its CPU time "
                        + "cannot be read consistently");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    public static CpuTime treeTime(long rootPid) {
        return treeTime(rootPid, Duration.ofSeconds(5));
    }

    private static Optional<CpuTime> settledTreeTime(long rootPid) {
        Optional<String> rootBefore = readStat(rootPid);
        Optional<ProcessHandle> root = ProcessHandle.of(rootPid);
        if (rootBefore.isEmpty() || root.isEmpty()) {
            return Optional.of(CpuTime.ZERO);
        }
        CpuTime descendants = CpuTime.ZERO;
        for (ProcessHandle descendant : root.get().descendants().toList()) {
            Optional<String> stat = readStat(descendant.pid());
            if (stat.isEmpty()) {
                return Optional.empty();
            }
            if (exited(stat.get())) {
                return Optional.empty();
            }
            descendants = descendants.plus(ownTime(stat.get())).plus(reapedChildrenTime(stat.get()));
        }
        Optional<String> rootAfter = readStat(rootPid);
        if (rootAfter.isEmpty() || !reapedChildrenTime(rootAfter.get()).equals(reapedChildrenTime(rootBefore.get()))) {
            return Optional.empty();
        }
        return Optional.of(descendants.plus(ownTime(rootAfter.get())).plus(reapedChildrenTime(rootAfter.get())));
    }

    /** State Z (zombie) or X (dead): gone, but not yet accounted to its parent. */
    static boolean exited(String stat) {
        String state = statFields(stat)[0];
        return state.equals("Z") || state.equals("X");
    }

    /**
     * CPU time processes used on the whole machine (all cores) from /proc/stat: user, nice and
     * system. Interrupt and softirq time (loopback networking is partly accounted there, to no
     * process) and time stolen by the hypervisor are left out, so this compares with per-process times.
     */
    public static CpuTime machineBusy() {
        try {
            return machineBusy(Files.readAllLines(Path.of("/proc/stat")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CpuTime machineBusy(List<String> procStat) {
        for (String line : procStat) {
            if (line.startsWith("cpu ")) {
                String[] f = line.substring(4).strip().split("\\s+");
                // user nice system idle iowait irq softirq steal [guest guest_nice, already in user]
                return new CpuTime(Long.parseLong(f[0]) + Long.parseLong(f[1]), Long.parseLong(f[2]));
            }
        }
        throw new IllegalStateException("/proc/stat has no cpu line");
    }

    /**
     * Context switches (voluntary and involuntary) of every live thread of a process, from
     * /proc/PID/task/TID/status. Threads that already exited are not counted, so callers read
     * this while the threads they care about are running.
     */
    public static long contextSwitches(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long total = 0;
        try (var threads = Files.list(tasks)) {
            for (Path task : threads.toList()) {
                total += taskContextSwitches(task.resolve("status"));
            }
        } catch (IOException e) {
            return total;
        }
        return total;
    }

    /** {@link #contextSwitches} of a process and all its descendants. */
    public static long treeContextSwitches(long rootPid) {
        long total = contextSwitches(rootPid);
        Optional<ProcessHandle> root = ProcessHandle.of(rootPid);
        if (root.isPresent()) {
            for (ProcessHandle descendant : root.get().descendants().toList()) {
                total += contextSwitches(descendant.pid());
            }
        }
        return total;
    }

    private static long taskContextSwitches(Path status) {
        try {
            return contextSwitches(Files.readAllLines(status));
        } catch (IOException e) {
            return 0; // the thread ended while we listed them
        }
    }

    static long contextSwitches(List<String> status) {
        long total = 0;
        for (String line : status) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                total += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return total;
    }

    /** The command name (/proc/PID/comm), empty when the process is gone. */
    public static Optional<String> commandName(long pid) {
        try {
            return Optional.of(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
