package io.extensa.launchpad.pools.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * Where the launchpad's cgroups live and which file holds which limit: the layout is
 * {@code <tree>/pool_<name>/job_<job id>} in every hierarchy (one hierarchy under v2, one per
 * controller mount under v1). Limits of a pool sit on its directory, so all satellites of a pool
 * share them; each job is a leaf of its own, so its usage and OOM kills can be told apart.
 * Pure layout and value formatting; the pools manager does the file system work.
 */
public final class CgroupTree {

    public enum Version { V1, V2 }

    /** One mounted hierarchy: the launchpad's tree directory in it and the controllers it carries. */
    public record Hierarchy(Path directory, Set<Controller> controllers) {
        public Hierarchy {
            controllers = Collections.unmodifiableSet(EnumSet.copyOf(controllers));
        }
    }

    /** CFS bandwidth period: 100 ms, the kernel's default, so a quota is a share of each 100 ms. */
    public static final long CPU_PERIOD_MICROS = 100_000;
    private static final String POOL_PREFIX = "pool_";
    private static final String JOB_PREFIX = "job_";

    private final Version version;
    private final List<Hierarchy> hierarchies;
    /** v2 only: the directory whose cgroup.subtree_control must enable the controllers for the tree. */
    private final Path v2Parent;

    private CgroupTree(Version version, List<Hierarchy> hierarchies, Path v2Parent) {
        this.version = version;
        this.hierarchies = List.copyOf(hierarchies);
        this.v2Parent = v2Parent;
    }

    static CgroupTree v2(Path parent, String treeName, Set<Controller> available) {
        return new CgroupTree(Version.V2, List.of(new Hierarchy(parent.resolve(treeName), available)), parent);
    }

    static CgroupTree v1(List<Hierarchy> hierarchies) {
        return new CgroupTree(Version.V1, hierarchies, null);
    }

    public Version version() {
        return version;
    }

    public List<Hierarchy> hierarchies() {
        return hierarchies;
    }

    /** The v2 parent directory of the tree (its subtree_control enables the controllers); null under v1. */
    public Path v2Parent() {
        return v2Parent;
    }

    public Set<Controller> controllers() {
        Set<Controller> all = EnumSet.noneOf(Controller.class);
        hierarchies.forEach(h -> all.addAll(h.controllers()));
        return all;
    }

    public boolean has(Controller controller) {
        return controllers().contains(controller);
    }

    /** The tree directory of the hierarchy that carries {@code controller}. */
    public Path treeFor(Controller controller) {
        for (Hierarchy hierarchy : hierarchies) {
            if (hierarchy.controllers().contains(controller)) {
                return hierarchy.directory();
            }
        }
        throw new IllegalArgumentException("no hierarchy carries the " + controller.kernelName() + " controller");
    }

    public Path poolDirectory(Path tree, String pool) {
        return tree.resolve(poolDirectoryName(pool));
    }

    public Path jobDirectory(Path tree, String pool, String jobId) {
        return poolDirectory(tree, pool).resolve(JOB_PREFIX + jobId);
    }

