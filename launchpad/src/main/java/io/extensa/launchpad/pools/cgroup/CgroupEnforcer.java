package io.extensa.launchpad.pools.cgroup;

import io.extensa.launchpad.process.ProcessTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies resource pools with cgroups: builds the launchpad's tree, writes each pool's limits,
 * gives every job a leaf cgroup, moves satellites into it, and reads OOM kills back. All file
 * system work on cgroups happens here.
 */
public final class CgroupEnforcer {

    private static final Logger log = LoggerFactory.getLogger(CgroupEnforcer.class);
    /** How long a cgroup's removal waits for the processes inside to be gone. */
    private static final java.time.Duration REMOVE_WAIT = java.time.Duration.ofSeconds(1);
    private static final long MAX_REMOVE_PAUSE_MILLIS = 20;
    private static final int MOVE_ROUNDS = 20;
    private static final String OWNER_PREFIX = "owner_";
    /** Leaf of a warm spare waiting for a job: made by the sandbox helper (spec key spare_cgroup). */
    public static final String SPARE_PREFIX = "spare_";

    private final CgroupTree tree;

    private CgroupEnforcer(CgroupTree tree) {
        this.tree = tree;
    }

    public CgroupTree tree() {
        return tree;
    }

    /**
     * Creates the tree (after removing what a crashed launchpad left in it) and enables the
     * controllers in it. Controllers that cannot be enabled are dropped from the tree and
     * reported; if none is left, or the tree cannot be created, the failure says why.
     */
    public static CgroupEnforcer create(CgroupTree detected) throws IOException {
        CgroupTree tree = detected;
        for (CgroupTree.Hierarchy hierarchy : tree.hierarchies()) {
            if (Files.isDirectory(hierarchy.directory())) {
                int killed = removeTree(hierarchy.directory());
                log.warn("removed the stale cgroup tree {} of a previous launchpad{}", hierarchy.directory(),
                        killed > 0 ? " (killed " + killed + " processes left in it)" : "");
            }
            sweepDeadSiblings(hierarchy.directory());
        }
        if (tree.version() == CgroupTree.Version.V2) {
            Set<Controller> enabled = enableV2(tree.v2Parent(), tree.controllers());
            Path directory = tree.hierarchies().get(0).directory();
            Files.createDirectory(directory);
            enabled = enableV2(directory, enabled);
            if (enabled.isEmpty()) {
                Files.deleteIfExists(directory);
                throw new IOException("no controller could be enabled in " + directory + "/cgroup.subtree_control");
            }
            tree = CgroupTree.v2(tree.v2Parent(), directory.getFileName().toString(), enabled);
        } else {
            for (CgroupTree.Hierarchy hierarchy : tree.hierarchies()) {
                Files.createDirectory(hierarchy.directory());
                if (hierarchy.controllers().contains(Controller.MEMORY)) {
                    // always on since Linux 5.x; older kernels need it for limits to cover children
                    writeQuietly(hierarchy.directory().resolve("memory.use_hierarchy"), "1");
                }
            }
        }
        markOwner(tree);
        return new CgroupEnforcer(tree);
    }

    /**
     * An empty child cgroup {@code owner_<pid>_<start time>} names the launchpad that owns a
     * tree, so a later launchpad (with another jobs directory, hence another tree) can tell a
     * tree whose owner was killed (SIGKILL leaves no chance to clean up) from a live one.
     */
    private static void markOwner(CgroupTree tree) throws IOException {
        long pid = ProcessHandle.current().pid();
        String marker = OWNER_PREFIX + pid + "_" + ProcessTable.startTime(pid);
        for (CgroupTree.Hierarchy hierarchy : tree.hierarchies()) {
            Files.createDirectory(hierarchy.directory().resolve(marker));
        }
    }

