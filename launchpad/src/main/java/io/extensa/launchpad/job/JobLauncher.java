package io.extensa.launchpad.job;

import io.extensa.launchpad.isolation.ResourcePools;
import io.extensa.launchpad.isolation.Sandbox;
import io.extensa.launchpad.isolation.SandboxSpec;
import io.extensa.launchpad.isolation.WorkerAccount;
import io.extensa.launchpad.lang.Language;
import io.extensa.launchpad.lang.Languages;
import io.extensa.launchpad.process.ColdSatellite;
import io.extensa.launchpad.process.SatelliteProcess;
import io.extensa.launchpad.warm.ForkServer;
import io.extensa.launchpad.warm.ForkServerSupervisor;
import io.extensa.launchpad.warm.WarmSatellite;
import io.extensa.protocol.launch.ForkRequest;
import io.extensa.protocol.launch.LaunchErrorKind;
import io.extensa.protocol.launch.LaunchRequest;
import io.extensa.spi.SatelliteCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The launch pipeline, in order: language, job id reservation, pool admission, worker account,
 * job directory, environment, then the satellite (forked by the language's fork server when one
 * is up, else a fresh exec inside the sandbox), then the pid file. A step that fails undoes the
 * ones before it.
 */
public final class JobLauncher {

    private static final Logger log = LoggerFactory.getLogger(JobLauncher.class);

    private final Languages languages;
    private final ResourcePools pools;
    private final Sandbox sandbox;
    private final Map<String, ForkServerSupervisor> forkServers;
    private final Duration forkTimeout;
    private final int outputTailBytes;
    private final Job.Services services;

    public JobLauncher(Languages languages, ResourcePools pools, Sandbox sandbox,
                       Map<String, ForkServerSupervisor> forkServers, Duration forkTimeout, int outputTailBytes,
                       Job.Services services) {
        this.languages = languages;
        this.pools = pools;
        this.sandbox = sandbox;
        this.forkServers = Map.copyOf(forkServers);
        this.forkTimeout = forkTimeout;
        this.outputTailBytes = outputTailBytes;
        this.services = services;
    }

    /** Starts the job's satellite; the job is registered and running when this returns. */
    public Job launch(LaunchRequest request) throws LaunchFailure {
        return launch(request, () -> false);
    }

    /**
     * As {@link #launch(LaunchRequest)}; {@code abandoned} tells a request waiting for a slot in
     * its pool that the engine gave up on it.
     */
    public Job launch(LaunchRequest request, java.util.function.BooleanSupplier abandoned) throws LaunchFailure {
        Language language = languages.require(request.language());
        SatelliteCommand command = language.satelliteCommand().orElseThrow(() -> new LaunchFailure(
                LaunchErrorKind.LAUNCH_FAILED, language.unavailableReason().orElse("no satellite command")));
        String jobId = request.jobId();
        services.registry().reserve(jobId);
        ResourcePools.Admission admission = null;
        WorkerAccount worker = null;
        Path workDir = null;
        SatelliteProcess satellite = null;
        long started = System.nanoTime();
        long[] marks = new long[5];
        try {
            admission = pools.admit(request, abandoned);
            marks[0] = System.nanoTime();
            worker = services.workers().acquire(jobId);
            workDir = services.directories().create(jobId);
            marks[1] = System.nanoTime();
            Map<String, String> environment = JobEnvironment.forJob(request, command, workDir);
            SandboxSpec sandboxSpec = new SandboxSpec(jobId, workDir, Path.of(request.socketPath()), worker,
                    sandbox.libraryBinds(request.libraryPaths()));
            satellite = startWarm(language, request, workDir, environment, sandboxSpec).orElse(null);
            if (satellite == null) {
                satellite = startCold(language, command, workDir, environment, sandboxSpec);
            }
            marks[2] = System.nanoTime();
            // the one place a satellite is put under its pool's limits (cgroups), warm or cold, sandboxed
            // or not: before LAUNCHED, so before the engine gives it any user code
            admission.place(satellite.pid());
            marks[3] = System.nanoTime();
            try {
                services.directories().recordProcess(services.directories().pidFile(jobId), satellite.pid(),
                        satellite.startTime());
            } catch (IOException e) {
                throw new LaunchFailure(LaunchErrorKind.LAUNCH_FAILED, "cannot record the satellite's pid in "
                        + services.directories().pidFile(jobId) + ": " + e.getMessage(), e);
            }
            Job job = new Job(request, language.name(), workDir, satellite, worker, admission, services);
            services.registry().activate(job);
            marks[4] = System.nanoTime();
            if (log.isDebugEnabled()) {
                log.debug("job {}: launch phases: admit {}, account and directory {}, {} start {}, limits {},"
                        + " pid file {} ms", jobId, millis(started, marks[0]), millis(marks[0], marks[1]),
                        satellite.warm() ? "warm" : "cold", millis(marks[1], marks[2]), millis(marks[2], marks[3]),
                        millis(marks[3], marks[4]));
            }
            log.info("job {}: {} satellite started {}{}, pid {}, for user {} (database {}, pool {}, session {})", jobId,
                    language.name(), satellite.warm() ? "warm" : "cold", request.standby() ? " as a standby" : "",
                    satellite.pid(), request.user(), request.database(), request.pool(), request.sessionId());
            return job;
        } catch (LaunchFailure | RuntimeException e) {
            undo(jobId, satellite, workDir, worker, admission);
            throw e;
        }
    }

