package io.extensa.engine;

import io.extensa.engine.catalog.Catalog;
import io.extensa.engine.catalog.ServerConfiguration;
import io.extensa.engine.library.ExternalLibraries;
import io.extensa.engine.library.LibraryCache;
import io.extensa.engine.monitor.DefaultPoolUsage;
import io.extensa.engine.monitor.ExecutionStats;
import io.extensa.engine.monitor.MonitorWriter;
import io.extensa.engine.monitor.RequestRegistry;
import io.extensa.engine.monitor.ResourcePoolUsage;
import io.extensa.engine.types.TypeCatalog;
import io.extensa.pgwire.PgException;
import io.extensa.pgwire.SqlState;
import io.extensa.engine.types.TypeCatalogs;
import io.extensa.protocol.launch.LaunchpadClient;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/** What every statement of every session shares: configuration, the launchpad, type catalogs, timers. */
public final class EngineServices implements AutoCloseable {

    /**
     * How long a call waits for a launchpad that does not accept connections: the server restarts
     * a launchpad that died within a few seconds (see ExtensaServer), and a call should not fail
     * because it arrived in between.
     */
    public static final java.time.Duration LAUNCHPAD_RECONNECT_WAIT = java.time.Duration.ofSeconds(20);

    private final EngineConfig config;
    private final LaunchpadClient launchpad;
    private final Catalog catalog;
    private final ServerConfiguration configuration;
    private final io.extensa.engine.pools.ResourceGovernor resourceGovernor;
    private final ExternalLibraries libraries;
    private final RequestRegistry requests = new RequestRegistry();
    private final ExecutionStats stats = new ExecutionStats();
    private MonitorWriter monitor;
    private final TypeCatalogs catalogs = new TypeCatalogs();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "engine-timer");
        t.setDaemon(true);
        return t;
    });
    /** Ends calls after their answer went out (audit line, loopback socket, job), each on a thread of its own. */
    private final java.util.concurrent.ExecutorService afterCalls = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("engine-after-call-", 0).factory());
    private final Instant startedAt = Instant.now();
    private final String jobPrefix = Long.toString(System.currentTimeMillis() / 1000, 36);
    private final AtomicLong jobs = new AtomicLong();
    private final io.extensa.engine.script.parallelread.ReaderPool readerPool;
    private final io.extensa.engine.script.StandbySatellites standbys =
            new io.extensa.engine.script.StandbySatellites(this);

    public EngineServices(EngineConfig config) {
        this.config = config;
        // a call arriving while the launchpad restarts waits for it rather than failing at once
        this.launchpad = new LaunchpadClient(config.launchpadSocket(), LaunchpadClient.DEFAULT_REPLY_TIMEOUT,
                LAUNCHPAD_RECONNECT_WAIT);
        this.catalog = config.catalog().map(Catalog::new).orElse(null);
        this.configuration = catalog == null ? null : new ServerConfiguration(catalog, config.scriptsEnabledByDefault());
        this.resourceGovernor = catalog == null ? null : new io.extensa.engine.pools.ResourceGovernor(catalog, launchpad);
        if (catalog != null && config.libraryDirectory() != null) {
            LibraryCache cache = new LibraryCache(config.libraryDirectory(), config.rCommand());
            cache.sweep();
            this.libraries = new ExternalLibraries(catalog, cache);
        } else {
            this.libraries = null;
        }
        requests.addListener(stats);
        this.readerPool = catalog == null ? null : new io.extensa.engine.script.parallelread.ReaderPool(
                new io.extensa.engine.script.parallelread.ReaderRoles(catalog, jobPrefix));
        if (readerPool != null) {
            scheduler.scheduleWithFixedDelay(this::sweepReaders, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** The reader connections of parallel input reads, kept between calls; null without a service connection. */
    public io.extensa.engine.script.parallelread.ReaderPool readerPool() {
        return readerPool;
    }

    /** Satellites started ahead of callers' next calls (sp_configure 'standby satellites'). */
    public io.extensa.engine.script.StandbySatellites standbys() {
        return standbys;
    }

    private void sweepReaders() {
        if (readerPool.isEmpty()) {
            return;
        }
        try {
            readerPool.sweep(java.time.Duration.ofSeconds(
                    configuration.inUse(ServerConfiguration.PARALLEL_READ_KEEP_SECONDS)));
        } catch (PgException | RuntimeException e) {
            // the catalog is unreachable: keep what is kept, the next sweep tries again
            org.slf4j.LoggerFactory.getLogger(EngineServices.class).debug("reader sweep skipped: {}", e.getMessage());
        }
    }

    /**
     * Starts keeping the monitoring tables (sys.dm_external_script_*) up to date, with this pool
     * usage source (the default pool until resource pools provide theirs). Without a catalog only
     * the in-memory registry exists.
     */
    public synchronized void startMonitoring(ResourcePoolUsage pools) {
        if (monitor == null && catalog != null) {
            monitor = new MonitorWriter(Catalog.forTransientRows(catalog.config()), requests, stats,
                    pools == null ? new DefaultPoolUsage() : pools, launchpad);
        }
    }

    /**
     * The launchpad was restarted (a new process on the same socket): it gets the catalog's resource
     * pools again, so their limits hold for the jobs it starts. It has also loaded the pools it last
     * applied from its own file at start; this makes the catalog win should the two differ.
     */
    public void launchpadRestarted() {
        if (resourceGovernor != null) {
            resourceGovernor.applyAtStart();
        }
    }

    /** The script requests running in this gateway; parallel execution reports its degree here too. */
    public RequestRegistry requests() {
        return requests;
    }

    /** The monitor's view of satellite memory and CPU, or null when it is not running. */
    public synchronized MonitorWriter monitor() {
        return monitor;
    }

    public EngineConfig config() {
        return config;
    }

    public LaunchpadClient launchpad() {
        return launchpad;
    }

    /** The type catalog of one database: built-in types plus the database's own, loaded on demand. */
    public TypeCatalog types(String database) {
        return catalogs.forDatabase(database);
    }

    /** Extensa's catalog in PostgreSQL; fails clearly when no catalog connection is configured. */
    public Catalog catalog() throws PgException {
        if (catalog == null) {
            throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "Extensa's catalog is not configured")
                    .withHint("set catalog.user and catalog.password-file (and catalog.database) in extensa.conf");
        }
        return catalog;
    }

    /** External libraries (needs the catalog and a library directory). */
    public ExternalLibraries libraries() throws PgException {
        catalog();
        if (libraries == null) {
            throw new PgException(SqlState.FEATURE_NOT_SUPPORTED, "external libraries are not configured on this "
                    + "server (no library directory)");
        }
        return libraries;
    }

    /**
     * The library directories a script searches before the runtime's own packages (private, then
     * public); empty when libraries are not configured.
     */
    public java.util.List<java.nio.file.Path> librarySearchPath(io.extensa.pgwire.intercept.ExecutionContext ctx,
                                                              String language) throws PgException {
        if (libraries == null) {
            return java.util.List.of();
        }
        return libraries.searchPath(ctx.backend(), ctx.session().database(), language);
    }

    /** sp_configure's switches (needs the catalog). */
    public ServerConfiguration configuration() throws PgException {
        catalog();
        return configuration;
    }

    /** External resource pools (needs the catalog). */
    public io.extensa.engine.pools.ResourceGovernor resourceGovernor() throws PgException {
        catalog();
        return resourceGovernor;
    }

    /** The pool a call of {@code user} runs in: {@code default} without a catalog. */
    public String poolFor(String user) throws PgException {
        return resourceGovernor == null ? io.extensa.protocol.launch.PoolDefinition.DEFAULT_POOL
                : resourceGovernor.poolFor(user);
    }

    /**
     * Whether scripts may run at all. Without a catalog the switch cannot be turned on: an existing
     * PostgreSQL then needs catalog.* configured first (external scripts ship disabled).
     */
    public boolean scriptsEnabled() throws PgException {
        return configuration != null
                && configuration.inUse(ServerConfiguration.EXTERNAL_SCRIPTS_ENABLED) == 1;
    }

    /**
     * Satellites for a call with {@code @parallel = 1}: sp_configure 'max degree of parallelism',
     * where 0 (the default) means the number of cores.
     */
    public int parallelDegree() throws PgException {
        int configured = configuration == null ? 0
                : configuration.inUse(ServerConfiguration.MAX_DEGREE_OF_PARALLELISM);
        return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
    }

    /** sp_configure 'external scripts timeout' in milliseconds; 0 when none is set (or without a catalog). */
    public long scriptTimeoutMillis() throws PgException {
        return configuration == null ? 0
                : configuration.inUse(ServerConfiguration.EXTERNAL_SCRIPTS_TIMEOUT) * 1000L;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /**
     * Runs what is left of a call once its answer is on its way (closing its job, its audit line);
     * at once on the calling thread when the engine is closing.
     */
    public void afterCall(Runnable work) {
        Runnable safe = () -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(EngineServices.class).warn("ending a call failed", e);
            }
        };
        try {
            afterCalls.execute(safe);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            safe.run();
        }
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** Request ids unique across gateway restarts: start time in base 36, then a counter. */
    public String newJobId() {
        return jobPrefix + "-" + jobs.incrementAndGet();
    }

    @Override
    public void close() {
        afterCalls.shutdown();
        try {
            afterCalls.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        standbys.close();
        scheduler.shutdownNow();
        if (readerPool != null) {
            readerPool.close();
        }
        MonitorWriter m;
        synchronized (this) {
            m = monitor;
            monitor = null;
        }
        if (m != null) {
            m.close();
        }
        if (catalog != null) {
            catalog.close();
        }
    }
}
