package io.extensa.launchpad;

import io.extensa.launchpad.control.ControlServer;
import io.extensa.launchpad.isolation.IsolationSetup;
import io.extensa.launchpad.isolation.JobsTmpfs;
import io.extensa.launchpad.isolation.LaunchpadUserAccounts;
import io.extensa.launchpad.pools.ManagedPools;
import io.extensa.launchpad.job.LaunchFailure;
import io.extensa.protocol.launch.ControlMessage;
import io.extensa.protocol.launch.LaunchError;
import io.extensa.protocol.launch.Pools;
import io.extensa.launchpad.isolation.Sandbox;
import io.extensa.launchpad.isolation.WorkerAccounts;
import io.extensa.launchpad.job.Job;
import io.extensa.launchpad.job.JobDirectories;
import io.extensa.launchpad.job.JobEnvironment;
import io.extensa.launchpad.job.JobLauncher;
import io.extensa.launchpad.job.JobRegistry;
import io.extensa.launchpad.lang.Language;
import io.extensa.launchpad.lang.Languages;
import io.extensa.launchpad.process.ProcessTreeKiller;
import io.extensa.launchpad.warm.ForkServer;
import io.extensa.launchpad.warm.ForkServerSupervisor;
import io.extensa.protocol.launch.LaunchpadStatus;
import io.extensa.spi.SatelliteCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The launchpad daemon, embeddable: {@code new Launchpad(config).start()} listens on the control
 * socket until {@link #close()}. It alone starts satellites; see docs/launchpad.md.
 */
public final class Launchpad implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Launchpad.class);
    private static final String LOCK_FILE = ".lock";
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private enum State { NEW, RUNNING, CLOSING, CLOSED }

    private final LaunchpadConfig config;
    private final JobDirectories directories;
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private State state = State.NEW;
    private FileChannel lockChannel;
    private ScheduledExecutorService timers;
    private ExecutorService blocking;
    private ProcessTreeKiller killer;
    private Languages languages;
    private JobRegistry registry;
    private Sandbox sandbox;
    private WorkerAccounts workers;
    private ManagedPools pools;
    private List<String> isolationWarnings = List.of();
    private boolean jobsTmpfsMounted;
    private String jobsTmpfsWarning;
    private final Map<String, ForkServerSupervisor> forkServers = new LinkedHashMap<>();
    private ControlServer server;

    public Launchpad(LaunchpadConfig config) {
        this.config = config;
        this.directories = new JobDirectories(config.jobsDir());
    }

    /**
     * Takes the jobs directory (one launchpad per directory), cleans up after a crashed
     * predecessor, loads the languages, starts their fork servers in the background and listens.
     */
    public synchronized Launchpad start() throws IOException {
        if (state != State.NEW) {
            throw new IllegalStateException("the launchpad was already started");
        }
        try {
            config.validate();
            config.unknownLaunchpadKeys().forEach(key -> log.warn("ignoring unknown setting {}", key));
            if (!Files.isExecutable(config.setsid())) {
                throw new IOException("util-linux setsid is not at " + config.setsid()
                        + " (install util-linux or set " + LaunchpadConfig.SETSID + ")");
            }
            directories.prepare();
            mountJobsTmpfs();
            lock();
            timers = new ScheduledThreadPoolExecutor(1, runnable -> Thread.ofPlatform().name("launchpad-timer")
                    .daemon(true).unstarted(runnable));
            // reused threads: creating a platform thread per job's exit report cost a clone and its stack each time
            blocking = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("launchpad-job-", 0).factory());
            killer = new ProcessTreeKiller(config.killTimeout());
            int stale = directories.sweepStale(killer);
            if (stale > 0) {
                log.warn("removed {} stale job directories left by a previous launchpad", stale);
            }
            Files.createDirectories(config.runtimeDir());
            languages = Languages.load(config, Launchpad.class.getClassLoader());
            List<Path> runtimeHomes = languages.enabled().stream().map(l -> l.context().runtimeHome()).toList();
            // resource pools (cgroups) plug in here: the cgroup.procs files a job's satellite joins before it runs
            IsolationSetup.Choice isolation = IsolationSetup.choose(config, runtimeHomes, spec -> List.of());
            sandbox = isolation.sandbox();
            workers = isolation.workers();
            isolationWarnings = new ArrayList<>(isolation.warnings());
            if (jobsTmpfsWarning != null) {
                isolationWarnings.add(jobsTmpfsWarning);
            }
            pools = ManagedPools.start(config);
            registry = new JobRegistry(config.maxJobs());
            pools.sweepSpareCgroups();
            timers.scheduleWithFixedDelay(pools::sweepSpareCgroups, 30, 30, java.util.concurrent.TimeUnit.SECONDS);
            startForkServers();
            Job.Services services = jobServices();
            JobLauncher launcher = new JobLauncher(languages, pools, sandbox, forkServers, config.forkTimeout(),
                    config.outputTailBytes(), services);
            server = new ControlServer(config.socketPath(), config.allowedUsers(), config.maxJobs() + 64,
                    config.requestTimeout(), launcher, this::status, this::applyPools, timers);
            server.start();
            state = State.RUNNING;
        } catch (IOException | RuntimeException e) {
            state = State.RUNNING;
            close();
            throw e;
        }
        log.info("launchpad {} (pid {}) listening on {}; jobs in {}; {}; languages: {}", version(),
                ProcessHandle.current().pid(), config.socketPath(), config.jobsDir(), mode(),
                languages.enabled().isEmpty() ? "none" : languages.enabled());
        return this;
    }

    /** Root with the sandbox: the jobs directory on a tmpfs of its own (see {@link JobsTmpfs}). */
    private void mountJobsTmpfs() {
        if (!config.sandbox() || config.jobsTmpfsBytes() == 0 || LaunchpadUserAccounts.currentUid() != 0) {
            return;
        }
        try {
            JobsTmpfs.mount(config.jobsDir(), config.jobsTmpfsBytes());
            jobsTmpfsMounted = true;
        } catch (IOException e) {
            jobsTmpfsWarning = "cannot mount a tmpfs on the jobs directory (" + e.getMessage() + "). Not enforced: a"
                    + " bound on what all jobs together write (only RLIMIT_FSIZE per file applies)";
            log.warn("isolation: {}", jobsTmpfsWarning);
        }
    }

    private Job.Services jobServices() {
        return new Job.Services(directories, registry, workers, killer, timers, blocking, config.killTimeout());
    }

    private void lock() throws IOException {
        Path lockFile = config.jobsDir().resolve(LOCK_FILE);
        lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            lockChannel = null;
            throw new IOException("another launchpad is using the jobs directory " + config.jobsDir());
        }
    }

    private void startForkServers() {
        for (Language language : languages.enabled()) {
            Optional<SatelliteCommand> command = language.forkServerCommand();
            if (command.isEmpty()) {
                continue;
            }
            Path home = language.context().runtimeHome();
            List<String> argv = new ArrayList<>();
            argv.add(config.setsid().toString());
            argv.addAll(command.get().argv());
            Map<String, String> environment = JobEnvironment.base(home, Path.of("/tmp"));
            environment.putAll(command.get().environment());
            environment.putAll(sandbox.forkServerEnvironment());
            // spares wait in leaf cgroups of the default pool, which a job of that pool takes over as is
            environment.computeIfPresent("EXTENSA_SANDBOX_SPEC", (name, spec) -> spec + pools.spareCgroupDirectories()
                    .stream().map(dir -> "spare_cgroup=" + dir + "\n").collect(java.util.stream.Collectors.joining()));
            environment.put("EXTENSA_WARM_SPARES", Integer.toString(config.warmChildren()));
            String key = language.name().toLowerCase(Locale.ROOT);
            ForkServerSupervisor supervisor = new ForkServerSupervisor(new ForkServerSupervisor.Spec(language.name(),
                    argv, environment, home, directories.forkServerPidFile(key), config.warmStartTimeout(),
                    config.warmRestartMin(), config.warmRestartMax(), config.outputTailBytes()), killer, timers,
                    directories::recordProcess);
            forkServers.put(language.name(), supervisor);
            supervisor.start();
        }
    }

    public LaunchpadConfig config() {
        return config;
    }

    public Path socketPath() {
        return config.socketPath();
    }

    /** What runs now: the same answer STATUS_REQUEST gets. */
    public LaunchpadStatus status() {
        if (languages == null || registry == null) {
            throw new IllegalStateException("the launchpad has not been started");
        }
        List<LaunchpadStatus.LanguageInfo> languageInfos = new ArrayList<>();
        for (Language language : languages.enabled()) {
            Optional<ForkServer> forkServer = Optional.ofNullable(forkServers.get(language.name()))
                    .flatMap(ForkServerSupervisor::current);
            languageInfos.add(new LaunchpadStatus.LanguageInfo(language.name(), forkServer.isPresent(),
                    forkServer.map(ForkServer::pid).orElse(0L)));
        }
        List<LaunchpadStatus.JobInfo> jobInfos = registry.jobs().stream()
                .map(job -> new LaunchpadStatus.JobInfo(job.id(), job.pid(), job.language(), job.request().user(),
                        job.startedMillis(), job.request().pool(), job.warm(), job.idleStandby(), job.ending()))
                .toList();
        return new LaunchpadStatus(ProcessHandle.current().pid(), version(), languageInfos, jobInfos, mode(),
                pools.status(), pools.describe());
    }

    /** POOLS: the answer is POOLS_APPLIED, or ERROR when a pool's limits could not be written. */
    private ControlMessage applyPools(Pools request) {
        try {
            return pools.apply(request);
        } catch (LaunchFailure e) {
            log.error("POOLS failed: {}", e.getMessage());
            return new LaunchError(e.kind(), e.getMessage());
        }
    }

    /** The resource pools, for tests and tools: what is in force and how it is enforced. */
    public ManagedPools pools() {
        return pools;
    }

    /**
     * How satellites are isolated, e.g. "root, 20 worker accounts (...), sandbox (namespaces: mount pid
     * net ipc uts)", followed by "; NOT ENFORCED: ..." when something is missing here.
     */
    public String mode() {
        String mode = workers.describe() + ", " + sandbox.describe();
        return isolationWarnings.isEmpty() ? mode : mode + "; NOT ENFORCED: " + String.join("; ", isolationWarnings);
    }

    /** Waits until the language's fork server is up; false when it has none or the time ran out. */
    public boolean awaitWarm(String language, Duration timeout) throws InterruptedException {
        Optional<Language> found = languages.find(language);
        ForkServerSupervisor supervisor = found.map(l -> forkServers.get(l.name())).orElse(null);
        return supervisor != null && supervisor.awaitUp(timeout);
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClosed() throws InterruptedException {
        closedLatch.await();
    }

    /**
     * Stops listening (the socket file goes), kills every job's process tree and removes its
     * directory, stops the fork servers. Idempotent.
     */
    @Override
    public void close() {
        boolean closingElsewhere;
        synchronized (this) {
            closingElsewhere = state == State.CLOSING;
            if (!closingElsewhere && state != State.RUNNING) {
                state = State.CLOSED;
                closedLatch.countDown();
                return;
            }
            state = State.CLOSING;
        }
        if (closingElsewhere) {
            // a second stop (SIGTERM's shutdown hook while the lifeline stops us) waits for the
            // first: returning early would let the JVM halt half way through the cleanup
            awaitFirstClose();
            return;
        }
        log.info("launchpad stopping");
        if (server != null) {
            server.stopAccepting();
        }
        if (registry != null) {
            List<Job> jobs = registry.close();
            List<Thread> stoppers = new ArrayList<>();
            for (Job job : jobs) {
                stoppers.add(Thread.ofPlatform().daemon().name("stop-" + job.id()).start(job::shutdown));
            }
            for (Thread stopper : stoppers) {
                try {
                    stopper.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!jobs.isEmpty()) {
                log.info("stopped {} running jobs", jobs.size());
            }
        }
        if (server != null) {
            server.close();
        }
        forkServers.values().forEach(ForkServerSupervisor::close);
        if (pools != null) {
            pools.close();
        }
        if (timers != null) {
            timers.shutdownNow();
        }
        if (blocking != null) {
            blocking.shutdownNow();
        }
        if (lockChannel != null) {
            try {
                lockChannel.close();
            } catch (IOException e) {
                log.debug("releasing the lock: {}", e.getMessage());
            }
        }
        if (jobsTmpfsMounted) {
            try {
                JobsTmpfs.unmount(config.jobsDir());
            } catch (IOException e) {
                log.warn("cannot unmount the jobs directory's tmpfs: {}", e.getMessage());
            }
        }
        log.info("launchpad stopped");
        synchronized (this) {
            state = State.CLOSED;
        }
        closedLatch.countDown();
    }

    private void awaitFirstClose() {
        boolean interrupted = false;
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        try {
            while (closedLatch.getCount() > 0 && System.nanoTime() < deadline) {
                try {
                    closedLatch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The version of this build, from the jar's resources. */
    public static String version() {
        try (InputStream in = Launchpad.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "");
                if (!version.isEmpty() && !version.startsWith("${")) {
                    return version;
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "development";
    }
}
