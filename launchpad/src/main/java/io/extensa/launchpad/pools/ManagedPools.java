package io.extensa.launchpad.pools;

import io.extensa.launchpad.LaunchpadConfig;
import io.extensa.launchpad.isolation.ResourcePools;
import io.extensa.launchpad.job.LaunchFailure;
import io.extensa.launchpad.pools.cgroup.CgroupDetector;
import io.extensa.launchpad.pools.cgroup.CgroupEnforcer;
import io.extensa.launchpad.pools.cgroup.CgroupTree;
import io.extensa.launchpad.pools.cgroup.Controller;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.protocol.launch.LaunchRequest;
import io.extensa.protocol.launch.LaunchpadStatus;
import io.extensa.protocol.launch.PoolDefinition;
import io.extensa.protocol.launch.Pools;
import io.extensa.protocol.launch.PoolsApplied;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The launchpad's resource pools: MAX_PROCESSES with a queue ({@link PoolSlots}) everywhere, and
 * MAX_MEMORY_PERCENT, MAX_CPU_PERCENT and a per-job process bound with cgroups when the machine
 * lets the launchpad use them ({@link CgroupEnforcer}). When it does not, the start-up log says
 * exactly which limits are not enforced, and STATUS says so too.
 */
public final class ManagedPools implements ResourcePools {

    private static final Logger log = LoggerFactory.getLogger(ManagedPools.class);

    private final PoolSlots slots;
    private final Optional<CgroupEnforcer> cgroups;
    private String enforcement;
    private final PoolStore store;
    private final long totalMemoryBytes;
    private final int cpus;
    private final Duration queueTimeout;
    private final int jobMaxPids;
    private final Map<String, Long> memoryLimits = new ConcurrentHashMap<>();
    /** Without a cgroup memory controller: each pool's limit as a per-process RLIMIT_AS. */
    private final Optional<MemoryRlimit> rlimit;
    private final Map<String, Long> rlimitBytes = new ConcurrentHashMap<>();
    private final Set<String> cgroupPools = ConcurrentHashMap.newKeySet();

    private ManagedPools(List<PoolDefinition> initial, Optional<CgroupEnforcer> cgroups, String enforcement,
                         PoolStore store, LaunchpadConfig config) {
        this.slots = new PoolSlots(List.of(), config.queueMax());
        this.cgroups = cgroups;
        this.enforcement = enforcement;
        this.store = store;
        this.totalMemoryBytes = MachineMemory.totalBytes();
        this.cpus = Runtime.getRuntime().availableProcessors();
        this.queueTimeout = config.queueTimeout();
        this.jobMaxPids = config.jobMaxPids();
        boolean memoryByCgroup = cgroups.map(c -> c.tree().has(Controller.MEMORY)).orElse(false);
        this.rlimit = memoryByCgroup ? Optional.empty() : MemoryRlimit.find();
        if (!memoryByCgroup && rlimit.isPresent()) {
            this.enforcement += "; MAX_MEMORY_PERCENT as RLIMIT_AS per process";
        }
        if (!memoryByCgroup) {
            log.warn("resource pools: {}", rlimit.isPresent()
                    ? "MAX_MEMORY_PERCENT falls back to RLIMIT_AS per satellite process (virtual memory, per process,"
                    + " not per pool; an allocation over it fails instead of the job being killed)"
                    : "MAX_MEMORY_PERCENT is NOT enforced: no cgroup memory controller and no /usr/bin/prlimit");
        }
        try {
            putInForce(initial);
        } catch (LaunchFailure e) {
            log.error("cannot apply the saved resource pools ({}); only the default pool is in force", e.getMessage());
        }
    }