    /** Removes sibling trees whose owner marker names a process that is gone. */
    private static void sweepDeadSiblings(Path ownTree) {
        Path parent = ownTree.getParent();
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(parent, Files::isDirectory)) {
            for (Path sibling : siblings) {
                if (sibling.equals(ownTree) || !ownerIsDead(sibling)) {
                    continue;
                }
                try {
                    int killed = removeTree(sibling);
                    log.warn("removed the cgroup tree {} of a launchpad that is gone{}", sibling,
                            killed > 0 ? " (killed " + killed + " processes left in it)" : "");
                } catch (IOException e) {
                    log.warn("cannot remove the cgroup tree {} of a launchpad that is gone: {}", sibling, e.getMessage());
                }
            }
        } catch (IOException e) {
            log.debug("cannot list {} for stale launchpad trees: {}", parent, e.getMessage());
        }
    }

    /** True only for a tree with an owner marker whose process (pid and start time) no longer runs. */
    static boolean ownerIsDead(Path tree) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tree, OWNER_PREFIX + "*")) {
            for (Path entry : entries) {
                String[] parts = entry.getFileName().toString().substring(OWNER_PREFIX.length()).split("_");
                if (parts.length == 2) {
                    try {
                        return !ProcessTable.isRunning(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** Enables {@code wanted} for the children of {@code directory}; returns those that are on. */
    private static Set<Controller> enableV2(Path directory, Set<Controller> wanted) {
        Set<Controller> on = EnumSet.noneOf(Controller.class);
        String current;
        try {
            current = " " + Files.readString(directory.resolve("cgroup.subtree_control")).trim() + " ";
        } catch (IOException e) {
            current = " ";
        }
        for (Controller controller : wanted) {
            if (current.contains(" " + controller.kernelName() + " ")) {
                on.add(controller);
                continue;
            }
            try {
                write(directory.resolve("cgroup.subtree_control"), "+" + controller.kernelName());
                on.add(controller);
            } catch (IOException e) {
                log.warn("cannot enable the cgroup v2 {} controller in {}: {}", controller.kernelName(), directory,
                        e.getMessage());
            }
        }
        return on;
    }

    /** Creates or updates a pool's directories and writes its limits. */
    public void applyPool(String pool, long memoryBytes, long cpuQuotaMicros) throws IOException {
        for (CgroupTree.Hierarchy hierarchy : tree.hierarchies()) {
            Path directory = tree.poolDirectory(hierarchy.directory(), pool);
            if (!Files.isDirectory(directory)) {
                Files.createDirectory(directory);
                if (tree.version() == CgroupTree.Version.V2) {
                    write(directory.resolve("cgroup.subtree_control"), tree.subtreeControlLine());
                }
            }
        }
        for (Map.Entry<Path, String> file : tree.poolLimitFiles(pool, memoryBytes, cpuQuotaMicros).entrySet()) {
            try {
                write(file.getKey(), file.getValue());
            } catch (NoSuchFileException e) {
                if (!file.getKey().getFileName().toString().equals("memory.swap.max")) {
                    throw e;
                }
                // kernels built without swap accounting have no memory.swap.max
            }
        }
    }

    /** Removes a dropped pool's directories; a pool that still has jobs stays until {@link #removeJob} empties it. */
    public void removePool(String pool) {
        for (CgroupTree.Hierarchy hierarchy : tree.hierarchies()) {
            Path directory = tree.poolDirectory(hierarchy.directory(), pool);
            try {
                Files.deleteIfExists(directory);
            } catch (IOException e) {
                log.debug("pool cgroup {} stays for now: {}", directory, e.getMessage());
            }
        }
    }

    private void createLeaf(CgroupTree.Hierarchy hierarchy, Path directory) throws IOException {
        Files.createDirectory(directory);
        if (tree.version() == CgroupTree.Version.V1 && hierarchy.controllers().contains(Controller.MEMORY)) {
            // the interpreter's start-up memory counts against the pool too
            writeQuietly(directory.resolve("memory.move_charge_at_immigrate"), "3");
        }
    }

    /**
     * Makes the job's leaf cgroups, with their per-job limits, and puts {@code pid} and every
     * process it has started so far in them. A warm
     * spare that waits in its own leaf ({@code spare_<pid>}, made by the sandbox helper before it
     * forked anything) has its leaf renamed to the job's, which costs no migration; otherwise the
     * processes are moved (found by parent link and session id after the move, so none forked
     * during it is missed). A move waits for an RCU grace period, 10-25 ms on a small machine.
     */
    public void place(String pool, String jobId, long pid, int maxPids) throws IOException {
        String pidText = Long.toString(pid);
        List<Path> toMove = new ArrayList<>();
        for (CgroupTree.Hierarchy hierarchy : tree.hierarchies()) {
            Path jobDirectory = tree.jobDirectory(hierarchy.directory(), pool, jobId);
            if (!adoptSpareLeaf(tree.poolDirectory(hierarchy.directory(), pool).resolve(SPARE_PREFIX + pid), jobDirectory,
                    pidText)) {
                createLeaf(hierarchy, jobDirectory);
                toMove.add(jobDirectory.resolve("cgroup.procs"));
            }
        }
        for (Map.Entry<Path, String> file : tree.jobLimitFiles(pool, jobId, maxPids).entrySet()) {
            write(file.getKey(), file.getValue());
        }
        if (toMove.isEmpty()) {
            return;
        }
        for (Path procs : toMove) {
            write(procs, pidText);
        }
        // a child not moved yet may fork while the others move; its child is then born outside, so
        // search again until a search finds nothing new (each round's children are born inside)
        java.util.Set<Long> moved = new java.util.HashSet<>();
        for (int round = 0; round < MOVE_ROUNDS; round++) {
            List<Long> found = io.extensa.launchpad.pools.JobProcesses.startedBy(pid);
            found.removeAll(moved);
            if (found.isEmpty()) {
                return;
            }
            for (long descendant : found) {
                moved.add(descendant);
                for (Path procs : toMove) {
                    try {
                        write(procs, Long.toString(descendant));
                    } catch (IOException e) {
                        log.debug("process {} of job {} ended before it could be moved: {}", descendant, jobId,
                                e.getMessage());
                    }
                }
            }
        }
        log.warn("job {}: its processes kept forking while they were moved into its cgroup; some may be outside",
                jobId);
    }

    /** Renames the spare's leaf to the job's when it exists and holds the spare; false to move instead. */
    private boolean adoptSpareLeaf(Path spareLeaf, Path jobDirectory, String pidText) {
        try {
            if (!Files.isDirectory(spareLeaf)
                    || !readProcs(spareLeaf.resolve("cgroup.procs")).contains(Long.parseLong(pidText))) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        try {
            Files.move(spareLeaf, jobDirectory, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            // cgroup v2 has no rename: the job gets its leaf back and the processes move
            log.debug("cannot rename {} to {} ({}); moving the processes instead", spareLeaf, jobDirectory,
                    e.getMessage());
            return false;
        }
    }

    /** Removes the spare leaves of {@code pool} whose spare is gone (ended without a job, or moved out). */
    public void sweepSpares(String pool) {
        for (CgroupTree.Hierarchy hierarchy : tree.hierarchies()) {
            try (var leaves = Files.newDirectoryStream(tree.poolDirectory(hierarchy.directory(), pool),
                    SPARE_PREFIX + "*")) {
                for (Path leaf : leaves) {
                    try {
                        Files.delete(leaf);  // refused while a process is inside: that spare still waits
                    } catch (IOException e) {
                        log.trace("spare leaf {} stays: {}", leaf, e.getMessage());
                    }
                }
            } catch (IOException e) {
                log.debug("cannot list the spare leaves of pool {}: {}", pool, e.getMessage());
            }
        }
    }

    /** The processes in the job's leaf cgroup (of the first hierarchy; every hierarchy holds the same). */
    public List<Long> jobProcesses(String pool, String jobId) throws IOException {
        return readProcs(tree.jobProcsFiles(pool, jobId).get(0));
    }

    /**
     * The pids a cgroup.procs file lists. Read with plain read calls: Files.readAllLines also asks
     * for the file's size and position (an fstat and three lseeks), and this runs several times per job.
     */
    static List<Long> readProcs(Path procs) throws IOException {
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream(64);
        byte[] buffer = new byte[4096];
        try (java.io.InputStream in = Files.newInputStream(procs)) {
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                text.write(buffer, 0, n);
            }
        }
        List<Long> pids = new ArrayList<>();
        for (String line : text.toString(java.nio.charset.StandardCharsets.US_ASCII).split("\n")) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.strip()));
            }
        }
        return pids;
    }

    /** OOM kills the kernel counted in the job's memory cgroup; 0 without a memory controller. */
    public long oomKills(String pool, String jobId) {
        if (!tree.has(Controller.MEMORY)) {
            return 0;
        }
        try {
            return CgroupTree.oomKills(Files.readString(tree.jobOomFile(pool, jobId)));
        } catch (IOException e) {
            return 0;
        }
    }

    /** Removes the job's cgroups; whatever still runs in them is killed first (the tree kill normally got it). */
    public void removeJob(String pool, String jobId) {
        for (CgroupTree.Hierarchy hierarchy : tree.hierarchies()) {
            Path directory = tree.jobDirectory(hierarchy.directory(), pool, jobId);
            try {
                removeLeaf(directory);
            } catch (IOException e) {
                log.error("cannot remove the cgroup {} of job {}: {}", directory, jobId, e.getMessage());
            }
        }
    }

    /** Removes the whole tree, at shutdown once every job is gone. */
    public void close() {
        for (CgroupTree.Hierarchy hierarchy : tree.hierarchies()) {
            try {
                removeTree(hierarchy.directory());
            } catch (IOException e) {
                log.warn("cannot remove the cgroup tree {}: {}", hierarchy.directory(), e.getMessage());
            }
        }
    }

    /** Removes a cgroup directory and everything below it, killing processes still inside; returns how many. */
    static int removeTree(Path directory) throws IOException {
        int killed = 0;
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, Files::isDirectory)) {
            entries.forEach(children::add);
        } catch (NoSuchFileException e) {
            return 0;
        }
        for (Path child : children) {
            killed += removeTree(child);
        }
        return killed + removeLeaf(directory);
    }

    /**
     * rmdir fails with EBUSY while a process is inside: kill those, wait for them to be gone, retry.
     * A job's processes were killed just before and are usually gone within a few milliseconds, so
     * the waits start short and grow; each process is signalled once.
     */
    private static int removeLeaf(Path directory) throws IOException {
        java.util.Set<Long> killed = new java.util.HashSet<>();
        long giveUp = System.nanoTime() + REMOVE_WAIT.toNanos();
        for (long pause = 1; ; pause = Math.min(pause * 2, MAX_REMOVE_PAUSE_MILLIS)) {
            try {
                for (long pid : readProcs(directory.resolve("cgroup.procs"))) {
                    if (killed.add(pid)) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            } catch (NoSuchFileException e) {
                return killed.size();
            }
            try {
                Files.deleteIfExists(directory);
                return killed.size();
            } catch (IOException e) {
                if (System.nanoTime() - giveUp > 0) {
                    throw e;
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static void write(Path file, String value) throws IOException {
        // no O_CREAT/O_TRUNC games: cgroup files exist, and each write is one command
        Files.writeString(file, value, StandardOpenOption.WRITE);
    }

    private static void writeQuietly(Path file, String value) {
        try {
            write(file, value);
        } catch (IOException e) {
            log.debug("cannot write {} to {}: {}", value, file, e.getMessage());
        }
    }
}