    private static String millis(long from, long to) {
        return String.format(Locale.ROOT, "%.2f", (to - from) / 1e6);
    }

    private Optional<SatelliteProcess> startWarm(Language language, LaunchRequest request, Path workDir,
                                                 Map<String, String> environment, SandboxSpec jobSandbox) {
        ForkServerSupervisor supervisor = forkServers.get(language.name());
        Optional<ForkServer> server = supervisor == null ? Optional.empty() : supervisor.current();
        if (server.isEmpty()) {
            return Optional.empty();
        }
        String sandboxSpec = sandbox.jobSpec(jobSandbox);
        if (!sandboxSpec.isEmpty() && !server.get().sandboxesChildren()) {
            // a fork server that would ignore the spec must never get the job: it starts cold, sandboxed
            log.debug("job {}: the {} fork server does not sandbox its children; starting cold", request.jobId(),
                    language.name());
            return Optional.empty();
        }
        Path outputFile = services.directories().outputFile(request.jobId());
        CompletableFuture<WarmSatellite> fork = null;
        try {
            Files.deleteIfExists(outputFile);
            Files.createFile(outputFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            ForkRequest forkRequest = new ForkRequest(request.jobId(), request.socketPath(), request.secret(),
                    workDir.toString(), environment, outputFile.toString(), sandboxSpec);
            fork = server.get().fork(forkRequest, outputFile);
            return Optional.of(fork.get(forkTimeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            fork.cancel(false);
            log.warn("job {}: the {} fork server did not answer FORK within {} ms; restarting it and starting the job"
                    + " cold", request.jobId(), language.name(), forkTimeout.toMillis());
            server.get().close();
        } catch (ExecutionException e) {
            log.warn("job {}: warm start failed ({}); starting it cold", request.jobId(), e.getCause().getMessage());
        } catch (IOException e) {
            log.warn("job {}: cannot create the output file {} ({}); starting it cold", request.jobId(), outputFile,
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (fork != null) {
                fork.cancel(false);
            }
        }
        return Optional.empty();
    }

    private SatelliteProcess startCold(Language language, SatelliteCommand command, Path workDir,
                                       Map<String, String> environment, SandboxSpec sandboxSpec) throws LaunchFailure {
        String program = command.argv().get(0);
        if (!Executables.canExecute(program, environment.get("PATH"), workDir)) {
            throw new LaunchFailure(LaunchErrorKind.LAUNCH_FAILED, "cannot start the " + language.name()
                    + " satellite: '" + program + "' does not exist or is not executable (check the language."
                    + language.name().toLowerCase(Locale.ROOT) + ".* settings)");
        }
        List<String> sandboxed = sandbox.wrap(command.argv(), sandboxSpec);
        try {
            return ColdSatellite.start(sandboxSpec.jobId(), sandboxed, environment, workDir, outputTailBytes);
        } catch (IOException e) {
            throw new LaunchFailure(LaunchErrorKind.LAUNCH_FAILED, "cannot start the " + language.name()
                    + " satellite " + command.argv() + ": " + e.getMessage(), e);
        }
    }

    private void undo(String jobId, SatelliteProcess satellite, Path workDir, WorkerAccount worker,
                      ResourcePools.Admission admission) {
        if (satellite != null) {
            services.killer().killTree(satellite.pid(), satellite.startTime());
            satellite.release();
        }
        if (workDir != null) {
            services.directories().remove(jobId);
        }
        if (worker != null) {
            services.workers().release(worker);
        }
        if (admission != null) {
            admission.close();
        }
        services.registry().release(jobId);
    }
}
