package io.extensa.launchpad.job;

import io.extensa.launchpad.isolation.ResourcePools;
import io.extensa.launchpad.isolation.WorkerAccount;
import io.extensa.launchpad.isolation.WorkerAccounts;
import io.extensa.launchpad.process.ExitStatus;
import io.extensa.launchpad.process.ProcessTreeKiller;
import io.extensa.launchpad.process.SatelliteProcess;
import io.extensa.protocol.launch.ExitReason;
import io.extensa.protocol.launch.Exited;
import io.extensa.protocol.launch.LaunchRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running job: its satellite, directory, account and pool place. EXITED is sent exactly once,
 * when the satellite ends; {@link #terminate()} (connection closed, launchpad stopping) kills what
 * is left and gives everything back, exactly once.
 */
public final class Job {

    private static final Logger log = LoggerFactory.getLogger(Job.class);
    /** How long to wait for EXITED to be put together (output tail) before the files go. */
    private static final Duration EXIT_REPORT_WAIT = Duration.ofSeconds(2);

    private final LaunchRequest request;
    private final String language;
    private final Path workDir;
    private final SatelliteProcess satellite;
    private final WorkerAccount worker;
    private final ResourcePools.Admission admission;
    private final long startedMillis = System.currentTimeMillis();
    private final Services services;
    private final CompletableFuture<Exited> exited = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final AtomicBoolean terminating = new AtomicBoolean();
    private final Object killLock = new Object();
    private ExitReason killReason;
    private volatile JobConnection connection;
    private volatile ScheduledFuture<?> timeout;
    /** Set once a kill has reached every process of the job: the exit report and the end need not look again. */
    private volatile boolean treeKilled;
    private volatile boolean idleStandby;

    /** What jobs share: the launchpad's parts that outlive them. */
    public record Services(JobDirectories directories, JobRegistry registry, WorkerAccounts workers, ProcessTreeKiller killer,
                    ScheduledExecutorService timers, Executor blocking, Duration killTimeout) {
    }

    Job(LaunchRequest request, String language, Path workDir, SatelliteProcess satellite, WorkerAccount worker,
        ResourcePools.Admission admission, Services services) {
        this.request = request;
        this.language = language;
        this.workDir = workDir;
        this.satellite = satellite;
        this.worker = worker;
        this.admission = admission;
        this.services = services;
        this.idleStandby = request.standby();
    }

    public String id() {
        return request.jobId();
    }

    public LaunchRequest request() {
        return request;
    }

    public String language() {
        return language;
    }

    public Path workDir() {
        return workDir;
    }

    public long pid() {
        return satellite.pid();
    }

    public boolean warm() {
        return satellite.warm();
    }

    public WorkerAccount worker() {
        return worker;
    }

    public long startedMillis() {
        return startedMillis;
    }

    /**
     * A standby job's ACTIVATE: takes its slot in its pool, waiting in the pool's queue up to
     * {@code wait} (zero: the launchpad's limit). Nothing for a job that holds one already.
     */
    public void activate(Duration wait, java.util.function.BooleanSupplier abandoned) throws LaunchFailure {
        admission.claimSlot(wait, abandoned);
        idleStandby = false;
    }

    /** A standby job not yet activated: its satellite waits, holding no pool slot. */
    public boolean idleStandby() {
        return idleStandby;
    }

    /**
     * Whether the job's end is under way: from then its processes are being killed or are gone,
     * and its pool slot is released before it leaves the registry.
     */
    public boolean ending() {
        return terminating.get();
    }

    /** Completes with what EXITED said once the satellite has ended. */
    public CompletableFuture<Exited> exited() {
        return exited;
    }

    /**
     * Starts watching the satellite: EXITED goes to {@code connection} when it ends, and the
     * request's timeout starts. Call after LAUNCHED was sent, so EXITED always comes second.
     */
    public void watch(JobConnection connection) {
        this.connection = connection;
        request.timeout().ifPresent(limit -> timeout = services.timers().schedule(
                () -> services.blocking().execute(() -> kill(ExitReason.TIMEOUT)),
                limit.toMillis(), TimeUnit.MILLISECONDS));
        satellite.exit().whenCompleteAsync((status, error) -> reportExit(status == null ? ExitStatus.unknown() : status),
                services.blocking());
    }

    /** Kills the process tree; the satellite's end is then reported with {@code reason}. */
    public void kill(ExitReason reason) {
        synchronized (killLock) {
            if (killReason != null || satellite.exit().isDone()) {
                return;
            }
            killReason = reason;
        }
        log.info("job {}: killing its process tree ({})", id(), reason.wireName());
        killProcesses();
    }

    private void killProcesses() {
        if (treeKilled) {
            // every process of the job has SIGKILL pending already
            return;
        }
        if (services.killer().killMembers(admission::processes, satellite.pid(), satellite.startTime())) {
            treeKilled = true;
        }
    }

    private void reportExit(ExitStatus status) {
        // whatever the satellite left running in its session dies with it; a job killed before
        // already has SIGKILL pending everywhere but a fork that was under way then
        if (treeKilled) {
            int late = services.killer().sweepMembers(admission::processes);
            if (late > 0) {
                log.info("job {}: {} process(es) forked while the job was killed got SIGKILL too", id(), late);
            }
        } else {
            killProcesses();
        }
        ScheduledFuture<?> limit = timeout;
        if (limit != null) {
            limit.cancel(false);
        }
        String tail = satellite.outputTail();
        if (!status.known()) {
            tail += (tail.isEmpty() || tail.endsWith("\n") ? "" : "\n")
                    + "[launchpad] exit status unknown: the fork server that started this process stopped before it";
        }
        ExitReason reason;
        synchronized (killLock) {
            reason = killReason != null ? killReason : status.signal() != 0 ? ExitReason.KILLED : ExitReason.EXITED;
        }
        long memoryLimit = 0;
        if (reason == ExitReason.KILLED || reason == ExitReason.EXITED && status.exitCode() != 0) {
            // the kernel's OOM killer may hit a child the satellite waits for rather than the satellite itself
            java.util.OptionalLong oom = admission.memoryKill();
            if (oom.isPresent()) {
                reason = ExitReason.OOM;
                memoryLimit = oom.getAsLong();
            }
        }
        Exited message = new Exited(id(), status.exitCode(), status.signal(), reason, tail, memoryLimit);
        log.info("job {} ({}, pid {}) ended: {}, exit code {}, signal {}", id(), language, satellite.pid(),
                reason.wireName(), status.exitCode(), status.signal());
        if (!tail.isEmpty() && log.isDebugEnabled()) {
            log.debug("job {} output tail:\n{}", id(), tail);
        }
        JobConnection target = connection;
        if (target != null) {
            target.sendExited(message);
        }
        exited.complete(message);
    }

    /**
     * Ends the job for good: kills the tree, waits for the satellite to be reaped and EXITED to be
     * put together, removes the job's directory and files, releases account and pool place.
     * Idempotent; concurrent callers wait for the first.
     */
    public void terminate() {
        if (!terminating.compareAndSet(false, true)) {
            terminated.join();
            return;
        }
        try {
            ScheduledFuture<?> limit = timeout;
            if (limit != null) {
                limit.cancel(false);
            }
            killProcesses();
            await(satellite.exit(), services.killTimeout(), "to be reaped");
            if (satellite.exit().isDone() && connection != null) {
                await(exited, EXIT_REPORT_WAIT, "to be reported");
            }
            satellite.release();
            // the cgroups first: their removal waits for the killed processes to be gone, and
            // whoever sees the job's files gone may rely on everything else of it being gone too
            admission.close();
            if (services.directories().remove(id())) {
                log.debug("job {}: directory {} removed", id(), workDir);
            }
        } finally {
            services.workers().release(worker);
            admission.close();
            services.registry().release(id());
            terminated.complete(null);
        }
    }

    /** For shutdown: kill with reason "killed", let EXITED go out, then close the connection and clean up. */
    public void shutdown() {
        kill(ExitReason.KILLED);
        if (connection != null) {
            await(exited, EXIT_REPORT_WAIT, "to be reported");
        }
        JobConnection target = connection;
        if (target != null) {
            target.close();
        }
        terminate();
    }

    private void await(CompletableFuture<?> future, Duration limit, String what) {
        try {
            future.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.error("job {}: satellite {} did not finish {} within {} ms", id(), satellite.pid(), what,
                    limit.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.error("job {}: waiting for the satellite {} failed", id(), what, e.getCause());
        }
    }

    @Override
    public String toString() {
        return "Job[" + id() + ", " + language + ", pid " + satellite.pid() + (satellite.warm() ? ", warm" : "") + "]";
    }
}