    /** Detects cgroups, builds the tree, and puts the pools saved by the last launchpad back in force. */
    public static ManagedPools start(LaunchpadConfig config) {
        PoolStore store = new PoolStore(config.jobsDir().resolve(".pools.conf"));
        List<PoolDefinition> saved = store.load();
        CgroupDetector.Detection detection = new CgroupDetector(Path.of("/"))
                .detect(config.cgroupMode(), config.cgroupParent(), config.cgroupName());
        Optional<CgroupEnforcer> enforcer = Optional.empty();
        String enforcement;
        if (detection.tree().isPresent()) {
            try {
                enforcer = Optional.of(CgroupEnforcer.create(detection.tree().get()));
                enforcement = enforcer.get().tree().describe();
            } catch (IOException e) {
                enforcement = "not enforced: cannot set up cgroups (" + e.getMessage() + ")";
            }
        } else {
            enforcement = "not enforced: " + detection.reason();
        }
        if (enforcer.isEmpty()) {
            log.warn("resource pools: MAX_MEMORY_PERCENT, MAX_CPU_PERCENT and the per-job process bound are NOT"
                    + " enforced: {}; MAX_PROCESSES and its queue are", enforcement.substring("not enforced: ".length()));
        } else {
            Set<Controller> missing = java.util.EnumSet.complementOf(java.util.EnumSet.copyOf(
                    enforcer.get().tree().controllers()));
            if (!missing.isEmpty()) {
                log.warn("resource pools: no {} controller, so {} NOT enforced", missing, missing.stream()
                        .map(ManagedPools::limitOf).toList());
            }
            log.info("resource pools enforced with {}", enforcement);
        }
        return new ManagedPools(saved, enforcer, enforcement, store, config);
    }

    private static String limitOf(Controller controller) {
        return switch (controller) {
            case MEMORY -> "MAX_MEMORY_PERCENT";
            case CPU -> "MAX_CPU_PERCENT";
            case PIDS -> "the per-job process bound (launchpad.job_max_pids)";
        };
    }

    /** POOLS: replaces the pools in force, saves them for the next start, and says what each came to. */
    public synchronized PoolsApplied apply(Pools pools) throws LaunchFailure {
        List<PoolDefinition> definitions = pools.withDefault();
        putInForce(definitions);
        try {
            store.save(definitions);
        } catch (IOException e) {
            log.error("cannot save the resource pools to {}: {}; they are in force until the launchpad stops",
                    store.file(), e.getMessage());
        }
        List<PoolsApplied.AppliedPool> applied = new ArrayList<>();
        for (PoolDefinition definition : definitions) {
            applied.add(new PoolsApplied.AppliedPool(definition.name(), memoryLimits.getOrDefault(definition.name(), 0L)));
        }
        log.info("resource pools in force: {}", definitions);
        return new PoolsApplied(enforcement, applied);
    }

    private void putInForce(List<PoolDefinition> given) throws LaunchFailure {
        List<PoolDefinition> definitions = new Pools(given).withDefault();
        if (cgroups.isPresent()) {
            CgroupEnforcer enforcer = cgroups.get();
            for (PoolDefinition definition : definitions) {
                long memory = enforcer.tree().has(Controller.MEMORY)
                        ? CgroupTree.memoryLimitBytes(definition.maxMemoryPercent(), totalMemoryBytes) : 0;
                try {
                    enforcer.applyPool(definition.name(), memory, CgroupTree.cpuQuotaMicros(definition.maxCpuPercent(), cpus));
                } catch (IOException e) {
                    throw new LaunchFailure(LaunchErrorKind.BAD_REQUEST, "cannot apply the limits of resource pool '"
                            + definition.name() + "' to its cgroup: " + e.getMessage(), e);
                }
                memoryLimits.put(definition.name(), memory);
                cgroupPools.add(definition.name());
            }
        }
        for (PoolDefinition definition : definitions) {
            rlimitBytes.put(definition.name(), CgroupTree.memoryLimitBytes(definition.maxMemoryPercent(), totalMemoryBytes));
        }
        Set<String> names = new HashSet<>();
        definitions.forEach(d -> names.add(d.name()));
        slots.replace(definitions);
        for (String old : List.copyOf(cgroupPools)) {
            if (!names.contains(old)) {
                memoryLimits.remove(old);
                cgroups.ifPresent(c -> c.removePool(old));
            }
        }
    }

    /**
     * The default pool's directory in each cgroup hierarchy: warm spares create their leaf there
     * ({@code spare_<pid>}, spec key {@code spare_cgroup}); empty without cgroups.
     */
    public List<Path> spareCgroupDirectories() {
        return cgroups.map(c -> c.tree().hierarchies().stream()
                .map(h -> c.tree().poolDirectory(h.directory(), PoolDefinition.DEFAULT_POOL)).toList()).orElse(List.of());
    }

    /** Removes the leaves of spares that ended without a job (a fork server stopped or restarted). */
    public void sweepSpareCgroups() {
        cgroups.ifPresent(c -> c.sweepSpares(PoolDefinition.DEFAULT_POOL));
    }