    /**
     * Pool names may hold any character but NUL and '/', and a directory named like a control
     * file ("memory.max") would collide with one; so the name is prefixed, and every character
     * outside {@code [A-Za-z0-9_-]} is written as {@code .xx} per UTF-8 byte. Distinct names give
     * distinct directories.
     */
    public static String poolDirectoryName(String pool) {
        StringBuilder name = new StringBuilder(POOL_PREFIX);
        for (byte b : pool.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
                name.append(c);
            } else {
                name.append('.').append(String.format("%02x", b & 0xff));
            }
        }
        return name.toString();
    }

    public static boolean isPoolDirectory(String name) {
        return name.startsWith(POOL_PREFIX);
    }

    public static boolean isJobDirectory(String name) {
        return name.startsWith(JOB_PREFIX);
    }

    /** Memory limit of a pool: {@code percent} of {@code totalBytes}, rounded down to whole pages. */
    public static long memoryLimitBytes(int percent, long totalBytes) {
        long bytes = totalBytes / 100 * percent + totalBytes % 100 * percent / 100;
        return bytes / 4096 * 4096;
    }

    /**
     * CFS quota per {@link #CPU_PERIOD_MICROS} for {@code percent} of all {@code cpus}, SQL
     * Server's meaning of MAX_CPU_PERCENT (a share of the whole machine); -1 for no cap.
     */
    public static long cpuQuotaMicros(int percent, int cpus) {
        if (percent >= 100) {
            return -1;
        }
        return Math.max(1000, CPU_PERIOD_MICROS * cpus * percent / 100);
    }

    /**
     * The files and values that set a pool's limits, in the order they should be written.
     * {@code memoryBytes} 0 means unlimited.
     */
    public Map<Path, String> poolLimitFiles(String pool, long memoryBytes, long cpuQuotaMicros) {
        Map<Path, String> files = new java.util.LinkedHashMap<>();
        if (has(Controller.MEMORY)) {
            Path dir = poolDirectory(treeFor(Controller.MEMORY), pool);
            if (version == Version.V2) {
                files.put(dir.resolve("memory.max"), memoryBytes == 0 ? "max" : Long.toString(memoryBytes));
                // no swapping around the limit: over it is over it
                files.put(dir.resolve("memory.swap.max"), memoryBytes == 0 ? "max" : "0");
            } else {
                files.put(dir.resolve("memory.limit_in_bytes"), memoryBytes == 0 ? "-1" : Long.toString(memoryBytes));
            }
        }
        if (has(Controller.CPU)) {
            Path dir = poolDirectory(treeFor(Controller.CPU), pool);
            if (version == Version.V2) {
                files.put(dir.resolve("cpu.max"), (cpuQuotaMicros < 0 ? "max" : Long.toString(cpuQuotaMicros)) + " "
                        + CPU_PERIOD_MICROS);
            } else {
                files.put(dir.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
                files.put(dir.resolve("cpu.cfs_quota_us"), Long.toString(cpuQuotaMicros));
            }
        }
        return files;
    }

    /** Per-job files: a bound on processes (fork bombs) and, under v2, killing the whole job on OOM. */
    public Map<Path, String> jobLimitFiles(String pool, String jobId, int maxPids) {
        Map<Path, String> files = new java.util.LinkedHashMap<>();
        if (has(Controller.PIDS) && maxPids > 0) {
            files.put(jobDirectory(treeFor(Controller.PIDS), pool, jobId).resolve("pids.max"), Integer.toString(maxPids));
        }
        if (has(Controller.MEMORY) && version == Version.V2) {
            files.put(jobDirectory(treeFor(Controller.MEMORY), pool, jobId).resolve("memory.oom.group"), "1");
        }
        return files;
    }

    /** The cgroup.procs file of the job's directory in every hierarchy: writing a pid there moves the process. */
    public List<Path> jobProcsFiles(String pool, String jobId) {
        List<Path> files = new ArrayList<>();
        for (Hierarchy hierarchy : hierarchies) {
            files.add(jobDirectory(hierarchy.directory(), pool, jobId).resolve("cgroup.procs"));
        }
        return files;
    }

    /** The file counting OOM kills in the job's cgroup: memory.events (v2) or memory.oom_control (v1). */
    public Path jobOomFile(String pool, String jobId) {
        Path dir = jobDirectory(treeFor(Controller.MEMORY), pool, jobId);
        return dir.resolve(version == Version.V2 ? "memory.events" : "memory.oom_control");
    }

    /** Reads the {@code oom_kill} counter out of memory.events or memory.oom_control text; 0 when absent. */
    public static long oomKills(String content) {
        for (String line : content.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[0].equals("oom_kill")) {
                try {
                    return Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** The v2 subtree_control line enabling this tree's controllers, e.g. "+memory +cpu +pids". */
    public String subtreeControlLine() {
        StringJoiner line = new StringJoiner(" ");
        controllers().forEach(c -> line.add("+" + c.kernelName()));
        return line.toString();
    }

    /** e.g. "cgroup v2 (memory, cpu, pids) at /sys/fs/cgroup/extensa". */
    public String describe() {
        String controllers = controllers().stream().map(Controller::kernelName).collect(Collectors.joining(", "));
        String where = hierarchies.stream().map(h -> h.directory().toString()).collect(Collectors.joining(", "));
        return "cgroup " + (version == Version.V2 ? "v2" : "v1") + " (" + controllers + ") at " + where;
    }
}