    @Override
    public Admission admit(LaunchRequest request, BooleanSupplier abandoned) throws LaunchFailure {
        String pool = request.pool();
        PoolDefinition definition = request.standby() ? slots.definition(pool)
                : slots.acquire(pool, capped(request.queueTimeout()), abandoned);
        String jobId = request.jobId();
        // the job's leaf cgroups are made in place(): a warm spare brings its own
        return new JobPlace(pool, jobId, memoryLimits.getOrDefault(definition.name(), 0L), !request.standby());
    }

    private Duration capped(Optional<Duration> wanted) {
        return wanted.filter(t -> t.compareTo(queueTimeout) < 0).orElse(queueTimeout);
    }

    /** A job's slot and, with cgroups, its leaf cgroup. */
    private final class JobPlace implements Admission {
        private final String pool;
        private final String jobId;
        private final long memoryLimit;
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile boolean placed;
        /** Guarded by this: whether the job holds a slot (a standby job does not until it is activated). */
        private boolean holdsSlot;

        JobPlace(String pool, String jobId, long memoryLimit, boolean holdsSlot) {
            this.pool = pool;
            this.jobId = jobId;
            this.memoryLimit = memoryLimit;
            this.holdsSlot = holdsSlot;
        }

        @Override
        public void claimSlot(Duration wait, BooleanSupplier abandoned) throws LaunchFailure {
            synchronized (this) {
                if (holdsSlot) {
                    return;
                }
            }
            slots.acquire(pool, capped(Optional.of(wait).filter(w -> !w.isZero())), abandoned);
            synchronized (this) {
                if (closed.get()) {
                    slots.release(pool);
                    throw new LaunchFailure(LaunchErrorKind.BAD_REQUEST, "job " + jobId
                            + " ended while it waited for a slot in resource pool '" + pool + "'");
                }
                holdsSlot = true;
            }
        }

        @Override
        public void place(long pid) throws LaunchFailure {
            try {
                if (rlimit.isPresent()) {
                    rlimit.get().apply(pid, rlimitBytes.getOrDefault(pool, 0L));
                }
                if (cgroups.isEmpty()) {
                    return;
                }
                cgroups.get().place(pool, jobId, pid, jobMaxPids);
                placed = true;
            } catch (IOException e) {
                if (!io.extensa.launchpad.process.ProcessTable.isRunning(pid, 0)) {
                    // it ended already (a crash at start-up): nothing to limit, and its end is reported as usual
                    return;
                }
                throw new LaunchFailure(LaunchErrorKind.LAUNCH_FAILED, "cannot put the satellite (pid " + pid
                        + ") under the limits of resource pool '" + pool + "': " + e.getMessage(), e);
            }
        }

        @Override
        public Optional<List<Long>> processes() {
            if (cgroups.isEmpty() || !placed) {
                return Optional.empty();
            }
            try {
                return Optional.of(cgroups.get().jobProcesses(pool, jobId));
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        @Override
        public OptionalLong memoryKill() {
            if (cgroups.isEmpty() || memoryLimit == 0 || cgroups.get().oomKills(pool, jobId) == 0) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(memoryLimit);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                cgroups.ifPresent(c -> c.removeJob(pool, jobId));
                synchronized (this) {
                    if (holdsSlot) {
                        holdsSlot = false;
                        slots.release(pool);
                    }
                }
            }
        }
    }

    /** The pools in force with their counts, for STATUS. */
    public List<LaunchpadStatus.PoolInfo> status() {
        return slots.usage().stream().map(u -> new LaunchpadStatus.PoolInfo(u.definition().name(),
                u.definition().maxCpuPercent(), u.definition().maxMemoryPercent(), u.definition().maxProcesses(),
                u.active(), u.queued(), memoryLimits.getOrDefault(u.definition().name(), 0L))).toList();
    }

    /** The cgroup tree in use, when limits are enforced with cgroups. */
    public Optional<CgroupTree> tree() {
        return cgroups.map(CgroupEnforcer::tree);
    }

    @Override
    public String describe() {
        return enforcement;
    }

    /** Removes the cgroup tree; call once every job has ended. */
    public void close() {
        cgroups.ifPresent(CgroupEnforcer::close);
    }
}
